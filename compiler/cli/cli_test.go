package cli

import (
	"bytes"
	"errors"
	"flag"
	"io"
	"io/fs"
	"slices"
	"strings"
	"testing"

	"github.com/containers/common/pkg/seccomp"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/profile"
)

// fakeImpl keeps files in memory and lets tests choose what Check says.
type fakeImpl struct {
	files    map[string]string
	written  map[string]string
	writeErr error
	native   seccomp.Arch
	checkErr error
	checked  int
}

func (f *fakeImpl) ReadFile(path string) ([]byte, error) {
	data, ok := f.files[path]
	if !ok {
		return nil, &fs.PathError{Op: "open", Path: path, Err: fs.ErrNotExist}
	}
	return []byte(data), nil
}

func (f *fakeImpl) WriteFile(path string, data []byte) error {
	if f.writeErr != nil {
		return f.writeErr
	}
	f.written[path] = string(data)
	return nil
}

func (f *fakeImpl) WriteFileFrom(path string, src io.WriterTo) error {
	var b bytes.Buffer
	if _, err := src.WriteTo(&b); err != nil {
		return err
	}
	return f.WriteFile(path, b.Bytes())
}

func (f *fakeImpl) NativeArch() (seccomp.Arch, error) { return f.native, nil }

func (f *fakeImpl) Check(*seccomp.Seccomp) (profile.CheckReport, error) {
	f.checked++
	return profile.CheckReport{
		Library:       "libseccomp fake",
		DefaultAction: seccomp.ActErrno,
		Filters:       []profile.FilterReport{{Host: f.native, Arches: []seccomp.Arch{f.native}, Caps: profile.CapsAny, Rules: 1, Instructions: 9}},
	}, f.checkErr
}

const (
	traceA = `{"version":1,"runs":[{"containerID":"a","start":"2025-03-01T12:00:00Z","end":"2025-03-01T12:00:01Z","syscalls":[
		{"name":"read","nr":0,"arch":"SCMP_ARCH_X86_64","count":3,"processes":["sh"]},
		{"name":"socketcall","nr":102,"arch":"SCMP_ARCH_X86","count":1,"processes":["a.out"]}]}]}`
	traceB = `{"version":1,"runs":[{"containerID":"b","start":"2025-03-01T12:01:00Z","end":"2025-03-01T12:01:01Z","syscalls":[
		{"name":"write","nr":1,"arch":"SCMP_ARCH_AARCH64","count":1}]}]}`
	// readOnly allows what traceA does, with the signal allowance every
	// compiled trace gets (restart_syscall, rt_sigreturn).
	readOnly  = `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","socketcall","restart_syscall","rt_sigreturn"],"action":"SCMP_ACT_ALLOW"}]}`
	blockList = `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO"}]}`
)

func newFake() *fakeImpl {
	return &fakeImpl{
		files:   map[string]string{"a.json": traceA, "b.json": traceB, "p.json": readOnly, "bl.json": blockList, "bad.json": `{"defaultAction":`},
		written: map[string]string{},
		native:  seccomp.ArchX86_64,
	}
}

func run(f *fakeImpl, args ...string) (code int, stdout, stderr string) {
	var o, e bytes.Buffer
	c := &CLI{impl: f, stdout: &o, stderr: &e}
	code = c.Run(args)
	return code, o.String(), e.String()
}

func TestParseOptions(t *testing.T) {
	o, err := ParseOptions([]string{"compile", "a.json", "--base", "p.json", "-o", "out.json", "--arch", "arm64", "--no-check", "--", "-dash.json"})
	if err != nil {
		t.Fatal(err)
	}
	want := &Options{Command: CommandCompile, Output: "out.json", Base: "p.json", Arch: seccomp.ArchAARCH64, NoCheck: true, Format: FormatJSON, Inputs: []string{"a.json", "-dash.json"}}
	if !equalOptions(o, want) {
		t.Errorf("got %+v, want %+v", o, want)
	}
	o, err = ParseOptions([]string{"compile", "--format=spo", "a.json", "--name", "my-app", "-o", "-"})
	want = &Options{Command: CommandCompile, Output: "-", Format: FormatSPO, Name: "my-app", Inputs: []string{"a.json"}}
	if err != nil || !equalOptions(o, want) {
		t.Errorf("--format spo: got %+v, %v, want %+v", o, err, want)
	}
	o, err = ParseOptions([]string{"compile", "--runtime", "runc,crun", "-o", "x", "a.json", "--runtime=runc"})
	if err != nil || !slices.Equal(o.Runtimes, []string{"runc", "crun", "runc"}) {
		t.Errorf("--runtime: %+v, %v", o, err)
	}
	o, err = ParseOptions([]string{"diff", "--json", "x", "y"})
	if err != nil || !o.JSON || !slices.Equal(o.Inputs, []string{"x", "y"}) {
		t.Errorf("diff: %+v, %v", o, err)
	}
	if _, err := ParseOptions([]string{"merge", "-h"}); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
	for _, args := range [][]string{
		{},
		{"frobnicate"},
		{"merge", "a.json"},
		{"merge", "-o", "out.json"},
		{"merge", "--base", "p.json", "-o", "x", "a.json"},
		{"compile", "-o", "out.json"},
		{"compile", "--arch", "vax", "-o", "x", "a.json"},
		{"compile", "--runtime", "kata", "-o", "x", "a.json"},
		{"compile", "--runtime", "runc,", "-o", "x", "a.json"},
		{"diff", "--runtime", "runc", "a.json", "b.json"},
		{"diff", "a.json"},
		{"diff", "a.json", "b.json", "c.json"},
		{"check"},
		{"check", "--no-check", "p.json"},
		{"check", ""},
		{"compile", "--format", "xml", "-o", "x", "a.json"},
		{"compile", "--format", "spo", "-o", "x", "a.json"},
		{"compile", "--format", "spo", "--name", "My_App", "-o", "x", "a.json"},
		{"compile", "--name", "app", "-o", "x", "a.json"},
		{"diff", "--format", "spo", "a.json", "b.json"},
	} {
		if _, err := ParseOptions(args); !errors.Is(err, ErrUsage) {
			t.Errorf("ParseOptions(%q) = %v, want a usage error", args, err)
		}
	}
}

func equalOptions(a, b *Options) bool {
	return a.Command == b.Command && a.Output == b.Output && a.Base == b.Base && a.Arch == b.Arch &&
		a.JSON == b.JSON && a.NoCheck == b.NoCheck && a.Format == b.Format && a.Name == b.Name &&
		slices.Equal(a.Inputs, b.Inputs)
}

func TestRunVersionAndHelp(t *testing.T) {
	code, out, _ := run(newFake(), "--version")
	if code != ExitOK || !strings.HasPrefix(out, Program+" ") {
		t.Errorf("--version: %d %q", code, out)
	}
	code, out, _ = run(newFake(), "--help")
	if code != ExitOK || !strings.Contains(out, "compile [--base PROFILE") {
		t.Errorf("--help: %d %q", code, out)
	}
	code, out, _ = run(newFake(), "diff", "-h")
	if code != ExitOK || !strings.Contains(out, "diff [--json]") {
		t.Errorf("diff -h: %d %q", code, out)
	}
	code, _, errOut := run(newFake(), "nope")
	if code != ExitUsage || !strings.Contains(errOut, `unknown command "nope"`) {
		t.Errorf("unknown command: %d %q", code, errOut)
	}
}

func TestMerge(t *testing.T) {
	f := newFake()
	code, _, errOut := run(f, "merge", "-o", "out.json", "a.json", "b.json", "a.json")
	if code != ExitOK || errOut != "" {
		t.Fatalf("merge: %d %q", code, errOut)
	}
	if got := f.written["out.json"]; strings.Count(got, `"containerID"`) != 2 {
		t.Errorf("merged trace: %s", got)
	}
	code, out, _ := run(f, "merge", "-o", "-", "a.json")
	if code != ExitOK || !strings.HasPrefix(out, "{\n  \"version\": 2,") {
		t.Errorf("merge to stdout: %d %q", code, out)
	}
	f.writeErr = errors.New("disk full")
	code, _, errOut = run(f, "merge", "-o", "out.json", "a.json")
	if code != ExitFailure || errOut != Program+": write output: disk full\n" {
		t.Errorf("write error: %d %q", code, errOut)
	}
}

func TestCompile(t *testing.T) {
	f := newFake()
	code, _, errOut := run(f, "compile", "--base", "bl.json", "-o", "out.json", "a.json", "b.json", "p.json")
	if code != ExitOK || errOut != "" || f.checked != 1 {
		t.Fatalf("compile: %d %q, checked %d times", code, errOut, f.checked)
	}
	p, err := profile.Parse([]byte(f.written["out.json"]))
	if err != nil {
		t.Fatal(err)
	}
	// The native architecture comes from the impl; the traces add x86
	// and aarch64.
	want := []seccomp.Arch{seccomp.ArchX86_64, seccomp.ArchAARCH64, seccomp.ArchX86}
	// The block-list's rule, the traces' rule and the signal allowance.
	if !slices.Equal(p.Architectures, want) || p.DefaultAction != seccomp.ActErrno || len(p.Syscalls) != 3 {
		t.Errorf("compiled: %s", f.written["out.json"])
	}

	f.checkErr = errors.New("check: too big")
	code, _, errOut = run(f, "compile", "-o", "out2.json", "a.json")
	if code != ExitFailure || !strings.Contains(errOut, "use --no-check to write it anyway") || f.written["out2.json"] != "" {
		t.Errorf("failed check: %d %q", code, errOut)
	}
	code, _, _ = run(f, "compile", "--no-check", "-o", "out2.json", "a.json")
	if code != ExitOK || f.written["out2.json"] == "" {
		t.Errorf("--no-check: %d", code)
	}
	f.checkErr = profile.ErrCheckUnsupported
	if code, _, _ = run(f, "compile", "-o", "out3.json", "a.json"); code != ExitOK {
		t.Errorf("check unsupported: %d", code)
	}
}

// TestCompileSPO checks that --format spo writes the checked profile as a
// resource, for the impl's native architecture, with the traces' coverage.
func TestCompileSPO(t *testing.T) {
	f := newFake()
	f.native = seccomp.ArchAARCH64
	code, _, errOut := run(f, "compile", "--format", "spo", "--name", "app", "-o", "out.yaml", "a.json", "b.json")
	if code != ExitOK || errOut != "" || f.checked != 1 {
		t.Fatalf("compile: %d %q, checked %d times", code, errOut, f.checked)
	}
	got := f.written["out.yaml"]
	for _, want := range []string{
		"apiVersion: security-profiles-operator.x-k8s.io/v1\nkind: SeccompProfile\n",
		"  name: app\n",
		"  - SCMP_ARCH_AARCH64\n",
		`oci-seccomp-bpf-hook.io/coverage: '{"runs":2,"syscalls":{"read":1,"socketcall":1,"write":1}}'`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("resource lacks %q:\n%s", want, got)
		}
	}

	// A rule the resource cannot express fails the command, naming it.
	f.files["caps.json"] = `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["bpf"],"action":"SCMP_ACT_ERRNO","includes":{"caps":["CAP_SYS_ADMIN"]}}]}`
	code, _, errOut = run(f, "compile", "--base", "caps.json", "--format", "spo", "--name", "app", "-o", "caps.yaml", "a.json")
	if code != ExitFailure || !strings.Contains(errOut, "convert syscalls[0] (bpf): not expressible as a SeccompProfile") || f.written["caps.yaml"] != "" {
		t.Errorf("inexpressible rule: %d %q", code, errOut)
	}
}

func TestCompileErrorsNameFiles(t *testing.T) {
	f := newFake()
	f.files["conflict.json"] = strings.Replace(traceA, `"count":3`, `"count":4`, 1)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"compile", "-o", "o", "a.json", "conflict.json"}, "conflict.json: conflicting runs with the same container ID and start time: container a started 2025-03-01T12:00:00Z (the run in a.json differs)"},
		{[]string{"compile", "-o", "o", "a.json", "bl.json"}, "bl.json: only allow-list profiles can be inputs: default action SCMP_ACT_ALLOW allows every syscall"},
		{[]string{"compile", "-o", "o", "bad.json"}, "bad.json: parse profile: decode: unexpected end of document at offset 17"},
		{[]string{"compile", "--base", "a.json", "-o", "o", "a.json"}, "a.json: is a trace; --base takes a profile"},
		{[]string{"compile", "--base", "missing.json", "-o", "o", "a.json"}, "read base: open missing.json: file does not exist"},
	} {
		code, _, errOut := run(f, tc.args...)
		if code != ExitFailure || errOut != Program+": "+tc.want+"\n" {
			t.Errorf("%q: exit %d, stderr %q\nwant %q", tc.args, code, errOut, tc.want)
		}
	}
}

func TestDiffExitCodes(t *testing.T) {
	f := newFake()
	for _, tc := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"diff", "a.json", "p.json"}, ExitOK, "same: both allow the same syscalls"},
		{[]string{"diff", "p.json", "b.json"}, ExitDiffer, "target allows 3 of 4 (\u221225%), 1 of them blocked by base"},
		{[]string{"diff", "--json", "p.json", "b.json"}, ExitDiffer, `"same": false`},
		{[]string{"diff", "p.json", "missing.json"}, ExitTrouble, ""},
		{[]string{"diff", "p.json", "bad.json"}, ExitTrouble, ""},
		{[]string{"diff", "p.json"}, ExitTrouble, ""},
	} {
		code, out, errOut := run(f, tc.args...)
		if code != tc.code || !strings.Contains(out, tc.want) {
			t.Errorf("%q: exit %d (want %d)\n%s%s", tc.args, code, tc.code, out, errOut)
		}
		if code == ExitTrouble && (errOut == "" || strings.Count(errOut, "\n") > 2) {
			t.Errorf("%q: want a short error, got %q", tc.args, errOut)
		}
	}
}

func TestCheck(t *testing.T) {
	f := newFake()
	code, out, _ := run(f, "check", "p.json")
	if code != ExitOK || !strings.Contains(out, "p.json: default action SCMP_ACT_ERRNO, 0 rules, checked with libseccomp fake") ||
		!strings.Contains(out, "SCMP_ARCH_X86_64  any   X86_64  1      0        9") {
		t.Errorf("check: %d\n%s", code, out)
	}
	f.checkErr = errors.New("check: contradictory rules: read")
	code, _, errOut := run(f, "check", "p.json")
	if code != ExitFailure || errOut != Program+": p.json: check: contradictory rules: read\n" {
		t.Errorf("failing check: %d %q", code, errOut)
	}
	code, _, errOut = run(f, "check", "a.json")
	if code != ExitFailure || !strings.Contains(errOut, "a.json: is a trace") {
		t.Errorf("check of a trace: %d %q", code, errOut)
	}
}

func TestKnownCommands(t *testing.T) {
	if !slices.IsSorted(KnownCommands()) || len(KnownCommands()) != 4 {
		t.Errorf("KnownCommands = %v", KnownCommands())
	}
	for _, c := range KnownCommands() {
		if usages[c] == "" {
			t.Errorf("no usage for %s", c)
		}
	}
}

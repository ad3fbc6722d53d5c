//go:build linux

package lifecycle

import (
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/bpf"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/trace"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/hook/state"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/args"
)

func TestWaitAttached(t *testing.T) {
	r, w, _ := os.Pipe()
	w.WriteString(attachedMsg + "\n")
	if msg, err := waitAttached(r, time.Second); err != nil || msg != attachedMsg {
		t.Errorf("attached: %q, %v", msg, err)
	}

	r, w, _ = os.Pipe()
	w.WriteString("attach recorder: no BTF\n")
	if msg, err := waitAttached(r, time.Second); err != nil || msg != "attach recorder: no BTF" {
		t.Errorf("error report: %q, %v", msg, err)
	}

	r, w, _ = os.Pipe()
	w.Close()
	if _, err := waitAttached(r, time.Second); err == nil || !strings.Contains(err.Error(), "exited before attaching") {
		t.Errorf("tracer died: %v", err)
	}

	r, w, _ = os.Pipe()
	defer w.Close()
	if _, err := waitAttached(r, 50*time.Millisecond); err == nil || !strings.Contains(err.Error(), "did not attach within") {
		t.Errorf("timeout: %v", err)
	}
}

// The status file hands the tracer's outcome to poststop, which waits for
// the tracer's lock.
func TestStatus(t *testing.T) {
	dir := t.TempDir()
	f, err := createStatus(dir, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := createStatus(dir, "c1"); err == nil || !strings.Contains(err.Error(), "already being traced") {
		t.Fatalf("second tracer for c1: %v", err)
	}
	if _, err := waitStatus(dir, "c1", 50*time.Millisecond); err == nil || !strings.Contains(err.Error(), "still running") {
		t.Fatalf("wait while locked: %v", err)
	}
	done := make(chan string)
	go func() {
		line, err := waitStatus(dir, "c1", 5*time.Second)
		if err != nil {
			line = "error " + err.Error()
		}
		done <- line
	}()
	writeStatus(f, "error: disk full")
	f.Close() // the tracer exits: the lock goes
	if got := <-done; got != "error: disk full" {
		t.Fatalf("status = %q", got)
	}
	if _, err := os.Stat(statusPath(dir, "c1")); !os.IsNotExist(err) {
		t.Fatalf("status file left: %v", err)
	}
	if line, err := waitStatus(dir, "c1", time.Second); line != "" || err != nil {
		t.Fatalf("no status file: %q, %v", line, err)
	}

	// A tracer killed before writing leaves an empty file.
	f, _ = createStatus(dir, "c2")
	f.Close()
	if _, err := waitStatus(dir, "c2", time.Second); err == nil || !strings.Contains(err.Error(), "without writing") {
		t.Fatalf("killed tracer: %v", err)
	}
}

func TestNewRun(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("syscall numbers below are amd64's")
	}
	res := &bpf.Result{Phase: bpf.PhaseFilter, Calls: []bpf.Call{
		{ABI: bpf.ABINative, Number: 0, Count: 3, Comms: []string{"cat"}},
		{ABI: bpf.ABINative, Number: 41, Count: 4, Comms: []string{"cat"}, Args: []bpf.Arg{ // socket
			{Index: 0, Kind: args.Values, Values: []bpf.ArgValue{{Value: 1, Count: 3}}, Overflow: 1}}},
		{ABI: bpf.ABINative, Number: 56, Count: 2, Runtime: 1, Comms: []string{"runc:[2:INIT]"}, Args: []bpf.Arg{ // clone
			{Index: 0, Kind: args.NamespaceFlags, Flags: 0x10000000}}},
		{ABI: bpf.ABINative, Number: 59, Count: 1, Runtime: 1, Comms: []string{"runc:[2:INIT]"}},
		{ABI: bpf.ABINative, Number: 135, Count: 1, Comms: []string{"cat"}, Args: []bpf.Arg{ // personality
			{Index: 0, Kind: args.Values}}},
		{ABI: bpf.ABICompat, Number: 102, Count: 2, Comms: []string{"app32"}}, // socketcall, i386 only
		{ABI: bpf.ABIX32, Number: 520, Count: 1},                              // x32 execve
	}}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cfg := TracerConfig{ID: "c1", Names: state.Names{Namespace: "shop", Pod: "web\x00", Container: strings.Repeat("c", 5000)}}
	run, err := newRun(cfg, res, runInfo{
		node:    "node-1",
		process: bundleProcess{Command: []string{"cat"}, NoNewPrivileges: true},
		runtime: "runc 1.1.5+ds1",
		start:   start, end: start.Add(time.Second),
	})
	if err != nil {
		t.Fatal(err)
	}
	want := []trace.Syscall{
		{Name: "read", Number: 0, Arch: "SCMP_ARCH_X86_64", Count: 3, Processes: []string{"cat"}},
		{Name: "socket", Number: 41, Arch: "SCMP_ARCH_X86_64", Count: 4, Processes: []string{"cat"},
			Args: []trace.Arg{{Index: 0, Kind: trace.ArgValues, Values: []trace.ArgValue{{Value: 1, Count: 3}}, Overflow: 1}}},
		{Name: "clone", Number: 56, Arch: "SCMP_ARCH_X86_64", Count: 2, RuntimeCount: 1, Processes: []string{"runc:[2:INIT]"},
			Args: []trace.Arg{{Index: 0, Kind: trace.ArgNamespaceFlags, Flags: 0x10000000}}},
		{Name: "execve", Number: 59, Arch: "SCMP_ARCH_X86_64", Count: 1, RuntimeCount: 1, Processes: []string{"runc:[2:INIT]"}},
		// An empty values set would be invalid: the call reads as made
		// with any value.
		{Name: "personality", Number: 135, Arch: "SCMP_ARCH_X86_64", Count: 1, Processes: []string{"cat"}},
		{Name: "socketcall", Number: 102, Arch: "SCMP_ARCH_X86", Count: 2, Processes: []string{"app32"}},
		{Name: "execve", Number: 520, Arch: "SCMP_ARCH_X32", Count: 1},
	}
	if !reflect.DeepEqual(run.Syscalls, want) {
		t.Fatalf("syscalls = %+v\nwant %+v", run.Syscalls, want)
	}
	if run.ContainerID != "c1" || !run.Start.Equal(start) || run.Hook == "" {
		t.Fatalf("provenance = %+v", run)
	}
	// Annotation values the format refuses are left out, not fatal.
	if run.Node != "node-1" || run.Namespace != "shop" || run.Pod != "" || run.Container != "" ||
		run.Runtime != "runc 1.1.5+ds1" || !run.NoNewPrivileges || len(run.Command) != 1 {
		t.Fatalf("provenance = %+v", run)
	}
	if _, err := trace.Marshal(trace.New(run)); err != nil {
		t.Fatalf("the run does not marshal: %v", err)
	}
}

func TestParseRuntimeVersion(t *testing.T) {
	for out, want := range map[string]string{
		"runc version 1.1.5+ds1\ncommit: 1.1.5+ds1-1+deb12u1\nspec: 1.0.2-dev\ngo: go1.19.8\nlibseccomp: 2.5.4\n": "runc 1.1.5+ds1",
		"crun version 1.8.1\ncommit: f8a096be060b22ccd3d5f3ebe44108517fbf6c30\nrundir: /run/crun\n":               "crun 1.8.1",
		"youki version 0.3.0\n": "youki 0.3.0",
		"GNU bash, version 5.2.15(1)-release (x86_64-pc-linux-gnu)\n": "",
		"runc version\n":                "",
		"":                              "",
		"runc version 1.1.5 and more\n": "",
		"runc version " + strings.Repeat("9", 100): "",
	} {
		if got := parseRuntimeVersion([]byte(out)); got != want {
			t.Errorf("parseRuntimeVersion(%q) = %q, want %q", out, got, want)
		}
	}
}

// parseRuntimeVersion reads what the regular expression it replaced did:
// random lines, most of them NAME version VERSION with odd bytes mixed in.
func TestParseRuntimeVersionMatchesRegexp(t *testing.T) {
	re := regexp.MustCompile(`^([A-Za-z0-9][A-Za-z0-9._+-]{0,63}) version ([A-Za-z0-9][A-Za-z0-9._+~:-]{0,63})\s*$`)
	r := rand.New(rand.NewPCG(1, 2))
	odd := []string{" ", "\t", "\n", "\r", "\f", "\v", "é", "\xff", "/", "(", " version "}
	word := func(pieces ...string) string {
		var b strings.Builder
		for n := r.IntN(6); n > 0; n-- {
			if r.IntN(10) == 0 {
				b.WriteString(odd[r.IntN(len(odd))])
			} else {
				b.WriteString(pieces[r.IntN(len(pieces))])
			}
		}
		return b.String()
	}
	name := []string{"runc", "c", "1", ".", "+", "-", "_", strings.Repeat("x", 30)}
	version := []string{"1", ".", "5", "+", "-", "_", "~", ":", "ds", strings.Repeat("9", 30)}
	matched := 0
	for range 50000 {
		out := word(name...) + []string{" version ", " version", "version ", " "}[r.IntN(4)/3] + word(version...) + word(" ", "\t", "\r", "\f", "\v", "\n", "x")
		want := ""
		line, _, _ := strings.Cut(out, "\n")
		if m := re.FindStringSubmatch(line); m != nil {
			want = m[1] + " " + m[2]
			matched++
		}
		if got := parseRuntimeVersion([]byte(out)); got != want {
			t.Errorf("parseRuntimeVersion(%q) = %q, the regexp says %q", out, got, want)
		}
	}
	if matched < 1000 {
		t.Errorf("only %d of the inputs were versions", matched)
	}
}

// The real runtimes' --version, when they are installed.
func TestRuntimeVersion(t *testing.T) {
	for _, name := range []string{"runc", "crun"} {
		exe, err := exec.LookPath(name)
		if err != nil {
			t.Logf("%s not installed", name)
			continue
		}
		if got := (defaultImpl{}).runtimeVersion(exe); !strings.HasPrefix(got, name+" ") {
			t.Errorf("runtimeVersion(%s) = %q", exe, got)
		}
	}
	if got := (defaultImpl{}).runtimeVersion("/nonexistent"); got != "" {
		t.Errorf("runtimeVersion of a missing file = %q", got)
	}
	if got := (defaultImpl{}).runtimeVersion("/bin/true"); got != "" {
		t.Errorf("runtimeVersion(/bin/true) = %q", got)
	}
}

// Status files nobody collects (no poststop stage) are swept once old and
// unlocked; a live tracer's file is kept however old.
func TestSweepStatus(t *testing.T) {
	dir := t.TempDir()
	live, err := createStatus(dir, "live")
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	done, _ := createStatus(dir, "done")
	writeStatus(done, statusOK)
	done.Close()
	fresh, _ := createStatus(dir, "fresh")
	fresh.Close()
	old := time.Now().Add(-2 * staleAfter)
	for _, id := range []string{"live", "done"} {
		os.Chtimes(statusPath(dir, id), old, old)
	}
	sweepStatus(dir)
	for id, want := range map[string]bool{"live": true, "done": false, "fresh": true} {
		if _, err := os.Stat(statusPath(dir, id)); (err == nil) != want {
			t.Errorf("%s: exists = %v, want %v", id, err == nil, want)
		}
	}
}

// runtimeExe finds a runtime's executable as Prestart finds its parent's,
// and nothing for another program or a process that does not exist.
func TestRuntimeExe(t *testing.T) {
	sleep, err := os.ReadFile("/bin/sleep")
	if err != nil {
		t.Skip(err)
	}
	fake := filepath.Join(t.TempDir(), "runc")
	if err := os.WriteFile(fake, sleep, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(fake, "10")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cmd.Process.Kill(); cmd.Wait() }()
	if got := runtimeExe(cmd.Process.Pid); got != fake {
		t.Errorf("runtimeExe(runc) = %q, want %q", got, fake)
	}
	if got := runtimeExe(os.Getpid()); got != "" {
		t.Errorf("runtimeExe(the test) = %q, want none: not a runtime", got)
	}
	if got := runtimeExe(-1); got != "" {
		t.Errorf("runtimeExe(-1) = %q", got)
	}
}

func TestKnownRuntime(t *testing.T) {
	for name, want := range map[string]bool{
		"runc": true, "crun": true, "runc.amd64": true, "docker-runc": true, "runsc": true, "youki": true,
		"bash": false, "sh": false, "oci-seccomp-bpf-hook": false, "podman": false, "conmon": false,
	} {
		if got := knownRuntime(name); got != want {
			t.Errorf("knownRuntime(%q) = %v", name, got)
		}
	}
}

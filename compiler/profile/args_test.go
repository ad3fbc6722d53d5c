package profile_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/containers/common/pkg/seccomp"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/profile"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/trace"
)

// withArg is call with one recorded argument.
func withArg(c trace.Syscall, a trace.Arg) trace.Syscall {
	c.Args = []trace.Arg{a}
	return c
}

// values is a values argument at index with the given values, one call
// each.
func values(index int, vs ...uint64) trace.Arg {
	a := trace.Arg{Index: index, Kind: trace.ArgValues}
	for _, v := range vs {
		a.Values = append(a.Values, trace.ArgValue{Value: v, Count: 1})
	}
	return a
}

func nsflags(flags uint64) trace.Arg {
	return trace.Arg{Index: 0, Kind: trace.ArgNamespaceFlags, Flags: flags}
}

// rulesFor returns the rules of p that mention name.
func rulesFor(p *seccomp.Seccomp, name string) []*seccomp.Syscall {
	var out []*seccomp.Syscall
	for _, s := range p.Syscalls {
		if slices.Contains(s.Names, name) || s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

// eqValues returns the values of name's single-condition EQ allow rules,
// and fails when name has an allow rule of another shape.
func eqValues(t *testing.T, p *seccomp.Seccomp, name string) []uint64 {
	t.Helper()
	var vs []uint64
	for _, s := range rulesFor(p, name) {
		if s.Action != seccomp.ActAllow {
			continue
		}
		if len(s.Args) != 1 || s.Args[0].Op != seccomp.OpEqualTo || len(s.Names) != 1 || s.Comment == "" {
			t.Fatalf("%s rule %+v is not one EQ condition with a comment", name, s)
		}
		vs = append(vs, s.Args[0].Value)
	}
	return vs
}

func mustCheck(t *testing.T, p *seccomp.Seccomp) {
	t.Helper()
	if _, err := profile.Check(p); err != nil && !strings.Contains(err.Error(), "needs libseccomp") {
		t.Fatalf("Check: %v\n%s", err, mustMarshal(t, p))
	}
}

func TestCompileArgValues(t *testing.T) {
	tr := oneRun("c1",
		call(x64, "read", 0, 3, "python3"),
		withArg(call(x64, "socket", 41, 2, "python3"), values(0, 1, 2)),
		withArg(call(x64, "personality", 135, 1, "python3"), values(0, 0xffffffff)),
		withArg(call(x64, "prctl", 157, 1, "python3"), values(0, 15)),
	)
	p := mustCompile(t, nil, profile.Inputs{Traces: []*trace.Trace{tr}})
	mustCheck(t, p)
	if names := p.Syscalls[0].Names; !slices.Equal(names, []string{"read"}) {
		t.Errorf("unconditional rule names %v, want only read", names)
	}
	for name, want := range map[string][]uint64{"socket": {1, 2}, "personality": {0xffffffff}, "prctl": {15}} {
		if got := eqValues(t, p, name); !slices.Equal(got, want) {
			t.Errorf("%s values %v, want %v", name, got, want)
		}
	}
	if c := rulesFor(p, "socket")[1].Comment; c != "socket family AF_INET (0x2): seen 1x in 1/1 runs; socket seen 2x by python3 in 1/1 runs" {
		t.Errorf("socket comment %q", c)
	}
	if c := rulesFor(p, "personality")[0].Comment; !strings.HasPrefix(c, "personality persona query (0xffffffff): ") {
		t.Errorf("personality comment %q", c)
	}
	if c := rulesFor(p, "prctl")[0].Comment; !strings.HasPrefix(c, "prctl option PR_SET_NAME (0xf): ") {
		t.Errorf("prctl comment %q", c)
	}
	// Values are unioned over runs and architectures, counted per run.
	tr2 := trace.New(
		trace.Run{ContainerID: "a", Start: t0, End: t0.Add(time.Second), Syscalls: []trace.Syscall{withArg(call(x64, "socket", 41, 1, "a"), values(0, 2))}},
		trace.Run{ContainerID: "b", Start: t0, End: t0.Add(time.Second), Syscalls: []trace.Syscall{
			withArg(call(x64, "socket", 41, 1, "b"), values(0, 1)), withArg(call(x86, "socket", 359, 1, "b"), values(0, 2))}},
	)
	p = mustCompile(t, nil, profile.Inputs{Traces: []*trace.Trace{tr2}})
	if got := eqValues(t, p, "socket"); !slices.Equal(got, []uint64{1, 2}) {
		t.Errorf("merged socket values %v", got)
	}
	if c := rulesFor(p, "socket")[1].Comment; !strings.HasPrefix(c, "socket family AF_INET (0x2): seen 2x in 2/2 runs") {
		t.Errorf("merged comment %q", c)
	}
}

func TestCompileArgNamespaces(t *testing.T) {
	for _, c := range []struct {
		flags, mask uint64
		comment     string
	}{
		{0, 0x7e020080, "clone without namespaces (no CLONE_NEW* flag was seen): seen 4x by sh in 1/1 runs"},
		{0x10000000, 0x6e020080, "clone with namespaces among CLONE_NEWUSER (the CLONE_NEW* flags seen): seen 4x by sh in 1/1 runs"},
	} {
		tr := oneRun("c1", withArg(call(x64, "clone", 56, 4, "sh"), nsflags(c.flags)))
		p := mustCompile(t, nil, profile.Inputs{Traces: []*trace.Trace{tr}})
		mustCheck(t, p)
		r := rulesFor(p, "clone")
		if len(r) != 1 || len(r[0].Args) != 1 || *r[0].Args[0] != (seccomp.Arg{Index: 0, Value: c.mask, ValueTwo: 0, Op: seccomp.OpMaskedEqual}) || r[0].Comment != c.comment {
			t.Errorf("flags %#x: clone rules %s", c.flags, mustMarshal(t, p))
		}
	}
	// Every namespace bit seen: nothing left to restrict.
	tr := oneRun("c1", withArg(call(x64, "unshare", 272, 1, "sh"), nsflags(0x7e020080)))
	p := mustCompile(t, nil, profile.Inputs{Traces: []*trace.Trace{tr}})
	if r := rulesFor(p, "unshare"); len(r) != 1 || len(r[0].Args) != 0 || !strings.Contains(r[0].Comment, "every CLONE_NEW* flag was seen") {
		t.Errorf("unshare rules %s", mustMarshal(t, p))
	}
}

// Calls whose values the traces cannot tell are allowed with any value,
// each rule saying why.
func TestCompileArgAnyValue(t *testing.T) {
	many := trace.Arg{Index: 1, Kind: trace.ArgValues}
	for v := range uint64(65) {
		many.Values = append(many.Values, trace.ArgValue{Value: 0x1000 + v, Count: 1})
	}
	overflow := values(1, 0x5401)
	overflow.Overflow = 3
	v1 := trace.Run{ContainerID: "old", Start: t0, End: t0.Add(time.Second), Syscalls: []trace.Syscall{call(x64, "socket", 41, 1, "sh")}}
	for _, c := range []struct {
		name string
		tr   *trace.Trace
		call string
		why  string
	}{
		{"overflow", oneRun("c", withArg(call(x64, "ioctl", 16, 4, "sh"), overflow)), "ioctl", "3 calls had more distinct values than the recorder keeps"},
		{"too many values", oneRun("c", withArg(call(x64, "ioctl", 16, 65, "sh"), many)), "ioctl", "65 distinct values seen, more than the 64"},
		{"a run without args", trace.New(v1, trace.Run{ContainerID: "new", Start: t0, End: t0.Add(time.Second),
			Syscalls: []trace.Syscall{withArg(call(x64, "socket", 41, 1, "sh"), values(0, 1))}}), "socket", ""},
	} {
		p := mustCompile(t, nil, profile.Inputs{Traces: []*trace.Trace{c.tr}})
		mustCheck(t, p)
		if a := profile.Allowed(p)[c.call]; a != profile.AccessAllowed {
			t.Errorf("%s: %s is %s, want allowed", c.name, c.call, a)
		}
		for _, r := range rulesFor(p, c.call) {
			if len(r.Args) > 0 {
				t.Errorf("%s: conditional rule %+v", c.name, r)
			}
			if c.why != "" && !strings.Contains(r.Comment, c.why) {
				t.Errorf("%s: comment %q, want %q", c.name, r.Comment, c.why)
			}
		}
	}
}

// clone3's flags cannot be read: ENOSYS, so that glibc falls back to
// clone, unless namespace flags were seen.
func TestCompileClone3(t *testing.T) {
	enosys := func(p *seccomp.Seccomp) bool {
		r := rulesFor(p, "clone3")
		return len(r) == 1 && r[0].Action == seccomp.ActErrno && r[0].ErrnoRet != nil && *r[0].ErrnoRet == 38
	}
	// Threads only: ENOSYS, and clone, never recorded, allowed without
	// namespaces for the fallback.
	p := mustCompile(t, nil, profile.Inputs{Traces: []*trace.Trace{oneRun("c", call(x64, "clone3", 435, 2, "python3"))}})
	mustCheck(t, p)
	if !enosys(p) {
		t.Errorf("clone3 not ENOSYS: %s", mustMarshal(t, p))
	}
	if r := rulesFor(p, "clone"); len(r) != 1 || len(r[0].Args) != 1 || r[0].Args[0].Value != 0x7e020080 || !strings.Contains(r[0].Comment, "glibc then calls clone") {
		t.Errorf("clone fallback: %s", mustMarshal(t, p))
	}
	if _, ok := profile.Allowed(p)["clone3"]; ok {
		t.Error("clone3 counted as allowed")
	}
	// A namespace seen in unshare: clone3 may need them too.
	p = mustCompile(t, nil, profile.Inputs{Traces: []*trace.Trace{oneRun("c", call(x64, "clone3", 435, 2, "python3"),
		withArg(call(x64, "unshare", 272, 1, "python3"), nsflags(0x10000000)))}})
	mustCheck(t, p)
	if r := rulesFor(p, "clone3"); len(r) != 1 || r[0].Action != seccomp.ActAllow || len(r[0].Args) != 0 || !strings.Contains(r[0].Comment, "unshare CLONE_NEWUSER") {
		t.Errorf("clone3 with namespaces: %s", mustMarshal(t, p))
	}
	// clone recorded without arguments (version 1): its flags are
	// unknown, so clone3 is allowed too.
	p = mustCompile(t, nil, profile.Inputs{Traces: []*trace.Trace{oneRun("c", call(x64, "clone3", 435, 2, "sh"), call(x64, "clone", 56, 1, "sh"))}})
	if a := profile.Allowed(p)["clone3"]; a != profile.AccessAllowed {
		t.Errorf("clone3 with clone's flags unknown is %s", a)
	}
	// A base that mentions clone3 decides (extend).
	base := mustParse(t, `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["clone3"],"action":"SCMP_ACT_ALLOW"}]}`)
	p = mustCompile(t, base, profile.Inputs{Traces: []*trace.Trace{oneRun("c", call(x64, "clone3", 435, 2, "python3"))}})
	if r := rulesFor(p, "clone3"); len(r) != 1 || r[0].Action != seccomp.ActAllow {
		t.Errorf("extend: clone3 rules %s", mustMarshal(t, p))
	}
}

// On a profile for 32-bit x86 too, socket's families do not hold for
// socketcall: denied unless recorded.
func TestCompileSocketcall(t *testing.T) {
	sock := withArg(call(x64, "socket", 41, 1, "app"), values(0, 1))
	p := mustCompile(t, nil, profile.Inputs{Traces: []*trace.Trace{oneRun("c", sock, call(x86, "read", 3, 1, "app32"))}})
	mustCheck(t, p)
	r := rulesFor(p, "socketcall")
	if len(r) != 1 || r[0].Action != seccomp.ActErrno || *r[0].ErrnoRet != 38 || !strings.Contains(r[0].Comment, "never recorded") {
		t.Fatalf("socketcall: %s", mustMarshal(t, p))
	}
	if c := rulesFor(p, "socket")[0].Comment; !strings.HasSuffix(c, "socketcall, through which 32-bit code would reach socket with any family, stays denied") {
		t.Errorf("socket comment %q", c)
	}
	// Recorded: allowed, saying the families cannot be checked.
	p = mustCompile(t, nil, profile.Inputs{Traces: []*trace.Trace{oneRun("c", sock, call(x86, "socketcall", 102, 1, "app32"))}})
	mustCheck(t, p)
	if r := rulesFor(p, "socketcall"); len(r) != 1 || r[0].Action != seccomp.ActAllow || !strings.Contains(r[0].Comment, "cannot read") {
		t.Errorf("recorded socketcall: %s", mustMarshal(t, p))
	}
	// Native only: socketcall does not exist, nothing to say.
	p = mustCompile(t, nil, profile.Inputs{Traces: []*trace.Trace{oneRun("c", sock)}})
	if len(rulesFor(p, "socketcall")) != 0 || strings.Contains(rulesFor(p, "socket")[0].Comment, "socketcall") {
		t.Errorf("x86_64 only: %s", mustMarshal(t, p))
	}
	// A default errno of ENOSYS: the deny rule must differ from it.
	base := mustParse(t, `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,"architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86"],"syscalls":[]}`)
	p = mustCompile(t, base, profile.Inputs{Traces: []*trace.Trace{oneRun("c", sock)}})
	mustCheck(t, p)
	if r := rulesFor(p, "socketcall"); len(r) != 1 || *r[0].ErrnoRet != 1 {
		t.Errorf("socketcall with ENOSYS as default: %s", mustMarshal(t, p))
	}
}

// Restricting ioctl's request brings the terminal group along, never
// TIOCSTI, TIOCLINUX or TIOCCONS.
func TestCompileTerminalGroup(t *testing.T) {
	tr := oneRun("c", withArg(call(x64, "ioctl", 16, 2, "python3"), values(1, 0x541b, 0x5401)))
	p := mustCompile(t, nil, profile.Inputs{Traces: []*trace.Trace{tr}})
	mustCheck(t, p)
	got := eqValues(t, p, "ioctl")
	for _, v := range []uint64{0x541b, 0x5401, 0x5402, 0x5413, 0x5414, 0x540f, 0x5410, 0x802c542a} {
		if !slices.Contains(got, v) {
			t.Errorf("ioctl %#x not allowed", v)
		}
	}
	for _, v := range []uint64{0x5412, 0x541c, 0x541d, 0x5421} {
		if slices.Contains(got, v) {
			t.Errorf("ioctl %#x allowed", v)
		}
	}
	if n := strings.Count(string(mustMarshal(t, p)), "0x5401"); n != 1 {
		t.Errorf("TCGETS has %d rules, want the recorded one alone", n)
	}
	// No terminal group where the numbers differ.
	p = mustCompile(t, nil, profile.Inputs{NativeArch: seccomp.ArchPPC64LE, Traces: []*trace.Trace{tr}})
	if got := eqValues(t, p, "ioctl"); len(got) != 2 {
		t.Errorf("ppc64le ioctl values %#x", got)
	}
}

// Restrict keeps the base's argument conditions and never allows a value
// they refuse; extend never re-adds what the base mentions.
func TestCompileArgsWithBase(t *testing.T) {
	tr := oneRun("c",
		call(x64, "read", 0, 1, "app"),
		withArg(call(x64, "ioctl", 16, 1, "app"), values(1, 0x541b)),
		withArg(call(x64, "personality", 135, 1, "app"), values(0, 0x400000)),
		withArg(call(x64, "socket", 41, 1, "app"), values(0, 2)),
		withArg(call(x64, "clone", 56, 1, "app"), nsflags(0)),
	)
	podman := loadProfile(t, "default.json")
	p := mustCompile(t, podman, profile.Inputs{Mode: profile.ModeRestrict, Traces: []*trace.Trace{tr}})
	mustCheck(t, p)
	// ioctl and clone: the base allows any value, the result the recorded
	// ones.
	if got := eqValues(t, p, "ioctl"); !slices.Contains(got, 0x541b) {
		t.Errorf("ioctl values %v", got)
	}
	if a := profile.Allowed(p); a["ioctl"] != profile.AccessConditional || a["clone"] != profile.AccessConditional || a["read"] != profile.AccessAllowed {
		t.Errorf("access ioctl %s clone %s read %s", a["ioctl"], a["clone"], a["read"])
	}
	// personality: the base's five values; READ_IMPLIES_EXEC, recorded
	// but refused by the base, stays refused.
	if got := eqValues(t, p, "personality"); !slices.Equal(got, []uint64{0, 8, 0x20000, 0x20008, 0xffffffff}) {
		t.Errorf("personality values %#x, want the base's", got)
	}
	// socket: the base's own conditional rules, whole.
	for _, r := range rulesFor(p, "socket") {
		if strings.Contains(r.Comment, "recorded") || strings.Contains(r.Comment, "family") {
			t.Errorf("socket rule of ours on a base that restricts it: %+v", r)
		}
	}
	// Extend: every name the base mentions is the base's.
	p = mustCompile(t, podman, profile.Inputs{Mode: profile.ModeExtend, Traces: []*trace.Trace{tr}})
	mustCheck(t, p)
	if r := rulesFor(p, "ioctl"); len(r) != 1 || len(r[0].Args) != 0 {
		t.Errorf("extend re-added ioctl: %d rules", len(r))
	}
}

// Docker's default profile is a base: minKernel is dropped with a note,
// and its clone and personality conditions hold in the result.
func TestCompileDockerBase(t *testing.T) {
	docker := loadProfile(t, "docker-default.json")
	if r := rulesFor(docker, "ptrace"); len(r) != 2 || r[0].Comment != "includes.minKernel 4.8 dropped: podman and CRI-O ignore it, so the rule applies on every kernel" {
		t.Fatalf("ptrace rule %+v", r[0])
	}
	tr := oneRun("c",
		call(x64, "read", 0, 1, "app"),
		withArg(call(x64, "personality", 135, 1, "app"), values(0, 0xffffffff)),
		withArg(call(x64, "clone", 56, 1, "app"), nsflags(0)),
		call(x64, "clone3", 435, 1, "app"),
		withArg(call(x64, "socket", 41, 1, "app"), values(0, 1)),
	)
	p := mustCompile(t, docker, profile.Inputs{Mode: profile.ModeRestrict, Traces: []*trace.Trace{tr}})
	mustCheck(t, p)
	want := func(name string) []string {
		var out []string
		for _, r := range rulesFor(docker, name) {
			out = append(out, fmt.Sprint(r.Action, " ", profile.Describe(r)))
		}
		return out
	}
	got := func(name string) []string {
		var out []string
		for _, r := range rulesFor(p, name) {
			out = append(out, fmt.Sprint(r.Action, " ", profile.Describe(r)))
		}
		return out
	}
	for _, n := range []string{"clone", "personality", "clone3"} {
		if !slices.Equal(got(n), want(n)) {
			t.Errorf("%s rules %v, want the base's %v", n, got(n), want(n))
		}
	}
	// socket, which Docker allows with any family, gets the recorded one;
	// socketcall, which Docker allows too, goes (the base lists x86).
	if got := eqValues(t, p, "socket"); !slices.Equal(got, []uint64{1}) {
		t.Errorf("socket values %v", got)
	}
	if r := rulesFor(p, "socketcall"); len(r) != 1 || r[0].Action != seccomp.ActErrno {
		t.Errorf("socketcall rules %+v", r)
	}
}

// What an input profile allows without conditions stays so: the result
// allows what any input allows.
func TestCompileArgsInputProfile(t *testing.T) {
	in := mustParse(t, `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["socket"],"action":"SCMP_ACT_ALLOW"}]}`)
	tr := oneRun("c", withArg(call(x64, "socket", 41, 1, "app"), values(0, 1)))
	p := mustCompile(t, nil, profile.Inputs{Traces: []*trace.Trace{tr}, Profiles: []*seccomp.Seccomp{in}})
	mustCheck(t, p)
	if a := profile.Allowed(p)["socket"]; a != profile.AccessAllowed {
		t.Errorf("socket %s, want allowed", a)
	}
	// A conditional input rule ORs with the recorded values.
	in = mustParse(t, `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":10,"op":"SCMP_CMP_EQ"}]}]}`)
	p = mustCompile(t, nil, profile.Inputs{Traces: []*trace.Trace{tr}, Profiles: []*seccomp.Seccomp{in}})
	mustCheck(t, p)
	if got := eqValues(t, p, "socket"); !slices.Equal(got, []uint64{1, 10}) {
		t.Errorf("socket values %v, want the recorded and the input's", got)
	}
}

// Diff says which argument values each profile allows.
func TestDiffArgs(t *testing.T) {
	tr := oneRun("c", call(x64, "read", 0, 1, "app"), withArg(call(x64, "socket", 41, 2, "app"), values(0, 1, 2)),
		withArg(call(x64, "clone", 56, 1, "app"), nsflags(0)))
	target := mustCompile(t, nil, profile.Inputs{Traces: []*trace.Trace{tr}})
	base := mustParse(t, `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","socket","clone"],"action":"SCMP_ACT_ALLOW"}]}`)
	d := profile.Diff(base, target)
	var lines []string
	for _, c := range d.Arguments {
		lines = append(lines, c.String())
	}
	want := []string{
		"clone: base allows any flags, target no namespaces",
		"socket: base allows any family, target only AF_UNIX (0x1), AF_INET (0x2)",
	}
	if !slices.Equal(lines, want) || d.Same() {
		t.Errorf("arguments %q, want %q", lines, want)
	}
	if d := profile.Diff(target, target); !d.Same() || len(d.Arguments) != 0 {
		t.Errorf("a profile differs from itself: %+v", d.Arguments)
	}
}

// Runtimes: the workload's calls of the traces, plus each runtime's own
// from its shipped trace, and the allowances of the runtimes named.
func TestCompileRuntimes(t *testing.T) {
	if got := profile.KnownRuntimes(); !slices.Equal(got, []string{"crun", "runc"}) {
		t.Fatalf("KnownRuntimes = %v", got)
	}
	for _, name := range profile.KnownRuntimes() {
		rt, err := profile.RuntimeTrace(name)
		if err != nil {
			t.Fatal(err)
		}
		if len(rt.Runs) < 20 {
			t.Errorf("%s: %d runs", name, len(rt.Runs))
		}
		for _, r := range rt.Runs {
			if !strings.HasPrefix(r.Runtime, name+" ") {
				t.Errorf("%s: a run of %q", name, r.Runtime)
			}
			for _, s := range r.Syscalls {
				if s.RuntimeCount != s.Count {
					t.Errorf("%s: %s is not all the runtime's: %+v", name, s.Name, s)
				}
			}
		}
	}
	if _, err := profile.RuntimeTrace("kata"); !errors.Is(err, profile.ErrUnknownRuntime) {
		t.Errorf("RuntimeTrace(kata) = %v", err)
	}

	// Traced under runc: setgroups is runc's alone, read both's, mkdir
	// the workload's.
	tr := trace.New(trace.Run{ContainerID: "c", Runtime: "runc 1.1.5+ds1", Start: t0, End: t0.Add(time.Second), Syscalls: []trace.Syscall{
		{Arch: x64, Name: "setgroups", Number: 116, Count: 1, RuntimeCount: 1, Processes: []string{"runc:[2:INIT]"}},
		{Arch: x64, Name: "read", Number: 0, Count: 5, RuntimeCount: 2, Processes: []string{"runc:[2:INIT]"}},
		{Arch: x64, Name: "mkdir", Number: 83, Count: 1, Processes: []string{"mkdir"}},
	}})
	allowed := func(p *seccomp.Seccomp, n string) bool { _, ok := profile.Allowed(p)[n]; return ok }
	same := mustCompile(t, nil, profile.Inputs{Traces: []*trace.Trace{tr}})
	crun := mustCompile(t, nil, profile.Inputs{Traces: []*trace.Trace{tr}, Runtimes: []string{"crun"}})
	both := mustCompile(t, nil, profile.Inputs{Traces: []*trace.Trace{tr}, Runtimes: []string{"runc", "crun", "runc"}})
	mustCheck(t, crun)
	mustCheck(t, both)
	for _, c := range []struct {
		p    *seccomp.Seccomp
		name string
		want map[string]bool
	}{
		// Without Runtimes: what was traced.
		{same, "traced", map[string]bool{"setgroups": true, "read": true, "mkdir": true, "setresgid": false}},
		// For crun: the workload's calls and crun's.
		{crun, "crun", map[string]bool{"setgroups": false, "read": true, "mkdir": true, "setresgid": true, "execve": true}},
		{both, "runc,crun", map[string]bool{"setgroups": true, "read": true, "mkdir": true, "setresgid": true}},
	} {
		for n, want := range c.want {
			if got := allowed(c.p, n); got != want {
				t.Errorf("%s: %s allowed = %v, want %v", c.name, n, got, want)
			}
		}
	}
	// The runtime's calls come in rules of their own, saying so.
	var runtimeRule *seccomp.Syscall
	for _, r := range crun.Syscalls {
		if slices.Contains(r.Names, "setresgid") {
			runtimeRule = r
		}
	}
	if runtimeRule == nil || !strings.HasPrefix(runtimeRule.Comment, "runtime crun 1.8.1, after its seccomp filter (shipped trace): ") {
		t.Errorf("crun's rule: %+v", runtimeRule)
	}
	// crun's prctl options come with their values.
	if got := eqValues(t, crun, "prctl"); !slices.Contains(got, 24) {
		t.Errorf("crun's prctl values %v", got)
	}
	// A version 1 trace tells no runtime calls apart: all are kept.
	v1 := oneRun("old", call(x64, "setgroups", 116, 1, "runc:[2:INIT]"))
	if p := mustCompile(t, nil, profile.Inputs{Traces: []*trace.Trace{v1}, Runtimes: []string{"crun"}}); !allowed(p, "setgroups") {
		t.Error("version 1 trace: setgroups dropped")
	}
	if _, err := profile.Compile(nil, profile.Inputs{Traces: []*trace.Trace{tr}, Runtimes: []string{"kata"}}); !errors.Is(err, profile.ErrUnknownRuntime) {
		t.Errorf("unknown runtime: %v", err)
	}
}

// Accumulating runs into one profile (the hook's if: naming the profile
// it wrote before, ModeExtend): a call the profile allows for some values
// gets the values of the new run, each once, and clone's namespace mask
// of the new run beside the old; a value a base blocks stays blocked.
func TestCompileArgsAccumulate(t *testing.T) {
	first := mustCompile(t, nil, profile.Inputs{Traces: []*trace.Trace{oneRun("c1",
		withArg(call(x64, "socket", 41, 1, "a"), values(0, 2)),
		withArg(call(x64, "ioctl", 16, 1, "a"), values(1, 0x5401)),
		withArg(call(x64, "clone", 56, 1, "a"), nsflags(0)),
	)}})
	second := oneRun("c2",
		withArg(call(x64, "socket", 41, 2, "b"), values(0, 1, 2)),
		withArg(call(x64, "ioctl", 16, 2, "b"), values(1, 0x5401, 0x541b)),
		withArg(call(x64, "clone", 56, 1, "b"), nsflags(0x10000000)),
	)
	acc := mustCompile(t, first, profile.Inputs{Mode: profile.ModeExtend, Traces: []*trace.Trace{second}})
	mustCheck(t, acc)
	if got := eqValues(t, acc, "socket"); !slices.Equal(got, []uint64{2, 1}) {
		t.Errorf("socket values %v, want the first run's 2 then the second's 1", got)
	}
	ioctls := eqValues(t, acc, "ioctl")
	if n := len(ioctls); n != len(eqValues(t, first, "ioctl"))+1 || !slices.Contains(ioctls, 0x541b) {
		t.Errorf("ioctl values %x: want the first profile's and FIONREAD once more", ioctls)
	}
	var masks []uint64
	for _, r := range rulesFor(acc, "clone") {
		masks = append(masks, r.Args[0].Value)
	}
	if len(masks) != 2 || masks[0] == masks[1] {
		t.Errorf("clone masks %x: want the first run's and the second's", masks)
	}
	// Accumulating the same run again adds nothing.
	again := mustCompile(t, acc, profile.Inputs{Mode: profile.ModeExtend, Traces: []*trace.Trace{second}})
	if len(again.Syscalls) != len(acc.Syscalls) {
		t.Errorf("the same run again: %d rules, want %d", len(again.Syscalls), len(acc.Syscalls))
	}

	// A base that blocks a family keeps blocking it, and its socket rules
	// are its own: nothing is added to them.
	errno := uint(1)
	base := &seccomp.Seccomp{DefaultAction: seccomp.ActErrno, Syscalls: []*seccomp.Syscall{
		{Names: []string{"socket"}, Action: seccomp.ActAllow, Args: []*seccomp.Arg{{Index: 0, Value: 2, Op: seccomp.OpEqualTo}}},
		{Names: []string{"socket"}, Action: seccomp.ActErrno, ErrnoRet: &errno, Args: []*seccomp.Arg{{Index: 0, Value: 1, Op: seccomp.OpEqualTo}}},
	}}
	p := mustCompile(t, base, profile.Inputs{Mode: profile.ModeExtend, Traces: []*trace.Trace{second}})
	if got := rulesFor(p, "socket"); len(got) != 2 {
		t.Errorf("socket rules of a blocking base: %d, want its 2", len(got))
	}
}

package profile_test

import (
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/containers/common/pkg/seccomp"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/profile"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/trace"
)

func TestCompileNothingReturnsBase(t *testing.T) {
	for _, name := range fixtures {
		base := loadProfile(t, name)
		got, err := profile.Compile(base, profile.Inputs{})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if !reflect.DeepEqual(got, base) {
			t.Errorf("%s: Compile(base, nothing) != base", name)
		}
		if got == base || (len(got.Syscalls) > 0 && got.Syscalls[0] == base.Syscalls[0]) {
			t.Errorf("%s: result shares memory with base", name)
		}
	}
	if _, err := profile.Compile(nil, profile.Inputs{}); !errors.Is(err, profile.ErrNoInput) {
		t.Errorf("Compile(nil, nothing) = %v, want ErrNoInput", err)
	}
}

// TestCompileOldHook pins the original hook's output for a base without
// archMap: base kept, default ERRNO, native arch appended, one allow rule
// with the sorted recorded names base does not mention.
func TestCompileOldHook(t *testing.T) {
	base := mustParse(t, `{"defaultAction":"SCMP_ACT_ALLOW","defaultErrnoRet":38,"architectures":["SCMP_ARCH_AARCH64"],
		"flags":["SECCOMP_FILTER_FLAG_LOG"],"listenerPath":"/run/l.sock","listenerMetadata":"m",
		"syscalls":[
		{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO","errnoRet":1},
		{"name":"clone","action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"valueTwo":0,"op":"SCMP_CMP_EQ"}]},
		{"names":["uname"],"action":"SCMP_ACT_NOTIFY","includes":{"caps":["CAP_SYS_ADMIN"]}}]}`)
	before := mustMarshal(t, base)
	tr := oneRun("c1",
		call(x64, "write", 1, 3, "sh"), call(x64, "read", 0, 10, "python3"),
		call(x64, "mkdir", 83, 1, "mkdir"), call(x64, "clone", 56, 2, "sh"), call(x64, "uname", 63, 1, "sh"))
	got := mustCompile(t, base, profile.Inputs{Traces: []*trace.Trace{tr}})

	if string(mustMarshal(t, base)) != string(before) {
		t.Fatal("Compile modified its base")
	}
	want := withBaseComments(base)
	want.DefaultAction = seccomp.ActErrno
	want.Architectures = []seccomp.Arch{seccomp.ArchAARCH64, seccomp.ArchX86_64}
	want.Syscalls = append(want.Syscalls, &seccomp.Syscall{
		Names:   []string{"read", "write"},
		Action:  seccomp.ActAllow,
		Args:    []*seccomp.Arg{},
		Comment: "seen 13x by python3,sh in 1/1 runs",
	}, signalAllowance)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got\n%s\nwant\n%s", mustMarshal(t, got), mustMarshal(t, want))
	}
}

func TestCompileNoBase(t *testing.T) {
	tr := oneRun("c1", call(x64, "read", 0, 2, "sh"), call(x86, "socketcall", 102, 1, "a.out"), call(x86, "read", 3, 1, "a.out"))
	got := mustCompile(t, nil, profile.Inputs{Traces: []*trace.Trace{tr}})
	want := `{
  "defaultAction": "SCMP_ACT_ERRNO",
  "architectures": [
    "SCMP_ARCH_X86_64",
    "SCMP_ARCH_X86"
  ],
  "syscalls": [
    {
      "names": [
        "read",
        "socketcall"
      ],
      "action": "SCMP_ACT_ALLOW",
      "args": [],
      "comment": "seen 4x by a.out,sh in 1/1 runs",
      "includes": {},
      "excludes": {}
    },
    {
      "names": [
        "restart_syscall",
        "rt_sigreturn"
      ],
      "action": "SCMP_ACT_ALLOW",
      "args": [],
      "comment": "allowance: needed by any process that handles a signal; traces see them only when a signal arrives",
      "includes": {},
      "excludes": {}
    }
  ]
}
`
	if out := string(mustMarshal(t, got)); out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

func TestCompileEmptyTrace(t *testing.T) {
	got := mustCompile(t, nil, profile.Inputs{Traces: []*trace.Trace{trace.New()}})
	if got.DefaultAction != seccomp.ActErrno || !slices.Equal(got.Architectures, []seccomp.Arch{seccomp.ArchX86_64}) || len(got.Syscalls) != 0 {
		t.Errorf("empty trace compiled to %s", mustMarshal(t, got))
	}
	base := loadProfile(t, "block-mkdir.json")
	got = mustCompile(t, base, profile.Inputs{Traces: []*trace.Trace{trace.New()}})
	if got.DefaultAction != seccomp.ActErrno || len(got.Syscalls) != 1 {
		t.Errorf("empty trace on a block-list: %s", mustMarshal(t, got))
	}
}

// TestCompileDefaultBase checks the archMap case: arches go into the
// archMap, never into "architectures", which containers/common would
// refuse alongside an archMap.
func TestCompileDefaultBase(t *testing.T) {
	base := loadProfile(t, "default.json")
	tr := oneRun("c1", call(x64, "read", 0, 2), call(x86, "socketcall", 102, 1), call(x64, "chroot", 161, 1), call(x64, "io_pgetevents", 333, 1))
	got := mustCompile(t, base, profile.Inputs{Traces: []*trace.Trace{tr}})
	if len(got.Architectures) != 0 || !reflect.DeepEqual(got.ArchMap, base.ArchMap) {
		t.Errorf("arches changed: architectures %v, archMap %v", got.Architectures, got.ArchMap)
	}
	if len(got.Syscalls) != len(base.Syscalls) {
		// read and socketcall are allowed by base, chroot conditionally,
		// io_pgetevents blocked: nothing to add.
		t.Errorf("added rules: %s", mustMarshal(t, &seccomp.Seccomp{DefaultAction: "SCMP_ACT_ERRNO", Syscalls: got.Syscalls[len(base.Syscalls):]}))
	}
	if !reflect.DeepEqual(got.Syscalls, withBaseComments(base).Syscalls) || *got.DefaultErrnoRet != 38 {
		t.Error("base rules or errno changed")
	}

	// A base archMap without the native entry, or without a recorded
	// sub-architecture, is extended.
	small := mustParse(t, `{"defaultAction":"SCMP_ACT_ERRNO","archMap":[{"architecture":"SCMP_ARCH_AARCH64","subArchitectures":["SCMP_ARCH_ARM"]}],"syscalls":[]}`)
	got = mustCompile(t, small, profile.Inputs{Traces: []*trace.Trace{tr}})
	want := []seccomp.Architecture{
		{Arch: seccomp.ArchAARCH64, SubArches: []seccomp.Arch{seccomp.ArchARM}},
		{Arch: seccomp.ArchX86_64, SubArches: []seccomp.Arch{seccomp.ArchX86}},
	}
	if !reflect.DeepEqual(got.ArchMap, want) || got.Architectures != nil {
		t.Errorf("archMap = %+v, architectures = %v", got.ArchMap, got.Architectures)
	}
}

func TestCompileGroupsByRuns(t *testing.T) {
	r := func(id string, start time.Duration, calls ...trace.Syscall) trace.Run {
		return trace.Run{ContainerID: id, Start: t0.Add(start), End: t0.Add(start + time.Second), Syscalls: calls}
	}
	a := trace.New(r("a", 0, call(x64, "read", 0, 5, "sh"), call(x64, "write", 1, 1, "sh")))
	b := trace.New(r("b", time.Minute, call(x64, "read", 0, 7, "cat"), call(x64, "openat", 257, 2, "cat")),
		r("c", 2*time.Minute, call(x64, "read", 0, 1, "cat"), call(x86, "read", 3, 1, "a.out")))
	got := mustCompile(t, nil, profile.Inputs{Traces: []*trace.Trace{a, b, a}})
	var summary []string
	for _, s := range got.Syscalls {
		summary = append(summary, strings.Join(s.Names, ",")+" | "+s.Comment)
	}
	want := []string{
		"read | seen 14x by a.out,cat,sh in 3/3 runs",
		"openat,write | seen 3x by cat,sh in 1/3 runs",
		"restart_syscall,rt_sigreturn | " + signalAllowance.Comment,
	}
	if !slices.Equal(summary, want) {
		t.Errorf("rules:\n%s\nwant\n%s", strings.Join(summary, "\n"), strings.Join(want, "\n"))
	}
}

func TestCompileProfileInputs(t *testing.T) {
	in1 := mustParse(t, `{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X32"],"syscalls":[
		{"names":["read","write","mkdir"],"action":"SCMP_ACT_ALLOW"},
		{"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":8,"valueTwo":0,"op":"SCMP_CMP_EQ"}],"comment":"linux32"},
		{"names":["ptrace"],"action":"SCMP_ACT_ERRNO"}]}`)
	in2 := mustParse(t, `{"defaultAction":"SCMP_ACT_KILL","syscalls":[
		{"names":["read"],"action":"SCMP_ACT_ALLOW"},
		{"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":8,"valueTwo":0,"op":"SCMP_CMP_EQ"}]}]}`)
	base := mustParse(t, `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO"}]}`)
	tr := oneRun("c1", call(x64, "write", 1, 2, "sh"))
	got := mustCompile(t, base, profile.Inputs{Traces: []*trace.Trace{tr}, Profiles: []*seccomp.Seccomp{in1, in2}})

	var summary []string
	for _, s := range got.Syscalls {
		summary = append(summary, strings.Join(s.Names, ",")+" "+string(s.Action)+" "+profile.Describe(s)+" | "+s.Comment)
	}
	want := []string{
		"mkdir SCMP_ACT_ERRNO  | from base",
		"write SCMP_ACT_ALLOW  | seen 2x by sh in 1/1 runs",
		"restart_syscall,rt_sigreturn SCMP_ACT_ALLOW  | " + signalAllowance.Comment,
		"read SCMP_ACT_ALLOW  | allowed by 2/2 input profiles",
		"personality SCMP_ACT_ALLOW arg0 == 0x8 | from input profile 0 rule 1: linux32",
	}
	if !slices.Equal(summary, want) {
		t.Errorf("rules:\n%s\nwant\n%s", strings.Join(summary, "\n"), strings.Join(want, "\n"))
	}
	if !slices.Equal(got.Architectures, []seccomp.Arch{seccomp.ArchX86_64, seccomp.ArchX32}) {
		t.Errorf("architectures = %v", got.Architectures)
	}

	// Profiles alone count as input: the default action still changes.
	only := mustCompile(t, base, profile.Inputs{Profiles: []*seccomp.Seccomp{in2}})
	if only.DefaultAction != seccomp.ActErrno || len(only.Syscalls) != 3 {
		t.Errorf("profile-only compile: %s", mustMarshal(t, only))
	}
}

func TestCompileErrors(t *testing.T) {
	tr := oneRun("c1", call(x64, "read", 0, 1))
	for _, tc := range []struct {
		name string
		base *seccomp.Seccomp
		in   profile.Inputs
		want string
	}{
		{"invalid base", &seccomp.Seccomp{}, profile.Inputs{Traces: []*trace.Trace{tr}}, "compile: base: invalid profile"},
		{"allow-all input", nil, profile.Inputs{Profiles: []*seccomp.Seccomp{mustParse(t, `{"defaultAction":"SCMP_ACT_ALLOW"}`)}}, "only allow-list profiles can be inputs"},
		{"invalid input", nil, profile.Inputs{Profiles: []*seccomp.Seccomp{{DefaultAction: "nope"}}}, "input profile 0: invalid profile"},
		{"unknown arch", nil, profile.Inputs{Traces: []*trace.Trace{oneRun("c", call("SCMP_ARCH_VAX", "read", 0, 1))}}, "unknown architecture SCMP_ARCH_VAX"},
		{"bad native", nil, profile.Inputs{Traces: []*trace.Trace{tr}, NativeArch: seccomp.ArchNative}, "not a concrete known architecture"},
		{"nil trace", nil, profile.Inputs{Traces: []*trace.Trace{nil}}, "trace is nil"},
		{"conflicting traces", nil, profile.Inputs{Traces: []*trace.Trace{tr, oneRun("c1", call(x64, "read", 0, 2))}}, "conflicting runs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.in.NativeArch == "" {
				tc.in.NativeArch = seccomp.ArchX86_64
			}
			_, err := profile.Compile(tc.base, tc.in)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Compile = %v, want error containing %q", err, tc.want)
			}
		})
	}
}

// ModeRestrict cuts a base down to what the traces need: blocks and needed
// conditional rules intact, unconditional allows narrowed, the rest gone,
// and nothing the base blocks added.
func TestCompileRestrict(t *testing.T) {
	base := mustParse(t, `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":38,"syscalls":[
		{"names":["read","write","mkdir","socketcall"],"action":"SCMP_ACT_ALLOW","comment":"basics"},
		{"names":["clone"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":2114060288,"op":"SCMP_CMP_MASKED_EQ"}]},
		{"names":["personality"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":0,"op":"SCMP_CMP_EQ"}]},
		{"names":["ptrace"],"action":"SCMP_ACT_ERRNO"},
		{"names":["socket"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":16,"op":"SCMP_CMP_NE"}]}]}`)
	tr := oneRun("c1",
		call(x64, "read", 0, 5, "app"), call(x64, "clone", 56, 1, "app"),
		call(x64, "socket", 41, 1, "app"), call(x64, "bpf", 321, 1, "app"))
	got := mustCompile(t, base, profile.Inputs{Mode: profile.ModeRestrict, Traces: []*trace.Trace{tr}})

	allowed := profile.Allowed(got)
	for _, n := range []string{"read", "clone", "socket", "socketcall"} {
		if _, ok := allowed[n]; !ok {
			t.Errorf("%s: needed and allowed by base, but not allowed", n)
		}
	}
	for _, n := range []string{"write", "mkdir", "personality", "bpf", "ptrace"} {
		if _, ok := allowed[n]; ok {
			t.Errorf("%s: allowed (%s), want blocked", n, allowed[n])
		}
	}
	if got.DefaultErrnoRet == nil || *got.DefaultErrnoRet != 38 {
		t.Errorf("defaultErrnoRet not kept: %v", got.DefaultErrnoRet)
	}
	if !slices.ContainsFunc(got.Syscalls, func(s *seccomp.Syscall) bool {
		return slices.Equal(s.Names, []string{"ptrace"}) && s.Action == seccomp.ActErrno
	}) {
		t.Error("the base's blocking rule is gone")
	}
	if r := got.Syscalls[0]; !slices.Equal(r.Names, []string{"read", "socketcall"}) || !strings.Contains(r.Comment, "basics") {
		t.Errorf("narrowed rule = %+v", r)
	}
	if err := profile.Validate(got); err != nil {
		t.Fatal(err)
	}

	// A block-list base: what it does not mention and the traces need is added.
	blocklist := mustParse(t, `{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO"}]}`)
	got = mustCompile(t, blocklist, profile.Inputs{Mode: profile.ModeRestrict,
		Traces: []*trace.Trace{oneRun("c1", call(x64, "read", 0, 1), call(x64, "mkdir", 83, 1))}})
	allowed = profile.Allowed(got)
	if _, ok := allowed["read"]; !ok {
		t.Error("block-list base: read not added")
	}
	if _, ok := allowed["mkdir"]; ok {
		t.Error("block-list base: mkdir unblocked")
	}
}

// withBaseComments is base as Compile keeps it: uncommented rules say they
// come from the base.
func withBaseComments(base *seccomp.Seccomp) *seccomp.Seccomp {
	p := profile.Clone(base)
	for _, r := range p.Syscalls {
		if r.Comment == "" {
			r.Comment = "from base"
		}
	}
	return p
}

// signalAllowance is the rule every compiled trace gets (allowance.go).
var signalAllowance = &seccomp.Syscall{
	Names:   []string{"restart_syscall", "rt_sigreturn"},
	Action:  seccomp.ActAllow,
	Args:    []*seccomp.Arg{},
	Comment: "allowance: needed by any process that handles a signal; traces see them only when a signal arrives",
}

// Allowances follow the evidence in the trace: crun's own calls bring
// none but the signal one, runc's (its init is a Go program) the Go
// runtime's; a workload that waits on futexes gets sched_yield; Go's
// signature (sigaltstack with clone) gets its runtime's timing-dependent
// calls, tgkill only with SIGURG.
func TestCompileAllowances(t *testing.T) {
	runtimeOnly := func(runtime, process string) *trace.Trace {
		tr := oneRun("c1", call(x64, "read", 0, 1, process), call(x64, "futex", 202, 3, process))
		tr.Runs[0].Runtime = runtime
		for i := range tr.Runs[0].Syscalls {
			s := &tr.Runs[0].Syscalls[i]
			s.RuntimeCount = s.Count
		}
		return trace.New(tr.Runs...)
	}
	got := mustCompile(t, nil, profile.Inputs{Traces: []*trace.Trace{runtimeOnly("crun 1.8.1", "3")}})
	if len(got.Syscalls) != 2 || !reflect.DeepEqual(got.Syscalls[1], signalAllowance) {
		t.Errorf("crun's calls only: %s", mustMarshal(t, got))
	}
	// By its name in the run, or, in a version 1 trace, by its init's.
	for _, runc := range []*trace.Trace{runtimeOnly("runc 1.1.5+ds1", "runc:[2:INIT]"), runtimeOnly("", "runc:[2:INIT]")} {
		got = mustCompile(t, nil, profile.Inputs{Traces: []*trace.Trace{runc}})
		mustCheck(t, got)
		names := map[string]bool{}
		for _, r := range got.Syscalls {
			for _, n := range r.Names {
				names[n] = true
			}
		}
		for _, n := range []string{"futex", "getpid", "gettid", "nanosleep", "rt_sigreturn", "sched_yield", "tgkill"} {
			if !names[n] {
				t.Errorf("runc's calls only: %s not allowed: %s", n, mustMarshal(t, got))
			}
		}
	}

	threaded := oneRun("c1", call(x64, "read", 0, 1, "app"), call(x64, "futex", 202, 3, "app"))
	got = mustCompile(t, nil, profile.Inputs{Traces: []*trace.Trace{threaded}})
	if len(got.Syscalls) != 3 || !slices.Equal(got.Syscalls[2].Names, []string{"sched_yield"}) {
		t.Errorf("threaded workload: %s", mustMarshal(t, got))
	}

	goProgram := oneRun("c1", call(x64, "sigaltstack", 131, 4, "app"), call(x64, "clone", 56, 3, "app"), call(x64, "futex", 202, 9, "app"))
	got = mustCompile(t, nil, profile.Inputs{Traces: []*trace.Trace{goProgram}})
	mustCheck(t, got)
	var tgkill, rest *seccomp.Syscall
	for _, r := range got.Syscalls {
		switch {
		case slices.Equal(r.Names, []string{"tgkill"}):
			tgkill = r
		case slices.Contains(r.Names, "nanosleep"):
			rest = r
		}
	}
	if tgkill == nil || len(tgkill.Args) != 1 || *tgkill.Args[0] != (seccomp.Arg{Index: 2, Value: 23, Op: seccomp.OpEqualTo}) {
		t.Errorf("Go: tgkill rule %+v, want it with SIGURG only", tgkill)
	}
	// futex was recorded, rt_sigreturn and sched_yield came with the
	// earlier allowances.
	if rest == nil || !slices.Equal(rest.Names, []string{"getpid", "gettid", "nanosleep"}) || !strings.Contains(rest.Comment, "Go's runtime") {
		t.Errorf("Go: allowance %+v, want getpid gettid nanosleep", rest)
	}
}

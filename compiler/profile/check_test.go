//go:build linux && cgo

package profile_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/containers/common/pkg/seccomp"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/profile"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/trace"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/trace/tracetest"
)

func TestCheckFixtures(t *testing.T) {
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			r, err := profile.Check(loadProfile(t, name))
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			if len(r.Filters) == 0 {
				t.Fatal("no filters built")
			}
			for _, f := range r.Filters {
				if f.Instructions < 4 || f.Instructions > profile.MaxInstructions {
					t.Errorf("%s/%s: %d instructions", f.Host, f.Caps, f.Instructions)
				}
			}
		})
	}
}

func TestCheckDefaultProfile(t *testing.T) {
	r, err := profile.Check(loadProfile(t, "default.json"))
	if err != nil {
		t.Fatal(err)
	}
	// One filter per archMap entry and capability set.
	if len(r.Filters) != 14 || r.Filters[0].Host != seccomp.ArchX86_64 || r.Filters[0].Caps != profile.CapsNone {
		t.Errorf("filters: %+v", r.Filters)
	}
	if len(r.Rules) != 35 || r.Rules[2].Condition != "arg0 == 0x0" {
		t.Errorf("rules: %d, rule 2 condition %q", len(r.Rules), r.Rules[2].Condition)
	}
	// Debian's profile allows setns unconditionally and also blocks it
	// without CAP_SYS_ADMIN: legal, but worth a warning.
	if len(r.Warnings) != 1 || !strings.HasPrefix(r.Warnings[0], "setns: syscalls[1] (SCMP_ACT_ALLOW) takes effect over syscalls[15]") {
		t.Errorf("warnings: %q", r.Warnings)
	}
}

func TestCheckCompat(t *testing.T) {
	// socketcall does not exist on x86_64; libseccomp still places it in
	// the x86 part of the filter.
	p := mustParse(t, `{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_X86"],"syscalls":[{"names":["socketcall","read"],"action":"SCMP_ACT_ALLOW"}]}`)
	r, err := profile.Check(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Filters) != 1 || len(r.Filters[0].Arches) != 2 || r.Filters[0].Rules != 2 {
		t.Errorf("filters: %+v", r.Filters)
	}
}

func TestCheckErrors(t *testing.T) {
	for _, tc := range []struct {
		name string
		p    *seccomp.Seccomp
		err  error
		want string
	}{
		{"unknown syscall", mustParse(t, `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","no_such_call"],"action":"SCMP_ACT_ALLOW"}]}`),
			profile.ErrUnknownSyscall, `syscalls[0] (read and 1 more): unknown syscall "no_such_call"`},
		{"bad action", &seccomp.Seccomp{DefaultAction: seccomp.ActErrno, Syscalls: []*seccomp.Syscall{{Names: []string{"read"}, Action: "SCMP_ACT_FOO"}}},
			profile.ErrInvalid, `unknown action "SCMP_ACT_FOO"`},
		{"bad arch", &seccomp.Seccomp{DefaultAction: seccomp.ActErrno, Architectures: []seccomp.Arch{"SCMP_ARCH_VAX"}},
			profile.ErrInvalid, `unknown architecture "SCMP_ARCH_VAX"`},
		{"contradiction", mustParse(t, `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","mkdir"],"action":"SCMP_ACT_ALLOW"},{"names":["mkdir"],"action":"SCMP_ACT_ERRNO","errnoRet":1}]}`),
			profile.ErrContradiction, "mkdir is SCMP_ACT_ALLOW in syscalls[0] and SCMP_ACT_ERRNO(1) in syscalls[1]"},
		{"contradiction with the default", mustParse(t, `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO"},{"names":["mkdir"],"action":"SCMP_ACT_ALLOW"}]}`),
			profile.ErrContradiction, "mkdir is SCMP_ACT_ERRNO(1) in syscalls[0] and SCMP_ACT_ALLOW in syscalls[1]"},
		{"architectures and archMap", mustParse(t, `{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64"],"archMap":[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":[]}]}`),
			profile.ErrUnloadable, "both architectures and archMap"},
		{"notify without listener", mustParse(t, `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["mount"],"action":"SCMP_ACT_NOTIFY"}]}`),
			profile.ErrUnloadable, "needs listenerPath"},
		{"errno disagreement", mustParse(t, `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["mount"],"action":"SCMP_ACT_ERRNO","errno":"EPERM","errnoRet":38}]}`),
			profile.ErrUnloadable, "errno EPERM (1) and errnoRet 38 disagree"},
		{"unknown errno", mustParse(t, `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrno":"ENOTANERRNO"}`),
			profile.ErrUnloadable, `default action: profile cannot be loaded: unknown errno "ENOTANERRNO"`},
		{"mixed endianness", mustParse(t, `{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64","SCMP_ARCH_S390X"]}`),
			profile.ErrUnloadable, "add architecture SCMP_ARCH_S390X to a filter for SCMP_ARCH_X86_64"},
		{"too large", tooLarge(), profile.ErrTooLarge, "the kernel accepts at most 4096"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := profile.Check(tc.p)
			if !errors.Is(err, tc.err) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Check = %v\nwant %v containing %q", err, tc.err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "check: ") || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q is not one line starting with the operation", err)
			}
		})
	}
}

// tooLarge allows every x86_64 syscall under four OR-ed argument values,
// distinct per syscall so that libseccomp cannot share them, for x86_64
// and its two compat ABIs, which takes more BPF than the kernel accepts.
func tooLarge() *seccomp.Seccomp {
	p := &seccomp.Seccomp{DefaultAction: seccomp.ActErrno, Architectures: []seccomp.Arch{seccomp.ArchX86_64, seccomp.ArchX86, seccomp.ArchX32}}
	for i, n := range profile.KnownSyscalls(seccomp.ArchX86_64) {
		var args []*seccomp.Arg
		for v := range uint64(4) {
			args = append(args, &seccomp.Arg{Index: 0, Value: uint64(i)*8 + v, Op: seccomp.OpEqualTo})
		}
		p.Syscalls = append(p.Syscalls, &seccomp.Syscall{Names: []string{n}, Action: seccomp.ActAllow, Args: args})
	}
	return p
}

// TestCompiledProfilesPassCheck is the property that everything Compile
// writes loads: every fixture base, and none, with random traces and
// profile inputs.
func TestCompiledProfilesPassCheck(t *testing.T) {
	bases := []*seccomp.Seccomp{nil}
	for _, name := range fixtures {
		bases = append(bases, loadProfile(t, name))
	}
	for seed := range uint64(3) {
		tr := tracetest.Trace(seed, tracetest.X86_64, int(seed)*3, 3)
		// An earlier compile as a profile input.
		earlier := mustCompile(t, nil, profile.Inputs{Traces: []*trace.Trace{tracetest.Trace(seed+100, tracetest.X86_64, 50, 2)}})
		for i, base := range bases {
			for _, in := range []profile.Inputs{
				{Traces: []*trace.Trace{tr}},
				{Traces: []*trace.Trace{trace.New()}},
				{Traces: []*trace.Trace{tr}, Profiles: []*seccomp.Seccomp{earlier}},
				{Traces: []*trace.Trace{tr}, Runtimes: profile.KnownRuntimes()},
			} {
				p := mustCompile(t, base, in)
				if _, err := profile.Check(p); err != nil {
					t.Errorf("seed %d base %d: compiled profile fails Check: %v", seed, i, err)
				}
				// On an allow-list base, compiling only ever adds.
				if base != nil && !profile.Allows(base.DefaultAction) {
					if d := profile.Diff(base, p); len(d.Unused) > 0 {
						t.Errorf("seed %d base %d: compile removed %d names from base, such as %s", seed, i, len(d.Unused), d.Unused[0])
					}
				}
			}
		}
	}
}

func ExampleCheck() {
	p, _ := profile.Parse([]byte(`{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64"],
		"syscalls":[{"names":["read","write","exit_group"],"action":"SCMP_ACT_ALLOW"}]}`))
	r, err := profile.Check(p)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, f := range r.Filters {
		fmt.Printf("%s: %d rules, %d instructions\n", f.Host, f.Rules, f.Instructions)
	}
	// Output: SCMP_ARCH_X86_64: 3 rules, 11 instructions
}

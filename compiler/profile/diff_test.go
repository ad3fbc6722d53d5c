package profile_test

import (
	"reflect"
	"slices"
	"testing"

	"github.com/containers/common/pkg/seccomp"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/profile"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/trace"
)

func TestAllowed(t *testing.T) {
	p := mustParse(t, `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
		{"names":["read","write"],"action":"SCMP_ACT_ALLOW"},
		{"names":["write","clone"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"valueTwo":0,"op":"SCMP_CMP_EQ"}]},
		{"names":["chroot"],"action":"SCMP_ACT_LOG","includes":{"caps":["CAP_SYS_CHROOT"]}},
		{"names":["mkdir"],"action":"SCMP_ACT_ERRNO"},
		{"names":["uname"],"action":"SCMP_ACT_NOTIFY"}]}`)
	want := map[string]profile.Access{
		"read": profile.AccessAllowed, "write": profile.AccessAllowed,
		"clone": profile.AccessConditional, "chroot": profile.AccessConditional,
	}
	if got := profile.Allowed(p); !reflect.DeepEqual(got, want) {
		t.Errorf("Allowed = %v, want %v", got, want)
	}

	// A block-list allows every known name of its architectures but the
	// blocked ones.
	bl := mustParse(t, `{"defaultAction":"SCMP_ACT_ALLOW","architectures":["SCMP_ARCH_X86_64"],"syscalls":[
		{"names":["mkdir"],"action":"SCMP_ACT_ERRNO"},
		{"names":["clone"],"action":"SCMP_ACT_ERRNO","args":[{"index":0,"value":1,"valueTwo":0,"op":"SCMP_CMP_EQ"}]},
		{"names":["brand_new_call"],"action":"SCMP_ACT_ALLOW"}]}`)
	got := profile.Allowed(bl)
	if len(got) != len(profile.KnownSyscalls(seccomp.ArchX86_64)) {
		t.Errorf("block-list allows %d names, want %d (table) - 1 (mkdir) + 1 (brand_new_call)", len(got), len(profile.KnownSyscalls(seccomp.ArchX86_64)))
	}
	if _, ok := got["mkdir"]; ok || got["clone"] != profile.AccessConditional || got["brand_new_call"] != profile.AccessAllowed || got["socketcall"] != "" {
		t.Errorf("block-list: mkdir %q clone %q brand_new_call %q socketcall %q", got["mkdir"], got["clone"], got["brand_new_call"], got["socketcall"])
	}
}

func TestDiff(t *testing.T) {
	base := mustParse(t, `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[
		{"names":["read","write","close","exit"],"action":"SCMP_ACT_ALLOW"},
		{"names":["clone"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":1,"valueTwo":0,"op":"SCMP_CMP_EQ"}]}]}`)
	target := mustParse(t, `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","mkdir","clone"],"action":"SCMP_ACT_ALLOW"}]}`)
	r := profile.Diff(base, target)
	want := profile.DiffReport{
		BaseAllowed: 5, TargetAllowed: 3, BaseConditional: 1,
		Blocked:       []string{"mkdir"},
		Unused:        []string{"close", "exit", "write"},
		Conditional:   []profile.AccessChange{{Name: "clone", Base: profile.AccessConditional, Target: profile.AccessAllowed}},
		Arguments:     []profile.ArgChange{{Name: "clone", Base: "only 0x1", Target: "any flags"}},
		ChangePercent: -40,
		Summary:       "allows 3 of 5 (\u221240%), 1 of them blocked by base",
	}
	if !reflect.DeepEqual(r, want) {
		t.Errorf("Diff =\n%+v\nwant\n%+v", r, want)
	}
	if r.Same() {
		t.Error("Same() for different profiles")
	}

	same := profile.Diff(base, profile.Clone(base))
	if !same.Same() || same.Summary != "allows 5 of 5 (\u00b10%)" || same.Blocked == nil || same.Unused == nil || same.Conditional == nil {
		t.Errorf("Diff(p, p) = %+v", same)
	}
	empty := profile.Diff(&seccomp.Seccomp{DefaultAction: seccomp.ActErrno}, base)
	if empty.Summary != "allows 5 of 0 (n/a), 5 of them blocked by base" || empty.ChangePercent != 0 {
		t.Errorf("Diff(empty, p).Summary = %q", empty.Summary)
	}
}

// TestDiffDefaultProfile reproduces the figure of the issue: a small trace
// against the engine's default profile.
func TestDiffDefaultProfile(t *testing.T) {
	base := loadProfile(t, "default.json")
	tr := oneRun("c1", call(x64, "read", 0, 1), call(x64, "write", 1, 1), call(x64, "io_pgetevents", 333, 1))
	target, err := profile.FromTrace(tr, seccomp.ArchX86_64)
	if err != nil {
		t.Fatal(err)
	}
	r := profile.Diff(base, target)
	// read, write, io_pgetevents and the signal allowance.
	if r.BaseAllowed != 410 || r.TargetAllowed != 5 || !slices.Equal(r.Blocked, []string{"io_pgetevents"}) {
		t.Errorf("Diff(default, trace) = %d of %d, blocked %v", r.TargetAllowed, r.BaseAllowed, r.Blocked)
	}
	if r.Summary != "allows 5 of 410 (\u221299%), 1 of them blocked by base" {
		t.Errorf("Summary = %q", r.Summary)
	}
	// The same trace compiled on the default profile allows what base
	// allows; the recorded call base blocks stays blocked.
	compiled := mustCompile(t, base, profile.Inputs{Traces: []*trace.Trace{tr}})
	if d := profile.Diff(base, compiled); !d.Same() {
		t.Errorf("Diff(base, compile(base, trace)) = %+v", d)
	}
}

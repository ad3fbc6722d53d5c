package profile_test

import (
	"bytes"
	"errors"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/containers/common/pkg/seccomp"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/profile"
)

func TestParseFixtures(t *testing.T) {
	for _, name := range fixtures {
		t.Run(name, func(t *testing.T) {
			p := loadProfile(t, name)
			out := mustMarshal(t, p)
			if !bytes.Equal(out, mustMarshal(t, p)) {
				t.Error("Marshal is not deterministic")
			}
			again, err := profile.Parse(out)
			if err != nil {
				t.Fatalf("Parse(Marshal(p)): %v", err)
			}
			if !reflect.DeepEqual(again, p) {
				t.Error("Parse(Marshal(p)) != p")
			}
			if !bytes.Equal(mustMarshal(t, again), out) {
				t.Error("Marshal(Parse(Marshal(p))) != Marshal(p)")
			}
		})
	}
}

func TestParseOldHookProfiles(t *testing.T) {
	// The original hook wrote compact JSON, and an allow rule without
	// names when the trace was empty.
	for _, doc := range []string{
		`{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64"],"syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[],"comment":"","includes":{},"excludes":{}}]}`,
		`{"defaultAction":"SCMP_ACT_ERRNO","architectures":["SCMP_ARCH_X86_64"],"syscalls":[{"action":"SCMP_ACT_ALLOW","args":[],"comment":"","includes":{},"excludes":{}}]}`,
		`{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO"}]}`,
		`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"name":"read","action":"SCMP_ACT_ALLOW","args":null}]}`,
		`{"defaultAction":"SCMP_ACT_ERRNO"}`,
	} {
		p := mustParse(t, doc)
		if p.Syscalls == nil {
			t.Errorf("Parse(%s): nil syscalls", doc)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, tc := range []struct{ name, doc, want string }{
		{"empty", ``, "empty document"},
		{"trailing", `{"defaultAction":"SCMP_ACT_ERRNO"} {}`, "after the top-level value"},
		{"unknown field", `{"defaultAction":"SCMP_ACT_ERRNO","defaultActon":"x"}`, "unknown field defaultActon"},
		{"case", `{"DefaultAction":"SCMP_ACT_ERRNO"}`, "unknown field DefaultAction"},
		{"duplicate", `{"defaultAction":"SCMP_ACT_ALLOW","defaultAction":"SCMP_ACT_ERRNO"}`, "duplicate field defaultAction"},
		{"nested unknown", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"5.8","maxKernel":"6.1"}}]}`, "unknown field syscalls[0].includes.maxKernel"},
		{"minKernel not a version", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","excludes":{"minKernel":"5"}}]}`, `excludes.minKernel "5" is not a kernel version`},
		{"minKernel not a string", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":5.8}}]}`, "syscalls[0].includes.minKernel: cannot unmarshal JSON number"},
		{"minKernel twice", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","includes":{"minKernel":"5.8","minKernel":"5.9"}}]}`, "duplicate field syscalls[0].includes.minKernel"},
		{"filter arch of the wrong form", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","includes":{"arches":["x86-64"]}}]}`, `includes.arches[0]: unknown architecture "x86-64"`},
		{"missing default", `{"syscalls":[]}`, "defaultAction is missing"},
		{"bad default", `{"defaultAction":"SCMP_ACT_MAYBE"}`, `unknown action "SCMP_ACT_MAYBE"`},
		{"bad arch", `{"defaultAction":"SCMP_ACT_ERRNO","architectures":["x86_64"]}`, `architectures[0]: unknown architecture "x86_64"`},
		{"bad subarch", `{"defaultAction":"SCMP_ACT_ERRNO","archMap":[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":["SCMP_ARCH_I386"]}]}`, "archMap[0].subArchitectures[0]"},
		{"bad flag", `{"defaultAction":"SCMP_ACT_ERRNO","flags":["SECCOMP_FILTER_FLAG_FAST"]}`, "unknown flag"},
		{"errno range", `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrnoRet":5000}`, "out of range"},
		{"errno name", `{"defaultAction":"SCMP_ACT_ERRNO","defaultErrno":"eperm"}`, "neither a number nor a name"},
		{"null rule", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[null]}`, "syscalls[0]: rule is null"},
		{"name and names", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"name":"read","names":["write"],"action":"SCMP_ACT_ALLOW"}]}`, "both name and names"},
		{"bad name", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read","Write"],"action":"SCMP_ACT_ALLOW"}]}`, "names[1]"},
		{"missing action", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"]}]}`, "(read): action is missing"},
		{"bad action", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"ALLOW"}]}`, `unknown action "ALLOW"`},
		{"arg index", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":6,"value":0,"valueTwo":0,"op":"SCMP_CMP_EQ"}]}]}`, "index 6 out of range"},
		{"arg op", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[{"index":0,"value":0,"valueTwo":0,"op":"=="}]}]}`, "unknown operator"},
		{"null arg", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","args":[null]}]}`, "args[0] is null"},
		{"cap", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","includes":{"caps":["SYS_ADMIN"]}}]}`, "not of the form CAP_"},
		{"filter arch", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW","excludes":{"arches":["SCMP_ARCH_X86_64"]}}]}`, "excludes.arches[0]: unknown architecture"},
		{"rule errno", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ERRNO","errnoRet":4096}]}`, "errnoRet 4096 out of range"},
		{"wrong type", `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":{}}`, "cannot unmarshal"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := profile.Parse([]byte(tc.doc))
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Parse = %v, want error containing %q", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "parse profile: ") {
				t.Errorf("error %q lacks the operation", err)
			}
		})
	}
}

func TestValidateSentinel(t *testing.T) {
	if err := profile.Validate(nil); !errors.Is(err, profile.ErrInvalid) {
		t.Errorf("Validate(nil) = %v", err)
	}
	if _, err := profile.Marshal(&seccomp.Seccomp{}); !errors.Is(err, profile.ErrInvalid) {
		t.Errorf("Marshal of a profile without default action: %v", err)
	}
}

func TestMarshalFormat(t *testing.T) {
	out := mustMarshal(t, &seccomp.Seccomp{DefaultAction: seccomp.ActErrno})
	want := "{\n  \"defaultAction\": \"SCMP_ACT_ERRNO\",\n  \"syscalls\": []\n}\n"
	if string(out) != want {
		t.Errorf("Marshal = %q, want %q", out, want)
	}
}

func TestClone(t *testing.T) {
	p := loadProfile(t, "default.json")
	c := profile.Clone(p)
	if !reflect.DeepEqual(c, p) {
		t.Fatal("Clone differs")
	}
	c.Syscalls[0].Names[0] = "changed"
	c.ArchMap[0].SubArches[0] = "changed"
	*c.DefaultErrnoRet = 99
	c.Syscalls[2].Args[0].Value = 99
	if p.Syscalls[0].Names[0] == "changed" || p.ArchMap[0].SubArches[0] == "changed" || *p.DefaultErrnoRet == 99 || p.Syscalls[2].Args[0].Value == 99 {
		t.Error("Clone shares memory with the original")
	}
	if profile.Clone(nil) != nil {
		t.Error("Clone(nil) != nil")
	}
}

func TestKnownLists(t *testing.T) {
	for name, sorted := range map[string]bool{
		"actions":   slices.IsSorted(profile.KnownActions()),
		"arches":    slices.IsSorted(profile.KnownArches()),
		"operators": slices.IsSorted(profile.KnownOperators()),
		"flags":     slices.IsSorted(profile.KnownFlags()),
		"filter":    slices.IsSorted(profile.KnownFilterArches()),
		"caps":      slices.IsSorted(profile.KnownCapSets()),
		"access":    slices.IsSorted(profile.KnownAccesses()),
	} {
		if !sorted {
			t.Errorf("Known %s not sorted", name)
		}
	}
	if got := profile.FilterArch(seccomp.ArchX86_64); got != "amd64" {
		t.Errorf("FilterArch(x86_64) = %q", got)
	}
	if got := profile.SubArches(seccomp.ArchX86_64); !slices.Equal(got, []seccomp.Arch{seccomp.ArchX86, seccomp.ArchX32}) {
		t.Errorf("SubArches(x86_64) = %v", got)
	}
}

func TestSyscallTable(t *testing.T) {
	x := profile.KnownSyscalls(seccomp.ArchX86_64)
	if !slices.Contains(x, "read") || slices.Contains(x, "socketcall") || !slices.IsSorted(x) {
		t.Errorf("KnownSyscalls(x86_64): %d names, read/socketcall membership wrong", len(x))
	}
	if !slices.Contains(profile.KnownSyscalls(seccomp.ArchX86), "socketcall") {
		t.Error("socketcall missing on x86")
	}
	if got := profile.SyscallArches("arch_prctl"); !slices.Equal(got, []seccomp.Arch{seccomp.ArchX32, seccomp.ArchX86, seccomp.ArchX86_64}) {
		t.Errorf("SyscallArches(arch_prctl) = %v", got)
	}
	if profile.SyscallArches("no_such_call") != nil || profile.KnownSyscalls("SCMP_ARCH_VAX") != nil {
		t.Error("unknown lookups should return nil")
	}
	if !strings.HasPrefix(profile.SyscallTableSource(), "libseccomp ") {
		t.Errorf("SyscallTableSource = %q", profile.SyscallTableSource())
	}
}

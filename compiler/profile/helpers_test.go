package profile_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/containers/common/pkg/seccomp"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/profile"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/trace"
)

// fixtures are the profiles under compiler/testdata/profiles.
var fixtures = []string{"default.json", "default-common-v0.62.3.json", "old-hook.json", "block-mkdir.json", "docker-default.json"}

const x64, x86 = "SCMP_ARCH_X86_64", "SCMP_ARCH_X86"

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func loadProfile(t testing.TB, name string) *seccomp.Seccomp {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("..", "testdata", "profiles", name))
	if err != nil {
		t.Fatal(err)
	}
	p, err := profile.Parse(data)
	if err != nil {
		t.Fatalf("Parse(%s): %v", name, err)
	}
	return p
}

func mustParse(t testing.TB, doc string) *seccomp.Seccomp {
	t.Helper()
	p, err := profile.Parse([]byte(doc))
	if err != nil {
		t.Fatalf("Parse(%s): %v", doc, err)
	}
	return p
}

func mustMarshal(t testing.TB, p *seccomp.Seccomp) []byte {
	t.Helper()
	b, err := profile.Marshal(p)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	return b
}

func mustCompile(t testing.TB, base *seccomp.Seccomp, in profile.Inputs) *seccomp.Seccomp {
	t.Helper()
	if in.NativeArch == "" {
		in.NativeArch = seccomp.ArchX86_64
	}
	p, err := profile.Compile(base, in)
	if err != nil {
		t.Fatalf("Compile: %v", err)
	}
	return p
}

// oneRun is a trace of one run making calls, each "arch/name/nr".
func oneRun(id string, calls ...trace.Syscall) *trace.Trace {
	return trace.New(trace.Run{ContainerID: id, Start: t0, End: t0.Add(time.Second), Syscalls: calls})
}

func call(arch, name string, nr int, count uint64, procs ...string) trace.Syscall {
	return trace.Syscall{Arch: arch, Name: name, Number: nr, Count: count, Processes: procs}
}

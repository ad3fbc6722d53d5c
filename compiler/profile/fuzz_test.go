package profile_test

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/containers/common/pkg/seccomp"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/profile"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/trace"
)

// FuzzParseProfile checks that Parse never panics, that what it accepts
// round-trips through Marshal, and that Compile, Diff and Check cope with
// it. The seed corpus is in testdata/fuzz/FuzzParseProfile.
func FuzzParseProfile(f *testing.F) {
	for _, name := range fixtures {
		if data, err := os.ReadFile(filepath.Join("..", "testdata", "profiles", name)); err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte(`{"defaultAction":"SCMP_ACT_ERRNO"}`))
	// Docker's extensions: minKernel, and an architecture no host has.
	f.Add([]byte(`{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["ptrace"],"action":"SCMP_ACT_ALLOW","comment":"c","includes":{"minKernel":"4.8"},"excludes":{"minKernel":"10.0","arches":["mips3l64n32"]}}]}`))
	tr := oneRun("fuzz", call(x64, "read", 0, 3, "sh"), call(x86, "socketcall", 102, 1, "a.out"),
		withArg(call(x64, "socket", 41, 2, "sh"), values(0, 1, 16)), withArg(call(x64, "clone", 56, 1, "sh"), nsflags(0)),
		call(x64, "clone3", 435, 1, "sh"), withArg(call(x64, "ioctl", 16, 1, "sh"), values(1, 0x5401)))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := profile.Parse(data)
		if err != nil {
			return
		}
		out, err := profile.Marshal(p)
		if err != nil {
			t.Fatalf("Marshal of a parsed profile failed: %v", err)
		}
		again, err := profile.Parse(out)
		if err != nil {
			t.Fatalf("Parse(Marshal(Parse(x))) failed: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(again, p) {
			t.Fatalf("round trip changed the profile:\n%s", out)
		}
		if out2, _ := profile.Marshal(again); !bytes.Equal(out, out2) {
			t.Fatal("Marshal is not stable")
		}
		if same, err := profile.Compile(p, profile.Inputs{}); err != nil || !reflect.DeepEqual(same, p) {
			t.Fatalf("Compile(p, nothing) = %v, want p", err)
		}
		compiled, err := profile.Compile(p, profile.Inputs{Traces: []*trace.Trace{tr}, NativeArch: seccomp.ArchX86_64})
		if err != nil {
			t.Fatalf("Compile(p, trace): %v", err)
		}
		if _, err := profile.Marshal(compiled); err != nil {
			t.Fatalf("Marshal(Compile(p, trace)): %v", err)
		}
		if !profile.Diff(p, again).Same() {
			t.Fatal("Diff(p, p) is not Same")
		}
		// Check builds real filters, about a millisecond per rule and
		// architecture; keep it to small profiles so that fuzzing stays
		// fast enough to explore.
		names := 0
		for _, s := range p.Syscalls {
			names += len(s.Names) + 1
		}
		if names <= 64 && len(p.ArchMap) <= 2 {
			_, _ = profile.Check(p)
		}
	})
}

package profile_test

import (
	"testing"

	"github.com/containers/common/pkg/seccomp"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/profile"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/trace"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/trace/tracetest"
)

// BenchmarkMergeCompile1000 merges 1,000 one-run traces, each making about
// two thirds of the x86_64 syscalls (some 250 entries per run), and
// compiles the result on the engine's default profile, then marshals it:
// what `oci-seccomp-compiler compile --base default.json` does for 1,000
// trace files once they are read. The target is well under a second per
// operation.
func BenchmarkMergeCompile1000(b *testing.B) {
	var table []tracetest.Call
	for i, n := range profile.KnownSyscalls(seccomp.ArchX86_64) {
		table = append(table, tracetest.Call{Arch: x64, Name: n, Number: i})
	}
	traces := make([]*trace.Trace, 1000)
	entries := 0
	for i := range traces {
		traces[i] = tracetest.Trace(1, table, i, 1)
		entries += len(traces[i].Runs[0].Syscalls)
	}
	base := loadProfile(b, "default.json")
	b.ReportMetric(float64(entries)/float64(len(traces)), "syscalls/run")
	b.ResetTimer()
	for b.Loop() {
		merged, err := trace.Merge(traces...)
		if err != nil {
			b.Fatal(err)
		}
		p, err := profile.Compile(base, profile.Inputs{Traces: []*trace.Trace{merged}, NativeArch: seccomp.ArchX86_64})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := profile.Marshal(p); err != nil {
			b.Fatal(err)
		}
	}
}

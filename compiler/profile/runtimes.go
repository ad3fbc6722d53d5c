package profile

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/trace"
)

// A profile is applied by the OCI runtime part-way through starting the
// container, so it must allow what that runtime does after installing the
// filter, and runtimes differ: a profile traced under crun lacks what runc
// does (runc fails with "error closing exec fds: ensure /proc/self/fd is
// on procfs: operation not permitted"), one traced under runc what crun
// does ("cannot setresgid to 0"). The recorder tells the runtime's calls
// (after its filter, before the workload's first execve, that execve
// included) from the workload's, and the compiler ships, per runtime, a
// trace of the runtime's own calls: Inputs.Runtimes builds a profile of
// the workload's calls plus those of the runtimes named.
//
// The traces are under runtimes/, one per runtime, named after it
// (runc.json, crun.json): version 2 traces of `busybox true` traced 20
// times with and 20 without no-new-privileges under podman, keeping the
// runtime's calls only (test/runtime-traces.sh, make runtime-traces).
// They are learned data, not byte-reproducible: regenerate them when a
// runtime changes, and commit what changed.

//go:embed runtimes/*.json
var runtimeFiles embed.FS

// ErrUnknownRuntime is returned for a runtime without a shipped trace.
var ErrUnknownRuntime = errors.New("unknown runtime")

// KnownRuntimes returns the runtimes Inputs.Runtimes accepts, sorted: those
// with a shipped trace.
func KnownRuntimes() []string {
	entries, _ := fs.ReadDir(runtimeFiles, "runtimes")
	var out []string
	for _, e := range entries {
		if n, ok := strings.CutSuffix(e.Name(), ".json"); ok {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// runtimeTraces parses each shipped trace once, on first use.
var runtimeTraces = sync.OnceValue(func() map[string]runtimeTrace {
	m := map[string]runtimeTrace{}
	for _, n := range KnownRuntimes() {
		data, err := runtimeFiles.ReadFile(path.Join("runtimes", n+".json"))
		if err == nil {
			var t *trace.Trace
			t, err = trace.Parse(data)
			m[n] = runtimeTrace{t, err}
			continue
		}
		m[n] = runtimeTrace{nil, err}
	}
	return m
})

type runtimeTrace struct {
	t   *trace.Trace
	err error
}

// RuntimeTrace returns the shipped trace of runtime's own calls, its
// every call the runtime's (RuntimeCount equals Count). The trace is
// shared: callers must not modify it.
func RuntimeTrace(runtime string) (*trace.Trace, error) {
	rt, ok := runtimeTraces()[runtime]
	switch {
	case !ok:
		return nil, fmt.Errorf("%w %q (known: %s)", ErrUnknownRuntime, runtime, strings.Join(KnownRuntimes(), ", "))
	case rt.err != nil:
		return nil, fmt.Errorf("read the trace of runtime %s: %w", runtime, rt.err)
	}
	return rt.t, nil
}

// workloadOnly returns t with the runtime's calls left out: each run
// keeps the entries with calls of the workload's (Count above
// RuntimeCount), unchanged. A version 1 run, which does not tell them
// apart, keeps all of its calls, which over-approximates the workload by
// the runtime's calls after its filter. The recorder does not split
// arguments, so an entry kept brings the values the runtime used too.
func workloadOnly(t *trace.Trace) *trace.Trace {
	runs := make([]trace.Run, len(t.Runs))
	for i, r := range t.Runs {
		r.Syscalls = slices.DeleteFunc(slices.Clone(r.Syscalls), func(s trace.Syscall) bool { return s.Count <= s.RuntimeCount })
		runs[i] = r
	}
	return trace.New(runs...)
}

// runtimeName is the name of the runtime of a trace's run: the first word
// of Run.Runtime ("runc" of "runc 1.1.5+ds1").
func runtimeName(r trace.Run) string {
	name, _, _ := strings.Cut(r.Runtime, " ")
	return name
}

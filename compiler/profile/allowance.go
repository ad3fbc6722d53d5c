package profile

import (
	"slices"

	"github.com/containers/common/pkg/seccomp"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/trace"
)

// An allowance is a set of syscalls that a compiled profile allows beyond
// what the traces saw, because whether they are made depends on timing,
// not on the workload: a trace can miss them, and a profile without them
// makes a later run of the same container fail at random.
//
// Allowances are keyed by what makes the calls: any process (signals),
// an OCI runtime's code between its seccomp filter and the workload's
// execve (runtime), or a language runtime in the workload (process). Each
// entry states its evidence: how many of how many traces of what saw
// which of its calls. Add one only with such evidence (20 traces of the
// same workload, counting the runs each call appears in), and keep it as
// narrow as the evidence: an allowance is a hole in every profile it
// applies to.
type allowance struct {
	// names, sorted.
	names []string
	// comment for the rule that allows them.
	comment string
	// runtime, when set, applies the allowance to the traces of that OCI
	// runtime (see runtimesOf) or to profiles built for it (--runtime).
	runtime string
	// process, when set, applies it to traces in which a process of that
	// name (comm) made a call: a language runtime in the workload.
	process string
	// always applies it whenever there is a run.
	always bool
}

// runcInit is the process name of runc's container init, by which
// version 1 traces, which do not name the runtime, show runc.
const runcInit = "runc:[2:INIT]"

var allowances = []allowance{{
	// Returning from any signal handler takes rt_sigreturn, and a sleep
	// interrupted by SIGSTOP resumes through restart_syscall: a workload
	// that got no signal while traced gets one on `podman stop`.
	names:   []string{"restart_syscall", "rt_sigreturn"},
	comment: "needed by any process that handles a signal; traces see them only when a signal arrives",
	always:  true,
}, {
	// runc's init is a Go program: between the seccomp filter and execve
	// its runtime preempts goroutines (tgkill, getpid, rt_sigreturn),
	// parks and wakes threads (futex, sched_yield, nanosleep, epoll_pwait),
	// may start a thread (clone, rt_sigprocmask, sigaltstack, gettid) or
	// grow and return memory (mmap, munmap, madvise), depending on timing.
	// 20 traces of `true` under runc 1.1 saw tgkill in 6, rt_sigreturn in
	// 4 and sched_yield in 1; the 40 of runtimes/runc.json (runc 1.1.5,
	// 20 of them with no-new-privileges) tgkill and rt_sigreturn in 5 and
	// a thread's start (clone3, rseq, set_robust_list, mmap, mprotect,
	// sigaltstack, gettid) in 1.
	names: []string{"clone", "epoll_pwait", "futex", "getpid", "gettid", "madvise", "mmap",
		"munmap", "nanosleep", "rt_sigprocmask", "rt_sigreturn", "sched_yield", "sigaltstack", "tgkill"},
	comment: "runc's init (Go) may make these after the filter depending on scheduling; traces see some of them only in some runs",
	runtime: "runc",
	// crun is C and single-threaded between its filter and execve: the
	// 40 traces of runtimes/crun.json (crun 1.8.1) made the same calls,
	// but for those of no-new-privileges (the filter then comes later),
	// so it needs no allowance. Per-runtime allowances for other
	// runtimes, and per-language ones (python3, perl, Go, GHC, the JVM:
	// keyed by process), go here, each with its evidence.
}}

// runtimesOf returns the OCI runtimes t's runs were traced under, by
// name: Run.Runtime's, or runc for a run without one in which runc's
// init made a call (version 1 traces, and the hook run by hand).
func runtimesOf(t *trace.Trace) map[string]bool {
	out := map[string]bool{}
	for _, r := range t.Runs {
		if n := runtimeName(r); n != "" {
			out[n] = true
			continue
		}
		if slices.ContainsFunc(r.Syscalls, func(s trace.Syscall) bool { return slices.Contains(s.Processes, runcInit) }) {
			out["runc"] = true
		}
	}
	return out
}

// applies reports whether a applies to t, whose calls were made under the
// runtimes given.
func (a allowance) applies(t *trace.Trace, runtimes map[string]bool) bool {
	switch {
	case len(t.Runs) == 0:
		return false
	case a.always:
		return true
	case a.runtime != "":
		return runtimes[a.runtime]
	case a.process != "":
		return slices.ContainsFunc(t.Syscalls, func(s trace.Syscall) bool { return slices.Contains(s.Processes, a.process) })
	}
	return false
}

// applicableAllowances returns the allowances that apply to t under the
// runtimes given.
func applicableAllowances(t *trace.Trace, runtimes map[string]bool) []allowance {
	var out []allowance
	for _, a := range allowances {
		if a.applies(t, runtimes) {
			out = append(out, a)
		}
	}
	return out
}

// allowanceNames returns every name the allowances add.
func allowanceNames(as []allowance) map[string]bool {
	names := map[string]bool{}
	for _, a := range as {
		for _, n := range a.names {
			names[n] = true
		}
	}
	return names
}

// allowanceRules builds one rule per allowance, with the names that are
// not skipped (the base mentions them, or earlier rules allow them), and
// marks them in added. Names the table of arguments restricts come with
// conditions from the argument rules instead (argPlan).
func allowanceRules(as []allowance, skip func(string) bool, added map[string]bool) []*seccomp.Syscall {
	var rules []*seccomp.Syscall
	for _, a := range as {
		var names []string
		for _, n := range a.names {
			if !skip(n) {
				names = append(names, n)
				added[n] = true
			}
		}
		if len(names) > 0 {
			rules = append(rules, allowRule(names, "allowance: "+a.comment))
		}
	}
	return rules
}

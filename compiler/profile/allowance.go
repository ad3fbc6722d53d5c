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
type allowance struct {
	// names, sorted.
	names []string
	// comment for the rule that allows them.
	comment string
	// applies reports whether the traces call for the allowance.
	applies func(*trace.Trace) bool
}

// runcInit is the process name of runc's container init, whose calls after
// the seccomp filter is installed the profile must allow.
const runcInit = "runc:[2:INIT]"

var allowances = []allowance{{
	// Returning from any signal handler takes rt_sigreturn, and a sleep
	// interrupted by SIGSTOP resumes through restart_syscall: a workload
	// that got no signal while traced gets one on `podman stop`.
	names:   []string{"restart_syscall", "rt_sigreturn"},
	comment: "needed by any process that handles a signal; traces see them only when a signal arrives",
	applies: func(t *trace.Trace) bool { return len(t.Runs) > 0 },
}, {
	// runc's init is a Go program: between the seccomp filter and execve
	// its runtime preempts goroutines (tgkill, getpid, rt_sigreturn),
	// parks and wakes threads (futex, sched_yield, nanosleep, epoll_pwait),
	// may start a thread (clone, rt_sigprocmask, sigaltstack, gettid) or
	// grow and return memory (mmap, munmap, madvise), depending on timing.
	// 20 traces of `true` under runc 1.1 saw tgkill in 6, rt_sigreturn in
	// 4 and sched_yield in 1.
	names: []string{"clone", "epoll_pwait", "futex", "getpid", "gettid", "madvise", "mmap",
		"munmap", "nanosleep", "rt_sigprocmask", "rt_sigreturn", "sched_yield", "sigaltstack", "tgkill"},
	comment: "runc's init (Go) may make these after the filter depending on scheduling; traces see some of them only in some runs",
	applies: func(t *trace.Trace) bool {
		return slices.ContainsFunc(t.Syscalls, func(s trace.Syscall) bool {
			return slices.Contains(s.Processes, runcInit)
		})
	},
}}

// applicableAllowances returns the allowances that apply to t.
func applicableAllowances(t *trace.Trace) []allowance {
	var out []allowance
	for _, a := range allowances {
		if a.applies(t) {
			out = append(out, a)
		}
	}
	return out
}

// allowanceNames returns every name the allowances that apply to t add.
func allowanceNames(t *trace.Trace) map[string]bool {
	names := map[string]bool{}
	for _, a := range applicableAllowances(t) {
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

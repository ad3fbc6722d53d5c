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
	// only restricts some names to an argument condition: the allowance
	// needs them only with that value.
	only map[string]*seccomp.Arg
	// comment for the rule that allows them.
	comment string
	// runtime, when set, applies the allowance to the traces of that OCI
	// runtime (see runtimesOf) or to profiles built for it (--runtime).
	runtime string
	// process, when set, applies it to traces in which a process of that
	// name (comm) made a call: a language runtime in the workload.
	process string
	// workload, when set, applies it to traces whose workload made calls
	// that give its language runtime away (see workloadMade).
	workload func(made func(string) bool) bool
	// always applies it whenever there is a run.
	always bool
}

// runcInit is the process name of runc's container init, by which
// version 1 traces, which do not name the runtime, show runc.
const runcInit = "runc:[2:INIT]"

// sigurg is the signal Go's runtime preempts goroutines with, whose
// default action is to ignore it.
const sigurg = 23

// goRuntime are the calls Go's runtime makes depending on timing, and
// goRuntimeOnly their argument conditions: tgkill only with SIGURG.
var (
	goRuntime     = []string{"futex", "getpid", "gettid", "nanosleep", "rt_sigreturn", "sched_yield", "tgkill"}
	goRuntimeOnly = map[string]*seccomp.Arg{"tgkill": {Index: 2, Value: sigurg, Op: seccomp.OpEqualTo}}
)

// The evidence below is from 20 traces of each workload, under runc and
// under crun, quiet and with the CPUs saturated, and 20 runs of each under
// a profile compiled from one trace (python3, a shell pipeline, a
// multi-threaded Go program, pandoc (GHC), perl, java; 720 runs in all).
var allowances = []allowance{{
	// Returning from any signal handler takes rt_sigreturn, and a sleep
	// interrupted by SIGSTOP resumes through restart_syscall: a workload
	// that got no signal while traced gets one on `podman stop`. runc's
	// init gets SIGURG from its Go runtime's other threads between the
	// filter and execve in some runs (26 of 60, 16 of 60 with
	// no-new-privileges); without rt_sigreturn it then dies of SIGSEGV
	// (2 of 40 runs of `true`), with it none did. It is the only call any
	// of the 720 runs needed beyond what their one trace held.
	names:   []string{"restart_syscall", "rt_sigreturn"},
	comment: "needed by any process that handles a signal; traces see them only when a signal arrives",
	always:  true,
}, {
	// GHC's runtime (pandoc) yields in 4 to 16 runs of 20, Go's in 7 to
	// 13, the JVM's and python3's threads in a few: a workload that
	// waits on futexes has threads that contend. Denied, sched_yield
	// fails harmlessly (no run failed), but allowed, the profile is the
	// same whichever run was traced.
	names:    []string{"sched_yield"},
	comment:  "threaded runtimes (GHC, Go, the JVM) yield the CPU in some runs only, depending on contention",
	workload: func(made func(string) bool) bool { return made("futex") },
}, {
	// Go's runtime preempts a goroutine by sending its thread SIGURG
	// (getpid, gettid, tgkill; rt_sigreturn on return) and parks and wakes
	// threads (futex, nanosleep, sched_yield), all depending on timing:
	// a multi-threaded Go program made tgkill in 15 and rt_sigreturn in
	// 12 of 20 runs under runc, getpid, tgkill and rt_sigreturn in 8 of 20
	// under crun. Its signature is an alternate signal stack for every
	// thread it starts (sigaltstack with clone or clone3), which Rust's
	// runtime shares, harmlessly. tgkill only with SIGURG, which is
	// ignored by default: no new power.
	names:   goRuntime,
	only:    goRuntimeOnly,
	comment: "Go's runtime preempts goroutines with SIGURG and parks threads depending on timing; tgkill only with SIGURG",
	workload: func(made func(string) bool) bool {
		return made("sigaltstack") && (made("clone") || made("clone3"))
	},
}, {
	// runc's init is a Go program too, and runs Go code on the thread it
	// installs its filter on (without TSYNC: its other threads stay
	// unfiltered, and the recorder leaves their calls out, recorder.bpf.c)
	// until execve: its runtime parks and wakes that thread through futex
	// depending on timing. In 140 traces of `busybox ls /` under runc, with
	// the CPUs saturated, every other call of runc's there had the same
	// count in every trace, but that thread made 1 to 6 futex calls (a
	// single one in 61), sched_yield in 1 and rt_sigreturn in 5. Denied, a
	// futex wake makes Go's runtime crash (futexwakeup). Once in CI, runc's
	// init died under a fresh profile of `ls /` after opening its exec FIFO
	// and before writing to it (`runc start`: "cannot start an already
	// running container"), which a denied call of its runtime there fits;
	// 550 trace-then-apply pairs and 800 more runs of one such profile here,
	// most with the CPUs saturated, did not reproduce it. The calls are the
	// Go runtime's above, with the same SIGURG-only tgkill.
	names:   goRuntime,
	only:    goRuntimeOnly,
	comment: "runc's init is a Go program: between its filter and execve its runtime parks, wakes and preempts threads depending on timing; tgkill only with SIGURG",
	runtime: "runc",
	// No allowance is needed for runc's other threads: they get no
	// filter, and the recorder leaves their calls out. Until it did, they
	// put tgkill, sched_yield, epoll_pwait, clone3 and more into some
	// traces and not others, and runc had an allowance of fourteen calls,
	// clone among them, which let a container create namespaces. crun is
	// C and single-threaded between its filter and execve: 40 traces made
	// the same calls. Per-runtime allowances for other runtimes go here,
	// with runtime set, and with their evidence.
}}

// workloadMade returns whether the workload of t made the call name: a
// call beyond the runtime's own (Count above RuntimeCount), or any call
// of a version 1 trace, which does not tell them apart.
func workloadMade(t *trace.Trace) func(string) bool {
	made := map[string]bool{}
	for _, s := range t.Syscalls {
		if s.Count > s.RuntimeCount {
			made[s.Name] = true
		}
	}
	return func(name string) bool { return made[name] }
}

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
	case a.workload != nil:
		return a.workload(workloadMade(t))
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
			if skip(n) {
				continue
			}
			added[n] = true
			if arg := a.only[n]; arg != nil {
				r := allowRule([]string{n}, "allowance: "+a.comment)
				r.Args = []*seccomp.Arg{{Index: arg.Index, Value: arg.Value, ValueTwo: arg.ValueTwo, Op: arg.Op}}
				rules = append(rules, r)
				continue
			}
			names = append(names, n)
		}
		if len(names) > 0 {
			rules = append(rules, allowRule(names, "allowance: "+a.comment))
		}
	}
	return rules
}

package profile

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"github.com/containers/common/pkg/seccomp"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/trace"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/args"
)

// Argument-aware rules. For the calls whose arguments the traces recorded
// (internal/args: socket's family, clone's and unshare's namespace flags,
// personality, ioctl's request, prctl's option), a profile allows the
// values seen rather than the name:
//
//   - values: one SCMP_ACT_ALLOW rule per value, {index, value, EQ}. The
//     rules OR; the conditions of one rule AND, and runc splits two
//     conditions on one index into two rules, so a rule never holds more
//     than one condition per index.
//   - namespace flags: one rule {index, NamespaceMask &^ seen, 0,
//     MASKED_EQ} (value is the mask, valueTwo the datum, as Docker's
//     profile writes it): any call whose namespace bits are among those
//     seen, none at all when none was.
//
// A call stays allowed with any value when the traces cannot say which
// were used: a run recorded it without arguments (a version 1 trace), or
// some calls overflowed the recorder's set of values, or there are more
// values than maxValueRules.
//
// Three calls need more than their own rules. clone3 passes its flags in
// memory, which seccomp cannot read: when no namespace flag was seen in
// clone or unshare, it gets ENOSYS, as in Docker's default profile, and
// glibc falls back to clone, whose flags are checked. socketcall, on
// 32-bit x86 and s390, reaches socket with the family in memory, and
// libseccomp turns socket's family rules into socketcall(SYS_SOCKET)
// rules without the family: unless recorded, it is denied with a rule of
// its own. ioctl's terminal requests depend on the container having a
// terminal (podman run -t) rather than on the workload, so a profile that
// restricts ioctl also allows the terminal group (ttyRequests).

// maxValueRules bounds the rules one call's values get. Past it the call
// is allowed with any value: each rule costs BPF instructions on every
// architecture of the filter, and a call used with that many values is
// not usefully restricted by listing them.
const maxValueRules = 64

// enosys is the errno of the clone3 and socketcall rules: "not
// implemented" makes libcs fall back to the call whose arguments are
// checked (clone; the direct socket call, for musl).
const enosys = 38

// valueStat is one recorded value of an argument over the traces.
type valueStat struct {
	value, count uint64
	// runs made the call with the value.
	runs runTally
}

// runTally counts the runs that made a call, or used a value, apart:
// the workload's runs and those of the runtimes' shipped traces
// (Inputs.Runtimes), so that comments do not count the one against the
// other.
type runTally struct {
	workload, runtime int
	// last is the index of the last run counted, +1.
	last int
}

// add counts run i, once however often it is added.
func (r *runTally) add(i int, runtime bool) {
	if r.last == i+1 {
		return
	}
	r.last = i + 1
	if runtime {
		r.runtime++
	} else {
		r.workload++
	}
}

// argSpec is what the traces say of one call's restricted argument.
type argSpec struct {
	name  string
	index int
	kind  trace.ArgKind
	// values, sorted by value, for trace.ArgValues.
	values []*valueStat
	// flags is the OR of the namespace bits seen, for
	// trace.ArgNamespaceFlags.
	flags uint64
	// overflow counts calls whose value the recorder had no room for.
	overflow uint64
	// why, for a call that was not recorded, says why it is allowed all
	// the same (an allowance, clone3's fallback); it is then allowed
	// without namespaces.
	why string
}

// conditional reports whether the spec restricts its call: false when it
// has to allow any value.
func (s *argSpec) conditional() bool {
	if s.kind == trace.ArgNamespaceFlags {
		return args.NamespaceMask&^s.flags != 0
	}
	return s.overflow == 0 && len(s.values) <= maxValueRules
}

// recordedArgs collects the recorded argument of each call over every
// run and architecture: values unioned, flags OR'ed, overflows summed;
// rt tells the runs of runtimes' shipped traces. A
// call that some run recorded without arguments, or with another index
// or kind than the others, may have used any value and gets no spec. A
// call with several recorded arguments is restricted on the lowest index
// alone, which allows a superset of what was seen (the table has one
// argument per call).
func recordedArgs(t *trace.Trace, rt func(i int) bool) map[string]*argSpec {
	specs := map[string]*argSpec{}
	unknown := map[string]bool{}
	values := map[string]map[uint64]*valueStat{}
	for i, r := range t.Runs {
		for _, s := range r.Syscalls {
			if unknown[s.Name] {
				continue
			}
			if len(s.Args) == 0 {
				unknown[s.Name] = true
				continue
			}
			a := s.Args[0]
			sp := specs[s.Name]
			switch {
			case sp == nil:
				sp = &argSpec{name: s.Name, index: a.Index, kind: a.Kind}
				specs[s.Name] = sp
				values[s.Name] = map[uint64]*valueStat{}
			case sp.index != a.Index || sp.kind != a.Kind:
				unknown[s.Name] = true
				continue
			}
			sp.flags |= a.Flags
			sp.overflow = saturatingAdd(sp.overflow, a.Overflow)
			for _, v := range a.Values {
				vs := values[s.Name][v.Value]
				if vs == nil {
					vs = &valueStat{value: v.Value}
					values[s.Name][v.Value] = vs
					sp.values = append(sp.values, vs)
				}
				vs.count = saturatingAdd(vs.count, v.Count)
				vs.runs.add(i, rt(i))
			}
		}
	}
	for n := range unknown {
		delete(specs, n)
	}
	for _, sp := range specs {
		slices.SortFunc(sp.values, func(a, b *valueStat) int { return cmp.Compare(a.value, b.value) })
	}
	return specs
}

// clone3Answer is what a profile does with a recorded clone3.
type clone3Answer int

const (
	// clone3NotRecorded: no rule; the default action denies it.
	clone3NotRecorded clone3Answer = iota
	// clone3ENOSYS: SCMP_ACT_ERRNO with ENOSYS, so that glibc falls back
	// to clone.
	clone3ENOSYS
	// clone3Allow: allowed with any flags, because namespace flags were
	// seen in clone or unshare (or may have been, their arguments being
	// unknown).
	clone3Allow
)

// argPlan is how a profile compiled from a trace treats the calls whose
// arguments matter. Compile makes one, decides which of its calls the
// profile adds itself (the rest are the base's business), and asks it
// for their rules.
type argPlan struct {
	// specs are the calls restricted by their arguments, or allowed with
	// any value for a reason their rule states.
	specs map[string]*argSpec
	// clone3 is the answer to a recorded clone3; nsSeen names the
	// namespace flags that decided it.
	clone3 clone3Answer
	nsSeen string
	// socketcall reports whether socketcall was recorded (or an input
	// profile allows it without conditions).
	socketcall bool
	// tty is whether the native architecture numbers terminal requests
	// as ttyRequests does.
	tty bool
	// runs and rtRuns are the numbers of workload runs and of runs of
	// the runtimes' shipped traces, for comments.
	runs, rtRuns int
	// summary has each recorded call's counts, for comments.
	summary map[string]*callStats
	// trace is the trace planned for, whose summary has the processes.
	trace *trace.Trace
}

// callStats is how often and in which runs a call was made, on any
// architecture.
type callStats struct {
	count uint64
	runs  runTally
}

// planArgs makes the plan for trace t on native. rt tells the runs of
// t that come from runtimes' shipped traces (Inputs.Runtimes).
// allowances are the allowances that apply to t; inputAllowed the names
// input profiles allow without conditions, which stay unconditional (the
// result allows what any input allows).
func planArgs(t *trace.Trace, rt func(trace.Run) bool, native seccomp.Arch, allowances []allowance, inputAllowed map[string]bool) *argPlan {
	isRT := func(i int) bool { return rt(t.Runs[i]) }
	p := &argPlan{
		specs:   recordedArgs(t, isRT),
		tty:     slices.Contains(genericTTYArches, native),
		summary: map[string]*callStats{},
		trace:   t,
	}
	for i, r := range t.Runs {
		runtime := isRT(i)
		if runtime {
			p.rtRuns++
		} else {
			p.runs++
		}
		for _, s := range r.Syscalls {
			st := p.summary[s.Name]
			if st == nil {
				st = &callStats{}
				p.summary[s.Name] = st
			}
			st.count = saturatingAdd(st.count, s.Count)
			st.runs.add(i, runtime)
		}
	}
	for n := range inputAllowed {
		delete(p.specs, n)
	}
	recorded := func(n string) bool { return p.summary[n] != nil || inputAllowed[n] }
	// An allowance's calls of the table that were not recorded are
	// allowed as little as the allowance needs: Go's runtime clones
	// threads, never namespaces.
	for _, a := range allowances {
		for _, n := range a.names {
			if !recorded(n) && p.specs[n] == nil {
				if row, ok := nsRow(n); ok {
					p.specs[n] = &argSpec{name: n, index: int(row.Index), kind: trace.ArgNamespaceFlags, why: "allowance: " + a.comment}
				}
			}
		}
	}
	p.socketcall = recorded("socketcall")
	if recorded("clone3") && !inputAllowed["clone3"] {
		var seen []string
		for _, n := range []string{"clone", "unshare"} {
			switch sp := p.specs[n]; {
			case sp != nil && sp.why == "" && sp.flags != 0:
				seen = append(seen, n+" "+namespaceNames(sp.flags))
			case sp == nil && recorded(n):
				seen = append(seen, n+" (any: its flags were not recorded)")
			}
		}
		p.clone3, p.nsSeen = clone3ENOSYS, strings.Join(seen, ", ")
		if len(seen) > 0 {
			p.clone3 = clone3Allow
		}
		if p.clone3 == clone3ENOSYS && p.specs["clone"] == nil {
			if row, ok := nsRow("clone"); ok {
				p.specs["clone"] = &argSpec{name: "clone", index: int(row.Index), kind: trace.ArgNamespaceFlags,
					why: "clone3 fails with ENOSYS (see its rule) and glibc then calls clone"}
			}
		}
	}
	return p
}

// nsRow returns the table's row of name when it records namespace flags.
func nsRow(name string) (args.Row, bool) {
	for _, r := range args.Table() {
		if r.Syscall == name && r.Kind == args.NamespaceFlags {
			return r, true
		}
	}
	return args.Row{}, false
}

// names returns every call the plan has rules for, sorted: the specs and
// a recorded clone3.
func (p *argPlan) names() []string {
	var out []string
	for n := range p.specs {
		out = append(out, n)
	}
	if p.clone3 != clone3NotRecorded {
		out = append(out, "clone3")
	}
	slices.Sort(out)
	return out
}

// restrictsSocket reports whether the plan restricts socket's family
// and the profile, covering arches, lets 32-bit code reach socket
// through socketcall, which no family rule can check.
func (p *argPlan) restrictsSocket(emit map[string]bool, arches []seccomp.Arch) bool {
	sp := p.specs["socket"]
	if sp == nil || !emit["socket"] || !sp.conditional() {
		return false
	}
	return slices.ContainsFunc(arches, func(a seccomp.Arch) bool {
		return slices.Contains(KnownSyscalls(a), "socketcall")
	})
}

// rules builds the rules for the calls of emit, the plan's calls the
// profile adds itself, in name order, and records in added the calls it
// allows without conditions and in handled those it allows with
// conditions or denies (clone3).
// arches are the profile's architectures and defaultErrno the errno of
// its default action, which the deny rules must differ from (runtimes
// skip a rule that repeats the default action, and libseccomp's own
// socketcall rules would then stand). mentioned holds the names the
// profile's other rules mention.
func (p *argPlan) rules(emit, mentioned map[string]bool, arches []seccomp.Arch, defaultErrno uint, added, handled map[string]bool) []*seccomp.Syscall {
	var out []*seccomp.Syscall
	socketNote := ""
	denySocketcall := false
	if p.restrictsSocket(emit, arches) {
		switch {
		case p.socketcall:
			socketNote = "; socketcall is allowed too (recorded), so 32-bit code can use any family through it"
		case !mentioned["socketcall"]:
			socketNote = "; socketcall, through which 32-bit code would reach socket with any family, stays denied"
			denySocketcall = true
		}
	}
	for _, n := range p.names() {
		if !emit[n] {
			continue
		}
		if n == "clone3" {
			out = append(out, p.clone3Rule())
			if p.clone3 == clone3Allow {
				added[n] = true
			} else {
				handled[n] = true
			}
			continue
		}
		sp := p.specs[n]
		if !sp.conditional() {
			out = append(out, allowRule([]string{n}, p.anyValueComment(sp)))
			added[n] = true
			continue
		}
		handled[n] = true
		if sp.kind == trace.ArgNamespaceFlags {
			out = append(out, argRule(n, &seccomp.Arg{Index: uint(sp.index), Value: args.NamespaceMask &^ sp.flags, Op: seccomp.OpMaskedEqual}, p.nsComment(sp)))
			continue
		}
		note := ""
		if n == "socket" {
			note = socketNote
		}
		for _, v := range sp.values {
			out = append(out, argRule(n, &seccomp.Arg{Index: uint(sp.index), Value: v.value, Op: seccomp.OpEqualTo}, p.valueComment(sp, v)+note))
		}
		if n == "ioctl" && p.tty {
			out = append(out, ttyRules(sp)...)
		}
	}
	if p.socketcall && socketNote != "" && emit["socketcall"] {
		out = append(out, allowRule([]string{"socketcall"}, "socketcall allowed, as recorded ("+p.seen("socketcall")+
			"): the family of the sockets it creates is in memory, which seccomp cannot read, so socket's family rules do not hold for 32-bit code"))
		added["socketcall"] = true
	}
	if denySocketcall {
		errno := uint(enosys)
		if defaultErrno == enosys {
			errno = 1 // EPERM: anything but the default action's errno
		}
		out = append(out, &seccomp.Syscall{
			Names: []string{"socketcall"}, Action: seccomp.ActErrno, ErrnoRet: &errno, Args: []*seccomp.Arg{},
			Comment: "socketcall denied: on 32-bit x86 and s390 it creates sockets with the family in memory, which seccomp cannot read, " +
				"and libseccomp turns socket's family rules into socketcall(SYS_SOCKET) rules without the family; never recorded",
		})
	}
	return out
}

// argRule is an SCMP_ACT_ALLOW rule for name under one condition.
func argRule(name string, a *seccomp.Arg, comment string) *seccomp.Syscall {
	return &seccomp.Syscall{Names: []string{name}, Action: seccomp.ActAllow, Args: []*seccomp.Arg{a}, Comment: comment}
}

// ttyRules allows the terminal requests ioctl's recorded values do not
// hold already, one rule each.
func ttyRules(sp *argSpec) []*seccomp.Syscall {
	var out []*seccomp.Syscall
	for _, v := range ttyRequests {
		if slices.ContainsFunc(sp.values, func(s *valueStat) bool { return s.value == v }) {
			continue
		}
		out = append(out, argRule(sp.name, &seccomp.Arg{Index: uint(sp.index), Value: v, Op: seccomp.OpEqualTo},
			fmt.Sprintf("ioctl request %s: terminal group, not seen: terminal requests depend on whether the container has a terminal (podman run -t), not on the workload",
				valueName(sp.name, sp.index, v))))
	}
	return out
}

// seen renders how often, by whom and in how many runs a recorded call
// was made: "seen 12x by python3,sh in 2/3 runs".
func (p *argPlan) seen(name string) string {
	st := p.summary[name]
	if st == nil {
		return "allowed by an input profile"
	}
	// The processes of the few calls that get a comment, from the
	// trace's summary, rather than a set for each call of each run.
	procs := map[string]struct{}{}
	for _, s := range p.trace.Syscalls {
		if s.Name == name {
			for _, pr := range s.Processes {
				procs[pr] = struct{}{}
			}
		}
	}
	return fmt.Sprintf("seen %dx by %s %s", st.count, listProcesses(procs), p.inRuns(st.runs))
}

// inRuns renders a tally as "in 2/3 runs", or, when runtimes' traces were
// added, "in 1/1 workload runs", "in 40/80 runs of the runtimes' traces"
// or both.
func (p *argPlan) inRuns(r runTally) string {
	w := fmt.Sprintf("%d/%d", r.workload, p.runs)
	rt := fmt.Sprintf("%d/%d runs of the runtimes' traces", r.runtime, p.rtRuns)
	switch {
	case p.rtRuns == 0:
		return "in " + w + " runs"
	case r.runtime == 0:
		return "in " + w + " workload runs"
	case r.workload == 0:
		return "in " + rt
	}
	return "in " + w + " workload runs and " + rt
}

// valueComment says which value a rule allows and how often it was seen:
// "socket family AF_INET (0x2): seen 3x in 2/2 runs; socket seen 4x by python3 in 2/2 runs".
func (p *argPlan) valueComment(sp *argSpec, v *valueStat) string {
	return fmt.Sprintf("%s %s %s: seen %dx %s; %s %s", sp.name, argName(sp.name, sp.index),
		valueName(sp.name, sp.index, v.value), v.count, p.inRuns(v.runs), sp.name, p.seen(sp.name))
}

// nsComment says which namespaces a clone or unshare rule allows.
func (p *argPlan) nsComment(sp *argSpec) string {
	what := sp.name + " without namespaces"
	if sp.flags != 0 {
		what = fmt.Sprintf("%s with namespaces among %s", sp.name, namespaceNames(sp.flags))
	}
	if sp.why != "" {
		return what + ": " + sp.why
	}
	if sp.flags == 0 {
		return what + " (no CLONE_NEW* flag was seen): " + p.seen(sp.name)
	}
	return what + " (the CLONE_NEW* flags seen): " + p.seen(sp.name)
}

// anyValueComment says why a call whose argument was recorded is allowed
// with any value.
func (p *argPlan) anyValueComment(sp *argSpec) string {
	what := fmt.Sprintf("%s with any %s: ", sp.name, argName(sp.name, sp.index))
	switch {
	case sp.kind == trace.ArgNamespaceFlags:
		what += "every CLONE_NEW* flag was seen"
	case sp.overflow > 0:
		what += fmt.Sprintf("%d calls had more distinct values than the recorder keeps (32 per call and CPU), so any may have been used", sp.overflow)
	default:
		what += fmt.Sprintf("%d distinct values seen, more than the %d a profile lists", len(sp.values), maxValueRules)
	}
	return what + "; " + p.seen(sp.name)
}

// clone3Rule answers clone3 as the plan says.
func (p *argPlan) clone3Rule() *seccomp.Syscall {
	if p.clone3 == clone3Allow {
		return allowRule([]string{"clone3"}, "clone3 allowed with any flags: they are in memory, which seccomp cannot read, and namespace flags were seen in "+
			p.nsSeen+"; "+p.seen("clone3"))
	}
	errno := uint(enosys)
	return &seccomp.Syscall{
		Names: []string{"clone3"}, Action: seccomp.ActErrno, ErrnoRet: &errno, Args: []*seccomp.Arg{},
		Comment: "clone3 fails with ENOSYS, as in Docker's default profile: its flags are in memory, which seccomp cannot read, and no namespace flag was seen in clone or unshare; " +
			"glibc then calls clone, whose flags are checked (" + p.seen("clone3") + ")",
	}
}

// profileErrno returns the errno of p's default action when it is given
// as a number or ENOSYS's name, else 0: all the deny rules need to know
// is whether it is ENOSYS.
func profileErrno(p *seccomp.Seccomp) uint {
	switch {
	case p.DefaultErrno == "ENOSYS" || p.DefaultErrno == "38":
		return enosys
	case p.DefaultErrnoRet != nil:
		return *p.DefaultErrnoRet
	}
	return 0
}

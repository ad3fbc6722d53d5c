package profile

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/containers/common/pkg/seccomp"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/trace"
)

// Mode says what Compile does with its base.
type Mode string

const (
	// ModeExtend keeps the base whole and adds what the inputs need that
	// the base does not mention, and the recorded values a call the base
	// allows only through value rules lacks (see Compile). It is the
	// hook's if: semantics, the original hook's: it grows a profile trace
	// by trace, and a name the base blocks stays blocked. The zero Mode
	// is ModeExtend.
	ModeExtend Mode = "extend"
	// ModeRestrict takes the base as an upper bound: the result allows
	// only what the inputs need and the base allows, so compiling traces
	// against the engine's default profile cuts it down to the workload.
	// Rules that block are kept intact, and so are argument-conditioned
	// allow rules that mention a needed name; unconditional allow rules
	// keep only needed names; allow rules for nothing needed are dropped.
	// Against a base that allows by default, needed names it does not
	// mention are added as in ModeExtend.
	ModeRestrict Mode = "restrict"
)

// KnownModes returns the modes, sorted.
func KnownModes() []Mode { return []Mode{ModeExtend, ModeRestrict} }

// Inputs is what Compile adds to a base profile.
type Inputs struct {
	// Mode is what to do with the base; empty means ModeExtend.
	Mode Mode
	// Traces recorded by the hook. They are merged (trace.Merge) first, so
	// the same run given twice counts once.
	Traces []*trace.Trace
	// Profiles are allow-list profiles compiled earlier; what they allow
	// is added. A profile that allows by default cannot be an input.
	Profiles []*seccomp.Seccomp
	// NativeArch is the architecture of the host the profile is for. Empty
	// means the architecture this program was built for (runtime.GOARCH).
	NativeArch seccomp.Arch
	// Runtimes, when not empty, names the OCI runtimes (KnownRuntimes)
	// the profile is for: the traces then count for the workload's calls
	// alone (a call is the workload's when Count is above RuntimeCount;
	// version 1 traces do not tell, so all of their calls count), and
	// each runtime's shipped trace (RuntimeTrace) adds its own calls, with
	// their arguments, and its allowances. Empty keeps what was traced,
	// runtime calls and all, as the hook does.
	Runtimes []string
}

var (
	// ErrNoInput is returned by Compile when there is neither a base nor
	// any input to compile.
	ErrNoInput = errors.New("nothing to compile: no base profile and no inputs")
	// ErrNotAllowList is returned by Compile for an input profile whose
	// default action allows: what it allows cannot be listed.
	ErrNotAllowList = errors.New("only allow-list profiles can be inputs")
)

// InputError is returned by Compile for a problem with one of
// Inputs.Profiles, so that callers can name the file it came from.
// Problems with Inputs.Traces are reported as *trace.InputError.
type InputError struct {
	// Index is the position of the profile in Inputs.Profiles.
	Index int
	// Err is the problem.
	Err error
}

// Error names the input by position and says what is wrong with it.
func (e *InputError) Error() string { return fmt.Sprintf("input profile %d: %v", e.Index, e.Err) }

// Unwrap returns the problem, for errors.Is and errors.As.
func (e *InputError) Unwrap() error { return e.Err }

// maxProcesses bounds how many process names a rule comment lists.
const maxProcesses = 8

// Compile returns a new profile: base with what the inputs need added.
// base and the inputs are not modified.
//
// With no traces and no profiles, the result is a deep copy of base
// (reflect.DeepEqual to it), or ErrNoInput when base is nil. Otherwise,
// given one or more inputs, even an empty trace:
//
//   - Everything in base is kept in order (in ModeExtend; see ModeRestrict
//     for what it drops): its rules (including their args, includes,
//     excludes, errno and comments), archMap, defaultErrnoRet, flags and
//     listener settings. A base rule without a comment gets "from base",
//     so that every rule says why it is there.
//   - defaultAction becomes SCMP_ACT_ERRNO. The errno stays base's, so
//     without one the runtime's default (EPERM) applies.
//   - The architectures needed are the native one, those the traces
//     recorded calls for (a 32-bit call on x86_64 is SCMP_ARCH_X86), and
//     those of the input profiles (their "architectures", plus their
//     archMap entry for the native architecture). They are appended to
//     base's "architectures", native first and the rest sorted. If base
//     has an archMap and no "architectures", they go into the archMap
//     instead, as sub-architectures of the native entry where SubArches
//     says they belong: containers/common refuses profiles that set both.
//   - Every recorded name that no rule of base mentions, whatever that
//     rule's action or conditions, is allowed unconditionally. A name the
//     base blocks therefore stays blocked even when recorded, and a name
//     the base allows conditionally is not widened, but for one the base
//     allows only through value rules of the shape argument rules have
//     (see valueRulesOf), which gets the rules of the recorded values it
//     lacks: runs accumulated into one profile. Names are grouped into
//     one SCMP_ACT_ALLOW rule per number of runs that made them, most
//     common first, each with sorted names and a comment such as
//     "seen 1234x by python3,sh in 3/3 runs". With one trace of one run,
//     as the hook writes, that is exactly one rule, like the original
//     hook's. No rule is added for an empty trace.
//   - Names that input profiles allow unconditionally (SCMP_ACT_ALLOW
//     without args or includes/excludes), that were not recorded and that
//     base does not mention, are added the same way, grouped by how many
//     input profiles allow them. Their conditional SCMP_ACT_ALLOW rules are
//     copied, without the names already added or mentioned by base,
//     keeping their conditions and prefixing their comment with where they
//     came from; identical copies are kept once.
//   - With Runtimes, the grouped rules hold the workload's calls, and
//     each runtime's shipped trace adds rules for the calls of its own
//     the workload did not make, commented "runtime NAME VERSION, after
//     its seccomp filter (shipped trace): ..."; allowances follow the
//     runtimes named instead of those traced under.
//   - Calls whose arguments were recorded get argument rules instead
//     (see args.go).
//
// A name is added the same way on every architecture. Names recorded on a
// compat architecture that do not exist natively (socketcall on x86_64)
// need no "includes.arches": libseccomp resolves such a name to a
// pseudo-syscall and skips it on architectures that lack it, and
// containers/common matches "includes.arches" against the host's native
// architecture, not the ABI of the call, so restricting a rule to "x86"
// would drop it on every x86_64 host. Check confirms each rule resolves.
//
// Compile fails if base or an input profile fails Validate, if the traces
// do not merge, if a trace records an architecture not in KnownArches or
// if an input profile allows by default.
func Compile(base *seccomp.Seccomp, in Inputs) (*seccomp.Seccomp, error) {
	if base != nil {
		if err := Validate(base); err != nil {
			return nil, fmt.Errorf("compile: base: %w", err)
		}
	}
	if len(in.Traces) == 0 && len(in.Profiles) == 0 {
		if base == nil {
			return nil, fmt.Errorf("compile: %w", ErrNoInput)
		}
		return Clone(base), nil
	}

	native, err := nativeArch(in.NativeArch)
	if err != nil {
		return nil, fmt.Errorf("compile: %w", err)
	}
	merged, err := trace.Merge(in.Traces...)
	if err != nil {
		return nil, fmt.Errorf("compile: %w", err)
	}
	// workload is what the grouped rules stand for: the inputs' calls, or
	// for Runtimes the workload's alone. merged becomes everything the
	// profile allows calls of: workload and the runtimes' traces.
	workload, runtimes := merged, runtimesOf(merged)
	var runtimeTraces []*trace.Trace
	if len(in.Runtimes) > 0 {
		workload, runtimes = workloadOnly(merged), map[string]bool{}
		all := []*trace.Trace{workload}
		for _, name := range in.Runtimes {
			if runtimes[name] {
				continue
			}
			rt, err := RuntimeTrace(name)
			if err != nil {
				return nil, fmt.Errorf("compile: %w", err)
			}
			runtimes[name] = true
			runtimeTraces = append(runtimeTraces, rt)
			all = append(all, rt)
		}
		if merged, err = trace.Merge(all...); err != nil {
			return nil, fmt.Errorf("compile: runtime traces: %w", err)
		}
	}
	for i, p := range in.Profiles {
		if err := Validate(p); err != nil {
			return nil, fmt.Errorf("compile: %w", &InputError{Index: i, Err: err})
		}
		if Allows(p.DefaultAction) {
			return nil, fmt.Errorf("compile: %w", &InputError{Index: i, Err: fmt.Errorf("%w: default action %s allows every syscall", ErrNotAllowList, p.DefaultAction)})
		}
	}

	out := Clone(base)
	if out == nil {
		out = &seccomp.Seccomp{Syscalls: []*seccomp.Syscall{}}
	}
	out.DefaultAction = seccomp.ActErrno

	needed, err := neededArches(native, merged, in.Profiles)
	if err != nil {
		return nil, fmt.Errorf("compile: %w", err)
	}
	addArches(out, native, needed)

	applicable := applicableAllowances(merged, runtimes)
	fromRuntime := map[string]bool{}
	for _, rt := range runtimeTraces {
		for _, r := range rt.Runs {
			fromRuntime[describe(r)] = true
		}
	}
	plan := planArgs(merged, func(r trace.Run) bool { return fromRuntime[describe(r)] }, native, applicable, inputAllowed(in.Profiles))
	mentioned := mentionedNames(out.Syscalls)
	commentBase(out.Syscalls)
	// emit holds the calls of the plan whose rules the profile adds
	// itself; the others are the base's business.
	emit := map[string]bool{}
	baseOnly := false
	// widened holds the calls whose value rules in base the plan's add to.
	var widened map[string][]*seccomp.Arg
	switch in.Mode {
	case "", ModeExtend:
		// Accumulating runs (the hook's if: naming the profile it wrote
		// before): a call the base allows only for some values of the
		// argument the recorder reads gets the rules of the values it
		// lacks, as merging the traces would.
		widened = valueRulesOf(out.Syscalls, plan)
		for n := range widened {
			emit[n] = true
		}
	case ModeRestrict:
		if base == nil {
			break
		}
		// The base's argument conditions are kept and no value they
		// refuse is allowed: a call the base allows with conditions
		// keeps the base's rules, and one it allows with none gets the
		// plan's (the intersection). What the base blocks stays blocked.
		baseAllows := unconditionalAllows(out.Syscalls)
		for _, n := range plan.names() {
			if baseAllows[n] || Allows(base.DefaultAction) && !mentioned[n] {
				emit[n] = true
			}
		}
		need := neededNames(merged, in.Profiles, applicable)
		for _, n := range plan.names() {
			need[n] = true
		}
		if plan.restrictsSocket(emit, profileArches(out)) && !plan.socketcall {
			// Kept for the calls it multiplexes, socketcall would let
			// 32-bit code create sockets of any family.
			delete(need, "socketcall")
		}
		out.Syscalls = restrictRules(out.Syscalls, need, merged, emit)
		mentioned = mentionedNames(out.Syscalls)
		// What the base does not mention, its default action blocks.
		baseOnly = !Allows(base.DefaultAction)
	default:
		return nil, fmt.Errorf("compile: unknown mode %q", in.Mode)
	}
	if !baseOnly {
		for _, n := range plan.names() {
			if !mentioned[n] {
				emit[n] = true
			}
		}
		if !mentioned["socketcall"] {
			emit["socketcall"] = true
		}
	}
	// added holds the names allowed without conditions by the rules
	// added below, handled those the argument rules allow with
	// conditions or deny.
	added, handled := map[string]bool{}, map[string]bool{}
	argRules := plan.rules(emit, mentioned, profileArches(out), profileErrno(out), added, handled)
	argRules = slices.DeleteFunc(argRules, func(r *seccomp.Syscall) bool {
		return len(r.Names) == 1 && len(r.Args) == 1 && slices.ContainsFunc(widened[r.Names[0]], func(a *seccomp.Arg) bool { return *a == *r.Args[0] })
	})
	if baseOnly {
		out.Syscalls = append(out.Syscalls, argRules...)
		return out, nil
	}
	skip := func(n string) bool { return mentioned[n] || added[n] || handled[n] }
	out.Syscalls = append(out.Syscalls, traceRules(workload, skip, added, "")...)
	for _, rt := range runtimeTraces {
		out.Syscalls = append(out.Syscalls, traceRules(rt, skip, added, runtimePrefix(rt))...)
	}
	out.Syscalls = append(out.Syscalls, argRules...)
	out.Syscalls = append(out.Syscalls, allowanceRules(applicable, skip, added)...)
	out.Syscalls = append(out.Syscalls, profileRules(in.Profiles, mentioned, added)...)
	return out, nil
}

// valueRulesOf returns, for each call of the plan that rules allows only
// under one condition on the argument the plan restricts (as a compiled
// profile does: one rule per value, or the namespace mask), those
// conditions. A call that any other rule mentions (a block, a capability
// or architecture condition, another argument) is the rules' business and
// is left out: what a base blocks stays blocked.
func valueRulesOf(rules []*seccomp.Syscall, plan *argPlan) map[string][]*seccomp.Arg {
	out := map[string][]*seccomp.Arg{}
	other := map[string]bool{}
	for _, r := range rules {
		for _, n := range ruleNames(r) {
			sp := plan.specs[n]
			if sp == nil || other[n] {
				continue
			}
			op := seccomp.OpEqualTo
			if sp.kind == trace.ArgNamespaceFlags {
				op = seccomp.OpMaskedEqual
			}
			if r.Action != seccomp.ActAllow || len(ruleNames(r)) != 1 || len(r.Args) != 1 ||
				r.Args[0].Index != uint(sp.index) || r.Args[0].Op != op ||
				len(r.Includes.Caps)+len(r.Includes.Arches)+len(r.Excludes.Caps)+len(r.Excludes.Arches) > 0 {
				other[n] = true
				delete(out, n)
				continue
			}
			out[n] = append(out[n], r.Args[0])
		}
	}
	return out
}

// mentionedNames returns the names the rules mention, whatever their
// actions and conditions.
func mentionedNames(rules []*seccomp.Syscall) map[string]bool {
	return namesOf(rules, func(*seccomp.Syscall) bool { return true })
}

// unconditionalAllows returns the names rules allow without conditions.
func unconditionalAllows(rules []*seccomp.Syscall) map[string]bool {
	return namesOf(rules, func(s *seccomp.Syscall) bool { return Allows(s.Action) && unconditional(s) })
}

// namesOf returns the names of the rules keep accepts.
func namesOf(rules []*seccomp.Syscall, keep func(*seccomp.Syscall) bool) map[string]bool {
	m := make(map[string]bool)
	for _, s := range rules {
		if keep(s) {
			for _, n := range ruleNames(s) {
				m[n] = true
			}
		}
	}
	return m
}

// inputAllowed returns the names input profiles allow without
// conditions.
func inputAllowed(profiles []*seccomp.Seccomp) map[string]bool {
	m := make(map[string]bool)
	for _, p := range profiles {
		for n := range unconditionalAllows(p.Syscalls) {
			m[n] = true
		}
	}
	return m
}

// seenComment sums up what the trace recorded of names, as
// "seen 1234x by ls,sh in 2/2 runs"; "" when it recorded none of them.
func seenComment(names []string, t *trace.Trace) string {
	want := make(map[string]bool, len(names))
	for _, n := range names {
		want[n] = true
	}
	var total uint64
	procs := map[string]struct{}{}
	runs := 0
	for _, s := range t.Syscalls {
		if !want[s.Name] {
			continue
		}
		total = saturatingAdd(total, s.Count)
		runs = max(runs, s.Runs)
		for _, p := range s.Processes {
			procs[p] = struct{}{}
		}
	}
	if total == 0 {
		return ""
	}
	return seenText(total, procs, runs, len(t.Runs))
}

// seenText renders a rule comment: "seen 1234x by ls,sh in 2/2 runs".
func seenText(count uint64, procs map[string]struct{}, runs, of int) string {
	comment := fmt.Sprintf("seen %dx", count)
	if len(procs) > 0 {
		comment += " by " + listProcesses(procs)
	}
	return comment + fmt.Sprintf(" in %d/%d runs", runs, of)
}

// fromBase is the comment given to a base rule that had none, so that every
// rule of a compiled profile says why it is there.
const fromBase = "from base"

// commentBase marks the base's uncommented rules as coming from it. The
// rules are copies (Clone), so the caller's base is not touched.
func commentBase(rules []*seccomp.Syscall) {
	for _, r := range rules {
		if r.Comment == "" {
			r.Comment = fromBase
		}
	}
}

// multiplexers maps the calls that 32-bit x86 (and s390) route through a
// multiplexer to it. libseccomp filters "socket" there as socketcall(2),
// and cannot tell two argument-conditioned "socket" rules apart once the
// unconditional socketcall rule that covered them is gone: keeping the
// multiplexer with the calls keeps the base loadable.
var multiplexers = map[string]string{}

func init() {
	for _, n := range strings.Fields(`socket bind connect listen accept accept4
		getsockname getpeername socketpair send recv sendto recvfrom shutdown
		setsockopt getsockopt sendmsg recvmsg recvmmsg sendmmsg`) {
		multiplexers[n] = "socketcall"
	}
	for _, n := range strings.Fields(`semop semget semctl semtimedop msgsnd
		msgrcv msgget msgctl shmat shmdt shmget shmctl`) {
		multiplexers[n] = "ipc"
	}
}

// runtimePrefix starts the comments of the rules a runtime's shipped trace
// adds: "runtime crun 1.8.1, after its seccomp filter (shipped trace): ".
func runtimePrefix(rt *trace.Trace) string {
	version := ""
	if len(rt.Runs) > 0 {
		version = rt.Runs[0].Runtime
	}
	return "runtime " + version + ", after its seccomp filter (shipped trace): "
}

// neededNames is every name the inputs need: recorded, or allowed (with or
// without conditions) by an input profile, and the multiplexers of those,
// and the names of the allowances that apply.
func neededNames(t *trace.Trace, profiles []*seccomp.Seccomp, as []allowance) map[string]bool {
	need := allowanceNames(as)
	for _, s := range t.Syscalls {
		need[s.Name] = true
	}
	for _, p := range profiles {
		for _, r := range p.Syscalls {
			if Allows(r.Action) {
				for _, n := range ruleNames(r) {
					need[n] = true
				}
			}
		}
	}
	for n := range need {
		if m, ok := multiplexers[n]; ok {
			need[m] = true
		}
	}
	return need
}

// restrictRules applies ModeRestrict to a base's rules: blocking rules and
// conditional allow rules that mention a needed name stay as they are,
// unconditional allow rules keep only the needed names, and allow rules
// left with nothing needed go. Names of replace, which the base allows
// without conditions and the profile restricts by their arguments
// itself, leave every allow rule.
func restrictRules(rules []*seccomp.Syscall, need map[string]bool, t *trace.Trace, replace map[string]bool) []*seccomp.Syscall {
	var out []*seccomp.Syscall
	for _, r := range rules {
		if !Allows(r.Action) {
			out = append(out, r)
			continue
		}
		names := ruleNames(r)
		var kept, replaced []string
		for _, n := range names {
			switch {
			case replace[n]:
				replaced = append(replaced, n)
			case need[n]:
				kept = append(kept, n)
			}
		}
		switch {
		case len(kept) == 0:
			continue
		case len(r.Args) > 0 && len(replaced) == 0:
			// Conditions may tie names together: keep the rule whole.
			out = append(out, r)
		case len(r.Args) > 0:
			c := *r
			c.Name, c.Names = "", kept
			c.Comment = r.Comment + ", without " + strings.Join(replaced, ",") + " (restricted by recorded arguments instead)"
			out = append(out, &c)
		case len(kept) == len(names):
			out = append(out, r)
		default:
			c := *r
			c.Name, c.Names = "", kept
			why := fmt.Sprintf("kept for %d of its %d names that the inputs need", len(kept), len(names))
			if seen := seenComment(kept, t); seen != "" {
				why += ": " + seen
			}
			if len(replaced) > 0 {
				why += "; " + strings.Join(replaced, ",") + " restricted by recorded arguments instead"
			}
			c.Comment = r.Comment + ", " + why
			out = append(out, &c)
		}
	}
	return out
}

// FromTrace turns a trace into the profile that allows exactly what it
// recorded: Compile with no base. Diff uses it to compare traces.
func FromTrace(t *trace.Trace, native seccomp.Arch) (*seccomp.Seccomp, error) {
	return Compile(nil, Inputs{Traces: []*trace.Trace{t}, NativeArch: native})
}

// ruleNames returns the names a rule mentions, through "name" or "names".
func ruleNames(s *seccomp.Syscall) []string {
	if s.Name != "" {
		return []string{s.Name}
	}
	return s.Names
}

// neededArches lists the architectures the output must cover: native
// first, then the others sorted.
func neededArches(native seccomp.Arch, t *trace.Trace, profiles []*seccomp.Seccomp) ([]seccomp.Arch, error) {
	set := map[seccomp.Arch]bool{}
	for _, s := range t.Syscalls {
		a := seccomp.Arch(s.Arch)
		if !knownArch(a) {
			return nil, fmt.Errorf("trace records %s for unknown architecture %s", s.Name, s.Arch)
		}
		set[a] = true
	}
	for _, p := range profiles {
		for _, a := range p.Architectures {
			set[a] = true
		}
		for _, m := range p.ArchMap {
			if m.Arch == native || m.Arch == seccomp.ArchNative {
				set[native] = true
				for _, a := range m.SubArches {
					set[a] = true
				}
			}
		}
	}
	delete(set, seccomp.ArchNative)
	delete(set, native)
	rest := make([]seccomp.Arch, 0, len(set))
	for a := range set {
		rest = append(rest, a)
	}
	slices.Sort(rest)
	return append([]seccomp.Arch{native}, rest...), nil
}

// addArches makes p cover needed, in "architectures" or, for a profile
// that only has an archMap, in the archMap.
func addArches(p *seccomp.Seccomp, native seccomp.Arch, needed []seccomp.Arch) {
	if len(p.ArchMap) == 0 || len(p.Architectures) > 0 {
		for _, a := range needed {
			if !slices.Contains(p.Architectures, a) {
				p.Architectures = append(p.Architectures, a)
			}
		}
		return
	}
	for _, a := range needed {
		host := hostFor(a, native, needed)
		i := slices.IndexFunc(p.ArchMap, func(m seccomp.Architecture) bool { return m.Arch == host })
		if i < 0 {
			p.ArchMap = append(p.ArchMap, seccomp.Architecture{Arch: host, SubArches: []seccomp.Arch{}})
			i = len(p.ArchMap) - 1
		}
		if a != host && !slices.Contains(p.ArchMap[i].SubArches, a) {
			p.ArchMap[i].SubArches = append(p.ArchMap[i].SubArches, a)
		}
	}
}

// hostFor picks the archMap entry an architecture belongs to: native if it
// is native or one of its sub-architectures, otherwise another needed
// architecture that hosts it, otherwise its own entry.
func hostFor(a, native seccomp.Arch, needed []seccomp.Arch) seccomp.Arch {
	if a == native || isSubArch(native, a) {
		return native
	}
	for _, h := range needed {
		if isSubArch(h, a) {
			return h
		}
	}
	return a
}

// nameStats aggregates a recorded name over architectures and runs.
type nameStats struct {
	count     uint64
	runs      int
	arches    int
	lastRun   int
	processes map[string]struct{}
}

// traceRules builds the allow rules for recorded names not skipped (the
// base mentions them, or rules of their own allow them), one rule per
// number of runs, and marks their names in added. prefix starts each
// rule's comment.
func traceRules(t *trace.Trace, skip func(string) bool, added map[string]bool, prefix string) []*seccomp.Syscall {
	// Counts and processes come from the summary, which has them per arch
	// and name already.
	stats := map[string]*nameStats{}
	for _, s := range t.Syscalls {
		if skip(s.Name) {
			continue
		}
		st := stats[s.Name]
		if st == nil {
			st = &nameStats{processes: map[string]struct{}{}, lastRun: -1}
			stats[s.Name] = st
		}
		st.count = saturatingAdd(st.count, s.Count)
		st.runs = s.Runs
		st.arches++
		for _, p := range s.Processes {
			st.processes[p] = struct{}{}
		}
	}
	// A name recorded on several arches (read on x86_64 and x86) may have
	// been made by the same run twice: count its runs from the runs.
	multi := false
	for _, st := range stats {
		if st.arches > 1 {
			st.runs = 0
			multi = true
		}
	}
	if multi {
		for i, r := range t.Runs {
			for _, s := range r.Syscalls {
				if st := stats[s.Name]; st != nil && st.arches > 1 && st.lastRun != i {
					st.lastRun = i
					st.runs++
				}
			}
		}
	}

	byRuns := map[int][]string{}
	for name, st := range stats {
		byRuns[st.runs] = append(byRuns[st.runs], name)
		added[name] = true
	}
	var rules []*seccomp.Syscall
	for _, n := range keysDescending(byRuns) {
		names := byRuns[n]
		slices.Sort(names)
		var total uint64
		procs := map[string]struct{}{}
		for _, name := range names {
			total = saturatingAdd(total, stats[name].count)
			for p := range stats[name].processes {
				procs[p] = struct{}{}
			}
		}
		rules = append(rules, allowRule(names, prefix+seenText(total, procs, n, len(t.Runs))))
	}
	return rules
}

// keysDescending returns the keys of a grouping by count, largest first:
// the most common names get the first rule.
func keysDescending(groups map[int][]string) []int {
	keys := slices.Collect(maps.Keys(groups))
	slices.SortFunc(keys, func(a, b int) int { return cmp.Compare(b, a) })
	return keys
}

// profileRules builds the rules contributed by input profiles: their
// unconditionally allowed names grouped by how many profiles allow them,
// then copies of their conditional allow rules.
func profileRules(profiles []*seccomp.Seccomp, mentioned, added map[string]bool) []*seccomp.Syscall {
	if len(profiles) == 0 {
		return nil
	}
	allowedBy := map[string]int{}
	for _, p := range profiles {
		mine := map[string]bool{}
		for _, s := range p.Syscalls {
			if s.Action != seccomp.ActAllow || !unconditional(s) {
				continue
			}
			for _, n := range ruleNames(s) {
				mine[n] = true
			}
		}
		for n := range mine {
			allowedBy[n]++
		}
	}

	byCount := map[int][]string{}
	for n, c := range allowedBy {
		if !mentioned[n] && !added[n] {
			byCount[c] = append(byCount[c], n)
		}
	}
	var rules []*seccomp.Syscall
	for _, c := range keysDescending(byCount) {
		names := byCount[c]
		slices.Sort(names)
		rules = append(rules, allowRule(names, fmt.Sprintf("allowed by %d/%d input profiles", c, len(profiles))))
	}
	for n := range allowedBy {
		if !mentioned[n] {
			added[n] = true
		}
	}

	// Conditional rules keep their conditions: widening them would allow
	// more than any input does.
	var copies []*seccomp.Syscall
	for i, p := range profiles {
		for j, s := range p.Syscalls {
			if s.Action != seccomp.ActAllow || unconditional(s) {
				continue
			}
			var names []string
			for _, n := range ruleNames(s) {
				if !mentioned[n] && !added[n] {
					names = append(names, n)
				}
			}
			if len(names) == 0 {
				continue
			}
			c := cloneRule(s)
			c.Name = ""
			c.Names = names
			c.Comment = fmt.Sprintf("from input profile %d rule %d", i, j)
			if s.Comment != "" {
				c.Comment += ": " + s.Comment
			}
			if !slices.ContainsFunc(copies, func(o *seccomp.Syscall) bool { return sameCondition(o, c) }) {
				copies = append(copies, c)
			}
		}
	}
	return append(rules, copies...)
}

// allowRule is an unconditional SCMP_ACT_ALLOW rule shaped like the
// original hook's: empty args rather than null.
func allowRule(names []string, comment string) *seccomp.Syscall {
	return &seccomp.Syscall{
		Names:   names,
		Action:  seccomp.ActAllow,
		Args:    []*seccomp.Arg{},
		Comment: comment,
	}
}

// unconditional reports whether a rule applies to its names in every
// situation: no argument conditions and no includes or excludes.
func unconditional(s *seccomp.Syscall) bool {
	return len(s.Args) == 0 &&
		len(s.Includes.Caps) == 0 && len(s.Includes.Arches) == 0 &&
		len(s.Excludes.Caps) == 0 && len(s.Excludes.Arches) == 0
}

// sameCondition reports whether two rules are identical apart from their
// comments.
func sameCondition(a, b *seccomp.Syscall) bool {
	ac, bc := *cloneRule(a), *cloneRule(b)
	ac.Comment, bc.Comment = "", ""
	return ruleKey(&ac) == ruleKey(&bc)
}

// ruleKey renders a rule's content as a string for comparisons.
func ruleKey(s *seccomp.Syscall) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s|%q|%s|", s.Name, s.Names, s.Action)
	for _, a := range s.Args {
		fmt.Fprintf(&b, "%d,%s,%d,%d;", a.Index, a.Op, a.Value, a.ValueTwo)
	}
	fmt.Fprintf(&b, "|%q|%q|%q|%q|%s|", s.Includes.Caps, s.Includes.Arches, s.Excludes.Caps, s.Excludes.Arches, s.Errno)
	if s.ErrnoRet != nil {
		b.WriteString(strconv.FormatUint(uint64(*s.ErrnoRet), 10))
	}
	return b.String()
}

// listProcesses renders process names sorted and comma-separated, at most
// maxProcesses of them.
func listProcesses(set map[string]struct{}) string {
	names := make([]string, 0, len(set))
	for p := range set {
		names = append(names, p)
	}
	slices.Sort(names)
	if len(names) <= maxProcesses {
		return strings.Join(names, ",")
	}
	return strings.Join(names[:maxProcesses], ",") + fmt.Sprintf(",+%d more", len(names)-maxProcesses)
}

func saturatingAdd(a, b uint64) uint64 {
	if a+b < a {
		return ^uint64(0)
	}
	return a + b
}

// describe names a run by its identity, container ID and start.
func describe(r trace.Run) string {
	return r.ContainerID + "@" + r.Start.UTC().Format(time.RFC3339Nano)
}

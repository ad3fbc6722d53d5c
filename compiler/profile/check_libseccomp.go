//go:build linux && cgo

package profile

// This file is the only one in the package that uses cgo: everything that
// needs libseccomp lives here.

import (
	"fmt"
	"io"
	"maps"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"

	"github.com/containers/common/pkg/seccomp"
	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/arch"
)

// capPhrase describes a capability set in messages.
var capPhrase = map[CapSet]string{CapsAny: "", CapsNone: " without capabilities", CapsAll: " with all capabilities"}

// libArch resolves a profile architecture to libseccomp's, by the name
// internal/arch's table gives it there.
func libArch(a seccomp.Arch) (libseccomp.ScmpArch, error) {
	return libseccomp.GetArchFromString(FilterArch(a))
}

var libOp = map[seccomp.Operator]libseccomp.ScmpCompareOp{
	seccomp.OpNotEqual:     libseccomp.CompareNotEqual,
	seccomp.OpLessThan:     libseccomp.CompareLess,
	seccomp.OpLessEqual:    libseccomp.CompareLessOrEqual,
	seccomp.OpEqualTo:      libseccomp.CompareEqual,
	seccomp.OpGreaterEqual: libseccomp.CompareGreaterEqual,
	seccomp.OpGreaterThan:  libseccomp.CompareGreater,
	seccomp.OpMaskedEqual:  libseccomp.CompareMaskedEqual,
}

// Check builds, with libseccomp, the BPF filter a runtime would load for
// each host p can run on (see FilterReport) and each relevant capability
// set, and reports the rules and the size of each filter.
//
// The filters are built the way runc and crun build them from what
// containers/common passes on: one filter per archMap entry (or per
// architecture listed without a host among the others, or the native
// one), rules filtered by "includes" and "excludes", rules whose action
// equals the default action skipped, an argument index used twice turned
// into one rule per condition (OR), errno taken from "errno" or else
// "errnoRet" and defaulting to EPERM.
//
// Check fails, naming the rule and the problem, when p fails Validate; a
// name is unknown to libseccomp on every architecture (ErrUnknownSyscall);
// two rules without args, includes or excludes give a name different
// actions or errnos (ErrContradiction), even when one of them repeats the
// default action; a
// filter exceeds MaxInstructions (ErrTooLarge); or the profile cannot be
// loaded for another reason (ErrUnloadable).
//
// Overlapping rules with capability or architecture conditions are legal
// (the engine's default profile has them) but only one of them takes
// effect; each such case is reported in CheckReport.Warnings. Names that
// exist on some of a filter's architectures only are fine: libseccomp
// skips them where they do not exist.
func Check(p *seccomp.Seccomp) (CheckReport, error) {
	if err := Validate(p); err != nil {
		return CheckReport{}, fmt.Errorf("check: %w", err)
	}
	major, minor, micro := libseccomp.GetLibraryVersion()
	report := CheckReport{
		Library:       fmt.Sprintf("libseccomp %d.%d.%d", major, minor, micro),
		DefaultAction: p.DefaultAction,
		Rules:         ruleReports(p),
		Filters:       []FilterReport{},
		Warnings:      []string{},
	}

	nativeLib, err := libseccomp.GetNativeArch()
	if err != nil {
		return report, fmt.Errorf("check: get native architecture: %w", err)
	}
	native := seccomp.ArchNative
	if info, ok := arch.ByLib(arch.LibName(nativeLib.String())); ok {
		native = seccomp.Arch(info.Name)
	}
	hs, err := hosts(p, native)
	if err != nil {
		return report, fmt.Errorf("check: %w", err)
	}

	defaultAct, err := libAction(p.DefaultAction, p.DefaultErrno, p.DefaultErrnoRet)
	if err != nil {
		return report, fmt.Errorf("check: default action: %w", err)
	}
	if p.ListenerPath == "" && (p.DefaultAction == seccomp.ActNotify) {
		return report, fmt.Errorf("check: %w: default action %s needs listenerPath", ErrUnloadable, p.DefaultAction)
	}

	// Resolve every rule once: actions, conditions and syscall numbers do
	// not depend on the host.
	rules := make([]resolved, len(p.Syscalls))
	for i, s := range p.Syscalls {
		r, err := resolveRule(s, p.ListenerPath != "")
		if err != nil {
			return report, fmt.Errorf("check: syscalls[%d]%s: %w", i, ruleLabel(s), err)
		}
		rules[i] = r
	}

	sets, allCaps := capSets(p)
	// Warnings are collected per message with the hosts they occur on.
	warnings := map[string][]seccomp.Arch{}
	warn := func(w string, a seccomp.Arch) {
		if !slices.Contains(warnings[w], a) {
			warnings[w] = append(warnings[w], a)
		}
	}
	// One filter per host and capability set, built in parallel: each is a
	// libseccomp context of its own, and with 14 of them for the engine's
	// default profile, building them took half of compiling a thousand
	// traces. libseccomp keeps some process-wide state (what the kernel
	// supports) that it fills in lazily without a lock, so the first
	// filter is built alone and the others only read that state.
	type job struct {
		h   host
		set CapSet
	}
	var jobs []job
	for _, h := range hs {
		for _, set := range sets {
			jobs = append(jobs, job{h, set})
		}
	}
	results := make([]FilterReport, len(jobs))
	errs := make([]error, len(jobs))
	var mu sync.Mutex
	lockedWarn := func(w string, a seccomp.Arch) {
		mu.Lock()
		defer mu.Unlock()
		warn(w, a)
	}
	build := func(i int) {
		caps := allCaps
		if jobs[i].set == CapsNone {
			caps = nil
		}
		results[i], errs[i] = buildFilter(p, rules, jobs[i].h, jobs[i].set, caps, defaultAct, lockedWarn)
	}
	if len(jobs) > 0 {
		build(0)
	}
	var wg sync.WaitGroup
	next := make(chan int)
	for range min(runtime.GOMAXPROCS(0), max(len(jobs)-1, 0)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				build(i)
			}
		}()
	}
	for i := 1; i < len(jobs); i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			return report, fmt.Errorf("check: %s (%s capabilities): %w", jobs[i].h.arch, jobs[i].set, err)
		}
	}
	report.Filters = append(report.Filters, results...)
	for i, s := range p.Syscalls {
		for _, f := range []struct {
			name   string
			arches []string
		}{{"includes", s.Includes.Arches}, {"excludes", s.Excludes.Arches}} {
			for _, a := range f.arches {
				if !slices.Contains(KnownFilterArches(), a) {
					report.Warnings = append(report.Warnings, fmt.Sprintf("syscalls[%d]%s: %s.arches names %q, which is no architecture: it never matches a host", i, ruleLabel(s), f.name, a))
				}
			}
		}
	}
	for _, w := range slices.Sorted(maps.Keys(warnings)) {
		on := "on every host"
		if len(warnings[w]) < len(hs) {
			var names []string
			for _, a := range warnings[w] {
				names = append(names, string(a))
			}
			on = "on " + strings.Join(names, ",")
		}
		report.Warnings = append(report.Warnings, w+" "+on)
	}
	slices.Sort(report.Warnings)
	return report, nil
}

// resolved is a rule translated for libseccomp.
type resolved struct {
	action libseccomp.ScmpAction
	nrs    []libseccomp.ScmpSyscall
	// conds holds the condition sets to add, one rule each: all
	// conditions together, or each alone when an argument index repeats
	// (libseccomp cannot AND two conditions on one argument; runc ORs
	// them the same way).
	conds [][]libseccomp.ScmpCondition
}

func resolveRule(s *seccomp.Syscall, haveListener bool) (resolved, error) {
	var r resolved
	act, err := libAction(s.Action, s.Errno, s.ErrnoRet)
	if err != nil {
		return r, err
	}
	if s.Action == seccomp.ActNotify && !haveListener {
		return r, fmt.Errorf("%w: action %s needs listenerPath", ErrUnloadable, s.Action)
	}
	r.action = act
	for _, n := range ruleNames(s) {
		nr, err := libseccomp.GetSyscallFromName(n)
		if err != nil {
			return r, fmt.Errorf("%w %q (not in %s)", ErrUnknownSyscall, n, libVersion())
		}
		r.nrs = append(r.nrs, nr)
	}
	var all []libseccomp.ScmpCondition
	perIndex := map[uint]int{}
	for i, a := range s.Args {
		var c libseccomp.ScmpCondition
		if a.Op == seccomp.OpMaskedEqual {
			c, err = libseccomp.MakeCondition(a.Index, libOp[a.Op], a.Value, a.ValueTwo)
		} else {
			c, err = libseccomp.MakeCondition(a.Index, libOp[a.Op], a.Value)
		}
		if err != nil {
			return r, fmt.Errorf("%w: args[%d]: %w", ErrUnloadable, i, err)
		}
		all = append(all, c)
		perIndex[a.Index]++
	}
	switch {
	case len(all) == 0:
		r.conds = [][]libseccomp.ScmpCondition{nil}
	case len(perIndex) < len(all):
		for _, c := range all {
			r.conds = append(r.conds, []libseccomp.ScmpCondition{c})
		}
	default:
		r.conds = [][]libseccomp.ScmpCondition{all}
	}
	return r, nil
}

// buildFilter builds one filter and measures it.
func buildFilter(p *seccomp.Seccomp, rules []resolved, h host, set CapSet, caps map[string]bool, defaultAct libseccomp.ScmpAction, warn func(string, seccomp.Arch)) (FilterReport, error) {
	fr := FilterReport{Host: h.arch, Arches: h.arches, Caps: set}

	// Pick the rules that apply here and look for rules without argument
	// conditions that give one name different actions. When both rules
	// hold in every situation that is a contradiction. Otherwise (caps or
	// arch conditions) it is how profiles express exceptions, but only
	// one rule can take effect: libseccomp keeps the first rule added for
	// a syscall, and a rule repeating the default action is never added.
	type claim struct {
		act       libseccomp.ScmpAction
		rule      int
		redundant bool
	}
	claims := map[string]claim{}
	var use []int
	for i, s := range p.Syscalls {
		if !applies(s, h, caps) {
			fr.Skipped++
			continue
		}
		act := rules[i].action
		redundant := act == defaultAct
		if len(s.Args) == 0 {
			for _, n := range ruleNames(s) {
				c, ok := claims[n]
				if !ok {
					claims[n] = claim{act, i, redundant}
					continue
				}
				if c.act == act {
					continue
				}
				if unconditional(p.Syscalls[c.rule]) && unconditional(s) {
					return fr, fmt.Errorf("%w: %s is %s in syscalls[%d] and %s in syscalls[%d]",
						ErrContradiction, n, actionString(c.act), c.rule, actionString(act), i)
				}
				win, lose := claim{c.act, c.rule, c.redundant}, claim{act, i, redundant}
				if c.redundant && !redundant {
					win, lose = lose, win
					claims[n] = win
				}
				warn(fmt.Sprintf("%s: syscalls[%d] (%s) takes effect over syscalls[%d] (%s)%s",
					n, win.rule, actionString(win.act), lose.rule, actionString(lose.act), capPhrase[set]), h.arch)
			}
		}
		if redundant {
			fr.Skipped++
			continue
		}
		use = append(use, i)
	}

	filter, err := libseccomp.NewFilter(defaultAct)
	if err != nil {
		return fr, fmt.Errorf("%w: create filter: %w", ErrUnloadable, err)
	}
	defer filter.Release()
	nativeLib, err := libseccomp.GetNativeArch()
	if err != nil {
		return fr, fmt.Errorf("get native architecture: %w", err)
	}
	// Remove the native architecture first when the host is another one:
	// libseccomp refuses to mix endiannesses in one filter.
	if !containsLib(h.arches, nativeLib) {
		if err := filter.RemoveArch(nativeLib); err != nil {
			return fr, fmt.Errorf("%w: remove native architecture: %w", ErrUnloadable, err)
		}
	}
	for _, a := range h.arches {
		l, err := libArch(a)
		if err == nil {
			err = filter.AddArch(l)
		}
		if err != nil {
			return fr, fmt.Errorf("%w: add architecture %s to a filter for %s: %w", ErrUnloadable, a, h.arch, err)
		}
	}

	for _, i := range use {
		r := rules[i]
		for k, nr := range r.nrs {
			for _, conds := range r.conds {
				if len(conds) == 0 {
					err = filter.AddRule(nr, r.action)
				} else {
					err = filter.AddRuleConditional(nr, r.action, conds)
				}
				if err != nil {
					return fr, fmt.Errorf("%w: syscalls[%d]: add %s: %w", ErrUnloadable, i, ruleNames(p.Syscalls[i])[k], err)
				}
				fr.Rules++
			}
		}
	}

	n, err := instructions(filter)
	if err != nil {
		return fr, err
	}
	fr.Instructions = n
	if n > MaxInstructions {
		return fr, fmt.Errorf("%w: %d BPF instructions, the kernel accepts at most %d", ErrTooLarge, n, MaxInstructions)
	}
	return fr, nil
}

// instructions exports the filter's BPF program through a pipe and counts
// its 8-byte instructions (struct sock_filter).
func instructions(filter *libseccomp.ScmpFilter) (int, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return 0, fmt.Errorf("export bpf: %w", err)
	}
	defer r.Close()
	// Read concurrently: a large program does not fit in the pipe buffer.
	type result struct {
		n   int64
		err error
	}
	done := make(chan result, 1)
	go func() {
		n, err := io.Copy(io.Discard, r)
		done <- result{n, err}
	}()
	exportErr := filter.ExportBPF(w)
	w.Close()
	res := <-done
	if exportErr != nil {
		return 0, fmt.Errorf("export bpf: %w", exportErr)
	}
	if res.err != nil {
		return 0, fmt.Errorf("export bpf: %w", res.err)
	}
	return int(res.n / 8), nil
}

// libAction translates an action and its errno. errno is taken from name
// when set, else from ret, else EPERM, as containers/common and runc do;
// name and ret must agree when both are set.
func libAction(a seccomp.Action, name string, ret *uint) (libseccomp.ScmpAction, error) {
	switch a {
	case seccomp.ActKill, seccomp.ActKillThread:
		return libseccomp.ActKillThread, nil
	case seccomp.ActKillProcess:
		return libseccomp.ActKillProcess, nil
	case seccomp.ActTrap:
		return libseccomp.ActTrap, nil
	case seccomp.ActAllow:
		return libseccomp.ActAllow, nil
	case seccomp.ActLog:
		return libseccomp.ActLog, nil
	case seccomp.ActNotify:
		return libseccomp.ActNotify, nil
	case seccomp.ActErrno, seccomp.ActTrace:
		errno := uint(unix.EPERM)
		if ret != nil {
			errno = *ret
		}
		if name != "" {
			n, err := ErrnoNumber(name)
			if err != nil {
				return libseccomp.ActInvalid, err
			}
			if ret != nil && *ret != n {
				return libseccomp.ActInvalid, fmt.Errorf("%w: errno %s (%d) and errnoRet %d disagree", ErrUnloadable, name, n, *ret)
			}
			errno = n
		}
		base := libseccomp.ActErrno
		if a == seccomp.ActTrace {
			base = libseccomp.ActTrace
		}
		return base.SetReturnCode(int16(errno)), nil
	}
	return libseccomp.ActInvalid, fmt.Errorf("%w: unknown action %q", ErrUnloadable, a)
}

// actionString renders a libseccomp action with its errno, for messages.
func actionString(a libseccomp.ScmpAction) string {
	switch a & 0xFFFF {
	case libseccomp.ActErrno:
		return fmt.Sprintf("SCMP_ACT_ERRNO(%d)", a.GetReturnCode())
	case libseccomp.ActTrace:
		return fmt.Sprintf("SCMP_ACT_TRACE(%d)", a.GetReturnCode())
	case libseccomp.ActAllow:
		return string(seccomp.ActAllow)
	case libseccomp.ActLog:
		return string(seccomp.ActLog)
	case libseccomp.ActTrap:
		return string(seccomp.ActTrap)
	case libseccomp.ActKillThread:
		return string(seccomp.ActKillThread)
	case libseccomp.ActKillProcess:
		return string(seccomp.ActKillProcess)
	case libseccomp.ActNotify:
		return string(seccomp.ActNotify)
	}
	return a.String()
}

func containsLib(arches []seccomp.Arch, l libseccomp.ScmpArch) bool {
	return slices.ContainsFunc(arches, func(a seccomp.Arch) bool { return FilterArch(a) == l.String() })
}

func libVersion() string {
	major, minor, micro := libseccomp.GetLibraryVersion()
	return fmt.Sprintf("libseccomp %d.%d.%d", major, minor, micro)
}

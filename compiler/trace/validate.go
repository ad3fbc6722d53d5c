package trace

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/args"
)

var (
	// ErrVersion is returned for a trace whose version this package does
	// not know.
	ErrVersion = errors.New("unsupported trace version")
	// ErrSummary is returned by Parse and Validate when a trace carries a
	// summary that differs from the one computed from its runs.
	ErrSummary = errors.New("summary does not match runs")
	// ErrInvalid is wrapped by every error about a malformed field.
	ErrInvalid = errors.New("invalid trace")

	errOverflow = fmt.Errorf("%w: a summed syscall count overflows 64 bits", ErrInvalid)
)

// Validate reports the first problem that makes t unusable:
//
//   - Version is not Version;
//   - a run has no start or end time, a time outside years 0 to 9999
//     in UTC (the zone it is written in), ends before it starts, or
//     carries text over MaxTextLen or containing NUL;
//   - a syscall has an empty or malformed name (libseccomp names are
//     lowercase letters, digits and underscores), an architecture that is
//     not of the form SCMP_ARCH_*, a negative number, a zero count, a
//     runtime count above its count, a non-zero Runs field inside a run,
//     or an empty process name;
//   - an argument (see checkArgs) has an index outside 0 to 5 or repeated,
//     args are not sorted by index, its kind is unknown, its values are
//     not sorted and distinct, a value has a zero count, the counts and
//     the overflow add up to more than the call's count, a values
//     argument records nothing, flags are given for a values argument or
//     hold bits other than CLONE_NEW*, or values or an overflow are given
//     for an nsflags argument;
//   - a run lists the same arch and name, or the same arch and number,
//     twice;
//   - two runs share an identity (ErrConflict), give the same arch and
//     name different numbers, or record one of its arguments as two
//     kinds;
//   - summed counts overflow uint64;
//   - t.Syscalls is non-nil and differs from the summary computed from the
//     runs, order aside (ErrSummary). A nil summary is accepted: Marshal
//     and New compute it.
//
// Validate does not check that names exist in any syscall table: a trace
// from a newer kernel may hold names this build does not know.
func (t *Trace) Validate() error {
	if err := t.checkRuns(); err != nil {
		return err
	}
	sum, ok, err := summary(t.Runs, true)
	if err != nil {
		return err
	}
	if !ok {
		return errOverflow
	}
	return checkSummary(t.Syscalls, sum)
}

// checkRuns is the start of Validate: the version and each run on its
// own. What spans runs, crossCheck or summary checks.
func (t *Trace) checkRuns() error {
	if t == nil {
		return fmt.Errorf("%w: trace is nil", ErrInvalid)
	}
	if t.Version != Version {
		return versionError(t.Version)
	}
	errs := make([]error, len(t.Runs))
	eachRun(len(t.Runs), func(c *runChecker, i int) { errs[i] = c.check(t.Runs[i]) })
	for i, err := range errs {
		if err != nil {
			return fmt.Errorf("run %d (%s): %w", i, describe(t.Runs[i]), err)
		}
	}
	return nil
}

// checkSummary compares a summary given in a trace, if any, with the one
// computed from its runs (ErrSummary), order aside.
func checkSummary(given, sum []Syscall) error {
	if given == nil {
		return nil
	}
	if slices.IsSortedFunc(given, compareSyscalls) && !slices.ContainsFunc(given, func(s Syscall) bool {
		return !processesNormal(s.Processes) || !argsNormal(s.Args)
	}) {
		// In normal form already, as Marshal writes it: no need to copy.
		return compareSummary(given, sum)
	}
	return checkSummaryCopy(given, sum)
}

// checkSummaryCopy is checkSummary for a summary not in normal form: it
// compares a normalised copy.
func checkSummaryCopy(given, sum []Syscall) error {
	norm := make([]Syscall, len(given))
	for i, s := range given {
		norm[i] = normSyscall(s)
	}
	slices.SortStableFunc(norm, compareSyscalls)
	return compareSummary(norm, sum)
}

// runChecker checks the fields of runs one at a time, each in isolation.
// It keeps its maps and bitmap from one run to the next: allocating maps
// anew for every run took a tenth of the time of merging a thousand
// traces.
type runChecker struct {
	byName map[archName]bool
	byNr   map[archNr]string
	// ready says that the maps have been reset for the current run.
	ready bool
	// small holds the numbers below smallNumbers of one architecture.
	small [smallNumbers / 64]uint64
}

// maxReused bounds the size of the maps runChecker clears for the next
// run rather than replacing them. Clearing costs a map's capacity, so a
// map grown for a huge run would make every small run after it slow.
const maxReused = 1024

// smallNumbers bounds the syscall numbers runChecker keeps in its bitmap
// rather than a map: those of x86_64, arm64 and the other common
// architectures, not MIPS's (from 4000) or x32's (bit 30).
const smallNumbers = 1024

// maps returns the maps, reset for a run of n syscalls if they are not
// yet.
func (c *runChecker) maps(n int) (map[archName]bool, map[archNr]string) {
	switch {
	case c.ready:
	case c.byName == nil || len(c.byName) > maxReused:
		c.byName = make(map[archName]bool, n)
		c.byNr = make(map[archNr]string, n)
	default:
		clear(c.byName)
		clear(c.byNr)
	}
	c.ready = true
	return c.byName, c.byNr
}

type archName struct{ arch, name string }

type archNr struct {
	arch string
	nr   int
}

// check reports the first problem with r on its own.
func (c *runChecker) check(r Run) error {
	if r.Start.IsZero() {
		return fmt.Errorf("%w: start time is missing", ErrInvalid)
	}
	if r.End.IsZero() {
		return fmt.Errorf("%w: end time is missing", ErrInvalid)
	}
	for _, t := range []time.Time{r.Start, r.End} {
		// In UTC: 0000-01-01T00:00:00+01:00 is a year-0 time that
		// Marshal, writing UTC, could not write.
		if y := t.UTC().Year(); y < 0 || y > 9999 {
			return fmt.Errorf("%w: time %s is outside years 0 to 9999, which JSON cannot hold", ErrInvalid, t.UTC().Format(time.RFC3339Nano))
		}
	}
	if r.End.Before(r.Start) {
		return fmt.Errorf("%w: ends (%s) before it starts", ErrInvalid, r.End.UTC().Format(time.RFC3339Nano))
	}
	for _, f := range []struct{ name, v string }{
		{"containerID", r.ContainerID}, {"image", r.Image}, {"hook", r.Hook},
		{"node", r.Node}, {"namespace", r.Namespace}, {"pod", r.Pod},
		{"container", r.Container}, {"runtime", r.Runtime},
	} {
		if err := checkText(f.v); err != nil {
			return fmt.Errorf("%w: %s %w", ErrInvalid, f.name, err)
		}
	}
	for i, a := range r.Command {
		if err := checkText(a); err != nil {
			return fmt.Errorf("%w: command argument %d %w", ErrInvalid, i, err)
		}
	}
	return c.checkSyscalls(r.Syscalls)
}

// checkSyscalls checks the syscalls of a run: each on its own, and that
// no architecture lists a name or a number twice.
//
// A run is nearly always in normal form, its syscalls sorted by
// architecture, name and number. Then a name listed twice is listed next
// to itself and the numbers of an architecture come together, so
// checkSyscalls compares each entry with the one before it, checks an
// architecture once and keeps its numbers in a bitmap. It falls back on
// maps for numbers above the bitmap's and, from the first entry out of
// order on, for everything. The maps were half the time of checking a
// run.
func (c *runChecker) checkSyscalls(ss []Syscall) error {
	c.ready = false
	sorted := true
	group := 0 // where the current architecture's entries start, while sorted
	for i := range ss {
		s := &ss[i]
		var prev *Syscall
		if i > 0 {
			prev = &ss[i-1]
		}
		sameArch := prev != nil && prev.Arch == s.Arch
		if err := validateSyscall(s, sameArch); err != nil {
			return fmt.Errorf("syscall %d: %w", i, err)
		}
		if s.Runs != 0 {
			return fmt.Errorf("syscall %d (%s %s): %w: runs is only valid in the summary", i, s.Arch, s.Name, ErrInvalid)
		}
		if sorted && prev != nil && compareSyscalls(*prev, *s) > 0 {
			// Out of order: the maps take over, with what came before.
			sorted = false
			byName, byNr := c.maps(len(ss))
			for _, p := range ss[:i] {
				byName[archName{p.Arch, p.Name}] = true
				byNr[archNr{p.Arch, p.Number}] = p.Name
			}
		}
		if !sorted {
			byName, byNr := c.maps(len(ss))
			if byName[archName{s.Arch, s.Name}] {
				return errListedTwice(i, s)
			}
			byName[archName{s.Arch, s.Name}] = true
			if other, dup := byNr[archNr{s.Arch, s.Number}]; dup {
				return errNumberTwice(i, s, other)
			}
			byNr[archNr{s.Arch, s.Number}] = s.Name
			continue
		}
		if sameArch && prev.Name == s.Name {
			return errListedTwice(i, s)
		}
		if !sameArch {
			group = i
			clear(c.small[:])
		}
		if s.Number < smallNumbers {
			word, bit := s.Number/64, uint64(1)<<(s.Number%64)
			if c.small[word]&bit != 0 {
				j := slices.IndexFunc(ss[group:i], func(p Syscall) bool { return p.Number == s.Number })
				return errNumberTwice(i, s, ss[group+j].Name)
			}
			c.small[word] |= bit
			continue
		}
		_, byNr := c.maps(len(ss))
		if other, dup := byNr[archNr{s.Arch, s.Number}]; dup {
			return errNumberTwice(i, s, other)
		}
		byNr[archNr{s.Arch, s.Number}] = s.Name
	}
	return nil
}

func errListedTwice(i int, s *Syscall) error {
	return fmt.Errorf("syscall %d: %w: %s %s is listed twice", i, ErrInvalid, s.Arch, s.Name)
}

func errNumberTwice(i int, s *Syscall, other string) error {
	return fmt.Errorf("syscall %d: %w: %s number %d is both %s and %s", i, ErrInvalid, s.Arch, s.Number, other, s.Name)
}

// validateSyscall checks the fields shared by run entries and summary
// entries. archChecked skips the check of s.Arch, which passed it for
// the entry before.
func validateSyscall(s *Syscall, archChecked bool) error {
	if err := CheckName(s.Name); err != nil {
		return fmt.Errorf("%w: %w", ErrInvalid, err)
	}
	if !archChecked {
		if err := CheckArch(s.Arch); err != nil {
			return fmt.Errorf("%s: %w: %w", s.Name, ErrInvalid, err)
		}
	}
	if s.Number < 0 || s.Number > MaxNumber {
		return fmt.Errorf("%s %s: %w: number %d out of range", s.Arch, s.Name, ErrInvalid, s.Number)
	}
	if s.Count == 0 {
		return fmt.Errorf("%s %s: %w: count is 0 (a recorded call was made at least once)", s.Arch, s.Name, ErrInvalid)
	}
	if s.RuntimeCount > s.Count {
		return fmt.Errorf("%s %s: %w: runtime count %d is above the count %d", s.Arch, s.Name, ErrInvalid, s.RuntimeCount, s.Count)
	}
	for _, p := range s.Processes {
		if p == "" || len(p) > MaxProcessLen || strings.IndexByte(p, 0) >= 0 || !utf8.ValidString(p) {
			return fmt.Errorf("%s %s: %w: bad process name %q", s.Arch, s.Name, ErrInvalid, p)
		}
	}
	if err := checkArgs(s.Args, s.Count); err != nil {
		return fmt.Errorf("%s %s: %w: %w", s.Arch, s.Name, ErrInvalid, err)
	}
	return nil
}

// checkArgs checks the recorded arguments of a call made count times.
func checkArgs(as []Arg, count uint64) error {
	for i, a := range as {
		if a.Index < 0 || a.Index > MaxArgIndex {
			return fmt.Errorf("args[%d]: index %d out of range (0-%d)", i, a.Index, MaxArgIndex)
		}
		if i > 0 && as[i-1].Index >= a.Index {
			return fmt.Errorf("args[%d]: index %d after %d: args must be sorted by index, one entry per index", i, a.Index, as[i-1].Index)
		}
		switch a.Kind {
		case ArgValues:
			if a.Flags != 0 {
				return fmt.Errorf("args[%d]: flags are only for kind %s", i, ArgNamespaceFlags)
			}
			if len(a.Values) == 0 && a.Overflow == 0 {
				return fmt.Errorf("args[%d]: no value and no overflow: every recorded call has one or the other", i)
			}
			total := a.Overflow
			for j, v := range a.Values {
				if v.Count == 0 {
					return fmt.Errorf("args[%d].values[%d]: count is 0", i, j)
				}
				if j > 0 && a.Values[j-1].Value >= v.Value {
					return fmt.Errorf("args[%d].values[%d]: value %d after %d: values must be sorted and distinct", i, j, v.Value, a.Values[j-1].Value)
				}
				if total > math.MaxUint64-v.Count {
					total = math.MaxUint64
				} else {
					total += v.Count
				}
			}
			if total > count {
				return fmt.Errorf("args[%d]: values and overflow count %d calls, more than the %d made", i, total, count)
			}
		case ArgNamespaceFlags:
			if len(a.Values) > 0 || a.Overflow != 0 {
				return fmt.Errorf("args[%d]: values and overflow are only for kind %s", i, ArgValues)
			}
			if extra := a.Flags &^ args.NamespaceMask; extra != 0 {
				return fmt.Errorf("args[%d]: flags %#x hold bits other than CLONE_NEW* (%#x)", i, a.Flags, extra)
			}
		default:
			return fmt.Errorf("args[%d]: unknown kind %q (want %s or %s)", i, a.Kind, ArgValues, ArgNamespaceFlags)
		}
	}
	return nil
}

// CheckName reports whether name looks like a libseccomp syscall name:
// 1 to MaxNameLen bytes of lowercase ASCII letters, digits and
// underscores, not starting with a digit. It does not look the name up.
func CheckName(name string) error {
	if name == "" {
		return errors.New("syscall name is empty")
	}
	if len(name) > MaxNameLen {
		return fmt.Errorf("syscall name %.20q... is longer than %d bytes", name, MaxNameLen)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c == '_':
		case c >= '0' && c <= '9' && i > 0:
		default:
			return fmt.Errorf("syscall name %q has invalid character %q", name, c)
		}
	}
	return nil
}

// CheckArch reports whether arch looks like a concrete libseccomp
// architecture as written in profiles: "SCMP_ARCH_" followed by uppercase
// letters, digits and underscores. SCMP_ARCH_NATIVE is rejected: a
// recorded call always has a concrete architecture. Whether the
// architecture is one libseccomp supports is for the compiler to decide.
func CheckArch(arch string) error {
	rest, ok := strings.CutPrefix(arch, "SCMP_ARCH_")
	if !ok || rest == "" || len(arch) > MaxNameLen {
		return fmt.Errorf("architecture %q is not of the form SCMP_ARCH_*", arch)
	}
	if rest == "NATIVE" {
		return errors.New("architecture SCMP_ARCH_NATIVE is not a recorded architecture")
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return fmt.Errorf("architecture %q has invalid character %q", arch, c)
		}
	}
	return nil
}

// checkText bounds provenance strings.
func checkText(s string) error {
	if len(s) > MaxTextLen {
		return fmt.Errorf("is longer than %d bytes", MaxTextLen)
	}
	if strings.IndexByte(s, 0) >= 0 {
		return errors.New("contains a NUL byte")
	}
	return nil
}

// crossCheck verifies properties spanning runs, each of which passed
// runChecker.check: unique identities, one number per arch and name, and
// one kind per argument.
func crossCheck(runs []Run) error {
	if len(runs) < 2 {
		// check has made sure that a run agrees with itself.
		return nil
	}
	seen := make(map[identity]bool, len(runs))
	nr := make(map[archName]int)
	var kinds map[argKey]ArgKind
	for _, r := range runs {
		id := identityOf(r)
		if seen[id] {
			return fmt.Errorf("%w: %s appears twice", ErrConflict, describe(r))
		}
		seen[id] = true
		for _, s := range r.Syscalls {
			k := archName{s.Arch, s.Name}
			if n, ok := nr[k]; ok && n != s.Number {
				return fmt.Errorf("%w: %s %s has number %d in one run and %d in another (%s)",
					ErrInvalid, s.Arch, s.Name, n, s.Number, describe(r))
			}
			nr[k] = s.Number
			for _, a := range s.Args {
				if kinds == nil {
					kinds = make(map[argKey]ArgKind)
				}
				ak := argKey{k, a.Index}
				if kind, ok := kinds[ak]; ok && kind != a.Kind {
					return fmt.Errorf("%w: %s %s argument %d is %s in one run and %s in another (%s)",
						ErrInvalid, s.Arch, s.Name, a.Index, kind, a.Kind, describe(r))
				}
				kinds[ak] = a.Kind
			}
		}
	}
	return nil
}

// argKey names one argument of one call on one architecture.
type argKey struct {
	archName
	index int
}

// compareSummary explains the first difference between a summary read
// from a file and the one computed from its runs. Both are sorted.
func compareSummary(given, want []Syscall) error {
	for i := 0; i < len(given) || i < len(want); i++ {
		switch {
		case i >= len(given):
			return fmt.Errorf("%w: %s %s is missing from the summary", ErrSummary, want[i].Arch, want[i].Name)
		case i >= len(want):
			return fmt.Errorf("%w: %s %s is in the summary but in no run", ErrSummary, given[i].Arch, given[i].Name)
		}
		g, w := given[i], want[i]
		if g.Arch != w.Arch || g.Name != w.Name {
			if compareSyscalls(g, w) < 0 {
				return fmt.Errorf("%w: %s %s is in the summary but in no run", ErrSummary, g.Arch, g.Name)
			}
			return fmt.Errorf("%w: %s %s is missing from the summary", ErrSummary, w.Arch, w.Name)
		}
		switch {
		case g.Number != w.Number:
			return fmt.Errorf("%w: %s %s: number %d in the summary, %d in the runs", ErrSummary, g.Arch, g.Name, g.Number, w.Number)
		case g.Count != w.Count:
			return fmt.Errorf("%w: %s %s: count %d in the summary, %d in the runs", ErrSummary, g.Arch, g.Name, g.Count, w.Count)
		case g.RuntimeCount != w.RuntimeCount:
			return fmt.Errorf("%w: %s %s: runtime count %d in the summary, %d in the runs", ErrSummary, g.Arch, g.Name, g.RuntimeCount, w.RuntimeCount)
		case !argsEqual(g.Args, w.Args):
			return fmt.Errorf("%w: %s %s: args differ from those of the runs", ErrSummary, g.Arch, g.Name)
		case g.Runs != w.Runs:
			return fmt.Errorf("%w: %s %s: made by %d runs in the summary, %d in the runs", ErrSummary, g.Arch, g.Name, g.Runs, w.Runs)
		case !slices.Equal(g.Processes, w.Processes):
			return fmt.Errorf("%w: %s %s: processes %v in the summary, %v in the runs", ErrSummary, g.Arch, g.Name, g.Processes, w.Processes)
		}
	}
	return nil
}

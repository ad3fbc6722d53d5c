package trace

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/jsonfile"
)

// New returns a trace holding copies of runs, normalised, with the summary
// computed from them.
//
// New does not validate: the hook uses it on data it just recorded, and
// Marshal, Merge and the compiler call Validate before relying on a trace.
// Summary counts that would overflow a uint64 saturate at math.MaxUint64;
// Validate reports them.
func New(runs ...Run) *Trace {
	norm := make([]Run, 0, len(runs))
	for _, r := range runs {
		norm = append(norm, normRun(r))
	}
	t, _, _ := build(norm, false)
	return t
}

// build makes a trace of normalised runs, taking ownership of the slice:
// it sorts the runs and computes the summary. ok is false when a summed
// count saturated. With check set, err is what crossCheck reports of the
// sorted runs, found while summarising them; it means something only
// once each run has passed runChecker.check.
func build(norm []Run, check bool) (t *Trace, ok bool, err error) {
	slices.SortStableFunc(norm, compareRuns)
	t = &Trace{Version: Version, Runs: norm}
	if len(norm) == 1 {
		if sum, one := summariseOne(norm[0]); one {
			// A single run that passed check agrees with itself.
			t.Syscalls = sum
			return t, true, nil
		}
	}
	t.Syscalls, ok, err = summary(norm, check)
	return t, ok, err
}

// Merge returns the union of the runs of traces as one trace.
//
// A run identical to one already present is kept once, so Merge is
// commutative, associative and idempotent: Merge(a, b), Merge(b, a) and
// Merge(Merge(a, b), b) marshal to the same bytes. Two runs with the same
// identity (container ID and start time) but different content cannot both
// be right and are an error, as are runs that fail the checks of Validate
// and runs that give the same syscall different numbers. The summaries of
// the inputs are ignored: the result's is computed from the merged runs.
// Merge with no traces returns an empty trace.
func Merge(traces ...*Trace) (*Trace, error) {
	m, _, err := merge(traces, true)
	return m, err
}

// MergeMarshal returns Marshal(Merge(traces...)), or the error of the
// first that fails, doing the work once that the two would do twice: the
// runs Merge has checked, normalised and summarised are not checked,
// copied and summarised again. Merging a thousand one-run traces, that
// was a tenth of the time.
func MergeMarshal(traces ...*Trace) ([]byte, error) {
	m, err := MergeFile(traces...)
	if err != nil {
		return nil, err
	}
	return encode(m.t)
}

// Merged is a merged trace ready to be written as a file, by
// MergeFile: it holds what MergeMarshal would return before encoding it.
type Merged struct {
	t *Trace
}

// MergeFile does what MergeMarshal does but the encoding: it returns its
// errors, or the merged trace to write with WriteTo.
func MergeFile(traces ...*Trace) (*Merged, error) {
	m, copied, err := merge(traces, false)
	if err != nil {
		return nil, err
	}
	if copied {
		// Merge checks runs before it normalises them, Marshal after:
		// text made valid UTF-8 may have grown too long. (What spans
		// runs merge has checked on these very runs.)
		if err := m.checkRuns(); err != nil {
			return nil, fmt.Errorf("marshal trace: %w", err)
		}
	}
	if m.Runs == nil {
		m.Runs = []Run{} // "runs": [], as Marshal writes no runs
	}
	return &Merged{t: m}, nil
}

// WriteTo writes the file MergeMarshal returns to w, in pieces as it
// encodes it (see jsonfile.WriteLast), so that writing a large merge to a
// file overlaps its encoding.
func (m *Merged) WriteTo(w io.Writer) (int64, error) {
	head := *m.t
	head.Runs = []Run{}
	n, err := jsonfile.WriteLast(w, &head, m.t.Runs, encodedSize(m.t))
	if err != nil {
		return n, fmt.Errorf("marshal trace: %w", err)
	}
	return n, nil
}

// merge is Merge. With copyRuns unset, the result shares the memory of runs
// that are in normal form already (see normal) and copied reports
// whether any run was not.
func merge(traces []*Trace, copyRuns bool) (m *Trace, copied bool, err error) {
	// Each run is checked and put in normal form on its own, all of them
	// in parallel (eachRun); what spans runs is done after, in order.
	start := make([]int, len(traces)+1) // the runs of traces[i] are all[start[i]:start[i+1]]
	var all []Run
	for i, t := range traces {
		start[i] = len(all)
		if t != nil && t.Version == Version {
			all = append(all, t.Runs...)
		}
	}
	start[len(traces)] = len(all)
	errs := make([]error, len(all))
	normed := make([]bool, len(all))
	eachRun(len(all), func(c *runChecker, k int) {
		if errs[k] = c.check(all[k]); errs[k] == nil && (copyRuns || !isNormal(all[k])) {
			all[k], normed[k] = normRun(all[k]), true
		}
	})

	var runs []Run
	var origin []int // origin[k] is the trace runs[k] came from
	byID := make(map[identity]int)
	for i, t := range traces {
		if t == nil {
			return nil, false, &InputError{Index: i, Other: -1, Err: errors.New("trace is nil")}
		}
		if t.Version != Version {
			return nil, false, &InputError{Index: i, Other: -1, Err: fmt.Errorf("%w %d (this build reads version %d)", ErrVersion, t.Version, Version)}
		}
		for j := range t.Runs {
			k := start[i] + j
			if errs[k] != nil {
				return nil, false, &InputError{Index: i, Other: -1, Err: fmt.Errorf("run %d (%s): %w", j, describe(t.Runs[j]), errs[k])}
			}
			r := all[k]
			copied = copied || normed[k]
			id := identityOf(r)
			k, ok := byID[id]
			if !ok {
				byID[id] = len(runs)
				runs = append(runs, r)
				origin = append(origin, i)
				continue
			}
			if !runsEqual(runs[k], r) {
				return nil, false, &InputError{Index: i, Other: origin[k], Err: fmt.Errorf("%w: %s", ErrConflict, describe(r))}
			}
		}
	}
	m, ok, err := build(runs, true)
	if err != nil {
		return nil, false, fmt.Errorf("merge traces: %w", err)
	}
	if !ok {
		return nil, false, fmt.Errorf("merge traces: %w", errOverflow)
	}
	return m, copied, nil
}

// InputError is returned by Merge for a problem with one of its inputs,
// so that callers can name the file it came from.
type InputError struct {
	// Index is the position of the faulty trace among Merge's arguments.
	Index int
	// Other is, for ErrConflict, the position of the trace holding the
	// run the faulty one conflicts with (possibly Index itself); -1
	// otherwise.
	Other int
	// Err is the problem.
	Err error
}

// Error names the input by position and says what is wrong with it.
func (e *InputError) Error() string {
	if e.Other >= 0 && e.Other != e.Index {
		return fmt.Sprintf("merge trace %d: %v (the run in trace %d differs)", e.Index, e.Err, e.Other)
	}
	return fmt.Sprintf("merge trace %d: %v", e.Index, e.Err)
}

// Unwrap returns the problem, for errors.Is and errors.As.
func (e *InputError) Unwrap() error { return e.Err }

// ErrConflict is returned by Merge and Parse when two runs share an
// identity (container ID and start time) but differ in content.
var ErrConflict = errors.New("conflicting runs with the same container ID and start time")

// identity is what makes a run unique: the container and when tracing
// started. Seconds and nanoseconds rather than UnixNano, which overflows
// outside 1678-2262.
type identity struct {
	id   string
	sec  int64
	nsec int
}

func identityOf(r Run) identity {
	return identity{id: r.ContainerID, sec: r.Start.Unix(), nsec: r.Start.Nanosecond()}
}

// describe names a run in error messages.
func describe(r Run) string {
	id := r.ContainerID
	if id == "" {
		id = "(no ID)"
	}
	return fmt.Sprintf("container %s started %s", id, r.Start.UTC().Format(time.RFC3339Nano))
}

// normRun returns a deep copy of r in normal form: times in UTC without a
// monotonic reading, text as valid UTF-8 (what a JSON round trip would
// produce anyway), empty slices as nil, syscalls sorted by arch, name and
// number, and process names sorted without duplicates.
func normRun(r Run) Run {
	n := Run{
		ContainerID:     validUTF8(r.ContainerID),
		Image:           validUTF8(r.Image),
		Node:            validUTF8(r.Node),
		Namespace:       validUTF8(r.Namespace),
		Pod:             validUTF8(r.Pod),
		Container:       validUTF8(r.Container),
		Runtime:         validUTF8(r.Runtime),
		NoNewPrivileges: r.NoNewPrivileges,
		Start:           r.Start.UTC(),
		End:             r.End.UTC(),
		Hook:            validUTF8(r.Hook),
	}
	if len(r.Command) > 0 {
		n.Command = make([]string, len(r.Command))
		for i, a := range r.Command {
			n.Command[i] = validUTF8(a)
		}
	}
	n.Syscalls = make([]Syscall, len(r.Syscalls))
	// The process lists of the run share one array: one allocation per run
	// rather than one per syscall, which showed when merging many runs.
	total := 0
	for _, s := range r.Syscalls {
		total += len(s.Processes)
	}
	procs := make([]string, 0, total)
	for i, s := range r.Syscalls {
		start := len(procs)
		procs = appendProcesses(procs, s.Processes)
		s.Processes = nil
		if len(procs) > start {
			s.Processes = procs[start:len(procs):len(procs)]
		}
		s.Args = normArgs(s.Args)
		n.Syscalls[i] = s
	}
	slices.SortStableFunc(n.Syscalls, compareSyscalls)
	return n
}

// validUTF8 replaces the bytes of s that are not UTF-8 by U+FFFD, as a
// JSON round trip would.
func validUTF8(s string) string { return strings.ToValidUTF8(s, "\uFFFD") }

// normArgs returns a deep copy of as sorted by index, each argument's
// values sorted by value, empty lists as nil. It neither merges nor drops
// duplicates: Validate reports them.
func normArgs(as []Arg) []Arg {
	if len(as) == 0 {
		return nil
	}
	out := make([]Arg, len(as))
	for i, a := range as {
		if len(a.Values) == 0 {
			a.Values = nil
		} else {
			a.Values = slices.Clone(a.Values)
			slices.SortStableFunc(a.Values, func(x, y ArgValue) int { return cmp.Compare(x.Value, y.Value) })
		}
		out[i] = a
	}
	slices.SortStableFunc(out, func(x, y Arg) int { return cmp.Compare(x.Index, y.Index) })
	return out
}

// argsNormal reports whether normArgs(as) would equal as.
func argsNormal(as []Arg) bool {
	if as != nil && len(as) == 0 {
		return false
	}
	for i, a := range as {
		if i > 0 && as[i-1].Index > a.Index || a.Values != nil && len(a.Values) == 0 {
			return false
		}
		for j := 1; j < len(a.Values); j++ {
			if a.Values[j-1].Value > a.Values[j].Value {
				return false
			}
		}
	}
	return true
}

// normal returns r in normal form, as normRun does, but returns r itself
// when it is in normal form already: the result may share memory with r.
func normal(r Run) Run {
	if isNormal(r) {
		return r
	}
	return normRun(r)
}

// isNormal reports whether normRun(r) would equal r.
func isNormal(r Run) bool {
	// Comparing times with == is deliberate: the representation matters
	// here (UTC, no monotonic reading), not only the instant.
	if r.Start != r.Start.UTC() || r.End != r.End.UTC() ||
		r.Command != nil && len(r.Command) == 0 || r.Syscalls == nil {
		return false
	}
	for _, t := range []string{r.ContainerID, r.Image, r.Hook, r.Node, r.Namespace, r.Pod, r.Container, r.Runtime} {
		if !utf8.ValidString(t) {
			return false
		}
	}
	for _, a := range r.Command {
		if !utf8.ValidString(a) {
			return false
		}
	}
	for _, s := range r.Syscalls {
		if !processesNormal(s.Processes) || !argsNormal(s.Args) {
			return false
		}
	}
	return slices.IsSortedFunc(r.Syscalls, compareSyscalls)
}

// processesNormal reports whether normProcesses(names) would equal names.
func processesNormal(names []string) bool {
	if names != nil && len(names) == 0 {
		return false
	}
	for i, p := range names {
		if !utf8.ValidString(p) || i > 0 && names[i-1] >= p {
			return false
		}
	}
	return true
}

func normSyscall(s Syscall) Syscall {
	s.Processes = normProcesses(s.Processes)
	s.Args = normArgs(s.Args)
	return s
}

// normProcesses returns a sorted, duplicate-free copy of names, or nil.
func normProcesses(names []string) []string {
	if len(names) == 0 {
		return nil
	}
	return appendProcesses(make([]string, 0, len(names)), names)
}

// appendProcesses appends names to dst as valid UTF-8, sorted and without
// duplicates.
func appendProcesses(dst, names []string) []string {
	start := len(dst)
	for _, p := range names {
		dst = append(dst, strings.ToValidUTF8(p, "\uFFFD"))
	}
	added := dst[start:]
	slices.Sort(added)
	return dst[:start+len(slices.Compact(added))]
}

func compareSyscalls(a, b Syscall) int {
	return cmp.Or(
		cmp.Compare(a.Arch, b.Arch),
		cmp.Compare(a.Name, b.Name),
		cmp.Compare(a.Number, b.Number),
	)
}

// compareRuns orders runs by start time then container ID, the identity.
// The remaining keys only make the order total for invalid input with
// duplicate identities, so that even error messages are deterministic.
func compareRuns(a, b Run) int {
	return cmp.Or(
		a.Start.Compare(b.Start),
		cmp.Compare(a.ContainerID, b.ContainerID),
		a.End.Compare(b.End),
		cmp.Compare(a.Image, b.Image),
		cmp.Compare(a.Hook, b.Hook),
		slices.Compare(a.Command, b.Command),
		cmp.Compare(a.Node, b.Node),
		cmp.Compare(a.Namespace, b.Namespace),
		cmp.Compare(a.Pod, b.Pod),
		cmp.Compare(a.Container, b.Container),
		cmp.Compare(a.Runtime, b.Runtime),
		compareBool(a.NoNewPrivileges, b.NoNewPrivileges),
	)
}

func compareBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// summary derives the summary from runs: one entry per arch and name,
// counts and runtime counts summed, processes unioned, arguments merged
// (see Arg), Runs = how many runs made the call. The number comes from
// the first run, and so do argument kinds. Runs need not be normalised,
// but the values of their arguments must be sorted. ok is false when a
// count saturated.
//
// With check set, summary also checks what crossCheck checks, in the
// same order, and returns its first problem: that each run's identity is
// unique and that all runs agree with the first on each number and
// argument kind. The entries it finds for the summary are what crossCheck
// looks the runs up in: looking the 1,000 runs of a merged trace up twice
// took 35 ms, once 18 ms.
func summary(runs []Run, check bool) (sum []Syscall, ok bool, err error) {
	if sm := summariseParallel(runs, check); sm != nil {
		sum, ok = sm.result()
		return sum, ok, nil
	}
	sm := newSummer(check)
	for i := range runs {
		if err := sm.add(&runs[i]); err != nil {
			return nil, false, err
		}
	}
	sum, ok = sm.result()
	return sum, ok, nil
}

// summariseParallel is summary for many runs, in parallel: each worker
// summarises a range of them, and the ranges' summaries are added up in
// order. It returns nil, for summary to do it one run at a time, for
// fewer runs, and with check set, for runs in which crossCheck finds a
// problem: only that way is it the first problem. Summarising the 1,000
// runs of a merged trace took 15 to 20 ms on one CPU.
func summariseParallel(runs []Run, check bool) *summer {
	workers := min(runtime.GOMAXPROCS(0), len(runs)/minParallel)
	if workers < 2 {
		return nil
	}
	if check {
		seen := make(map[identity]bool, len(runs))
		for _, r := range runs {
			if seen[identityOf(r)] {
				return nil
			}
			seen[identityOf(r)] = true
		}
	}
	parts := make([]*summer, workers)
	var wg sync.WaitGroup
	for w := range parts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sm := newSummer(false)
			sm.check = check
			for i := w * len(runs) / workers; i < (w+1)*len(runs)/workers; i++ {
				if sm.add(&runs[i]) != nil {
					return
				}
			}
			parts[w] = sm
		}()
	}
	wg.Wait()
	for _, p := range parts[1:] {
		if parts[0] == nil || p == nil || !parts[0].addSummer(p) {
			return nil
		}
	}
	return parts[0]
}

// summer computes a summary one run at a time (see summary).
type summer struct {
	check bool
	ok    bool
	// Entries by architecture, then name: a run lists each
	// architecture's calls together, so an architecture's table is looked
	// up when the architecture changes rather than hashed with every name.
	tables map[string]map[string]int
	seen   map[identity]bool // with check, when identities are checked here
	sum    []Syscall
	procs  []stringSet
	args   [][]Arg // args[i] is what the runs recorded of sum[i]'s arguments
}

// newSummer returns a summer, which with check set cross-checks the runs
// it is given, identities included.
func newSummer(check bool) *summer {
	sm := &summer{check: check, ok: true, tables: make(map[string]map[string]int), sum: []Syscall{}}
	if check {
		sm.seen = make(map[identity]bool)
	}
	return sm
}

// entry returns the index of the entry of arch and name, adding one with
// number if there is none.
func (sm *summer) entry(arch, name string, number int) (i int, found bool) {
	table := sm.tables[arch]
	if table == nil {
		table = make(map[string]int)
		sm.tables[arch] = table
	}
	if i, found = table[name]; !found {
		i = len(sm.sum)
		table[name] = i
		sm.sum = append(sm.sum, Syscall{Name: name, Number: number, Arch: arch})
		sm.procs = append(sm.procs, stringSet{})
		sm.args = append(sm.args, nil)
	}
	return i, found
}

// add adds r, or with check set reports what crossCheck would of r and
// the runs added before. After an error, the summer must not be used.
func (sm *summer) add(r *Run) error {
	if sm.seen != nil {
		id := identityOf(*r)
		if sm.seen[id] {
			return fmt.Errorf("%w: %s appears twice", ErrConflict, describe(*r))
		}
		sm.seen[id] = true
	}
	var table map[string]int
	arch := ""
	for j := range r.Syscalls {
		s := &r.Syscalls[j]
		if table == nil || s.Arch != arch {
			arch, table = s.Arch, sm.tables[s.Arch]
		}
		i, found := table[s.Name]
		if !found {
			i, _ = sm.entry(s.Arch, s.Name, s.Number)
			table = sm.tables[arch]
		}
		e := &sm.sum[i]
		if sm.check && e.Number != s.Number {
			return fmt.Errorf("%w: %s %s has number %d in one run and %d in another (%s)",
				ErrInvalid, s.Arch, s.Name, e.Number, s.Number, describe(*r))
		}
		e.Count = addCount(e.Count, s.Count, &sm.ok)
		e.RuntimeCount = addCount(e.RuntimeCount, s.RuntimeCount, &sm.ok)
		e.Runs++
		for _, p := range s.Processes {
			sm.procs[i].add(p)
		}
		if len(s.Args) > 0 {
			if sm.check {
				if err := checkKinds(sm.args[i], *s, *r); err != nil {
					return err
				}
			}
			sm.args[i] = mergeArgs(sm.args[i], s.Args, &sm.ok)
		}
	}
	return nil
}

// addSummer adds the summary of other, of runs after sm's. With check
// set, it reports false for what crossCheck would find between them: a
// number or an argument kind that differs.
func (sm *summer) addSummer(other *summer) bool {
	for j := range other.sum {
		o := &other.sum[j]
		i, found := sm.entry(o.Arch, o.Name, o.Number)
		e := &sm.sum[i]
		if found && sm.check && e.Number != o.Number {
			return false
		}
		if found {
			e.Count = addCount(e.Count, o.Count, &sm.ok)
			e.RuntimeCount = addCount(e.RuntimeCount, o.RuntimeCount, &sm.ok)
		} else {
			e.Count, e.RuntimeCount = o.Count, o.RuntimeCount
		}
		e.Runs += o.Runs
		for _, p := range other.procs[j].list {
			sm.procs[i].add(p)
		}
		if len(other.args[j]) > 0 {
			if sm.check && kindMismatch(sm.args[i], other.args[j]) >= 0 {
				return false
			}
			sm.args[i] = mergeArgs(sm.args[i], other.args[j], &sm.ok)
		}
	}
	sm.ok = sm.ok && other.ok
	return true
}

// result returns the summary of the runs added, sorted; ok is false when
// a count saturated.
func (sm *summer) result() (sum []Syscall, ok bool) {
	for i := range sm.sum {
		sm.sum[i].Processes = normProcesses(sm.procs[i].list)
		if len(sm.args[i]) > 0 {
			sm.sum[i].Args = sm.args[i]
		}
	}
	slices.SortFunc(sm.sum, compareSyscalls)
	return sm.sum, sm.ok
}

// checkKinds is crossCheck's check of the argument kinds of s, made in
// run r, against acc, what the runs before recorded of its arguments.
func checkKinds(acc []Arg, s Syscall, r Run) error {
	if k := kindMismatch(acc, s.Args); k >= 0 {
		a := s.Args[k]
		j, _ := slices.BinarySearchFunc(acc, a.Index, func(x Arg, index int) int { return cmp.Compare(x.Index, index) })
		return fmt.Errorf("%w: %s %s argument %d is %s in one run and %s in another (%s)",
			ErrInvalid, s.Arch, s.Name, a.Index, acc[j].Kind, a.Kind, describe(r))
	}
	return nil
}

// kindMismatch returns the position in add of the first argument that acc
// has at the same index with another kind, or -1. acc is sorted by index.
func kindMismatch(acc, add []Arg) int {
	for k, a := range add {
		j, found := slices.BinarySearchFunc(acc, a.Index, func(x Arg, index int) int { return cmp.Compare(x.Index, index) })
		if found && acc[j].Kind != a.Kind {
			return k
		}
	}
	return -1
}

// summariseOne is summary for a single run in normal form, the trace
// the hook writes: its summary is its syscalls, each made by one run, so
// it copies them rather than looking each up in a map, which was a sixth
// of the time of parsing such a trace. ok is false, and summary must be
// used, when the run lists an architecture and name twice or a call lists
// an argument index twice, which summary merges (Validate reports
// them).
func summariseOne(r Run) (sum []Syscall, ok bool) {
	total := 0
	for i, s := range r.Syscalls {
		if i > 0 {
			if p := r.Syscalls[i-1]; p.Arch > s.Arch || p.Arch == s.Arch && p.Name >= s.Name {
				return nil, false
			}
		}
		for j := 1; j < len(s.Args); j++ {
			if s.Args[j-1].Index >= s.Args[j].Index {
				return nil, false
			}
		}
		total += len(s.Processes)
	}
	sum = make([]Syscall, len(r.Syscalls))
	// One array for the process lists, as in normRun.
	procs := make([]string, 0, total)
	for i, s := range r.Syscalls {
		e := Syscall{Name: s.Name, Number: s.Number, Arch: s.Arch, Count: s.Count, RuntimeCount: s.RuntimeCount, Runs: 1}
		if len(s.Processes) > 0 {
			start := len(procs)
			procs = append(procs, s.Processes...)
			e.Processes = procs[start:len(procs):len(procs)]
		}
		if len(s.Args) > 0 {
			e.Args = make([]Arg, len(s.Args))
			for j, a := range s.Args {
				a.Values = slices.Clone(a.Values)
				e.Args[j] = a
			}
		}
		sum[i] = e
	}
	return sum, true
}

// addCount returns a+b, saturating at math.MaxUint64 and clearing ok when
// it does.
func addCount(a, b uint64, ok *bool) uint64 {
	if a > math.MaxUint64-b {
		*ok = false
		return math.MaxUint64
	}
	return a + b
}

// mergeArgs merges the arguments add into acc, which it owns, and returns
// the result: an argument new to acc is copied in, one it has (same
// index) gets add's values unioned with counts summed, flags OR'ed and
// overflow summed. The kinds of one index are the same in a valid trace
// (crossCheck); should they differ, the first one's is kept. Both lists
// are sorted by index, their values by value.
func mergeArgs(acc, add []Arg, ok *bool) []Arg {
	for _, a := range add {
		i, found := slices.BinarySearchFunc(acc, a.Index, func(x Arg, index int) int { return cmp.Compare(x.Index, index) })
		if !found {
			a.Values = slices.Clone(a.Values)
			acc = slices.Insert(acc, i, a)
			continue
		}
		m := &acc[i]
		m.Flags |= a.Flags
		m.Overflow = addCount(m.Overflow, a.Overflow, ok)
		m.Values = mergeValues(m.Values, a.Values, ok)
	}
	return acc
}

// mergeValues returns the union of two sorted value lists, counts of a
// value in both summed.
func mergeValues(a, b []ArgValue, ok *bool) []ArgValue {
	if len(b) == 0 {
		return a
	}
	out := make([]ArgValue, 0, len(a)+len(b))
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i].Value < b[j].Value:
			out = append(out, a[i])
			i++
		case a[i].Value > b[j].Value:
			out = append(out, b[j])
			j++
		default:
			out = append(out, ArgValue{Value: a[i].Value, Count: addCount(a[i].Count, b[j].Count, ok)})
			i++
			j++
		}
	}
	out = append(out, a[i:]...)
	return append(out, b[j:]...)
}

// stringSet collects distinct strings in a slice, switching to a map
// once it grows: most syscalls are made by a handful of processes.
type stringSet struct {
	list []string
	m    map[string]struct{}
}

func (s *stringSet) add(v string) {
	if s.m != nil {
		if _, dup := s.m[v]; !dup {
			s.m[v] = struct{}{}
			s.list = append(s.list, v)
		}
		return
	}
	if slices.Contains(s.list, v) {
		return
	}
	s.list = append(s.list, v)
	if len(s.list) > 16 {
		s.m = make(map[string]struct{}, 2*len(s.list))
		for _, x := range s.list {
			s.m[x] = struct{}{}
		}
	}
}

// runsEqual reports whether two normalised runs have the same content.
func runsEqual(a, b Run) bool {
	return a.ContainerID == b.ContainerID &&
		a.Image == b.Image &&
		a.Hook == b.Hook &&
		a.Node == b.Node &&
		a.Namespace == b.Namespace &&
		a.Pod == b.Pod &&
		a.Container == b.Container &&
		a.Runtime == b.Runtime &&
		a.NoNewPrivileges == b.NoNewPrivileges &&
		a.Start.Equal(b.Start) &&
		a.End.Equal(b.End) &&
		slices.Equal(a.Command, b.Command) &&
		syscallsEqual(a.Syscalls, b.Syscalls)
}

func syscallsEqual(a, b []Syscall) bool {
	return slices.EqualFunc(a, b, func(x, y Syscall) bool {
		return x.Name == y.Name && x.Number == y.Number && x.Arch == y.Arch &&
			x.Count == y.Count && x.RuntimeCount == y.RuntimeCount && x.Runs == y.Runs &&
			slices.Equal(x.Processes, y.Processes) && argsEqual(x.Args, y.Args)
	})
}

// argsEqual reports whether two argument lists hold the same, nil and
// empty alike.
func argsEqual(a, b []Arg) bool {
	return slices.EqualFunc(a, b, func(x, y Arg) bool {
		return x.Index == y.Index && x.Kind == y.Kind && x.Flags == y.Flags &&
			x.Overflow == y.Overflow && slices.Equal(x.Values, y.Values)
	})
}

//go:build linux

package bpf

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"unsafe"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
	"golang.org/x/sys/unix"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/args"
)

// Layout of the maps: enum layout in recorder.bpf.c, as bpf2go emits it,
// in the types the Go code counts in.
const (
	maxTargets   = uint32(recorderLayoutMAX_TARGETS)
	nrSlots      = uint32(recorderLayoutNR_SLOTS)
	nrABIs       = int(recorderLayoutNR_ABIS)
	calls        = uint32(recorderLayoutCALLS)        // per ABI, per syscall
	commEntries  = uint32(recorderLayoutCOMM_ENTRIES) // one per count
	countEntries = int(recorderLayoutCOUNT_ENTRIES)   // per phase (PRCTL, FILTER), part and call
	nrParts      = uint32(recorderLayoutNR_PARTS)
	commLen      = int(recorderLayoutCOMM_LEN)
	nrArgRows    = int(recorderLayoutNR_ARG_ROWS)
	argEntries   = int(recorderLayoutARG_ENTRIES) // per phase, ABI and row
)

// DefaultPinDir is where the shared recorder is pinned. Its last element is
// a digest of the compiled program, so a hook whose program differs pins
// beside, never over, one that is still tracing, and never reuses a stale
// pinned program.
var DefaultPinDir = filepath.Join("/sys/fs/bpf/oci-seccomp-bpf-hook", objectDigest())

func objectDigest() string {
	sum := sha256.Sum256(_RecorderBytes)
	return hex.EncodeToString(sum[:6])
}

// Other fixed names.
const (
	DefaultLockPath = "/run/oci-seccomp-bpf-hook/recorder.lock"
	linkPin         = "link"
	progPin         = recorderProgSysEnter
)

// ErrAlreadyTraced is returned by Attach when a live tracer already records
// the container, or the PID namespace a container owns.
var ErrAlreadyTraced = errors.New("pid namespace is already traced")

// Options configure Attach. The zero value shares the host-wide recorder.
type Options struct {
	// PinDir is the bpffs directory holding the shared program's link and
	// maps. Empty means DefaultPinDir.
	PinDir string
	// LockPath is the file locked while tracers join and leave. Empty means
	// DefaultLockPath.
	LockPath string
	// Private loads and attaches a program for this target alone instead
	// of joining the shared one. Every syscall on the host then runs one
	// program per private target, so it is meant for tests and for hosts
	// where bpffs cannot be mounted.
	Private bool
	// RecordNow records from the moment Attach returns, for a container
	// that is already running (the tracer run by hand), instead of from
	// the runtime's hand-over to the workload (see Phase).
	RecordNow bool
}

func (o Options) withDefaults() Options {
	if o.PinDir == "" {
		o.PinDir = DefaultPinDir
	}
	if o.LockPath == "" {
		o.LockPath = DefaultLockPath
	}
	return o
}

// Target records the syscalls of one container until Stop.
type Target struct {
	opts    Options
	ns      Namespaces
	slot    uint32
	objs    recorderObjects
	link    link.Link     // only for private targets
	prog    *ebpf.Program // the attached program
	missed  uint64        // its recursion misses when the target joined
	counts  *ebpf.Map
	comms   *ebpf.Map
	argsets *ebpf.Map
	// dirty says the slot's maps must be cleared before use (see join).
	dirty bool
	// loaded says load loaded the program rather than open the pinned one.
	loaded bool
	// written holds the keys of the entries of counts and argsets that
	// read found set, for scrub.
	written struct{ counts, argsets []uint32 }
}

// Attach starts recording the syscalls of the container in the
// namespaces ns (see ContainerNamespaces). Recording is live when Attach
// returns.
// The caller must call Stop, which also releases the shared program when
// the last target leaves.
//
// Requires root (CAP_BPF, CAP_PERFMON and CAP_SYS_ADMIN for bpffs), kernel
// BTF and at least Linux 5.12 (BPF_ATOMIC compare-and-exchange).
func Attach(ns Namespaces, opts Options) (_ *Target, err error) {
	opts = opts.withDefaults()
	t := &Target{opts: opts, ns: ns}

	if !opts.Private {
		if err := ensureBPFFS(opts.PinDir); err != nil {
			return nil, err
		}
		unlock, err := lockFile(opts.LockPath)
		if err != nil {
			return nil, err
		}
		defer unlock()
	}
	if err := t.load(); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			t.close()
		}
	}()
	if !opts.Private {
		if err := collectDead(&t.objs.recorderMaps); err != nil {
			return nil, err
		}
	}
	if err := t.join(); err != nil {
		return nil, err
	}
	return t, nil
}

// load opens the recorder's maps and program and makes sure the program
// is attached exactly once.
//
// Shared, the program and the maps stay pinned after the last target
// leaves (only the link goes, which detaches the program), so that the
// next tracer neither verifies the program nor creates maps: it opens the
// pins, and attaches the pinned program when no link is pinned. Only the
// first tracer after boot, or after a new hook version, loads the program.
func (t *Target) load() error {
	if !t.opts.Private {
		ok, err := t.openPinned()
		if err != nil {
			return err
		}
		if ok {
			return t.ensureAttached()
		}
	}

	// Only here is the object parsed (ELF, BTF, line and relocation
	// info): a tracer that joins the pinned recorder never parses it, not
	// even to create a slot's maps (innerMaps). For such a tracer that
	// parse was 270 KB of the 500 KB it allocated before it attached, all
	// garbage, and no GC runs that early.
	spec, err := loadRecorder()
	if err != nil {
		return fmt.Errorf("load recorder spec: %w", err)
	}
	if err := setSyscallNumbers(spec); err != nil {
		return err
	}
	if err := setArgTable(spec); err != nil {
		return err
	}
	opts := &ebpf.CollectionOptions{}
	if t.opts.Private {
		for _, m := range spec.Maps {
			m.Pinning = ebpf.PinNone
		}
	} else {
		opts.Maps.PinPath = t.opts.PinDir
	}
	if err := spec.LoadAndAssign(&t.objs, opts); err != nil {
		var ve *ebpf.VerifierError
		if errors.As(err, &ve) {
			return fmt.Errorf("load recorder: %+v", ve)
		}
		return fmt.Errorf("load recorder: %w", err)
	}
	t.loaded = true
	if t.opts.Private {
		l, err := link.AttachRawTracepoint(link.RawTracepointOptions{Name: "sys_enter", Program: t.objs.SysEnter})
		if err != nil {
			return fmt.Errorf("attach raw tracepoint sys_enter: %w", err)
		}
		t.link = l
		return t.watch(t.objs.SysEnter)
	}
	if err := t.objs.SysEnter.Pin(filepath.Join(t.opts.PinDir, progPin)); err != nil {
		return fmt.Errorf("pin program: %w", err)
	}
	return t.ensureAttached()
}

// Loaded reports whether Attach loaded the recorder's program, as the
// first tracer after boot or after a new hook version does (and every
// private target), rather than open the pinned one. Loading parses the
// kernel's BTF for the program's relocations.
func (t *Target) Loaded() bool { return t.loaded }

// watch keeps a handle on the attached program and notes how many of its
// runs the kernel has skipped so far (see Result.Missed).
func (t *Target) watch(prog *ebpf.Program) error {
	clone, err := prog.Clone()
	if err != nil {
		return fmt.Errorf("clone program: %w", err)
	}
	t.prog = clone
	t.missed, err = recursionMisses(clone)
	return err
}

func recursionMisses(prog *ebpf.Program) (uint64, error) {
	stats, err := prog.Stats()
	if err != nil {
		return 0, fmt.Errorf("program stats: %w", err)
	}
	return stats.RecursionMisses, nil
}

// join allocates a slot, creates the per-target maps and publishes the
// target, last, so that the program never sees a target without its maps.
func (t *Target) join() error {
	all, err := allTargets(&t.objs.recorderMaps)
	if err != nil {
		return err
	}
	for _, other := range all {
		if other.PID != t.ns.PID {
			continue
		}
		// A namespace its container owns has that one target; a shared one
		// one per container, told apart by mount namespace. A target that
		// owns the namespace counts every call made in it, so it cannot
		// become shared: a container joining another's PID namespace
		// (podman --pid=container:X) is refused while X is traced.
		if !t.ns.Shared || !other.Shared || other.Mount == t.ns.Mount {
			return fmt.Errorf("pid namespace %d: %w", t.ns.PID, ErrAlreadyTraced)
		}
	}
	slot, err := freeSlot(all)
	if err != nil {
		return err
	}
	t.slot = slot
	// A slot whose last target left through Stop was scrubbed there, after
	// its container's last call: joining it clears nothing, which keeps
	// clearing its maps (25,000 entries) out of the container's start.
	// Only a slot whose tracer died is cleared here.
	var prev recorderTarget
	t.dirty = t.objs.States.Lookup(slot, &prev) != nil || prev.Clean == 0

	if t.counts, err = t.slotMap(t.objs.Counts, recorderMapCounts, slot); err != nil {
		return err
	}
	if t.comms, err = t.slotMap(t.objs.Comms, recorderMapComms, slot); err != nil {
		return err
	}
	if t.argsets, err = t.slotMap(t.objs.Argsets, recorderMapArgsets, slot); err != nil {
		return err
	}
	start, err := processStart(os.Getpid())
	if err != nil {
		return err
	}
	v := recorderTarget{Slot: slot, Owner: uint32(os.Getpid()), OwnerStart: start, Mntns: t.ns.Mount}
	if t.ns.Shared {
		v.Shared = 1
	}
	if t.opts.RecordNow {
		// Past the hand-over already: PRCTL records every call, and a
		// filter installed later by the workload changes nothing, as
		// execed says the workload runs.
		v.Phase, v.Execed = recorderPhasePHASE_PRCTL, 1
	}
	return publish(&t.objs.recorderMaps, t.ns, slot, v)
}

// slotMap returns the inner map of outer at slot, cleared, creating it on
// the slot's first use. Slots keep their inner maps when targets leave:
// changing an array of maps from user space waits for an RCU grace period
// (about 10 ms here, twice per join and twice per leave), while clearing a
// map does not.
func (t *Target) slotMap(outer *ebpf.Map, name string, slot uint32) (*ebpf.Map, error) {
	var m *ebpf.Map
	err := outer.Lookup(slot, &m)
	if errors.Is(err, ebpf.ErrKeyNotExist) {
		spec, ok := innerMaps[name]
		if !ok {
			return nil, fmt.Errorf("recorder has no inner map for %s", name)
		}
		if m, err = ebpf.NewMap(spec.Copy()); err != nil {
			return nil, fmt.Errorf("create %s map: %w", name, err)
		}
		if err := outer.Update(slot, m, ebpf.UpdateAny); err != nil {
			m.Close()
			return nil, fmt.Errorf("insert %s map: %w", name, err)
		}
		return m, nil
	} else if err != nil {
		return nil, fmt.Errorf("look up %s map of slot %d: %w", name, slot, err)
	}
	if !t.dirty {
		return m, nil
	}
	if err := clearMap(m); err != nil {
		m.Close()
		return nil, fmt.Errorf("clear %s map of slot %d: %w", name, slot, err)
	}
	return m, nil
}

// innerMaps are the inner maps of the outer maps a slot indexes, as
// recorder.bpf.c declares them (TestInnerMaps checks them against the
// object). Written out rather than taken from the parsed object, so that
// a tracer creating a slot's maps does not parse the object: that parse
// put such tracers' peak RSS about 0.9 MiB over the others' (make bench,
// 32 containers traced: 9.2 MiB max against 8.5 median). They carry no
// BTF, which nothing reads.
var innerMaps = map[string]*ebpf.MapSpec{
	recorderMapCounts: {
		Type: ebpf.PerCPUArray, KeySize: 4, ValueSize: 8,
		MaxEntries: uint32(recorderLayoutCOUNT_ENTRIES),
	},
	recorderMapComms: {
		Type: ebpf.Array, KeySize: 4, ValueSize: uint32(recorderLayoutCOMM_LEN),
		MaxEntries: uint32(recorderLayoutCOMM_ENTRIES),
	},
	recorderMapArgsets: {
		Type: ebpf.PerCPUArray, KeySize: 4, ValueSize: uint32(unsafe.Sizeof(recorderArgSet{})),
		MaxEntries: uint32(recorderLayoutARG_ENTRIES),
	},
}

// clearMap sets every value of a slot's inner map (counts, comms or
// argsets) to zero.
func clearMap(m *ebpf.Map) error {
	keys := make([]uint32, m.MaxEntries())
	for i := range keys {
		keys[i] = uint32(i)
	}
	ncpu, err := ebpf.PossibleCPU()
	if err != nil {
		return err
	}
	// The three inner layouts: process names, per-CPU u64 counters and
	// per-CPU argument sets.
	var values any
	switch {
	case m.Type() != ebpf.PerCPUArray:
		values = make([][commLen]byte, len(keys))
	case m.ValueSize() == 8:
		values = make([]uint64, len(keys)*ncpu)
	default:
		values = make([]recorderArgSet, len(keys)*ncpu)
	}
	_, err = m.BatchUpdate(keys, values, nil)
	return err
}

// freeSlot returns the lowest slot no target uses.
func freeSlot(all map[uint32]Namespaces) (uint32, error) {
	used := make(map[uint32]bool)
	for slot := range all {
		used[slot] = true
	}
	for s := uint32(0); s < maxTargets; s++ {
		if !used[s] {
			return s, nil
		}
	}
	return 0, fmt.Errorf("all %d trace slots are in use", maxTargets)
}

// collectDead removes targets whose tracer died without leaving, so that a
// killed tracer cannot keep the program attached or a slot taken forever.
func collectDead(maps *recorderMaps) error {
	all, err := allTargets(maps)
	if err != nil {
		return err
	}
	for slot, ns := range all {
		var v recorderTarget
		if err := maps.States.Lookup(slot, &v); err != nil {
			return fmt.Errorf("read target state: %w", err)
		}
		if start, err := processStart(int(v.Owner)); err == nil && start == v.OwnerStart {
			continue
		}
		// The slot's maps stay for the next target, which clears them.
		if _, err := unpublish(maps, ns); err != nil {
			return err
		}
	}
	return nil
}

// Stop ends recording and returns what was recorded. When the last shared
// target leaves, the program is detached and the pins are removed.
func (t *Target) Stop() (*Result, error) {
	defer t.close()
	if !t.opts.Private {
		unlock, err := lockFile(t.opts.LockPath)
		if err != nil {
			return nil, err
		}
		defer unlock()
	}

	slot, err := unpublish(&t.objs.recorderMaps, t.ns)
	if err != nil {
		return nil, err
	}
	var v recorderTarget
	if err := t.objs.States.Lookup(slot, &v); err != nil {
		return nil, fmt.Errorf("read target state: %w", err)
	}

	res, err := t.read(v)
	if err != nil {
		return nil, err
	}
	if err := t.scrub(slot); err != nil {
		return nil, err
	}
	missed, err := recursionMisses(t.prog)
	if err != nil {
		return nil, err
	}
	res.Missed = missed - t.missed
	if !t.opts.Private {
		if err := releaseIfLast(&t.objs.recorderMaps, t.opts.PinDir); err != nil {
			return nil, err
		}
	}
	return res, nil
}

// read collects the target's counters and arguments. Each call is
// reported once, with the counts of the phase the target reached.
func (t *Target) read(v recorderTarget) (*Result, error) {
	res := &Result{Phase: Phase(v.Phase), Lost: v.Lost, Unknown: v.Unknown}
	if res.Phase == PhaseWaiting {
		return res, nil
	}
	ncpu, err := ebpf.PossibleCPU()
	if err != nil {
		return nil, fmt.Errorf("possible cpus: %w", err)
	}
	values := make([]uint64, countEntries*ncpu)
	if err := readAll(t.counts, countEntries, values); err != nil {
		return nil, fmt.Errorf("read counts: %w", err)
	}
	// sum adds up entry i over the CPUs.
	sum := func(i uint32) (total uint64) {
		for _, c := range values[int(i)*ncpu : int(i+1)*ncpu] {
			total += c
		}
		return total
	}
	for i := range countEntries {
		if sum(uint32(i)) != 0 {
			t.written.counts = append(t.written.counts, uint32(i))
		}
	}
	base := uint32(res.Phase-PhasePrctl) * nrParts * calls
	for i := range calls {
		runtime, workload := sum(base+i), sum(base+calls+i)
		if runtime+workload == 0 {
			continue
		}
		c := Call{ABI: ABI(i / nrSlots), Number: int(i % nrSlots), Count: runtime + workload, Runtime: runtime}
		for part, n := range []uint64{runtime, workload} {
			if n == 0 {
				continue
			}
			var comm [commLen]byte
			if err := t.comms.Lookup(base+uint32(part)*calls+i, &comm); err != nil {
				return nil, fmt.Errorf("read comm: %w", err)
			}
			if name := unix.ByteSliceToString(comm[:]); name != "" && !slices.Contains(c.Comms, name) {
				c.Comms = append(c.Comms, name)
			}
		}
		res.Calls = append(res.Calls, c)
	}
	sort.Slice(res.Calls, func(a, b int) bool {
		if res.Calls[a].ABI != res.Calls[b].ABI {
			return res.Calls[a].ABI < res.Calls[b].ABI
		}
		return res.Calls[a].Number < res.Calls[b].Number
	})
	if err := t.readArgs(res, ncpu); err != nil {
		return nil, err
	}
	return res, nil
}

// readArgs adds to res.Calls the arguments recorded in the kept phase:
// the sets of all CPUs merged.
func (t *Target) readArgs(res *Result, ncpu int) error {
	sets := make([]recorderArgSet, argEntries*ncpu)
	if err := readAll(t.argsets, argEntries, sets); err != nil {
		return fmt.Errorf("read argument sets: %w", err)
	}
	for key := range argEntries {
		if slices.ContainsFunc(sets[key*ncpu:(key+1)*ncpu], func(s recorderArgSet) bool { return s.N != 0 || s.Overflow != 0 }) {
			t.written.argsets = append(t.written.argsets, uint32(key))
		}
	}
	table, err := argTable()
	if err != nil {
		return err
	}
	for i := range res.Calls {
		c := &res.Calls[i]
		row := table.row[int(c.ABI)*int(nrSlots)+c.Number]
		if row == 0 {
			continue
		}
		r := table.rows[row-1]
		key := (int(res.Phase-PhasePrctl)*nrABIs+int(c.ABI))*nrArgRows + int(row-1)
		c.Args = []Arg{mergeSets(r.Index, r.Kind, sets[key*ncpu:(key+1)*ncpu])}
	}
	return nil
}

// mergeSets merges the per-CPU sets of one argument.
func mergeSets(index uint8, kind args.Kind, perCPU []recorderArgSet) Arg {
	a := Arg{Index: index, Kind: kind}
	counts := map[uint64]uint64{}
	for _, s := range perCPU {
		a.Overflow += uint64(s.Overflow)
		for j := range min(int(s.N), len(s.Value)) {
			if kind == args.NamespaceFlags {
				a.Flags |= s.Value[j]
				continue
			}
			counts[s.Value[j]] += s.Count[j]
		}
	}
	for _, v := range slices.Sorted(maps.Keys(counts)) {
		a.Values = append(a.Values, ArgValue{Value: v, Count: counts[v]})
	}
	return a
}

// scrub zeroes the entries of the slot's maps that read found set (names
// go with counts: both are keyed alike) and marks the slot clean, so that
// the next target to join it need not clear 25,000 entries while its
// container waits. It runs once the container's init has exited, when the
// kernel has reaped every process of its PID namespace, so no call of its
// can still be on its way into these maps.
func (t *Target) scrub(slot uint32) error {
	ncpu, err := ebpf.PossibleCPU()
	if err != nil {
		return err
	}
	for _, w := range []struct {
		m      *ebpf.Map
		keys   []uint32
		values any
	}{
		{t.counts, t.written.counts, make([]uint64, len(t.written.counts)*ncpu)},
		{t.comms, t.written.counts, make([][commLen]byte, len(t.written.counts))},
		{t.argsets, t.written.argsets, make([]recorderArgSet, len(t.written.argsets)*ncpu)},
	} {
		if len(w.keys) == 0 {
			continue
		}
		if _, err := w.m.BatchUpdate(w.keys, w.values, nil); err != nil {
			return fmt.Errorf("scrub slot %d: %w", slot, err)
		}
	}
	if err := t.objs.States.Update(slot, &recorderTarget{Slot: slot, Clean: 1}, ebpf.UpdateAny); err != nil {
		return fmt.Errorf("mark slot %d clean: %w", slot, err)
	}
	return nil
}

// readAll reads every entry of the array map m, which has n, into values
// (n of them per CPU for per-CPU maps).
func readAll(m *ebpf.Map, n int, values any) error {
	keys := make([]uint32, n)
	var cursor ebpf.MapBatchCursor
	got, err := m.BatchLookup(&cursor, keys, values, nil)
	if err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
		return err
	}
	if got != n {
		return fmt.Errorf("got %d of %d entries", got, n)
	}
	return nil
}

func (t *Target) close() {
	if t.link != nil {
		t.link.Close()
	}
	if t.prog != nil {
		t.prog.Close()
	}
	if t.counts != nil {
		t.counts.Close()
	}
	if t.comms != nil {
		t.comms.Close()
	}
	if t.argsets != nil {
		t.argsets.Close()
	}
	t.objs.Close()
}

//go:build linux

package bpf

import (
	"errors"
	"fmt"

	"github.com/cilium/ebpf"
)

// The program finds a target in three maps, which only change under the
// lock: targets (PID namespace inode -> slot, every target), buckets (a
// direct-mapped array that holds one target per low-bits bucket, so that
// the common lookup is an inlined array access) and states (per slot: the
// phase, counters and owner). Publishing writes the state, then the hash,
// then the bucket; unpublishing goes the other way, so the program never
// finds a target whose state is not ready.

// indexSize is the number of buckets: INDEX_SIZE in recorder.bpf.c.
const indexSize = uint32(recorderLayoutINDEX_SIZE)

func bucketOf(ns uint32) uint32 { return ns & (indexSize - 1) }

// bucketEntry is a buckets value: the inode in the high half, slot+1 in
// the low half (0 is an empty bucket).
func bucketEntry(ns, slot uint32) uint64 { return uint64(ns)<<32 | uint64(slot+1) }

// allTargets returns every target's slot by PID namespace inode.
func allTargets(m *ebpf.Map) (map[uint32]uint32, error) {
	all := make(map[uint32]uint32)
	var ns, slot uint32
	it := m.Iterate()
	for it.Next(&ns, &slot) {
		all[ns] = slot
	}
	if err := it.Err(); err != nil {
		return nil, fmt.Errorf("iterate targets: %w", err)
	}
	return all, nil
}

// publish makes target ns, recorded in slot, visible to the program.
func publish(maps *recorderMaps, ns, slot uint32, v recorderTarget) error {
	if err := maps.States.Update(slot, &v, ebpf.UpdateAny); err != nil {
		return fmt.Errorf("write target state: %w", err)
	}
	if err := maps.Targets.Update(ns, slot, ebpf.UpdateNoExist); err != nil {
		return fmt.Errorf("insert target: %w", err)
	}
	b := bucketOf(ns)
	var entry uint64
	if err := maps.Buckets.Lookup(b, &entry); err != nil {
		return fmt.Errorf("read bucket: %w", err)
	}
	if entry != 0 {
		// Taken by a namespace with the same low bits: the program finds
		// this one through the hash.
		return nil
	}
	if err := maps.Buckets.Update(b, bucketEntry(ns, slot), ebpf.UpdateAny); err != nil {
		return fmt.Errorf("write bucket: %w", err)
	}
	return nil
}

// unpublish hides target ns from the program and returns its slot. A
// bucket it held goes to another target of the same bucket, if any.
func unpublish(maps *recorderMaps, ns uint32) (uint32, error) {
	var slot uint32
	if err := maps.Targets.Lookup(ns, &slot); err != nil {
		return 0, fmt.Errorf("look up target: %w", err)
	}
	b := bucketOf(ns)
	var entry uint64
	if err := maps.Buckets.Lookup(b, &entry); err != nil {
		return 0, fmt.Errorf("read bucket: %w", err)
	}
	if entry == bucketEntry(ns, slot) {
		next := uint64(0)
		all, err := allTargets(maps.Targets)
		if err != nil {
			return 0, err
		}
		for other, s := range all {
			if other != ns && bucketOf(other) == b {
				next = bucketEntry(other, s)
				break
			}
		}
		if err := maps.Buckets.Update(b, next, ebpf.UpdateAny); err != nil {
			return 0, fmt.Errorf("write bucket: %w", err)
		}
	}
	if err := maps.Targets.Delete(ns); err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
		return 0, fmt.Errorf("remove target: %w", err)
	}
	return slot, nil
}

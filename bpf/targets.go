//go:build linux

package bpf

import (
	"errors"
	"fmt"

	"github.com/cilium/ebpf"
)

// The program finds a target in four maps, which only change under the
// lock:
//
//   - targets: PID namespace inode -> slot of one target of every traced
//     namespace, its "primary";
//   - buckets: a direct-mapped array holding one primary per low-bits
//     bucket, so that the common lookup is an inlined array access;
//   - mnt_targets: (PID namespace, mount namespace) -> slot of every
//     target of a shared PID namespace, which the program consults when
//     the primary it found is shared and the caller's mount namespace is
//     not the primary's;
//   - states: per slot, the phase, counters, owner and namespaces.
//
// Publishing writes the state, then mnt_targets, then the hash, then the
// bucket; unpublishing goes the other way, so the program never finds a
// target whose state is not ready. The program writes to a bucket too, but
// only to add a phase to the entry it read, with a compare-and-swap: an
// entry user space has replaced meanwhile stays as written.

// indexSize mirrors INDEX_SIZE in recorder.bpf.c.
const indexSize = uint32(recorderLayoutINDEX_SIZE)

func bucketOf(ns uint32) uint32 { return ns & (indexSize - 1) }

// bucketEntry is a buckets value as user space writes it: the inode in
// the high half, slot+1 in the low bits (0 is an empty bucket). The
// program adds the target's phase above slot+1 (bucketPhase) once the
// target's workload runs.
func bucketEntry(ns, slot uint32) uint64 { return uint64(ns)<<32 | uint64(slot+1) }

// bucketPhase is the part of a buckets value only the program writes.
const bucketPhase = uint64(0xffffffff) &^ uint64(recorderLayoutBUCKET_SLOT)

// mntKey is an mnt_targets key.
func mntKey(ns Namespaces) uint64 { return uint64(ns.PID)<<32 | uint64(ns.Mount) }

// allTargets returns the namespaces of every target, by slot.
func allTargets(maps *recorderMaps) (map[uint32]Namespaces, error) {
	all := make(map[uint32]Namespaces)
	var pidns, slot uint32
	it := maps.Targets.Iterate()
	for it.Next(&pidns, &slot) {
		var v recorderTarget
		if err := maps.States.Lookup(slot, &v); err != nil {
			return nil, fmt.Errorf("read target state: %w", err)
		}
		all[slot] = Namespaces{PID: pidns, Mount: v.Mntns, Shared: v.Shared != 0}
	}
	if err := it.Err(); err != nil {
		return nil, fmt.Errorf("iterate targets: %w", err)
	}
	var key uint64
	it = maps.MntTargets.Iterate()
	for it.Next(&key, &slot) {
		all[slot] = Namespaces{PID: uint32(key >> 32), Mount: uint32(key), Shared: true}
	}
	if err := it.Err(); err != nil {
		return nil, fmt.Errorf("iterate mnt_targets: %w", err)
	}
	return all, nil
}

// publish makes the target of ns, recorded in slot, visible to the
// program.
func publish(maps *recorderMaps, ns Namespaces, slot uint32, v recorderTarget) error {
	if err := maps.States.Update(slot, &v, ebpf.UpdateAny); err != nil {
		return fmt.Errorf("write target state: %w", err)
	}
	if ns.Shared {
		if err := maps.MntTargets.Update(mntKey(ns), slot, ebpf.UpdateNoExist); err != nil {
			return fmt.Errorf("insert target: %w", err)
		}
	}
	var primary uint32
	if err := maps.Targets.Lookup(ns.PID, &primary); err == nil {
		// A shared namespace with a primary already: the program gets
		// here through it and mnt_targets.
		return nil
	}
	if err := maps.Targets.Update(ns.PID, slot, ebpf.UpdateNoExist); err != nil {
		return fmt.Errorf("insert target: %w", err)
	}
	b := bucketOf(ns.PID)
	var entry uint64
	if err := maps.Buckets.Lookup(b, &entry); err != nil {
		return fmt.Errorf("read bucket: %w", err)
	}
	if entry != 0 {
		// Taken by a namespace with the same low bits: the program finds
		// this one through the hash.
		return nil
	}
	if err := maps.Buckets.Update(b, bucketEntry(ns.PID, slot), ebpf.UpdateAny); err != nil {
		return fmt.Errorf("write bucket: %w", err)
	}
	return nil
}

// unpublish hides the target of ns from the program and returns its
// slot. When it is its namespace's primary, another target of the same
// shared namespace takes its place; a bucket it held goes to that one or
// to another primary of the same bucket, if any.
func unpublish(maps *recorderMaps, ns Namespaces) (uint32, error) {
	var slot, primary uint32
	if err := maps.Targets.Lookup(ns.PID, &primary); err != nil {
		return 0, fmt.Errorf("look up target: %w", err)
	}
	slot = primary
	if ns.Shared {
		if err := maps.MntTargets.Lookup(mntKey(ns), &slot); err != nil {
			return 0, fmt.Errorf("look up target: %w", err)
		}
	}
	if slot != primary {
		// Not the primary: the program reaches it only through mnt_targets.
		return slot, deleteKey(maps.MntTargets, mntKey(ns))
	}
	all, err := allTargets(maps)
	if err != nil {
		return 0, err
	}
	heir, hasHeir := uint32(0), false
	for s, other := range all {
		if s != slot && other.PID == ns.PID {
			heir, hasHeir = s, true
			break
		}
	}
	b := bucketOf(ns.PID)
	var entry uint64
	if err := maps.Buckets.Lookup(b, &entry); err != nil {
		return 0, fmt.Errorf("read bucket: %w", err)
	}
	if entry&^bucketPhase == bucketEntry(ns.PID, slot) {
		next := uint64(0)
		if hasHeir {
			next = bucketEntry(ns.PID, heir)
		} else {
			for s, other := range all {
				if other.PID != ns.PID && bucketOf(other.PID) == b {
					var p uint32
					if maps.Targets.Lookup(other.PID, &p) == nil && p == s {
						next = bucketEntry(other.PID, s)
						break
					}
				}
			}
		}
		if err := maps.Buckets.Update(b, next, ebpf.UpdateAny); err != nil {
			return 0, fmt.Errorf("write bucket: %w", err)
		}
	}
	if hasHeir {
		if err := maps.Targets.Update(ns.PID, heir, ebpf.UpdateExist); err != nil {
			return 0, fmt.Errorf("write target: %w", err)
		}
	} else if err := deleteKey(maps.Targets, ns.PID); err != nil {
		return 0, err
	}
	if ns.Shared {
		return slot, deleteKey(maps.MntTargets, mntKey(ns))
	}
	return slot, nil
}

func deleteKey(m *ebpf.Map, key any) error {
	if err := m.Delete(key); err != nil && !errors.Is(err, ebpf.ErrKeyNotExist) {
		return fmt.Errorf("remove target: %w", err)
	}
	return nil
}

//go:build linux

package bpf

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
)

// The shared recorder lives in bpffs under Options.PinDir: the program
// (sys_enter) and its maps, pinned once loaded and kept, and the link that
// attaches the program, pinned only while a target is recorded. This file
// opens, attaches, detaches and removes those pins; callers hold the lock.

// openPinned opens the pinned program and maps of the shared recorder. It
// returns false, and opens nothing, unless all of them are pinned.
func (t *Target) openPinned() (bool, error) {
	var objs recorderObjects
	prog, err := ebpf.LoadPinnedProgram(filepath.Join(t.opts.PinDir, progPin), nil)
	if errors.Is(err, os.ErrNotExist) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("load pinned program: %w", err)
	}
	objs.SysEnter = prog
	for name, dst := range pinnedMaps(&objs.recorderMaps) {
		m, err := ebpf.LoadPinnedMap(filepath.Join(t.opts.PinDir, name), nil)
		if errors.Is(err, os.ErrNotExist) {
			objs.Close()
			return false, nil
		} else if err != nil {
			objs.Close()
			return false, fmt.Errorf("load pinned map %s: %w", name, err)
		}
		*dst = m
	}
	t.objs = objs
	return true, nil
}

// ensureAttached attaches the shared program unless a pinned link shows it
// is attached already, and watches it.
func (t *Target) ensureAttached() error {
	pin := filepath.Join(t.opts.PinDir, linkPin)
	l, err := link.LoadPinnedLink(pin, nil)
	if errors.Is(err, os.ErrNotExist) {
		l, err = link.AttachRawTracepoint(link.RawTracepointOptions{Name: "sys_enter", Program: t.objs.SysEnter})
		if err != nil {
			return fmt.Errorf("attach raw tracepoint sys_enter: %w", err)
		}
		if err := l.Pin(pin); err != nil {
			l.Close()
			return fmt.Errorf("pin link: %w", err)
		}
	} else if err != nil {
		return fmt.Errorf("load pinned link: %w", err)
	}
	defer l.Close()
	return t.watch(t.objs.SysEnter)
}

// Cleanup removes the targets of tracers that died without leaving and,
// when no target is left, detaches the shared program. It also removes the
// pins of other hook versions (sibling directories of PinDir) that have
// no attached program. The hook's poststop stage calls it, so a killed
// tracer does not leave the program attached until the next container is
// traced. It does nothing when no shared recorder is pinned.
func Cleanup(opts Options) error {
	opts = opts.withDefaults()
	if _, err := os.Stat(opts.PinDir); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	unlock, err := lockFile(opts.LockPath)
	if err != nil {
		return err
	}
	defer unlock()
	if err := purgeStale(opts.PinDir); err != nil {
		return err
	}
	t := &Target{opts: opts}
	ok, err := t.openPinned()
	if err != nil || !ok {
		return err
	}
	defer t.objs.Close()
	if err := collectDead(&t.objs.recorderMaps); err != nil {
		return err
	}
	return releaseIfLast(&t.objs.recorderMaps, opts.PinDir)
}

// Purge removes the shared recorder entirely: every pin in PinDir, which
// must have no live target. For tests and uninstallation.
func Purge(opts Options) error {
	opts = opts.withDefaults()
	if err := Cleanup(opts); err != nil {
		return err
	}
	unlock, err := lockFile(opts.LockPath)
	if err != nil {
		return err
	}
	defer unlock()
	if _, err := os.Stat(filepath.Join(opts.PinDir, linkPin)); err == nil {
		return fmt.Errorf("purge %s: the recorder is still attached for a live tracer", opts.PinDir)
	}
	return purge(opts.PinDir)
}

// purgeStale removes the pins of other versions beside pinDir that are not
// attached: a hook upgrade leaves its predecessor's program pinned.
func purgeStale(pinDir string) error {
	parent := filepath.Dir(pinDir)
	if parent != filepath.Dir(DefaultPinDir) {
		return nil
	}
	entries, err := os.ReadDir(parent)
	if err != nil {
		return nil
	}
	for _, e := range entries {
		dir := filepath.Join(parent, e.Name())
		if !e.IsDir() || dir == pinDir {
			continue
		}
		if _, err := os.Stat(filepath.Join(dir, linkPin)); err == nil {
			continue
		}
		if err := purge(dir); err != nil {
			return err
		}
	}
	return nil
}

// releaseIfLast detaches the shared program and removes every pin when no
// target is left. Callers hold the lock, so no tracer can join meanwhile.
func releaseIfLast(maps *recorderMaps, pinDir string) error {
	var ns, slot uint32
	it := maps.Targets.Iterate()
	if it.Next(&ns, &slot) {
		return nil
	}
	if err := it.Err(); err != nil {
		return fmt.Errorf("iterate targets: %w", err)
	}
	// Removing the last reference to the link detaches the program. The
	// program and the maps stay pinned for the next tracer.
	if err := os.Remove(filepath.Join(pinDir, linkPin)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("unpin link: %w", err)
	}
	return nil
}

// pinnedMaps names every map of the recorder, as pinned.
func pinnedMaps(m *recorderMaps) map[string]**ebpf.Map {
	return map[string]**ebpf.Map{
		recorderMapTargets: &m.Targets, recorderMapBuckets: &m.Buckets, recorderMapStates: &m.States,
		recorderMapMntTargets: &m.MntTargets, recorderMapCounts: &m.Counts, recorderMapComms: &m.Comms,
		recorderMapArgsets: &m.Argsets, recorderMapCpus: &m.Cpus,
	}
}

// pins are the names a recorder pins in its directory.
var pins = append([]string{linkPin, progPin}, slices.Sorted(maps.Keys(pinnedMaps(&recorderMaps{})))...)

// purge removes every pin of the recorder in dir, and dir. Callers hold
// the lock.
func purge(dir string) error {
	for _, name := range pins {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("unpin %s: %w", name, err)
		}
	}
	if err := os.Remove(dir); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("remove pin directory: %w", err)
	}
	return nil
}

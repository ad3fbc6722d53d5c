//go:build linux

package lifecycle

import (
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"time"

	"github.com/go-json-experiment/json"
	jsonv1 "github.com/go-json-experiment/json/v1"
	spec "github.com/opencontainers/runtime-spec/specs-go"
	"golang.org/x/sys/unix"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/bpf"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/hook/output"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/fsutil"
)

// impl is what the tracer needs from the kernel, the filesystem and the
// clock. defaultImpl is the real thing; unit tests fake it to make each
// step fail (the pattern of compiler/cli's impl).
type impl interface {
	// checkTraceable and namespaces: see bpf.CheckTraceable and
	// bpf.ContainerNamespaces.
	checkTraceable(pid int) error
	namespaces(pid int) (bpf.Namespaces, error)
	// alive reports whether the process behind pidfd still exists.
	alive(pidfd int) error
	// attach starts recording the PID namespace ns.
	attach(ns bpf.Namespaces, o bpf.Options) (recording, error)
	// waitExit blocks until the process behind pidfd exits, or the
	// tracer is told to stop.
	waitExit(pidfd int) error
	// now is the time, for the trace's provenance.
	now() time.Time
	// bundleCommand returns the container's command from its bundle, or
	// nil.
	bundleCommand(bundle string) []string
	// write writes the outputs, all or nothing.
	write(files ...output.File) error
}

// recording is an attached recorder (*bpf.Target).
type recording interface {
	Stop() (*bpf.Result, error)
}

type defaultImpl struct{}

func (defaultImpl) checkTraceable(pid int) error { return bpf.CheckTraceable(pid) }

func (defaultImpl) namespaces(pid int) (bpf.Namespaces, error) { return bpf.ContainerNamespaces(pid) }

func (defaultImpl) alive(pidfd int) error { return unix.PidfdSendSignal(pidfd, 0, nil, 0) }

func (defaultImpl) attach(ns bpf.Namespaces, o bpf.Options) (recording, error) {
	return bpf.Attach(ns, o)
}

func (defaultImpl) now() time.Time { return time.Now() }

func (defaultImpl) write(files ...output.File) error { return output.WriteAll(files...) }

func (defaultImpl) openPidfd(pid int) (int, error) {
	fd, err := unix.PidfdOpen(pid, 0)
	if err != nil {
		return -1, fmt.Errorf("open container process %d: %w", pid, err)
	}
	return fd, nil
}

func (defaultImpl) closeFD(fd int) { unix.Close(fd) }

// bundleCommand returns the container's process arguments from its OCI
// config, or nil when they cannot be read: provenance is best effort.
func (defaultImpl) bundleCommand(bundle string) []string {
	if bundle == "" {
		return nil
	}
	data, err := fsutil.ReadFile(filepath.Join(bundle, "config.json"), MaxInputSize)
	if err != nil {
		return nil
	}
	var s spec.Spec
	// The engine's JSON, read as leniently as encoding/json (v1) did.
	if json.Unmarshal(data, &s, jsonv1.DefaultOptionsV1()) != nil || s.Process == nil {
		return nil
	}
	return s.Process.Args
}

// waitExit blocks until the process behind pidfd exits. When the init of a
// PID namespace exits, the kernel has already killed and reaped every other
// process in it, so the container has made its last syscall. SIGTERM or
// SIGINT end the wait with an error: the recording would be incomplete.
func (defaultImpl) waitExit(pidfd int) error {
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, unix.SIGTERM, unix.SIGINT, unix.SIGHUP)
	defer signal.Stop(sigs)
	exited := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		fds := []unix.PollFd{{Fd: int32(pidfd), Events: unix.POLLIN}}
		for {
			_, err := unix.Poll(fds, -1)
			if errors.Is(err, unix.EINTR) {
				continue
			}
			exited <- err
			return
		}
	}()
	select {
	case err := <-exited:
		if err != nil {
			return fmt.Errorf("wait for container exit: %w", err)
		}
		return nil
	case sig := <-sigs:
		return fmt.Errorf("tracer stopped by %v before the container exited; no profile written", sig)
	}
}

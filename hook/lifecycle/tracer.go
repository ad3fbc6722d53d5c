//go:build linux

package lifecycle

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"time"

	cseccomp "github.com/containers/common/pkg/seccomp"
	spec "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/bpf"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/profile"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/hook/trace"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/fsutil"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/version"
)

// TracerConfig is what the tracer (-r) is told on its command line.
type TracerConfig struct {
	// PID of the container's init, as seen from the host.
	PID int
	// Output, Input and Trace are the annotation's of:, if: and tf: paths.
	Output, Input, Trace string
	// ID and Bundle come from the OCI state, for the trace's provenance.
	ID, Bundle string
	// AttachedFD, PidFD and StatusFD are descriptors inherited from
	// Prestart, or -1 when the tracer was started by hand.
	AttachedFD, PidFD, StatusFD int
	Options
}

// ErrLost is returned when the recorder could not record every call: the
// profile would miss syscalls, so none is written.
var ErrLost = errors.New("syscalls were lost")

// Trace records the container until its init exits and writes the
// profile. It reports "attached" (or why it could not attach) on
// AttachedFD, and its outcome in the status file.
func Trace(cfg TracerConfig) (err error) {
	cfg.Options = cfg.Options.withDefaults()
	log := logrus.WithFields(logrus.Fields{"id": cfg.ID, "pid": cfg.PID})
	attached := inherited(cfg.AttachedFD, "attached")
	status := inherited(cfg.StatusFD, "status")
	defer func() {
		if attached != nil {
			// Still unattached: the error goes to Prestart, which fails the
			// container's start with it.
			if err != nil {
				fmt.Fprintln(attached, err)
			}
			attached.Close()
		}
		if err != nil {
			_ = writeStatus(status, "error: "+err.Error())
		} else {
			_ = writeStatus(status, statusOK)
		}
	}()

	if !filepath.IsAbs(cfg.Output) {
		return fmt.Errorf("output path %q is not absolute (-o is required)", cfg.Output)
	}
	for _, out := range []string{cfg.Output, cfg.Trace} {
		if out == "" {
			continue
		}
		if err := cfg.allowed(out); err != nil {
			return err
		}
	}
	var base *cseccomp.Seccomp
	if cfg.Input != "" {
		if base, err = readProfile(cfg.Input); err != nil {
			return err
		}
	}
	pidfd, err := containerPidfd(cfg)
	if err != nil {
		return err
	}
	defer unix.Close(pidfd)
	if err := bpf.CheckTraceable(cfg.PID); err != nil {
		return err
	}
	ns, err := bpf.PIDNamespace(cfg.PID)
	if err != nil {
		return err
	}
	// The namespace was read by PID: make sure that PID is still the
	// process the pidfd refers to, not a reused one.
	if err := unix.PidfdSendSignal(pidfd, 0, nil, 0); err != nil {
		return fmt.Errorf("container process %d: %w", cfg.PID, err)
	}

	start := time.Now()
	target, err := bpf.Attach(ns, cfg.BPF)
	if err != nil {
		return fmt.Errorf("attach recorder: %w", err)
	}
	if attached != nil {
		fmt.Fprintln(attached, attachedMsg)
		attached.Close()
		attached = nil
	}
	log.WithField("pidns", ns).Info("recording")

	waitErr := waitExit(pidfd)
	res, err := target.Stop()
	if waitErr != nil {
		return waitErr
	}
	if err != nil {
		return fmt.Errorf("stop recorder: %w", err)
	}
	end := time.Now()
	if res.Lost != 0 || res.Missed != 0 {
		return fmt.Errorf("%w: %d calls could not be recorded and %d program runs were skipped; no profile written", ErrLost, res.Lost, res.Missed)
	}
	if res.Phase == bpf.PhaseWaiting {
		// Killed before the runtime got to hand over (no prctl, no filter):
		// nothing of the workload was seen, and an empty profile would be
		// worse than none.
		return errors.New("container exited before it started: no profile written")
	}
	if res.Unknown != 0 {
		log.WithField("calls", res.Unknown).Warn("calls with numbers beyond the syscall table were made; they fail with ENOSYS")
	}

	run, err := newRun(cfg, res, start, end)
	if err != nil {
		return err
	}
	t := trace.New(run)
	if err := writeOutputs(cfg, base, t); err != nil {
		return err
	}
	log.WithFields(logrus.Fields{
		"output":   cfg.Output,
		"syscalls": len(t.Syscalls),
		"phase":    res.Phase.String(),
	}).Info("profile written")
	return nil
}

// writeOutputs compiles the profile from the trace, the same code path as
// `oci-seccomp-compiler compile`, and writes it and the trace atomically.
func writeOutputs(cfg TracerConfig, base *cseccomp.Seccomp, t *trace.Trace) error {
	native, err := bpf.ProfileArch(bpf.ABINative)
	if err != nil {
		return err
	}
	p, err := profile.Compile(base, profile.Inputs{Mode: profile.ModeExtend, Traces: []*trace.Trace{t}, NativeArch: native})
	if err != nil {
		return fmt.Errorf("compile profile: %w", err)
	}
	data, err := profile.Marshal(p)
	if err != nil {
		return fmt.Errorf("encode profile: %w", err)
	}
	if cfg.Trace != "" {
		tdata, err := trace.Marshal(t)
		if err != nil {
			return fmt.Errorf("encode trace: %w", err)
		}
		if err := fsutil.WriteFileNoSymlinks(cfg.Trace, tdata, 0o644); err != nil {
			return fmt.Errorf("write trace: %w", err)
		}
	}
	if err := fsutil.WriteFileNoSymlinks(cfg.Output, data, 0o644); err != nil {
		return fmt.Errorf("write profile: %w", err)
	}
	return nil
}

// newRun turns the recorder's result into a trace run with provenance.
func newRun(cfg TracerConfig, res *bpf.Result, start, end time.Time) (trace.Run, error) {
	run := trace.Run{
		ContainerID: cfg.ID,
		Command:     bundleCommand(cfg.Bundle),
		Start:       start.UTC(),
		End:         end.UTC(),
		Hook:        version.Version,
	}
	for _, c := range res.Calls {
		name, err := c.Name()
		if err != nil {
			return run, err
		}
		arch, err := bpf.ProfileArch(c.ABI)
		if err != nil {
			return run, err
		}
		sc := trace.Syscall{Name: name, Number: c.Number, Arch: string(arch), Count: c.Count}
		if c.Comm != "" {
			sc.Processes = []string{c.Comm}
		}
		run.Syscalls = append(run.Syscalls, sc)
	}
	return run, nil
}

// bundleCommand returns the container's process arguments from its OCI
// config, or nil when they cannot be read: provenance is best effort.
func bundleCommand(bundle string) []string {
	if bundle == "" {
		return nil
	}
	data, err := fsutil.ReadFile(filepath.Join(bundle, "config.json"), MaxInputSize)
	if err != nil {
		return nil
	}
	var s spec.Spec
	if json.Unmarshal(data, &s) != nil || s.Process == nil {
		return nil
	}
	return s.Process.Args
}

func inherited(fd int, name string) *os.File {
	if fd < 0 {
		return nil
	}
	return os.NewFile(uintptr(fd), name)
}

// containerPidfd returns the inherited pidfd, or opens one by PID when the
// tracer was started by hand.
func containerPidfd(cfg TracerConfig) (int, error) {
	if cfg.PidFD >= 0 {
		return cfg.PidFD, nil
	}
	fd, err := unix.PidfdOpen(cfg.PID, 0)
	if err != nil {
		return -1, fmt.Errorf("open container process %d: %w", cfg.PID, err)
	}
	return fd, nil
}

// waitExit blocks until the process behind pidfd exits. When the init of a
// PID namespace exits, the kernel has already killed and reaped every other
// process in it, so the container has made its last syscall. SIGTERM or
// SIGINT end the wait with an error: the recording would be incomplete.
func waitExit(pidfd int) error {
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

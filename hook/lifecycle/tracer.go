//go:build linux

package lifecycle

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	cseccomp "github.com/containers/common/pkg/seccomp"
	"github.com/sirupsen/logrus"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/bpf"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/profile"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/trace"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/hook/output"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/hook/state"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/version"
)

// TracerConfig is what a tracer records and where it writes.
type TracerConfig struct {
	// PID of the container's init, as seen from the host.
	PID int
	// ID and Bundle come from the OCI state, for the trace's provenance.
	ID, Bundle string
	// Input is the if: path, and Base the profile read from it, or nil.
	Input string
	Base  *cseccomp.Seccomp
	// Output and Trace are where the profile and the trace go; Trace may
	// be nil. Both were checked by output.Policy.Open.
	Output, Trace *output.Dest
	Options
}

// ErrLost is returned when the recorder could not record every call: the
// profile would miss syscalls, so none is written.
var ErrLost = errors.New("syscalls were lost")

// attachedMsg is what the tracer writes when recording is live; anything
// else it writes is an error message.
const attachedMsg = "attached"

// tracer records one container. Its dependencies on the kernel, the
// filesystem and the clock are behind impl, so that unit tests can make
// each of them fail.
type tracer struct {
	cfg  TracerConfig
	impl impl
	// pidfd refers to the container's init.
	pidfd int
	// attached, while not nil, is where Prestart waits for "attached" or
	// an error; status is the locked status file Poststop reads. Both are
	// nil for a tracer started by hand.
	attached io.WriteCloser
	status   *os.File
}

// fail reports err where Prestart or Poststop will see it, and returns it.
func (t *tracer) fail(err error) error {
	t.report(err)
	return err
}

// report tells Prestart (while it waits) or Poststop (afterwards) how the
// tracer ended, in one line.
func (t *tracer) report(err error) {
	if t.attached != nil {
		// Still unattached: the error goes to Prestart, which fails the
		// container's start with it.
		if err != nil {
			fmt.Fprintln(t.attached, state.OneLine(err.Error()))
		}
		t.attached.Close()
		t.attached = nil
	}
	if err != nil {
		_ = writeStatus(t.status, "error: "+state.OneLine(err.Error()))
	} else {
		_ = writeStatus(t.status, statusOK)
	}
}

// run records the container until its init exits and writes the
// profile (and the trace).
func (t *tracer) run() (err error) {
	defer func() { t.report(err) }()
	cfg := t.cfg.Options.withDefaults()
	log := logrus.WithFields(logrus.Fields{"id": t.cfg.ID, "pid": t.cfg.PID})

	if err := t.impl.checkTraceable(t.cfg.PID); err != nil {
		return err
	}
	ns, err := t.impl.namespaces(t.cfg.PID)
	if err != nil {
		return err
	}
	// The namespace was read by PID: make sure that PID is still the
	// process the pidfd refers to, not a reused one.
	if err := t.impl.alive(t.pidfd); err != nil {
		return fmt.Errorf("container process %d: %w", t.cfg.PID, err)
	}

	start := t.impl.now()
	rec, err := t.impl.attach(ns, cfg.BPF)
	if err != nil {
		return fmt.Errorf("attach recorder: %w", err)
	}
	if t.attached != nil {
		fmt.Fprintln(t.attached, attachedMsg)
		t.attached.Close()
		t.attached = nil
	}
	log.WithFields(logrus.Fields{"pidns": ns.PID, "mntns": ns.Mount, "shared": ns.Shared}).Info("recording")

	waitErr := t.impl.waitExit(t.pidfd)
	res, err := rec.Stop()
	if waitErr != nil {
		return waitErr
	}
	if err != nil {
		return fmt.Errorf("stop recorder: %w", err)
	}
	end := t.impl.now()
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

	run, err := newRun(t.cfg, res, t.impl.bundleCommand(t.cfg.Bundle), start, end)
	if err != nil {
		return err
	}
	tr := trace.New(run)
	files, err := t.outputs(tr)
	if err != nil {
		return err
	}
	if err := t.impl.write(files...); err != nil {
		return err
	}
	log.WithFields(logrus.Fields{
		"output":   state.Excerpt(t.cfg.Output.Path),
		"syscalls": len(tr.Syscalls),
		"phase":    res.Phase.String(),
	}).Info("profile written")
	return nil
}

// outputs compiles the profile from the trace, the same code path as
// `oci-seccomp-compiler compile --mode extend`, and encodes it and the
// trace.
func (t *tracer) outputs(tr *trace.Trace) ([]output.File, error) {
	native, err := bpf.ProfileArch(bpf.ABINative)
	if err != nil {
		return nil, err
	}
	p, err := profile.Compile(t.cfg.Base, profile.Inputs{Mode: profile.ModeExtend, Traces: []*trace.Trace{tr}, NativeArch: cseccomp.Arch(native)})
	if err != nil {
		return nil, fmt.Errorf("compile profile: %w", err)
	}
	data, err := profile.Marshal(p)
	if err != nil {
		return nil, fmt.Errorf("encode profile: %w", err)
	}
	files := []output.File{{Dest: t.cfg.Output, Data: data}}
	if t.cfg.Trace != nil {
		tdata, err := trace.Marshal(tr)
		if err != nil {
			return nil, fmt.Errorf("encode trace: %w", err)
		}
		files = append(files, output.File{Dest: t.cfg.Trace, Data: tdata})
	}
	return files, nil
}

// newRun turns the recorder's result into a trace run with provenance.
func newRun(cfg TracerConfig, res *bpf.Result, command []string, start, end time.Time) (trace.Run, error) {
	run := trace.Run{
		ContainerID: cfg.ID,
		Command:     command,
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

// TraceByHand is the tracer run from a command line (-r PID -o OUT
// [-i IN]), as with the old hook: it records the PID namespace of process
// pid from now on (bpf.Options.RecordNow) until that process exits, and
// writes the profile to outPath (extending the profile at inPath, if
// any). The same output rules apply as for annotations.
func TraceByHand(pid int, outPath, inPath string, opts Options) error {
	if !filepath.IsAbs(outPath) {
		return fmt.Errorf("output path %s is not absolute (-o is required)", state.Excerpt(outPath))
	}
	if inPath != "" && !filepath.IsAbs(inPath) {
		return fmt.Errorf("input path %s is not absolute", state.Excerpt(inPath))
	}
	out, err := opts.policy().Open(state.OutputPrefix, filepath.Clean(outPath))
	if err != nil {
		return withExit(ExitOutput, err)
	}
	defer out.Close()
	opts.BPF.RecordNow = true
	cfg := TracerConfig{PID: pid, Input: inPath, Output: out, Options: opts}
	if inPath != "" {
		if _, cfg.Base, err = readProfile(inPath); err != nil {
			return withExit(ExitInput, err)
		}
	}
	impl := defaultImpl{}
	pidfd, err := impl.openPidfd(pid)
	if err != nil {
		return err
	}
	defer impl.closeFD(pidfd)
	return (&tracer{cfg: cfg, impl: impl, pidfd: pidfd}).run()
}

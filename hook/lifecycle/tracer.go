//go:build linux

package lifecycle

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
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
	// Names are the container's Kubernetes names, from the state's
	// annotations, for the trace's provenance.
	Names state.Names
	// RuntimeExe is the OCI runtime's executable, whose --version names
	// the runtime in the trace; empty when unknown (by hand).
	RuntimeExe string
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
	if rec.Loaded() {
		// Loading the program parsed the kernel's BTF: 4 MiB of garbage
		// that would stay resident as long as the container runs, as
		// nothing the tracer allocates later brings a GC. RssAnon while
		// recording: 6.5 MiB, 2.5 MiB after this. Not done when joining
		// the pinned recorder: little to collect there, and a collection
		// raised such a tracer's peak RSS by 0.2 MiB.
		debug.FreeOSMemory()
	}
	// Ask the runtime its version while the container runs rather than
	// after it exits, when the outputs wait for it.
	runtimeName := make(chan string, 1)
	go func() { runtimeName <- t.impl.runtimeVersion(t.cfg.RuntimeExe) }()

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

	run, err := newRun(t.cfg, res, runInfo{
		node:    cfg.NodeName,
		process: t.impl.bundleProcess(t.cfg.Bundle),
		runtime: <-runtimeName,
		start:   start,
		end:     end,
	})
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

// runInfo is the provenance of a run that the tracer gathers besides
// TracerConfig.
type runInfo struct {
	// node is the host's name (Options.NodeName).
	node string
	// process is what the bundle says of the container's process.
	process bundleProcess
	// runtime is the runtime's name and version, "" when unknown.
	runtime    string
	start, end time.Time
}

// newRun turns the recorder's result into a trace run with provenance.
// Provenance text the trace format would refuse (a NUL, more than
// trace.MaxTextLen bytes: annotations are anyone's to write) is left out
// rather than lose the run.
func newRun(cfg TracerConfig, res *bpf.Result, info runInfo) (trace.Run, error) {
	run := trace.Run{
		ContainerID:     cfg.ID,
		Command:         info.process.Command,
		Node:            recordable(info.node),
		Namespace:       recordable(cfg.Names.Namespace),
		Pod:             recordable(cfg.Names.Pod),
		Container:       recordable(cfg.Names.Container),
		Runtime:         recordable(info.runtime),
		NoNewPrivileges: info.process.NoNewPrivileges,
		Start:           info.start.UTC(),
		End:             info.end.UTC(),
		Hook:            version.Version,
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
		sc := trace.Syscall{Name: name, Number: c.Number, Arch: string(arch), Count: c.Count, RuntimeCount: c.Runtime}
		sc.Processes = c.Comms
		for _, a := range c.Args {
			if ta, ok := traceArg(a); ok {
				sc.Args = append(sc.Args, ta)
			}
		}
		run.Syscalls = append(run.Syscalls, sc)
	}
	return run, nil
}

// traceArg converts what the recorder saw of an argument. A values
// argument that recorded nothing, which the recorder never returns for
// a call it counted, is left out: the call then reads as made with any
// value, never as made with none.
func traceArg(a bpf.Arg) (trace.Arg, bool) {
	ta := trace.Arg{Index: int(a.Index), Kind: trace.ArgKind(a.Kind.String()), Flags: a.Flags, Overflow: a.Overflow}
	for _, v := range a.Values {
		ta.Values = append(ta.Values, trace.ArgValue{Value: v.Value, Count: v.Count})
	}
	if ta.Kind == trace.ArgValues && len(ta.Values) == 0 && ta.Overflow == 0 {
		return ta, false
	}
	return ta, true
}

// recordable returns s if the trace format accepts it as provenance text,
// else "".
func recordable(s string) string {
	if len(s) > trace.MaxTextLen || strings.IndexByte(s, 0) >= 0 {
		return ""
	}
	return s
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

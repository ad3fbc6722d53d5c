//go:build linux

package lifecycle

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	spec "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/hook/state"
)

// Prestart runs as the OCI prestart hook. For a container that no
// annotation asks to trace (state.Selected) it does nothing. Otherwise it
// checks the annotation, the outputs (package output) and the input
// profile, starts the tracer as a
// detached copy of this executable, and returns once the tracer reports
// it is attached, so that the container starts only when every syscall it
// makes will be seen. On any failure, nothing is left running, nothing is
// written, and the container does not start.
func Prestart(s *spec.State, opts Options) (err error) {
	opts = opts.withDefaults()
	a, traced, err := state.Selected(s)
	if err != nil {
		return withExit(ExitAnnotation, err)
	}
	if !traced {
		// Not asked for (containerd runs the hooks of base_runtime_spec
		// for every container), another container's, or a sandbox.
		logrus.WithField("id", s.ID).Debug("not traced: no annotation for this container")
		return nil
	}
	policy := opts.policy()
	out, err := policy.Open(state.OutputPrefix, a.Output)
	if err != nil {
		return withExit(ExitOutput, err)
	}
	defer out.Close()
	names := state.KubernetesNames(s)
	h := handoff{
		PID: s.Pid, ID: s.ID, Bundle: s.Bundle,
		Output: a.Output, Trace: a.Trace, Input: a.Input,
		Node: opts.NodeName, Namespace: names.Namespace, Pod: names.Pod, Container: names.Container,
		RuntimeExe: runtimeExe(os.Getppid()),
		RunDir:     opts.RunDir, PinDir: opts.BPF.PinDir, Private: opts.BPF.Private, LogLevel: opts.LogLevel,
	}
	// ExtraFiles: the handoff, the pipe, the pidfd and the status file are
	// filled in below, at the positions the descriptor numbers say.
	files := make([]*os.File, outputFD-2, traceFD-2)
	files[outputFD-3] = out.Dir
	if a.Trace != "" {
		tr, err := policy.Open(state.TracePrefix, a.Trace)
		if err != nil {
			return withExit(ExitOutput, err)
		}
		defer tr.Close()
		files = append(files, tr.Dir)
	}
	if a.Input != "" {
		if h.Base, _, err = readProfile(a.Input); err != nil {
			return withExit(ExitInput, err)
		}
	}
	log := logrus.WithFields(logrus.Fields{"id": s.ID, "pid": s.Pid})

	pidfd, err := unix.PidfdOpen(s.Pid, 0)
	if err != nil {
		return fmt.Errorf("open container process %d: %w", s.Pid, err)
	}
	pidf := os.NewFile(uintptr(pidfd), "pidfd")
	defer pidf.Close()

	status, err := createStatus(opts.RunDir, s.ID)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			// The container will not start: no tracer, nothing to wait for.
			_ = os.Remove(status.Name())
		}
		status.Close()
	}()

	hf, err := writeHandoff(h)
	if err != nil {
		return err
	}
	defer hf.Close()
	r, w, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("create pipe: %w", err)
	}
	defer r.Close()
	files[handoffFD-3], files[attachedFD-3], files[pidFD-3], files[statusFD-3] = hf, w, pidf, status

	cmd := &exec.Cmd{
		Path: opts.Executable,
		// The arguments only name the process for ps; the tracer reads
		// its settings from the handoff.
		Args: []string{"oci-seccomp-bpf-hook", "tracer", strconv.Itoa(s.Pid), s.ID},
		// One P: the tracer does one thing at a time and mostly waits, and
		// each P holds spans of its own for every size class it allocates.
		// With the 2 CPUs of the bench's VM, one P took a tracer's
		// anonymous memory from 1.30 to 1.07 MiB (median of 24 tracers
		// joining the shared recorder; 1.69 to 1.46 max), with no change
		// in attach time. The runtime's --version gets an empty
		// environment.
		Env: []string{TracerEnv + "=1", "GOMAXPROCS=1"},
		// Stdin, Stdout and Stderr stay /dev/null: the runtime waits for
		// the hook's output pipes to close, so a tracer holding them would
		// block the container's start until the container ends.
		ExtraFiles:  files,
		SysProcAttr: &syscall.SysProcAttr{Setsid: true},
	}
	start := time.Now()
	if err := cmd.Start(); err != nil {
		w.Close()
		return fmt.Errorf("start tracer: %w", err)
	}
	w.Close()

	msg, err := waitAttached(r, opts.AttachTimeout)
	if err != nil {
		// Leave no stray tracer behind; it has not touched any output.
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		return err
	}
	if msg != attachedMsg {
		_ = cmd.Wait()
		return errors.New(msg)
	}
	log.WithFields(logrus.Fields{
		"tracer":   cmd.Process.Pid,
		"attached": time.Since(start).Round(time.Microsecond).String(),
	}).Info("tracer attached")
	// The tracer outlives this process; it is reparented, not waited for.
	return cmd.Process.Release()
}

// runtimeExe returns the executable of process ppid, Prestart's parent:
// the OCI runtime (runc and crun run prestart hooks themselves), or ""
// when it cannot be found. The link /proc/PPID/exe names runc's binary,
// but crun runs from a copy of itself whose link reads "/", so the first
// argument of its command line is the fallback. Either must be an
// absolute path to a regular file. A binary replaced since it started (a
// package upgrade) reads as "PATH (deleted)"; the path is kept, and names
// the new binary.
func runtimeExe(ppid int) string {
	proc := "/proc/" + strconv.Itoa(ppid)
	var candidates []string
	if exe, err := os.Readlink(proc + "/exe"); err == nil {
		candidates = append(candidates, strings.TrimSuffix(exe, " (deleted)"))
	}
	if cmdline, err := os.ReadFile(proc + "/cmdline"); err == nil {
		argv0, _, _ := strings.Cut(string(cmdline), "\x00")
		candidates = append(candidates, argv0)
	}
	for _, c := range candidates {
		if !filepath.IsAbs(c) || !knownRuntime(filepath.Base(c)) {
			continue
		}
		if fi, err := os.Stat(c); err == nil && fi.Mode().IsRegular() {
			return c
		}
	}
	return ""
}

// knownRuntime reports whether an executable's name is an OCI runtime's,
// which the tracer may run as root with --version: never whatever else
// started the hook (a shell, when it is run by hand). Distributions
// rename them (runc.amd64, docker-runc), so runc and crun match anywhere
// in the name.
func knownRuntime(name string) bool {
	switch {
	case strings.Contains(name, "runc"), strings.Contains(name, "crun"):
		return true
	}
	return slices.Contains([]string{"runsc", "youki", "krun", "kata-runtime"}, name)
}

// waitAttached reads the tracer's one-line report, giving up after timeout.
func waitAttached(r *os.File, timeout time.Duration) (string, error) {
	type result struct {
		line string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		line, err := bufio.NewReader(io.LimitReader(r, state.MaxLineLen+1)).ReadString('\n')
		done <- result{strings.TrimSuffix(line, "\n"), err}
	}()
	select {
	case res := <-done:
		if res.line == "" && res.err != nil {
			return "", errors.New("tracer exited before attaching (see the log for why)")
		}
		return state.OneLine(res.line), nil
	case <-time.After(timeout):
		return "", fmt.Errorf("tracer did not attach within %s", timeout)
	}
}

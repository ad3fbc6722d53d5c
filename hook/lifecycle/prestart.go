//go:build linux

package lifecycle

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"syscall"
	"time"

	spec "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/hook/state"
)

// Fixed descriptor numbers of what Prestart hands the tracer (ExtraFiles
// start at 3).
const (
	attachedFD = 3 // write end of the "attached" pipe
	pidFD      = 4 // pidfd of the container's init
	statusFD   = 5 // locked status file, see status.go
)

// attachedMsg is what the tracer writes when recording is live; anything
// else it writes is an error message.
const attachedMsg = "attached"

// Prestart runs as the OCI prestart hook: it checks the annotation and the
// input profile, starts the tracer as a detached copy of this executable,
// and returns once the tracer reports it is attached, so that the container
// starts only when every syscall it makes will be seen. On any failure,
// nothing is left running and the container does not start.
func Prestart(s *spec.State, opts Options) (err error) {
	opts = opts.withDefaults()
	a, err := state.TraceAnnotation(s)
	if err != nil {
		return err
	}
	if err := checkPaths(a, opts); err != nil {
		return err
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

	r, w, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("create pipe: %w", err)
	}
	defer r.Close()

	args := []string{"oci-seccomp-bpf-hook",
		"-r", strconv.Itoa(s.Pid), "-o", a.Output,
		"--id", s.ID, "--bundle", s.Bundle,
		"--attached-fd", strconv.Itoa(attachedFD),
		"--pidfd", strconv.Itoa(pidFD),
		"--status-fd", strconv.Itoa(statusFD),
	}
	if a.Input != "" {
		args = append(args, "-i", a.Input)
	}
	if a.Trace != "" {
		args = append(args, "-t", a.Trace)
	}
	args = append(args, opts.tracerArgs()...)
	cmd := &exec.Cmd{
		Path: opts.Executable,
		Args: args,
		// Stdin, Stdout and Stderr stay /dev/null: the runtime waits for
		// the hook's output pipes to close, so a tracer holding them would
		// block the container's start until the container ends.
		ExtraFiles:  []*os.File{w, pidf, status},
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

// waitAttached reads the tracer's one-line report, giving up after timeout.
func waitAttached(r *os.File, timeout time.Duration) (string, error) {
	type result struct {
		line string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		line, err := bufio.NewReader(r).ReadString('\n')
		done <- result{strings.TrimSuffix(line, "\n"), err}
	}()
	select {
	case res := <-done:
		if res.line == "" && res.err != nil {
			return "", errors.New("tracer exited before attaching (see the log for why)")
		}
		return res.line, nil
	case <-time.After(timeout):
		return "", fmt.Errorf("tracer did not attach within %s", timeout)
	}
}

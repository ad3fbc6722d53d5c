//go:build linux

package lifecycle

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/go-json-experiment/json"
	jsonv1 "github.com/go-json-experiment/json/v1"
	spec "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"
	"golang.org/x/sys/unix"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/bpf"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/hook/output"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/ascii"
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
	// bundleProcess returns what the trace records of the container's
	// process from its bundle's config.json; the zero value when it
	// cannot be read.
	bundleProcess(bundle string) bundleProcess
	// runtimeVersion returns the name and version of the OCI runtime at
	// exe ("runc 1.1.5+ds1"), or "" when it cannot tell.
	runtimeVersion(exe string) string
	// write writes the outputs, all or nothing.
	write(files ...output.File) error
}

// recording is an attached recorder (*bpf.Target).
type recording interface {
	Stop() (*bpf.Result, error)
	Loaded() bool
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

// bundleProcess is what the trace records of the container's process.
type bundleProcess struct {
	// Command is process.args.
	Command []string
	// NoNewPrivileges is process.noNewPrivileges: it decides whether the
	// runtime installs the seccomp filter early or right before execve.
	NoNewPrivileges bool
}

// bundleProcess reads the container's process from its OCI config, or
// returns the zero value when it cannot: provenance is best effort.
func (defaultImpl) bundleProcess(bundle string) bundleProcess {
	if bundle == "" {
		return bundleProcess{}
	}
	data, err := fsutil.ReadFile(filepath.Join(bundle, "config.json"), MaxInputSize)
	if err != nil {
		return bundleProcess{}
	}
	var s spec.Spec
	// The engine's JSON, read as leniently as encoding/json (v1) did.
	if json.Unmarshal(data, &s, jsonv1.DefaultOptionsV1()) != nil || s.Process == nil {
		return bundleProcess{}
	}
	return bundleProcess{Command: s.Process.Args, NoNewPrivileges: s.Process.NoNewPrivileges}
}

// runtimeVersionTimeout bounds `RUNTIME --version`: runc and crun answer
// in milliseconds, and the outputs wait for the answer.
const runtimeVersionTimeout = 2 * time.Second

// maxVersionOutput is as much of `RUNTIME --version` as is read: the
// first line is all that is used.
const maxVersionOutput = 4096

// runtimeVersion runs `exe --version`, with an empty environment and a
// timeout, and returns what parseRuntimeVersion makes of its output.
func (defaultImpl) runtimeVersion(exe string) string {
	if exe == "" {
		return ""
	}
	ctx, cancel := context.WithTimeout(context.Background(), runtimeVersionTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, "--version")
	cmd.Env = []string{}
	var out limitedBuffer
	cmd.Stdout = &out
	// A child that keeps the pipe open past the kill does not hold the
	// tracer up either.
	cmd.WaitDelay = runtimeVersionTimeout
	if err := cmd.Run(); err != nil {
		logrus.WithFields(logrus.Fields{"runtime": exe, "error": err}).Debug("runtime version unknown")
		return ""
	}
	return parseRuntimeVersion(out.Bytes())
}

// limitedBuffer keeps the first maxVersionOutput bytes written to it and
// discards the rest.
type limitedBuffer struct{ bytes.Buffer }

func (b *limitedBuffer) Write(p []byte) (int, error) {
	if room := maxVersionOutput - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

// parseRuntimeVersion turns the first line of `RUNTIME --version` into
// "NAME VERSION", or "" when it is not of the form runc and crun print,
// "runc version 1.1.5+ds1", "crun version 1.8.1" (so that a parent that
// is not a runtime records nothing): the line must match
// ^([A-Za-z0-9][A-Za-z0-9._+-]{0,63}) version ([A-Za-z0-9][A-Za-z0-9._+~:-]{0,63})\s*$
// (see internal/ascii for why it is not a regexp).
func parseRuntimeVersion(out []byte) string {
	line, _, _ := bytes.Cut(out, []byte("\n"))
	// The name holds no space, so the first " version " follows it.
	name, rest, ok := bytes.Cut(line, []byte(" version "))
	if !ok || !versionWord(name, "._+-") {
		return ""
	}
	n := 0
	for n < len(rest) && (ascii.IsAlnum(rest[n]) || strings.IndexByte("._+~:-", rest[n]) >= 0) {
		n++
	}
	// \s in RE2 syntax: tab, newline, form feed, carriage return, space.
	if !versionWord(rest[:n], "._+~:-") || len(bytes.Trim(rest[n:], "\t\n\f\r ")) != 0 {
		return ""
	}
	return string(name) + " " + string(rest[:n])
}

// versionWord reports whether w is 1 to 64 bytes: a letter or digit,
// then letters, digits or bytes of punct.
func versionWord(w []byte, punct string) bool {
	if len(w) == 0 || len(w) > 64 || !ascii.IsAlnum(w[0]) {
		return false
	}
	for _, c := range w[1:] {
		if !ascii.IsAlnum(c) && strings.IndexByte(punct, c) < 0 {
			return false
		}
	}
	return true
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

//go:build linux

package lifecycle

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// The status file <run dir>/<container id>.status is how the tracer tells
// Poststop it is done. Prestart creates and locks it, and the lock passes
// to the tracer with the descriptor; the tracer writes one line, statusOK
// or "error: ...", and exits, which releases the lock. Poststop takes the
// lock, so it returns only once the tracer is gone, then reads the line and
// removes the file.
const statusOK = "ok"

func statusPath(runDir, id string) string {
	return filepath.Join(runDir, id+".status")
}

// createStatus creates and locks the status file of container id. It
// fails if a live tracer already holds it.
func createStatus(runDir, id string) (*os.File, error) {
	if err := os.MkdirAll(runDir, 0o700); err != nil {
		return nil, fmt.Errorf("create run directory: %w", err)
	}
	path := statusPath(runDir, id)
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_CREAT|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open status file: %w", err)
	}
	f := os.NewFile(uintptr(fd), path)
	if err := unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, fmt.Errorf("container %s is already being traced", id)
		}
		return nil, fmt.Errorf("lock status file: %w", err)
	}
	if err := f.Truncate(0); err != nil {
		f.Close()
		return nil, fmt.Errorf("truncate status file: %w", err)
	}
	return f, nil
}

// writeStatus replaces the content of the status file with one line.
func writeStatus(f *os.File, line string) error {
	if f == nil {
		return nil
	}
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.WriteAt([]byte(line+"\n"), 0)
	return err
}

// waitStatus waits, at most timeout, until no tracer holds the status file
// of container id, and returns its line. It returns "" with no error when
// there is no status file: the container was not traced by this hook, or
// the status was already collected.
func waitStatus(runDir, id string, timeout time.Duration) (string, error) {
	path := statusPath(runDir, id)
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.ENOENT) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("open status file: %w", err)
	}
	f := os.NewFile(uintptr(fd), path)
	defer f.Close()

	locked := make(chan error, 1)
	go func() {
		for {
			err := unix.Flock(fd, unix.LOCK_SH)
			if !errors.Is(err, unix.EINTR) {
				locked <- err
				return
			}
		}
	}()
	select {
	case err := <-locked:
		if err != nil {
			return "", fmt.Errorf("lock status file: %w", err)
		}
	case <-time.After(timeout):
		return "", fmt.Errorf("tracer still running after %s", timeout)
	}
	data, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return "", fmt.Errorf("read status file: %w", err)
	}
	_ = os.Remove(path)
	line := strings.TrimSpace(string(data))
	if line == "" {
		return "", errors.New("tracer ended without writing a profile (killed?)")
	}
	return line, nil
}

// staleAfter is how long an unlocked status file is kept for a poststop
// that may still come (engines run poststop within seconds).
const staleAfter = time.Hour

// sweepStatus removes status files that no tracer holds and that are older
// than staleAfter: those of containers registered with a hooks.d JSON
// without the poststop stage (the old hook's), which nothing collects.
func sweepStatus(runDir string) {
	entries, err := os.ReadDir(runDir)
	if err != nil {
		return
	}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || !strings.HasSuffix(e.Name(), ".status") || !info.Mode().IsRegular() ||
			time.Since(info.ModTime()) < staleAfter {
			continue
		}
		path := filepath.Join(runDir, e.Name())
		fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
		if err != nil {
			continue
		}
		if unix.Flock(fd, unix.LOCK_EX|unix.LOCK_NB) == nil {
			_ = os.Remove(path)
		}
		unix.Close(fd)
	}
}

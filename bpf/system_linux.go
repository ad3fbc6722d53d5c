//go:build linux

package bpf

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Namespaces identify a container to the recorder.
type Namespaces struct {
	// PID is the inode of its PID namespace.
	PID uint32
	// Mount is the inode of its mount namespace.
	Mount uint32
	// Shared says the container does not own its PID namespace: its init
	// is not PID 1 there, as in a Kubernetes pod with
	// shareProcessNamespace (the pause process is) or a podman pod
	// sharing its PID namespace. Its calls are then told from those of
	// the namespace's other processes by mount namespace; a process of it
	// that enters a mount namespace of its own is not recorded.
	Shared bool
}

// ContainerNamespaces returns the namespaces of the container whose init
// is process pid, the key Attach takes.
func ContainerNamespaces(pid int) (Namespaces, error) {
	var ns Namespaces
	var err error
	if ns.PID, err = nsInode(pid, "pid"); err != nil {
		return ns, err
	}
	if ns.Mount, err = nsInode(pid, "mnt"); err != nil {
		return ns, err
	}
	nspid, err := nsPIDs(pid)
	if err != nil {
		return ns, err
	}
	ns.Shared = nspid[len(nspid)-1] != "1"
	return ns, nil
}

func nsInode(pid int, name string) (uint32, error) {
	var st unix.Stat_t
	path := fmt.Sprintf("/proc/%d/ns/%s", pid, name)
	if err := unix.Stat(path, &st); err != nil {
		return 0, fmt.Errorf("stat %s: %w", path, err)
	}
	return uint32(st.Ino), nil
}

// nsPIDs returns process pid's PID in each of its PID namespaces, from
// the host's to its own (the NSpid line of /proc/PID/status).
func nsPIDs(pid int) ([]string, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return nil, err
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "NSpid:"); ok && len(strings.Fields(rest)) > 0 {
			return strings.Fields(rest), nil
		}
	}
	return nil, fmt.Errorf("process %d: no NSpid in /proc/%d/status", pid, pid)
}

// MaxLevel is the deepest PID namespace the recorder traces: a container
// in a container in a container.
const MaxLevel = 3

// ErrNotTraceable is returned by CheckTraceable.
var ErrNotTraceable = errors.New("cannot be traced")

// CheckTraceable checks that process pid is in a PID namespace the
// recorder can key on: not the host's (level 0, e.g. podman --pid=host,
// where every process on the host would be recorded), and at most
// MaxLevel namespaces deep.
func CheckTraceable(pid int) error {
	nspid, err := nsPIDs(pid)
	if err != nil {
		return err
	}
	switch level := len(nspid) - 1; {
	case level == 0:
		return fmt.Errorf("process %d %w: it is in the host's PID namespace (--pid=host?)", pid, ErrNotTraceable)
	case level > MaxLevel:
		return fmt.Errorf("process %d %w: its PID namespace is %d deep, at most %d is supported", pid, ErrNotTraceable, level, MaxLevel)
	}
	return nil
}

// processStart returns the start time of pid in clock ticks since boot
// (field 22 of /proc/PID/stat), which with the PID identifies a process.
func processStart(pid int) (uint64, error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces and parentheses: the
	// fields after it start past its last ')'.
	i := bytes.LastIndexByte(data, ')')
	if i < 0 {
		return 0, fmt.Errorf("parse /proc/%d/stat", pid)
	}
	fields := bytes.Fields(data[i+1:])
	const startField = 22 - 3 // fields[0] is field 3 (state)
	if len(fields) <= startField {
		return 0, fmt.Errorf("parse /proc/%d/stat", pid)
	}
	return strconv.ParseUint(string(fields[startField]), 10, 64)
}

// ensureBPFFS makes sure dir is on a bpffs, mounting one on /sys/fs/bpf
// if none is there (a fresh host often has none), and creates dir.
func ensureBPFFS(dir string) error {
	const root = "/sys/fs/bpf"
	var fs unix.Statfs_t
	if err := unix.Statfs(root, &fs); err != nil {
		return fmt.Errorf("statfs %s: %w", root, err)
	}
	if fs.Type != unix.BPF_FS_MAGIC {
		if err := unix.Mount("bpf", root, "bpf", 0, "mode=0700"); err != nil {
			return fmt.Errorf("mount bpffs on %s: %w", root, err)
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("create pin directory: %w", err)
	}
	return nil
}

// lockFile takes an exclusive flock on path, creating it and its directory
// (mode 0700) as needed, and returns the function that releases it.
func lockFile(path string) (func(), error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, fmt.Errorf("create lock directory: %w", err)
	}
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_CREAT|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open lock %s: %w", path, err)
	}
	for {
		err = unix.Flock(fd, unix.LOCK_EX)
		if !errors.Is(err, unix.EINTR) {
			break
		}
	}
	if err != nil {
		unix.Close(fd)
		return nil, fmt.Errorf("lock %s: %w", path, err)
	}
	return func() { unix.Close(fd) }, nil
}

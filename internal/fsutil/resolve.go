package fsutil

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// ErrPseudoFS is returned for a directory on a kernel pseudo filesystem
// (procfs, sysfs, cgroupfs, ...), where a "file" is a kernel knob.
var ErrPseudoFS = errors.New("on a pseudo filesystem")

// pseudoFS lists the filesystems an output may never go to.
var pseudoFS = map[int64]string{
	unix.PROC_SUPER_MAGIC:    "proc",
	unix.SYSFS_MAGIC:         "sysfs",
	unix.CGROUP_SUPER_MAGIC:  "cgroup",
	unix.CGROUP2_SUPER_MAGIC: "cgroup2",
	unix.DEBUGFS_MAGIC:       "debugfs",
	unix.TRACEFS_MAGIC:       "tracefs",
	unix.SECURITYFS_MAGIC:    "securityfs",
	unix.BPF_FS_MAGIC:        "bpf",
	unix.EFIVARFS_MAGIC:      "efivarfs",
	unix.DEVPTS_SUPER_MAGIC:  "devpts",
	unix.SELINUX_MAGIC:       "selinuxfs",
	unix.NSFS_MAGIC:          "nsfs",
	unix.PSTOREFS_MAGIC:      "pstore",
	unix.HUGETLBFS_MAGIC:     "hugetlbfs",
}

// OpenDir opens the directory dir for use as the base of *at calls,
// refusing a symbolic link in any component of the path (openat2 with
// RESOLVE_NO_SYMLINKS, Linux 5.6+) and a directory on a kernel pseudo
// filesystem. An absolute dir is resolved from "/", so no component the
// caller did not name can redirect a write. The returned file is named
// dir, for messages.
func OpenDir(dir string) (*os.File, error) {
	fd, err := unix.Openat2(unix.AT_FDCWD, dir, &unix.OpenHow{
		Flags:   unix.O_RDONLY | unix.O_DIRECTORY | unix.O_CLOEXEC,
		Resolve: unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS,
	})
	if errors.Is(err, unix.ELOOP) {
		return nil, &fs.PathError{Op: "open", Path: dir, Err: fmt.Errorf("a component %w", ErrSymlink)}
	} else if err != nil {
		return nil, &fs.PathError{Op: "open", Path: dir, Err: err}
	}
	var st unix.Statfs_t
	if err := unix.Fstatfs(fd, &st); err != nil {
		unix.Close(fd)
		return nil, &fs.PathError{Op: "statfs", Path: dir, Err: err}
	}
	if name, ok := pseudoFS[int64(st.Type)]; ok {
		unix.Close(fd)
		return nil, &fs.PathError{Op: "open", Path: dir, Err: fmt.Errorf("%w (%s)", ErrPseudoFS, name)}
	}
	return os.NewFile(uintptr(fd), dir), nil
}

// openTarget opens the directory of path with openDir and checks that
// path's last element can be written there (see CheckTarget). The caller
// closes the returned directory.
func openTarget(path string, openDir func(string) (*os.File, error)) (*os.File, error) {
	dirName, base := splitPath(path)
	if base == "" {
		return nil, &fs.PathError{Op: "write", Path: path, Err: errors.New("not a file name")}
	}
	dir, err := openDir(dirName)
	if err != nil {
		return nil, err
	}
	if err := CheckTarget(dir, base); err != nil {
		dir.Close()
		return nil, err
	}
	return dir, nil
}

// CheckTarget accepts name in dir as a destination when it is absent (to
// be created) or a regular file (to be replaced): a symbolic link fails
// with ErrSymlink, anything else with ErrNotRegular. Errors name
// filepath.Join(dir.Name(), name).
func CheckTarget(dir *os.File, name string) error {
	path := filepath.Join(dir.Name(), name)
	var st unix.Stat_t
	switch err := unix.Fstatat(int(dir.Fd()), name, &st, unix.AT_SYMLINK_NOFOLLOW); {
	case errors.Is(err, unix.ENOENT):
		return nil
	case err != nil:
		return &fs.PathError{Op: "stat", Path: path, Err: err}
	case st.Mode&unix.S_IFMT == unix.S_IFLNK:
		return &fs.PathError{Op: "write", Path: path, Err: ErrSymlink}
	case st.Mode&unix.S_IFMT != unix.S_IFREG:
		return &fs.PathError{Op: "write", Path: path, Err: ErrNotRegular}
	}
	return nil
}

// splitPath splits path into its directory ("." when none) and last
// element ("" when that is not a file name).
func splitPath(path string) (dir, base string) {
	dir, base = filepath.Split(path)
	if base == "." || base == ".." {
		base = ""
	}
	if dir == "" {
		dir = "."
	}
	return dir, base
}

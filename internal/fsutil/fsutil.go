package fsutil

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/sys/unix"
)

// DefaultLimit is a read limit suited to traces and profiles: the
// engine's default profile is about 16 KiB and a trace of a busy
// container well under 1 MiB, so anything near 16 MiB is not one of ours.
const DefaultLimit int64 = 16 << 20

var (
	// ErrNotRegular is returned when a path names something other than a
	// regular file (a directory, FIFO, device or socket).
	ErrNotRegular = errors.New("not a regular file")
	// ErrSymlink is returned when a path names a symbolic link where none
	// is accepted.
	ErrSymlink = errors.New("is a symbolic link")
	// ErrTooLarge is returned when a file exceeds the caller's limit.
	ErrTooLarge = errors.New("file too large")
)

// ReadFile returns the content of the regular file at path.
//
// Symbolic links are followed: a reader names a file it could name
// directly, so refusing links would only break setups such as a
// symlinked /etc/containers/seccomp.json. The file is opened with
// O_NONBLOCK, so that opening a FIFO cannot hang
// before fstat reveals it is not a regular file (ErrNotRegular). Files
// whose size exceeds limit bytes, or that grow past it while being read,
// fail with ErrTooLarge. A limit <= 0 means DefaultLimit.
//
// Errors are wrapped in an *fs.PathError naming path, so they read
// "open /x/y.json: is a symbolic link".
func ReadFile(path string, limit int64) ([]byte, error) {
	if limit <= 0 {
		limit = DefaultLimit
	}
	f, err := os.OpenFile(path, os.O_RDONLY|unix.O_NONBLOCK|unix.O_NOCTTY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()

	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w (%s)", ErrNotRegular, kind(st.Mode()))}
	}
	if st.Size() > limit {
		return nil, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, st.Size(), limit)}
	}

	// The size from fstat is only a hint: read up to one byte past the
	// limit to notice a file that grew in the meantime. A buffer sized
	// from it takes the whole file in one allocation, which showed when
	// reading a merged trace of a thousand runs (io.ReadAll grows step by
	// step).
	var buf bytes.Buffer
	buf.Grow(int(st.Size()) + bytes.MinRead)
	if _, err := buf.ReadFrom(io.LimitReader(f, limit+1)); err != nil {
		return nil, &fs.PathError{Op: "read", Path: path, Err: err}
	}
	data := buf.Bytes()
	if int64(len(data)) > limit {
		return nil, &fs.PathError{Op: "read", Path: path, Err: fmt.Errorf("%w: more than %d bytes", ErrTooLarge, limit)}
	}
	return data, nil
}

// WriteFileAtomic replaces the file at path with data, leaving it with
// exactly the permission bits perm (the umask is not applied).
//
// The data goes to a new temporary file in the same directory, created with
// O_CREAT|O_EXCL|O_NOFOLLOW so that it can never be an existing file or a
// symlink, then synced, renamed over path and the directory synced, so
// after a crash path holds either the old or the new content. An existing
// symlink at path fails with ErrSymlink and any other non-regular file with
// ErrNotRegular; if a symlink is planted after that check, the rename
// replaces the link itself and still writes nothing through it. The
// directory is opened once and every step is relative to that handle, so
// swapping the directory mid-way cannot redirect the write.
//
// On error the temporary file is removed and path is unchanged.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	return writeAtomic(path, data, perm, openDirFollow)
}

// WriteFileNoSymlinks is WriteFileAtomic for paths chosen by someone other
// than the caller, as the hook's annotation paths are: its directory is
// opened with OpenDir, so a symbolic link anywhere in path, or a directory
// on a kernel pseudo filesystem, fails before anything is created.
func WriteFileNoSymlinks(path string, data []byte, perm os.FileMode) error {
	return writeAtomic(path, data, perm, OpenDir)
}

func openDirFollow(dir string) (int, error) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return -1, &fs.PathError{Op: "open", Path: dir, Err: err}
	}
	return fd, nil
}

func writeAtomic(path string, data []byte, perm os.FileMode, openDir func(string) (int, error)) error {
	dir, base := splitPath(path)
	dirfd, err := openTarget(path, openDir)
	if err != nil {
		return err
	}
	defer unix.Close(dirfd)

	tmp, fd, err := createTemp(dirfd, base, perm)
	if err != nil {
		return &fs.PathError{Op: "create", Path: filepath.Join(dir, tmp), Err: err}
	}
	f := os.NewFile(uintptr(fd), filepath.Join(dir, tmp))
	committed := false
	defer func() {
		if !committed {
			_ = unix.Unlinkat(dirfd, tmp, 0)
		}
	}()

	if err := writeSync(f, data, perm); err != nil {
		return err
	}
	if err := unix.Renameat(dirfd, tmp, dirfd, base); err != nil {
		return &fs.PathError{Op: "rename", Path: path, Err: err}
	}
	committed = true
	// The rename is durable only once the directory is synced. A failure
	// here leaves the new content in place, so it is still reported: the
	// caller asked for a durable write.
	if err := unix.Fsync(dirfd); err != nil {
		return &fs.PathError{Op: "sync", Path: dir, Err: err}
	}
	return nil
}

// createTemp makes a fresh file next to base and returns its name and an
// open descriptor. The random suffix makes collisions unlikely; O_EXCL
// makes them harmless.
func createTemp(dirfd int, base string, perm os.FileMode) (string, int, error) {
	var err error
	for range 16 {
		var suffix [8]byte
		_, _ = rand.Read(suffix[:])
		name := "." + base + ".tmp-" + hex.EncodeToString(suffix[:])
		var fd int
		fd, err = unix.Openat(dirfd, name,
			unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC,
			uint32(perm.Perm()))
		if err == nil {
			return name, fd, nil
		}
		if !errors.Is(err, unix.EEXIST) {
			return name, -1, err
		}
	}
	return "", -1, err
}

// writeSync writes data to f, sets its mode and syncs it, closing f in all
// cases.
func writeSync(f *os.File, data []byte, perm os.FileMode) error {
	_, err := f.Write(data)
	if err == nil {
		// Chmod after creation: the mode given to open is filtered
		// through the umask, and callers expect exactly perm.
		err = f.Chmod(perm.Perm())
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// kind names a non-regular file type for error messages.
func kind(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "directory"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	default:
		return m.Type().String()
	}
}

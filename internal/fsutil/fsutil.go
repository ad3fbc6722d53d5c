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
// "read /x/y.json: not a regular file (named pipe)".
func ReadFile(path string, limit int64) ([]byte, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|unix.O_NONBLOCK|unix.O_NOCTTY, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readOpen(f, path, limit)
}

// ReadFileAt is ReadFile for the file name in the directory dir, as the
// writer of name sees it: a symbolic link at name is refused
// (ErrSymlink), not followed. Errors name filepath.Join(dir.Name(), name).
func ReadFileAt(dir *os.File, name string, limit int64) ([]byte, error) {
	path := filepath.Join(dir.Name(), name)
	fd, err := unix.Openat(int(dir.Fd()), name, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0)
	if errors.Is(err, unix.ELOOP) {
		return nil, &fs.PathError{Op: "open", Path: path, Err: ErrSymlink}
	} else if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	f := os.NewFile(uintptr(fd), path)
	defer f.Close()
	return readOpen(f, path, limit)
}

// readOpen reads the open file f, named path in errors, within limit.
func readOpen(f *os.File, path string, limit int64) ([]byte, error) {
	if limit <= 0 {
		limit = DefaultLimit
	}
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
// The directory of path is resolved normally (symbolic links in it are
// followed), for paths the caller chose itself; the last element must be
// absent or a regular file: an existing symlink there fails with
// ErrSymlink and any other non-regular file with ErrNotRegular. The write
// is StageAt then Commit: on error the temporary file is removed and path
// is unchanged.
func WriteFileAtomic(path string, data []byte, perm os.FileMode) error {
	return writeAtomic(path, data, perm, openDirFollow)
}

// WriteFileNoSymlinks is WriteFileAtomic for paths chosen by someone other
// than the caller: its directory is opened with OpenDir, so a symbolic
// link anywhere in path, or a directory on a kernel pseudo filesystem,
// fails before anything is created.
func WriteFileNoSymlinks(path string, data []byte, perm os.FileMode) error {
	return writeAtomic(path, data, perm, OpenDir)
}

func openDirFollow(dir string) (*os.File, error) {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: dir, Err: err}
	}
	return os.NewFile(uintptr(fd), dir), nil
}

// WriteFileAtomicFrom is WriteFileAtomic for the content src writes,
// written to the file as src makes it: each piece is handed to the
// kernel to start writing it out at once (sync_file_range(2), where
// there is one), so that the sync at the end waits for little more than
// the last piece. Writing a merged trace of 1,000 runs (19 MB) and
// syncing it took 70 ms after it was encoded; written while it is
// encoded, most of that overlaps the encoding. On an error from src the
// temporary file is removed and path is unchanged; the error is returned
// as it is.
func WriteFileAtomicFrom(path string, src io.WriterTo, perm os.FileMode) error {
	dir, err := openTarget(path, openDirFollow)
	if err != nil {
		return err
	}
	defer dir.Close()
	s, err := stage(dir, filepath.Base(path), src, WriteOptions{Perm: perm}, true)
	if err != nil {
		return err
	}
	return s.Commit()
}

func writeAtomic(path string, data []byte, perm os.FileMode, openDir func(string) (*os.File, error)) error {
	dir, err := openTarget(path, openDir)
	if err != nil {
		return err
	}
	defer dir.Close()
	s, err := StageAt(dir, filepath.Base(path), data, WriteOptions{Perm: perm})
	if err != nil {
		return err
	}
	return s.Commit()
}

// WriteOptions say how StageAt creates its file.
type WriteOptions struct {
	// Perm is the file's exact permission bits; the umask does not apply.
	Perm os.FileMode
	// DirOwner gives the file the owner and group of its directory, for a
	// root process writing into someone else's directory: the result
	// belongs to whoever owns the directory, as if they had written it.
	DirOwner bool
}

// Staged is a file written in full, synced, and waiting under a temporary
// name beside its destination for Commit or Discard.
type Staged struct {
	dir  *os.File
	tmp  string // temporary name in dir
	name string // destination name in dir
	done bool
}

// StageAt writes data to a new temporary file in dir, to become name
// there on Commit. The file is created with O_CREAT|O_EXCL|O_NOFOLLOW,
// so it can never be an existing file or a symlink, given perm (and the
// directory's owner with DirOwner), and synced. dir stays owned by the
// caller and must stay open until Commit or Discard.
func StageAt(dir *os.File, name string, data []byte, o WriteOptions) (*Staged, error) {
	return stage(dir, name, bytes.NewReader(data), o, false)
}

// stage is StageAt for content src writes, handed to the kernel to write
// out piece by piece with behind set (see WriteFileAtomicFrom).
func stage(dir *os.File, name string, src io.WriterTo, o WriteOptions, behind bool) (*Staged, error) {
	tmp, fd, err := createTemp(int(dir.Fd()), name, o.Perm)
	if err != nil {
		return nil, &fs.PathError{Op: "create", Path: filepath.Join(dir.Name(), tmp), Err: err}
	}
	s := &Staged{dir: dir, tmp: tmp, name: name}
	f := os.NewFile(uintptr(fd), filepath.Join(dir.Name(), tmp))
	var w io.Writer = f
	if behind {
		w = &writeBehind{f: f}
	}
	if err := writeSync(dir, f, w, src, o); err != nil {
		s.Discard()
		return nil, err
	}
	return s, nil
}

// writeBehind writes to f and has the kernel start writing each piece out
// to disk without waiting for it (sync_file_range(2) with
// SYNC_FILE_RANGE_WRITE): a hint, whose errors do not matter, since the
// file is synced after.
type writeBehind struct {
	f   *os.File
	off int64
}

func (wb *writeBehind) Write(p []byte) (int, error) {
	n, err := wb.f.Write(p)
	if n > 0 {
		_ = unix.SyncFileRange(int(wb.f.Fd()), wb.off, int64(n), unix.SYNC_FILE_RANGE_WRITE)
		wb.off += int64(n)
	}
	return n, err
}

// Commit renames the staged file over its destination and syncs the
// directory, so that after a crash the destination holds either the old
// or the new content. A symlink planted at the destination meanwhile is
// replaced, never followed. On a failed rename the temporary file is
// removed and the destination is unchanged.
func (s *Staged) Commit() error {
	if s.done {
		return errors.New("commit: already committed or discarded")
	}
	dirfd := int(s.dir.Fd())
	if err := unix.Renameat(dirfd, s.tmp, dirfd, s.name); err != nil {
		s.Discard()
		return &fs.PathError{Op: "rename", Path: filepath.Join(s.dir.Name(), s.name), Err: err}
	}
	s.done = true
	// The rename is durable only once the directory is synced. A failure
	// here leaves the new content in place, so it is still reported: the
	// caller asked for a durable write.
	if err := unix.Fsync(dirfd); err != nil {
		return &fs.PathError{Op: "sync", Path: s.dir.Name(), Err: err}
	}
	return nil
}

// Discard removes the staged file. It does nothing after Commit or a
// previous Discard.
func (s *Staged) Discard() {
	if !s.done {
		_ = unix.Unlinkat(int(s.dir.Fd()), s.tmp, 0)
		s.done = true
	}
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

// writeSync has src write to w, which writes to f, sets f's mode (and
// owner) and syncs it, closing f in all cases.
func writeSync(dir, f *os.File, w io.Writer, src io.WriterTo, o WriteOptions) error {
	_, err := src.WriteTo(w)
	if err == nil && o.DirOwner {
		err = chownLikeDir(dir, f)
	}
	if err == nil {
		// Chmod after creation (and after chown, which may clear set-id
		// bits): the mode given to open is filtered through the umask, and
		// callers expect exactly perm.
		err = f.Chmod(o.Perm.Perm())
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// chownLikeDir gives f the owner and group of dir. Filesystems without
// ownership (vfat, some network mounts) refuse chown with EPERM or
// EOPNOTSUPP; there every file has the mount's owner anyway, so that is
// not an error.
func chownLikeDir(dir, f *os.File) error {
	var st unix.Stat_t
	if err := unix.Fstat(int(dir.Fd()), &st); err != nil {
		return &fs.PathError{Op: "stat", Path: dir.Name(), Err: err}
	}
	err := unix.Fchown(int(f.Fd()), int(st.Uid), int(st.Gid))
	if errors.Is(err, unix.EPERM) || errors.Is(err, unix.EOPNOTSUPP) {
		return nil
	} else if err != nil {
		return &fs.PathError{Op: "chown", Path: f.Name(), Err: err}
	}
	return nil
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

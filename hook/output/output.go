package output

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/profile"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/trace"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/hook/state"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/fsutil"
)

// Perm is the mode of every file the hook writes.
const Perm os.FileMode = 0o644

// maxExisting bounds how much of an existing file is read to tell whether
// it is a profile or a trace; the largest either is well below.
const maxExisting = fsutil.DefaultLimit

var (
	// ErrRefused is wrapped by every error that refuses an output for
	// where it is or what it would replace.
	ErrRefused = errors.New("refused")
	// errSystemTree, errNotAllowed and errNotOurs say which rule refused.
	errSystemTree = fmt.Errorf("%w: inside a system directory", ErrRefused)
	errNotAllowed = fmt.Errorf("%w: outside the allowed directories", ErrRefused)
	errNotOurs    = fmt.Errorf("%w: an existing file that is neither empty nor a seccomp profile or trace is never replaced", ErrRefused)
)

// SystemTrees returns the directories no output may be created in or
// replaced under unless an allowed directory names them: the host's
// configuration, programs, libraries, boot files, package and service
// state, spools and kernel interfaces. A top-level directory whose name
// starts with "lib" counts too (/lib, /lib32, /lib64, /libx32, ...).
func SystemTrees() []string {
	return []string{"/bin", "/boot", "/dev", "/etc", "/lib*", "/proc", "/run", "/sbin", "/sys", "/usr", "/var/lib", "/var/run", "/var/spool"}
}

// inSystemTree returns the system tree that holds the cleaned absolute
// path, or "".
func inSystemTree(path string) string {
	for _, t := range SystemTrees() {
		if prefix, ok := strings.CutSuffix(t, "*"); ok {
			first, _, _ := strings.Cut(strings.TrimPrefix(path, "/"), "/")
			if strings.HasPrefix("/"+first, prefix) {
				return "/" + first
			}
			continue
		}
		if path == t || strings.HasPrefix(path, t+"/") {
			return t
		}
	}
	return ""
}

// Policy says where outputs may go.
type Policy struct {
	// AllowDirs, when not empty, are the only directories outputs may be
	// in (or under), system trees included: an administrator's choice,
	// made with --allow-dir in the hooks.d arguments. Absolute paths.
	AllowDirs []string
}

// check applies the location rules to the cleaned absolute path.
func (p Policy) check(path string) error {
	if len(p.AllowDirs) == 0 {
		if t := inSystemTree(path); t != "" {
			return fmt.Errorf("%w %s (an administrator can allow a directory with --allow-dir)", errSystemTree, t)
		}
		return nil
	}
	for _, d := range p.AllowDirs {
		d = filepath.Clean(d)
		if strings.HasPrefix(path, d+"/") || (d == "/" && path != "/") {
			return nil
		}
	}
	dirs := slices.Clone(p.AllowDirs)
	for i, d := range dirs {
		dirs[i] = state.Excerpt(d)
	}
	return fmt.Errorf("%w %s", errNotAllowed, strings.Join(dirs, ", "))
}

// Dest is an output that passed the checks, with its directory open.
type Dest struct {
	// Key is the annotation key that named it ("of:" or "tf:"), for
	// messages.
	Key string
	// Path is the output's cleaned absolute path.
	Path string
	// Dir is its directory, opened without following symbolic links. It
	// is what the tracer writes through; Close releases it.
	Dir  *os.File
	name string
}

// Open checks that the hook may write path (absolute and cleaned, as
// state.ParseAnnotation returns it) under p and returns it with its
// directory open. key names it in errors, which are one line naming the
// path (state.Excerpt) and the rule.
func (p Policy) Open(key, path string) (*Dest, error) {
	if !filepath.IsAbs(path) || filepath.Clean(path) != path {
		return nil, fmt.Errorf("%s%s: path must be absolute and clean", key, state.Excerpt(path))
	}
	if err := p.check(path); err != nil {
		return nil, fmt.Errorf("%s%s: %w", key, state.Excerpt(path), err)
	}
	dir, err := fsutil.OpenDir(filepath.Dir(path))
	if errors.Is(err, fs.ErrNotExist) {
		// Not "no such file or directory": podman takes that text for a
		// missing command and blames the runtime.
		return nil, fmt.Errorf("%s%s: output directory does not exist", key, state.Excerpt(path))
	} else if err != nil {
		return nil, fmt.Errorf("%s%s: %w", key, state.Excerpt(path), pathErr(err))
	}
	d := &Dest{Key: key, Path: path, Dir: dir, name: filepath.Base(path)}
	if err := d.checkExisting(); err != nil {
		dir.Close()
		return nil, err
	}
	return d, nil
}

// Reopen returns the output at path whose directory dir a previous Open
// checked, as the tracer gets it from prestart. It takes ownership of dir.
func Reopen(key, path string, dir *os.File) *Dest {
	return &Dest{Key: key, Path: path, Dir: dir, name: filepath.Base(path)}
}

// what names what the output holds, for messages.
func (d *Dest) what() string {
	if d.Key == state.TracePrefix {
		return "trace"
	}
	return "profile"
}

// Close releases the directory.
func (d *Dest) Close() error { return d.Dir.Close() }

// checkExisting accepts the output's name in its directory when it is
// absent, or a regular file that is empty or parses as a seccomp profile
// or a trace (of any version: a trace from a newer hook is still ours).
func (d *Dest) checkExisting() error {
	if err := fsutil.CheckTarget(d.Dir, d.name); err != nil {
		return fmt.Errorf("%s%s: %w", d.Key, state.Excerpt(d.Path), pathErr(err))
	}
	data, err := fsutil.ReadFileAt(d.Dir, d.name, maxExisting)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case errors.Is(err, fsutil.ErrTooLarge):
		return fmt.Errorf("%s%s: %w", d.Key, state.Excerpt(d.Path), errNotOurs)
	case err != nil:
		return fmt.Errorf("%s%s: %w", d.Key, state.Excerpt(d.Path), pathErr(err))
	}
	if len(data) == 0 || isProfile(data) || isTrace(data) {
		return nil
	}
	return fmt.Errorf("%s%s: %w", d.Key, state.Excerpt(d.Path), errNotOurs)
}

func isProfile(data []byte) bool {
	_, err := profile.Parse(data)
	return err == nil
}

func isTrace(data []byte) bool {
	_, err := trace.Parse(data)
	return err == nil || errors.Is(err, trace.ErrVersion)
}

// File is one output and what to write there.
type File struct {
	Dest *Dest
	Data []byte
}

// WriteAll writes every file, all or nothing as far as the filesystem
// allows: each is checked again (checkExisting) and staged in full beside
// its destination first, and only when all are staged are they renamed
// into place, so a full disk or a vanished directory leaves every earlier
// file as it was and no temporary file behind. Files get mode Perm and
// their directory's owner and group.
func WriteAll(files ...File) error {
	staged := make([]*fsutil.Staged, 0, len(files))
	defer func() {
		for _, s := range staged {
			s.Discard() // a no-op once committed
		}
	}()
	for _, f := range files {
		if err := f.Dest.checkExisting(); err != nil {
			return err
		}
		s, err := fsutil.StageAt(f.Dest.Dir, f.Dest.name, f.Data, fsutil.WriteOptions{Perm: Perm, DirOwner: true})
		if err != nil {
			return fmt.Errorf("write %s %s: %w", f.Dest.what(), state.Excerpt(f.Dest.Path), pathErr(err))
		}
		staged = append(staged, s)
	}
	for i, s := range staged {
		if err := s.Commit(); err != nil {
			return fmt.Errorf("write %s %s: %w", files[i].Dest.what(), state.Excerpt(files[i].Dest.Path), pathErr(err))
		}
	}
	return nil
}

// pathErr drops the path from an *fs.PathError, whose message repeats
// the whole path: callers name the path themselves, cut to an excerpt.
func pathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Op, pe.Err)
	}
	return err
}

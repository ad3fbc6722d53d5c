package fsutil_test

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/fsutil"
)

func TestReadFile(t *testing.T) {
	dir := t.TempDir()
	regular := filepath.Join(dir, "profile.json")
	if err := os.WriteFile(regular, []byte("{}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(regular, link); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}

	for _, path := range []string{regular, link} {
		data, err := fsutil.ReadFile(path, 0)
		if err != nil || string(data) != "{}\n" {
			t.Errorf("ReadFile(%s) = %q, %v", path, data, err)
		}
	}
	for _, tc := range []struct {
		name, path string
		limit      int64
		want       error
	}{
		{"fifo", fifo, 0, fsutil.ErrNotRegular},
		{"directory", dir, 0, fsutil.ErrNotRegular},
		{"too large", regular, 2, fsutil.ErrTooLarge},
		{"missing", filepath.Join(dir, "missing"), 0, fs.ErrNotExist},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := fsutil.ReadFile(tc.path, tc.limit)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.path) {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
	if _, err := fsutil.ReadFile(regular, 3); err != nil {
		t.Errorf("file exactly at the limit: %v", err)
	}
}

// Files whose size fstat does not know, as in /proc, are read whole, and
// still within the limit.
func TestReadFileBeyondStatSize(t *testing.T) {
	const path = "/proc/self/mountinfo" // regular, size 0, usually several KiB
	want, err := os.ReadFile(path)
	if err != nil || len(want) < 2 {
		t.Skipf("%s: %d bytes, %v", path, len(want), err)
	}
	got, err := fsutil.ReadFile(path, 0)
	if err != nil || string(got) != string(want) {
		t.Errorf("ReadFile(%s) = %d bytes, %v; want %d bytes", path, len(got), err, len(want))
	}
	if _, err := fsutil.ReadFile(path, int64(len(want)-1)); !errors.Is(err, fsutil.ErrTooLarge) {
		t.Errorf("ReadFile(%s) with a limit below its length: %v, want %v", path, err, fsutil.ErrTooLarge)
	}
}

// WriteFileNoSymlinks refuses a link in any component, and pseudo
// filesystems, before creating anything.
func TestWriteFileNoSymlinks(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real")
	if err := os.Mkdir(real, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, filepath.Join(dir, "link")); err != nil {
		t.Fatal(err)
	}
	if err := fsutil.WriteFileNoSymlinks(filepath.Join(real, "ok.json"), []byte("x"), 0o644); err != nil {
		t.Fatalf("plain path: %v", err)
	}
	err := fsutil.WriteFileNoSymlinks(filepath.Join(dir, "link", "x.json"), []byte("x"), 0o644)
	if !errors.Is(err, fsutil.ErrSymlink) {
		t.Errorf("through a linked directory: err = %v, want ErrSymlink", err)
	}
	if _, err := os.Stat(filepath.Join(real, "x.json")); !os.IsNotExist(err) {
		t.Errorf("written through the link: %v", err)
	}
	err = fsutil.WriteFileNoSymlinks("/proc/sys/kernel/x.json", []byte("x"), 0o644)
	if !errors.Is(err, fsutil.ErrPseudoFS) {
		t.Errorf("/proc: err = %v, want ErrPseudoFS", err)
	}
	// The plain variant follows the directory link (the compiler CLI's
	// user names their own paths).
	if err := fsutil.WriteFileAtomic(filepath.Join(dir, "link", "y.json"), []byte("y"), 0o644); err != nil {
		t.Errorf("WriteFileAtomic through a linked directory: %v", err)
	}
}

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.json")
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)

	if err := fsutil.WriteFileAtomic(path, []byte("one"), 0o644); err != nil {
		t.Fatalf("create: %v", err)
	}
	if err := fsutil.WriteFileAtomic(path, []byte("two"), 0o644); err != nil {
		t.Fatalf("replace: %v", err)
	}
	data, _ := os.ReadFile(path)
	st, _ := os.Stat(path)
	if string(data) != "two" || st.Mode().Perm() != 0o644 {
		t.Errorf("got %q mode %v, want \"two\" mode 0644 despite the umask", data, st.Mode().Perm())
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

// pieces writes its pieces one Write each, then fails if err is set.
type pieces struct {
	parts []string
	err   error
}

func (p pieces) WriteTo(w io.Writer) (int64, error) {
	var n int64
	for _, s := range p.parts {
		m, err := io.WriteString(w, s)
		n += int64(m)
		if err != nil {
			return n, err
		}
	}
	return n, p.err
}

func TestWriteFileAtomicFrom(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "out.json")
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)

	if err := fsutil.WriteFileAtomicFrom(path, pieces{parts: []string{"one", ""}}, 0o644); err != nil {
		t.Fatalf("create: %v", err)
	}
	big := strings.Repeat("x", 3<<20)
	if err := fsutil.WriteFileAtomicFrom(path, pieces{parts: []string{"t", big, "wo"}}, 0o644); err != nil {
		t.Fatalf("replace: %v", err)
	}
	data, _ := os.ReadFile(path)
	st, _ := os.Stat(path)
	if string(data) != "t"+big+"wo" || st.Mode().Perm() != 0o644 {
		t.Errorf("got %d bytes mode %v, want %d mode 0644 despite the umask", len(data), st.Mode().Perm(), len(big)+3)
	}
	// An error from the writer leaves the file as it was, and no
	// temporary file.
	failed := errors.New("encode failed")
	if err := fsutil.WriteFileAtomicFrom(path, pieces{parts: []string{"half"}, err: failed}, 0o644); err != failed {
		t.Errorf("failing writer: err = %v, want it as it is", err)
	}
	if data, _ := os.ReadFile(path); string(data) != "t"+big+"wo" {
		t.Errorf("a failed write changed the file: %d bytes", len(data))
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
	if err := fsutil.WriteFileAtomicFrom(filepath.Join(dir, "missing", "x"), pieces{}, 0o644); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing directory: err = %v", err)
	}
}

func TestWriteFileAtomicRefuses(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	if err := os.WriteFile(target, []byte("secret"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}

	if err := fsutil.WriteFileAtomic(link, []byte("x"), 0o644); !errors.Is(err, fsutil.ErrSymlink) {
		t.Errorf("symlink: err = %v, want ErrSymlink", err)
	}
	if data, _ := os.ReadFile(target); string(data) != "secret" {
		t.Errorf("write went through the symlink: target holds %q", data)
	}
	if err := fsutil.WriteFileAtomic(sub, []byte("x"), 0o644); !errors.Is(err, fsutil.ErrNotRegular) {
		t.Errorf("directory: err = %v, want ErrNotRegular", err)
	}
	if err := fsutil.WriteFileAtomic(filepath.Join(dir, "missing", "x"), []byte("x"), 0o644); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing directory: err = %v", err)
	}
	if err := fsutil.WriteFileAtomic(dir+"/", []byte("x"), 0o644); err == nil {
		t.Error("path without a file name accepted")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 3 {
		t.Errorf("unexpected files left: %v", entries)
	}
}

func TestWriteFileAtomicRelative(t *testing.T) {
	t.Chdir(t.TempDir())
	if err := fsutil.WriteFileAtomic("rel.json", []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile("rel.json"); err != nil || string(data) != "x" {
		t.Errorf("got %q, %v", data, err)
	}
}

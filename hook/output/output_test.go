package output

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/hook/state"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/fsutil"
)

func TestSystemTrees(t *testing.T) {
	for path, want := range map[string]string{
		"/etc/passwd":               "/etc",
		"/etc":                      "/etc",
		"/usr/local/bin/x":          "/usr",
		"/lib64/x.so":               "/lib64",
		"/libx32/x":                 "/libx32",
		"/lib/x":                    "/lib",
		"/var/lib/containers/x":     "/var/lib",
		"/var/spool/cron/crontabs/": "/var/spool",
		"/run/oci-seccomp-bpf-hook": "/run",
		"/tmp/x.json":               "",
		"/var/tmp/x.json":           "",
		"/etcetera/x.json":          "",
		"/var/library/x.json":       "",
		"/root/x.json":              "",
		"/home/u/x.json":            "",
	} {
		if got := inSystemTree(filepath.Clean(path)); got != want {
			t.Errorf("inSystemTree(%q) = %q, want %q", path, got, want)
		}
	}
}

func TestPolicyCheck(t *testing.T) {
	allow := Policy{AllowDirs: []string{"/var/lib/seccomp", "/srv/profiles"}}
	for _, c := range []struct {
		p    Policy
		path string
		want error
	}{
		{Policy{}, "/tmp/a.json", nil},
		{Policy{}, "/etc/cron.d/x", errSystemTree},
		{Policy{}, "/usr/share/x.json", errSystemTree},
		{allow, "/var/lib/seccomp/a.json", nil},
		{allow, "/var/lib/seccomp/sub/a.json", nil},
		{allow, "/srv/profiles/a.json", nil},
		{allow, "/var/lib/seccomp", errNotAllowed},
		{allow, "/var/lib/seccomp-evil/a.json", errNotAllowed},
		{allow, "/etc/passwd", errNotAllowed},
		{allow, "/tmp/a.json", errNotAllowed},
		{Policy{AllowDirs: []string{"/etc/seccomp"}}, "/etc/seccomp/a.json", nil},
	} {
		err := c.p.check(c.path)
		if !errors.Is(err, c.want) || (c.want == nil) != (err == nil) {
			t.Errorf("%v.check(%q) = %v, want %v", c.p.AllowDirs, c.path, err, c.want)
		}
		if err != nil && !errors.Is(err, ErrRefused) {
			t.Errorf("%v.check(%q) = %v, not ErrRefused", c.p.AllowDirs, c.path, err)
		}
	}
}

const (
	aProfile = `{"defaultAction":"SCMP_ACT_ERRNO","syscalls":[{"names":["read"],"action":"SCMP_ACT_ALLOW"}]}`
	aTrace   = `{"version":1,"runs":[]}`
	newTrace = `{"version":99,"whatever":true}`
)

// What may already be at an output: absent, empty, a profile or a trace;
// anything else is refused and left alone.
func TestOpenExisting(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	passwd, _ := os.ReadFile("/etc/passwd")
	os.Mkdir(filepath.Join(dir, "sub"), 0o755)
	os.Symlink(filepath.Join(dir, "sub"), filepath.Join(dir, "linkdir"))
	os.Symlink(write("target", "secret"), filepath.Join(dir, "link.json"))
	syscall.Mkfifo(filepath.Join(dir, "fifo"), 0o600)
	big := write("big.json", "")
	os.Truncate(big, maxExisting+1)

	for _, c := range []struct {
		path, want string
	}{
		{filepath.Join(dir, "new.json"), ""},
		{write("empty.json", ""), ""},
		{write("profile.json", aProfile), ""},
		{write("trace.json", aTrace), ""},
		{write("newer-trace.json", newTrace), ""},
		{write("passwd", string(passwd)), "neither empty nor a seccomp profile or trace"},
		{write("almost.json", `{"defaultAction":"SCMP_ACT_ERRNO","bogus":1}`), "neither empty"},
		{big, "neither empty"},
		{filepath.Join(dir, "link.json"), "symbolic link"},
		{filepath.Join(dir, "linkdir", "x.json"), "symbolic link"},
		{filepath.Join(dir, "sub"), "not a regular file"},
		{filepath.Join(dir, "fifo"), "not a regular file"},
		{filepath.Join(dir, "nodir", "x.json"), "output directory does not exist"},
		{"/proc/sys/kernel/core_pattern", "inside a system directory"},
		{"/etc/shadow", "inside a system directory"},
	} {
		d, err := Policy{}.Open(state.OutputPrefix, c.path)
		if d != nil {
			d.Close()
		}
		switch {
		case c.want == "" && err != nil:
			t.Errorf("Open(%s) = %v", c.path, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("Open(%s) = %v, want %q", c.path, err, c.want)
		case err != nil && !strings.HasPrefix(err.Error(), "of:"):
			t.Errorf("Open(%s) = %q, does not start with the key and path", c.path, err)
		}
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "target")); string(data) != "secret" {
		t.Errorf("symlink target changed: %q", data)
	}
}

// A pseudo filesystem is refused even where an administrator allowed it.
func TestOpenPseudoFS(t *testing.T) {
	_, err := Policy{AllowDirs: []string{"/proc"}}.Open(state.OutputPrefix, "/proc/sys/kernel/core_pattern")
	if !errors.Is(err, fsutil.ErrPseudoFS) {
		t.Fatalf("err = %v, want ErrPseudoFS", err)
	}
}

// Errors quote an excerpt of a long path, never all of it.
func TestOpenLongPath(t *testing.T) {
	long := "/tmp/" + strings.Repeat("x", 3000) + "/p.json"
	_, err := Policy{}.Open(state.OutputPrefix, long)
	if err == nil || len(err.Error()) > 300 {
		t.Fatalf("err = %.400v (%d bytes)", err, len(err.Error()))
	}
}

func TestWriteAll(t *testing.T) {
	dir := t.TempDir()
	open := func(key, name string) *Dest {
		d, err := Policy{}.Open(key, filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { d.Close() })
		return d
	}
	old := syscall.Umask(0o077)
	defer syscall.Umask(old)
	p, tr := open(state.OutputPrefix, "p.json"), open(state.TracePrefix, "t.json")
	if err := WriteAll(File{p, []byte(aProfile)}, File{tr, []byte(aTrace)}); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{"p.json": aProfile, "t.json": aTrace} {
		data, _ := os.ReadFile(filepath.Join(dir, name))
		st, _ := os.Stat(filepath.Join(dir, name))
		if string(data) != want || st.Mode().Perm() != Perm {
			t.Errorf("%s: %q mode %v", name, data, st.Mode().Perm())
		}
	}

	// Re-checked at write time: a file that became something else meanwhile
	// is not replaced, and neither output is written.
	os.WriteFile(filepath.Join(dir, "t.json"), []byte("precious"), 0o644)
	err := WriteAll(File{p, []byte(`{"new":1}`)}, File{tr, []byte(aTrace)})
	if !errors.Is(err, ErrRefused) {
		t.Fatalf("WriteAll over a foreign file: %v", err)
	}
	if data, _ := os.ReadFile(filepath.Join(dir, "p.json")); string(data) != aProfile {
		t.Errorf("profile replaced although the trace was refused: %q", data)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("temporary files left: %v", entries)
	}
}

// Files take the owner and group of their directory.
func TestWriteAllOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("requires root")
	}
	dir := t.TempDir()
	os.Chmod(filepath.Dir(dir), 0o755)
	if err := os.Chown(dir, 65534, 65533); err != nil {
		t.Fatal(err)
	}
	d, err := Policy{}.Open(state.OutputPrefix, filepath.Join(dir, "p.json"))
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if err := WriteAll(File{d, []byte(aProfile)}); err != nil {
		t.Fatal(err)
	}
	var st syscall.Stat_t
	syscall.Stat(filepath.Join(dir, "p.json"), &st)
	if st.Uid != 65534 || st.Gid != 65533 {
		t.Errorf("owner %d:%d, want 65534:65533", st.Uid, st.Gid)
	}
}

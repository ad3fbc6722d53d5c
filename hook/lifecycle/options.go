//go:build linux

package lifecycle

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	cseccomp "github.com/containers/common/pkg/seccomp"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/bpf"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/profile"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/hook/state"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/fsutil"
)

// Defaults for Options.
const (
	DefaultRunDir        = "/run/oci-seccomp-bpf-hook"
	DefaultAttachTimeout = 10 * time.Second
	DefaultStopTimeout   = 60 * time.Second
	// MaxInputSize bounds an if: profile; the engine's default profile is
	// about 20 KiB.
	MaxInputSize = 16 << 20
)

// ErrNotRoot is returned when the hook is not run as root: loading eBPF
// and writing where annotations point both need it.
var ErrNotRoot = errors.New("must run as root")

// Options configure the hook's stages.
type Options struct {
	// Executable is the hook binary that Prestart re-executes as the
	// tracer. Empty means this process's own executable.
	Executable string
	// RunDir holds the per-container status files. Empty means
	// DefaultRunDir.
	RunDir string
	// AttachTimeout bounds how long Prestart waits for the tracer.
	AttachTimeout time.Duration
	// StopTimeout bounds how long Poststop waits for the profile.
	StopTimeout time.Duration
	// AllowDirs, when not empty, are the only directories the hook writes
	// profiles and traces into (set with --allow-dir in the hooks.d args).
	// Paths are compared after cleaning; symlinks are refused anyway.
	AllowDirs []string
	// BPF configures the recorder the tracer joins.
	BPF bpf.Options
}

func (o Options) withDefaults() Options {
	if o.Executable == "" {
		if exe, err := os.Executable(); err == nil {
			o.Executable = exe
		}
	}
	if o.RunDir == "" {
		o.RunDir = DefaultRunDir
	}
	if o.AttachTimeout <= 0 {
		o.AttachTimeout = DefaultAttachTimeout
	}
	if o.StopTimeout <= 0 {
		o.StopTimeout = DefaultStopTimeout
	}
	return o
}

// tracerArgs passes the options the tracer needs on its command line.
func (o Options) tracerArgs() []string {
	args := []string{"--run-dir", o.RunDir}
	for _, d := range o.AllowDirs {
		args = append(args, "--allow-dir", d)
	}
	if o.BPF.PinDir != "" {
		args = append(args, "--pin-dir", o.BPF.PinDir)
	}
	if o.BPF.Private {
		args = append(args, "--private")
	}
	return args
}

// RequireRoot returns ErrNotRoot unless the effective user is root.
func RequireRoot() error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("%w (euid %d): loading eBPF programs needs root", ErrNotRoot, os.Geteuid())
	}
	return nil
}

// checkPaths fails early, before the container starts, on what would make
// the tracer fail at the end: an unreadable or invalid if: profile, or an
// output whose directory does not exist or which is not a regular file.
func checkPaths(a state.Annotation, opts Options) error {
	if a.Input != "" {
		if _, err := readProfile(a.Input); err != nil {
			return err
		}
	}
	for _, out := range []string{a.Output, a.Trace} {
		if out == "" {
			continue
		}
		if err := opts.allowed(out); err != nil {
			return err
		}
		if err := checkOutput(out); err != nil {
			return err
		}
	}
	return nil
}

// ErrNotAllowed is returned for an output outside Options.AllowDirs.
var ErrNotAllowed = errors.New("outside the allowed directories")

// allowed checks path against AllowDirs.
func (o Options) allowed(path string) error {
	if len(o.AllowDirs) == 0 {
		return nil
	}
	clean := filepath.Clean(path)
	for _, d := range o.AllowDirs {
		d = filepath.Clean(d)
		if strings.HasPrefix(clean, d+"/") || (d == "/" && clean != "/") {
			return nil
		}
	}
	return fmt.Errorf("output %s: %w %s", path, ErrNotAllowed, strings.Join(o.AllowDirs, ", "))
}

// readProfile reads and parses an if: profile.
func readProfile(path string) (*cseccomp.Seccomp, error) {
	data, err := fsutil.ReadFile(path, MaxInputSize)
	if errors.Is(err, fs.ErrNotExist) {
		// Not "no such file or directory": podman takes that text for a
		// missing command and blames the runtime.
		return nil, fmt.Errorf("read input profile %s: file does not exist", path)
	} else if err != nil {
		return nil, fmt.Errorf("read input profile: %w", err)
	}
	p, err := profile.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("parse input profile %s: %w", path, err)
	}
	return p, nil
}

func checkOutput(path string) error {
	err := fsutil.CheckWritable(path)
	if errors.Is(err, fs.ErrNotExist) {
		// Not "no such file or directory": podman takes that text for a
		// missing command and blames the runtime.
		return fmt.Errorf("output directory %s does not exist", filepath.Dir(path))
	} else if err != nil {
		return fmt.Errorf("output: %w", err)
	}
	return nil
}

//go:build linux

package lifecycle

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	cseccomp "github.com/containers/common/pkg/seccomp"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/bpf"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/profile"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/hook/output"
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

// Options configure the hook's stages. They come from the hook's command
// line (the hooks.d arguments); prestart hands the tracer what it needs.
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
	// profiles and traces into (set with --allow-dir in the hooks.d args),
	// system directories included; see package output for the rules that
	// apply without them.
	AllowDirs []string
	// LogLevel is the tracer's log level (logrus names).
	LogLevel string
	// NodeName names the host in traces (trace.Run.Node); empty means
	// the host name (os.Hostname). On a Kubernetes node whose host name
	// is not the node's name, set it with --node-name in the hooks.d
	// args.
	NodeName string
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
	if o.NodeName == "" {
		// Best effort: a trace without a node name is still a trace.
		o.NodeName, _ = os.Hostname()
	}
	return o
}

// policy is where outputs may go.
func (o Options) policy() output.Policy { return output.Policy{AllowDirs: o.AllowDirs} }

// RequireRoot returns ErrNotRoot unless the effective user is root.
func RequireRoot() error {
	if os.Geteuid() != 0 {
		return fmt.Errorf("%w (euid %d): loading eBPF programs needs root", ErrNotRoot, os.Geteuid())
	}
	return nil
}

// readProfile reads and parses an if: profile, returning its bytes too:
// the tracer gets those bytes, not the path, so that if: may name the
// file of: replaces.
func readProfile(path string) ([]byte, *cseccomp.Seccomp, error) {
	data, err := fsutil.ReadFile(path, MaxInputSize)
	var pe *fs.PathError
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// Not "no such file or directory": podman takes that text for a
		// missing command and blames the runtime.
		return nil, nil, fmt.Errorf("read input profile %s: file does not exist", state.Excerpt(path))
	case errors.As(err, &pe):
		return nil, nil, fmt.Errorf("read input profile %s: %s: %w", state.Excerpt(path), pe.Op, pe.Err)
	case err != nil:
		return nil, nil, fmt.Errorf("read input profile %s: %w", state.Excerpt(path), err)
	}
	p, err := parseBase(path, data)
	return data, p, err
}

func parseBase(path string, data []byte) (*cseccomp.Seccomp, error) {
	p, err := profile.Parse(data)
	if err != nil {
		return nil, fmt.Errorf("parse input profile %s: %w", state.Excerpt(path), err)
	}
	return p, nil
}

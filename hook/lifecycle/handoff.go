//go:build linux

package lifecycle

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/go-json-experiment/json"
	"golang.org/x/sys/unix"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/bpf"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/hook/output"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/hook/state"
)

// TracerEnv, set in the environment, makes the hook binary run as the
// tracer that Prestart starts (runc passes its init's settings the same
// way, through _LIBCONTAINER_* variables and inherited descriptors): the
// tracer's settings arrive as one handoff on an inherited descriptor, so
// none of them shows on its command line or in -h.
const TracerEnv = "_OCI_SECCOMP_BPF_HOOK_TRACER"

// Descriptors Prestart hands the tracer, at fixed numbers (exec.Cmd's
// ExtraFiles start at 3).
const (
	handoffFD  = 3 // memfd holding the handoff, JSON
	attachedFD = 4 // write end of the "attached" pipe
	pidFD      = 5 // pidfd of the container's init
	statusFD   = 6 // locked status file, see status.go
	outputFD   = 7 // directory of the of: profile, checked by Prestart
	traceFD    = 8 // directory of the tf: trace, when there is one
)

// maxHandoff bounds the handoff: a base profile of MaxInputSize, in
// base64, and a little more.
const maxHandoff = 2*MaxInputSize + 1<<20

// handoff is everything Prestart tells the tracer besides the
// descriptors.
type handoff struct {
	// PID of the container's init, as seen from the host; the pidfd pins
	// it.
	PID int `json:"pid"`
	// ID and Bundle come from the OCI state, for the trace's provenance.
	ID     string `json:"id"`
	Bundle string `json:"bundle,omitzero"`
	// Output and Trace are the of: and tf: paths, for messages: the files
	// are written through the inherited directories.
	Output string `json:"output"`
	Trace  string `json:"trace,omitzero"`
	// Input is the if: path and Base its content as Prestart read it.
	Input string `json:"input,omitzero"`
	Base  []byte `json:"base,omitzero"`
	// Provenance for the trace that Prestart knows and the tracer does
	// not: the host's name, the container's Kubernetes names (from the
	// state's annotations) and the OCI runtime's executable (Prestart's
	// parent), whose --version the tracer asks.
	Node       string `json:"node,omitzero"`
	Namespace  string `json:"namespace,omitzero"`
	Pod        string `json:"pod,omitzero"`
	Container  string `json:"container,omitzero"`
	RuntimeExe string `json:"runtimeExe,omitzero"`
	// The options the tracer needs.
	RunDir   string `json:"runDir"`
	PinDir   string `json:"pinDir,omitzero"`
	Private  bool   `json:"private,omitzero"`
	LogLevel string `json:"logLevel,omitzero"`
}

// writeHandoff returns a memfd holding h, positioned at its start.
func writeHandoff(h handoff) (*os.File, error) {
	data, err := json.Marshal(h)
	if err != nil {
		return nil, fmt.Errorf("encode tracer handoff: %w", err)
	}
	fd, err := unix.MemfdCreate("oci-seccomp-bpf-hook-handoff", unix.MFD_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("create tracer handoff: %w", err)
	}
	f := os.NewFile(uintptr(fd), "handoff")
	if _, err := f.Write(data); err != nil {
		f.Close()
		return nil, fmt.Errorf("write tracer handoff: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("rewind tracer handoff: %w", err)
	}
	return f, nil
}

// Tracer is a tracer started by Prestart, as it finds itself: its
// handoff read, its descriptors not yet taken.
type Tracer struct {
	h handoff
}

// ReadHandoff reads the handoff Prestart left on the tracer's descriptor.
// Call it only when TracerEnv is set.
func ReadHandoff() (*Tracer, error) {
	f := os.NewFile(handoffFD, "handoff")
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxHandoff+1))
	if err != nil {
		return nil, fmt.Errorf("read tracer handoff: %w", err)
	}
	if len(data) > maxHandoff {
		return nil, errors.New("read tracer handoff: too large")
	}
	var h handoff
	if err := json.Unmarshal(data, &h, json.RejectUnknownMembers(true)); err != nil {
		return nil, fmt.Errorf("decode tracer handoff: %w", err)
	}
	return &Tracer{h: h}, nil
}

// LogLevel is the log level Prestart was given.
func (t *Tracer) LogLevel() string { return t.h.LogLevel }

// RunDir is the run directory Prestart was given, for the log fallback.
func (t *Tracer) RunDir() string { return t.h.RunDir }

// Run records the container until its init exits and writes the
// outputs, reporting "attached" (or why it could not attach) to Prestart
// and its outcome in the status file.
func (t *Tracer) Run() error {
	h := t.h
	cfg := TracerConfig{
		PID: h.PID, ID: h.ID, Bundle: h.Bundle, Input: h.Input,
		Names:      state.Names{Namespace: h.Namespace, Pod: h.Pod, Container: h.Container},
		RuntimeExe: h.RuntimeExe,
		Output:     output.Reopen(state.OutputPrefix, h.Output, os.NewFile(outputFD, h.Output)),
		Options: Options{
			RunDir:   h.RunDir,
			NodeName: h.Node,
			BPF:      bpf.Options{PinDir: h.PinDir, Private: h.Private},
		},
	}
	if h.Trace != "" {
		cfg.Trace = output.Reopen(state.TracePrefix, h.Trace, os.NewFile(traceFD, h.Trace))
	}
	tr := &tracer{
		cfg:      cfg,
		impl:     defaultImpl{},
		pidfd:    pidFD,
		attached: os.NewFile(attachedFD, "attached"),
		status:   os.NewFile(statusFD, "status"),
	}
	if h.Input != "" {
		base, err := parseBase(h.Input, h.Base)
		if err != nil {
			return tr.fail(err)
		}
		tr.cfg.Base = base
	}
	return tr.run()
}

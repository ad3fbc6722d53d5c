//go:build linux

package lifecycle

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/go-json-experiment/json"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/bpf"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/profile"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/trace"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/hook/output"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/hook/state"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/args"
)

// fakeImpl stands in for the kernel, the filesystem and the clock; each
// field left nil succeeds.
type fakeImpl struct {
	traceableErr, nsErr, aliveErr, attachErr, waitErr, stopErr, writeErr error
	res                                                                  *bpf.Result
	attached, stopped                                                    bool
	written                                                              []output.File
	// runtimeExe is what runtimeVersion was asked about.
	runtimeExe string
}

func (f *fakeImpl) checkTraceable(int) error { return f.traceableErr }
func (f *fakeImpl) namespaces(int) (bpf.Namespaces, error) {
	return bpf.Namespaces{PID: 4026532000}, f.nsErr
}
func (f *fakeImpl) alive(int) error    { return f.aliveErr }
func (f *fakeImpl) waitExit(int) error { return f.waitErr }
func (f *fakeImpl) now() time.Time     { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }
func (f *fakeImpl) bundleProcess(string) bundleProcess {
	return bundleProcess{Command: []string{"ls", "/"}, NoNewPrivileges: true}
}

func (f *fakeImpl) runtimeVersion(exe string) string {
	f.runtimeExe = exe
	if exe == "" {
		return ""
	}
	return "crun 1.8.1"
}

func (f *fakeImpl) attach(bpf.Namespaces, bpf.Options) (recording, error) {
	if f.attachErr != nil {
		return nil, f.attachErr
	}
	f.attached = true
	return fakeRecording{f}, nil
}

func (f *fakeImpl) write(files ...output.File) error {
	if f.writeErr != nil {
		return f.writeErr
	}
	f.written = files
	return nil
}

type fakeRecording struct{ f *fakeImpl }

func (fakeRecording) Loaded() bool { return false }

func (r fakeRecording) Stop() (*bpf.Result, error) {
	r.f.stopped = true
	if r.f.stopErr != nil {
		return nil, r.f.stopErr
	}
	return r.f.res, nil
}

// recorded is what a container that ran ls / under a filter made: read
// and exit_group, and an ioctl the runtime made too.
func recorded() *bpf.Result {
	return &bpf.Result{Phase: bpf.PhaseFilter, Calls: []bpf.Call{
		{ABI: bpf.ABINative, Number: 0, Count: 3, Comms: []string{"ls"}},
		{ABI: bpf.ABINative, Number: 231, Count: 1, Comms: []string{"ls"}},
		{ABI: bpf.ABINative, Number: 16, Count: 3, Runtime: 1, Comms: []string{"crun"}, Args: []bpf.Arg{
			{Index: 1, Kind: args.Values, Values: []bpf.ArgValue{{Value: 0x5401, Count: 2}, {Value: 0x540e, Count: 1}}}}},
	}}
}

// newTestTracer returns a tracer for f writing into a temporary
// directory, with the pipe Prestart would read and the status file
// Poststop would.
func newTestTracer(t *testing.T, f *fakeImpl) (tr *tracer, attached *os.File, status string) {
	t.Helper()
	dir := t.TempDir()
	out, err := output.Policy{}.Open(state.OutputPrefix, filepath.Join(dir, "p.json"))
	if err != nil {
		t.Fatal(err)
	}
	tf, err := output.Policy{}.Open(state.TracePrefix, filepath.Join(dir, "t.json"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { out.Close(); tf.Close() })
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	sf, err := createStatus(dir, "c1")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sf.Close() })
	tr = &tracer{
		cfg: TracerConfig{PID: 42, ID: "c1", Output: out, Trace: tf, RuntimeExe: "/usr/bin/crun",
			Names: state.Names{Namespace: "shop", Pod: "web", Container: "app"}, Options: Options{NodeName: "node-1"}},
		impl:     f,
		pidfd:    -1,
		attached: w,
		status:   sf,
	}
	return tr, r, statusPath(dir, "c1")
}

// Every way the tracer can fail: the error reaches Prestart while it
// waits (before attaching) or the status file (after), and nothing is
// written.
func TestTracerFailures(t *testing.T) {
	boom := errors.New("boom")
	for _, c := range []struct {
		name         string
		f            fakeImpl
		want         string
		beforeAttach bool
	}{
		{"not traceable", fakeImpl{traceableErr: boom}, "boom", true},
		{"no namespace", fakeImpl{nsErr: boom}, "boom", true},
		{"pid reused", fakeImpl{aliveErr: boom}, "container process 42: boom", true},
		{"attach", fakeImpl{attachErr: boom}, "attach recorder: boom", true},
		{"signalled", fakeImpl{res: recorded(), waitErr: boom}, "boom", false},
		{"stop", fakeImpl{stopErr: boom}, "stop recorder: boom", false},
		{"lost calls", fakeImpl{res: &bpf.Result{Phase: bpf.PhaseFilter, Lost: 3}}, "syscalls were lost: 3 calls", false},
		{"missed runs", fakeImpl{res: &bpf.Result{Phase: bpf.PhaseFilter, Missed: 1}}, "1 program runs were skipped", false},
		{"never started", fakeImpl{res: &bpf.Result{Phase: bpf.PhaseWaiting}}, "exited before it started", false},
		{"unnamed call", fakeImpl{res: &bpf.Result{Phase: bpf.PhaseFilter, Calls: []bpf.Call{{ABI: bpf.ABINative, Number: 999, Count: 1}}}}, "name syscall 999", false},
		{"write", fakeImpl{res: recorded(), writeErr: boom}, "boom", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			tr, attached, status := newTestTracer(t, &c.f)
			err := tr.run()
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("run() = %v, want %q", err, c.want)
			}
			if c.name == "lost calls" || c.name == "missed runs" {
				if !errors.Is(err, ErrLost) {
					t.Errorf("err = %v, not ErrLost", err)
				}
			}
			msg, _ := io.ReadAll(attached)
			if c.beforeAttach {
				if !strings.Contains(string(msg), c.want) || strings.Contains(string(msg), attachedMsg) {
					t.Errorf("prestart read %q, want the error", msg)
				}
			} else if string(msg) != attachedMsg+"\n" {
				t.Errorf("prestart read %q, want %q", msg, attachedMsg)
			}
			line, _ := os.ReadFile(status)
			if !strings.HasPrefix(string(line), "error: ") || !strings.Contains(string(line), c.want) {
				t.Errorf("status %q, want the error", line)
			}
			if c.f.written != nil {
				t.Errorf("wrote %d files despite the error", len(c.f.written))
			}
			if c.f.attached && !c.f.stopped {
				t.Error("recorder attached and never stopped")
			}
		})
	}
}

// A successful run writes the profile and the trace the compiler would.
func TestTracerWrites(t *testing.T) {
	f := &fakeImpl{res: recorded()}
	tr, attached, status := newTestTracer(t, f)
	if err := tr.run(); err != nil {
		t.Fatal(err)
	}
	if msg, _ := io.ReadAll(attached); string(msg) != attachedMsg+"\n" {
		t.Errorf("prestart read %q", msg)
	}
	if line, _ := os.ReadFile(status); string(line) != statusOK+"\n" {
		t.Errorf("status %q", line)
	}
	if len(f.written) != 2 || f.written[0].Dest != tr.cfg.Output || f.written[1].Dest != tr.cfg.Trace {
		t.Fatalf("written %+v", f.written)
	}
	p, err := profile.Parse(f.written[0].Data)
	if err != nil {
		t.Fatal(err)
	}
	if names := p.Syscalls[0].Names; len(names) != 2 || names[0] != "exit_group" || names[1] != "read" {
		t.Errorf("profile allows %v", names)
	}
	// ioctl is allowed for the requests recorded (and the terminal
	// group), not with any.
	if a := profile.Allowed(p)["ioctl"]; a != profile.AccessConditional {
		t.Errorf("ioctl is %s, want conditional", a)
	}
	tt, err := trace.Parse(f.written[1].Data)
	if err != nil {
		t.Fatal(err)
	}
	r := tt.Runs[0]
	if r.ContainerID != "c1" || len(r.Command) != 2 || len(r.Syscalls) != 3 {
		t.Errorf("trace run %+v", r)
	}
	// Provenance: the runtime asked at its executable, config.json, the
	// annotations and the node name.
	if f.runtimeExe != "/usr/bin/crun" || r.Runtime != "crun 1.8.1" || !r.NoNewPrivileges ||
		r.Node != "node-1" || r.Namespace != "shop" || r.Pod != "web" || r.Container != "app" {
		t.Errorf("trace run provenance %+v", r)
	}
	ioctl := r.Syscalls[1]
	if ioctl.Name != "ioctl" || ioctl.RuntimeCount != 1 || len(ioctl.Args) != 1 || len(ioctl.Args[0].Values) != 2 {
		t.Errorf("trace ioctl %+v", ioctl)
	}
}

// Without a runtime executable (by hand) the run has no runtime.
func TestTracerNoRuntime(t *testing.T) {
	f := &fakeImpl{res: recorded()}
	tr, _, _ := newTestTracer(t, f)
	tr.cfg.RuntimeExe = ""
	if err := tr.run(); err != nil {
		t.Fatal(err)
	}
	tt, err := trace.Parse(f.written[1].Data)
	if err != nil {
		t.Fatal(err)
	}
	if r := tt.Runs[0]; r.Runtime != "" {
		t.Errorf("runtime %q, want none", r.Runtime)
	}
}

// The handoff survives the trip through the memfd, base profile included.
func TestHandoff(t *testing.T) {
	h := handoff{PID: 7, ID: "c", Output: "/tmp/p.json", Input: "/tmp/p.json", Base: []byte("{\x00}"), RunDir: "/run/x", Private: true,
		Node: "n", Namespace: "ns", Pod: "p", Container: "c", RuntimeExe: "/usr/sbin/runc"}
	f, err := writeHandoff(h)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	data, _ := io.ReadAll(f)
	if !strings.Contains(string(data), `"pid":7`) {
		t.Fatalf("handoff %s", data)
	}
	var back handoff
	if err := json.Unmarshal(data, &back, json.RejectUnknownMembers(true)); err != nil || !reflect.DeepEqual(back, h) {
		t.Errorf("handoff read back as %+v, %v; want %+v", back, err, h)
	}
}

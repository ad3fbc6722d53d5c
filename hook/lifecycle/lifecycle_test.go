//go:build linux

package lifecycle

import (
	"os"
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/bpf"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/trace"
)

func TestWaitAttached(t *testing.T) {
	r, w, _ := os.Pipe()
	w.WriteString(attachedMsg + "\n")
	if msg, err := waitAttached(r, time.Second); err != nil || msg != attachedMsg {
		t.Errorf("attached: %q, %v", msg, err)
	}

	r, w, _ = os.Pipe()
	w.WriteString("attach recorder: no BTF\n")
	if msg, err := waitAttached(r, time.Second); err != nil || msg != "attach recorder: no BTF" {
		t.Errorf("error report: %q, %v", msg, err)
	}

	r, w, _ = os.Pipe()
	w.Close()
	if _, err := waitAttached(r, time.Second); err == nil || !strings.Contains(err.Error(), "exited before attaching") {
		t.Errorf("tracer died: %v", err)
	}

	r, w, _ = os.Pipe()
	defer w.Close()
	if _, err := waitAttached(r, 50*time.Millisecond); err == nil || !strings.Contains(err.Error(), "did not attach within") {
		t.Errorf("timeout: %v", err)
	}
}

// The status file hands the tracer's outcome to poststop, which waits for
// the tracer's lock.
func TestStatus(t *testing.T) {
	dir := t.TempDir()
	f, err := createStatus(dir, "c1")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := createStatus(dir, "c1"); err == nil || !strings.Contains(err.Error(), "already being traced") {
		t.Fatalf("second tracer for c1: %v", err)
	}
	if _, err := waitStatus(dir, "c1", 50*time.Millisecond); err == nil || !strings.Contains(err.Error(), "still running") {
		t.Fatalf("wait while locked: %v", err)
	}
	done := make(chan string)
	go func() {
		line, err := waitStatus(dir, "c1", 5*time.Second)
		if err != nil {
			line = "error " + err.Error()
		}
		done <- line
	}()
	writeStatus(f, "error: disk full")
	f.Close() // the tracer exits: the lock goes
	if got := <-done; got != "error: disk full" {
		t.Fatalf("status = %q", got)
	}
	if _, err := os.Stat(statusPath(dir, "c1")); !os.IsNotExist(err) {
		t.Fatalf("status file left: %v", err)
	}
	if line, err := waitStatus(dir, "c1", time.Second); line != "" || err != nil {
		t.Fatalf("no status file: %q, %v", line, err)
	}

	// A tracer killed before writing leaves an empty file.
	f, _ = createStatus(dir, "c2")
	f.Close()
	if _, err := waitStatus(dir, "c2", time.Second); err == nil || !strings.Contains(err.Error(), "without writing") {
		t.Fatalf("killed tracer: %v", err)
	}
}

func TestNewRun(t *testing.T) {
	if runtime.GOARCH != "amd64" {
		t.Skip("syscall numbers below are amd64's")
	}
	res := &bpf.Result{Phase: bpf.PhaseFilter, Calls: []bpf.Call{
		{ABI: bpf.ABINative, Number: 0, Count: 3, Comm: "cat"},
		{ABI: bpf.ABINative, Number: 59, Count: 1, Comm: "runc:[2:INIT]"},
		{ABI: bpf.ABICompat, Number: 102, Count: 2, Comm: "app32"}, // socketcall, i386 only
		{ABI: bpf.ABIX32, Number: 520, Count: 1},                   // x32 execve
	}}
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	run, err := newRun(TracerConfig{ID: "c1"}, res, nil, start, start.Add(time.Second))
	if err != nil {
		t.Fatal(err)
	}
	want := []trace.Syscall{
		{Name: "read", Number: 0, Arch: "SCMP_ARCH_X86_64", Count: 3, Processes: []string{"cat"}},
		{Name: "execve", Number: 59, Arch: "SCMP_ARCH_X86_64", Count: 1, Processes: []string{"runc:[2:INIT]"}},
		{Name: "socketcall", Number: 102, Arch: "SCMP_ARCH_X86", Count: 2, Processes: []string{"app32"}},
		{Name: "execve", Number: 520, Arch: "SCMP_ARCH_X32", Count: 1},
	}
	if !reflect.DeepEqual(run.Syscalls, want) {
		t.Fatalf("syscalls = %+v\nwant %+v", run.Syscalls, want)
	}
	if run.ContainerID != "c1" || !run.Start.Equal(start) || run.Hook == "" {
		t.Fatalf("provenance = %+v", run)
	}
}

// Status files nobody collects (no poststop stage) are swept once old and
// unlocked; a live tracer's file is kept however old.
func TestSweepStatus(t *testing.T) {
	dir := t.TempDir()
	live, err := createStatus(dir, "live")
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	done, _ := createStatus(dir, "done")
	writeStatus(done, statusOK)
	done.Close()
	fresh, _ := createStatus(dir, "fresh")
	fresh.Close()
	old := time.Now().Add(-2 * staleAfter)
	for _, id := range []string{"live", "done"} {
		os.Chtimes(statusPath(dir, id), old, old)
	}
	sweepStatus(dir)
	for id, want := range map[string]bool{"live": true, "done": false, "fresh": true} {
		if _, err := os.Stat(statusPath(dir, id)); (err == nil) != want {
			t.Errorf("%s: exists = %v, want %v", id, err == nil, want)
		}
	}
}

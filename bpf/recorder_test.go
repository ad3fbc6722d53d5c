//go:build linux

package bpf

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/testutil"
)

// The test binary doubles as the traced workload: with RECORDER_CHILD set
// it waits for a line on stdin (so the test can attach first), then makes
// a known sequence of syscalls.
func TestMain(m *testing.M) {
	if mode := os.Getenv("RECORDER_CHILD"); mode != "" {
		child(mode)
		return
	}
	os.Exit(m.Run())
}

const (
	beforeFilter = 7    // getpgid calls before the filter is installed
	afterFilter  = 1000 // getppid calls after it
)

func child(mode string) {
	runtime.LockOSThread()
	if mode == "workload" || mode == "workload-args" {
		// The exec modes' second half, after the execve.
		for i := 0; i < afterFilter; i++ {
			unix.Getppid()
		}
		if mode == "workload-args" {
			argCalls()
		}
		os.Exit(0)
	}
	var b [1]byte
	os.Stdin.Read(b[:])
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		os.Exit(10)
	}
	for i := 0; i < beforeFilter; i++ {
		unix.Getpgid(0)
	}
	if mode != "nofilter" {
		// An allow-everything filter: ret SECCOMP_RET_ALLOW.
		insn := []unix.SockFilter{{Code: unix.BPF_RET | unix.BPF_K, K: unix.SECCOMP_RET_ALLOW}}
		prog := unix.SockFprog{Len: 1, Filter: &insn[0]}
		if err := unix.Prctl(unix.PR_SET_SECCOMP, unix.SECCOMP_MODE_FILTER, uintptr(unsafePointer(&prog)), 0, 0); err != nil {
			os.Exit(11)
		}
	}
	for i := 0; i < afterFilter; i++ {
		unix.Getppid()
	}
	switch mode {
	case "exec", "exec-args":
		// The "runtime" hands over to the "workload".
		env := slices.DeleteFunc(os.Environ(), func(e string) bool { return strings.HasPrefix(e, "RECORDER_CHILD=") })
		env = append(env, "RECORDER_CHILD="+strings.Replace(mode, "exec", "workload", 1))
		unix.Exec("/proc/self/exe", []string{"workload"}, env)
		os.Exit(12)
	case "args":
		argCalls()
	}
	os.Exit(0)
}

// argCalls makes the calls TestArgs expects to see recorded.
func argCalls() {
	for range 3 {
		if fd, err := unix.Socket(unix.AF_UNIX, unix.SOCK_STREAM, 0); err == nil {
			unix.Close(fd)
		}
	}
	for range 2 {
		if fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM, 0); err == nil {
			unix.Close(fd)
		}
	}
	unix.Syscall(unix.SYS_PERSONALITY, 0xffffffff, 0, 0)
	unix.Unshare(unix.CLONE_NEWUTS)
	unix.Unshare(unix.CLONE_NEWIPC | unix.CLONE_FILES)
	// More distinct prctl options than the recorder keeps: unknown ones
	// fail with EINVAL, and are recorded all the same.
	for opt := range uintptr(argOptions) {
		unix.Syscall6(unix.SYS_PRCTL, 0x4000+opt, 0, 0, 0, 0, 0)
	}
}

// argOptions is how many distinct prctl options argCalls makes.
const argOptions = 40

// startChild starts the test binary as pid 1 of a new PID namespace and
// returns it with the pipe that releases it.
func startChild(t *testing.T, mode string) (*exec.Cmd, *os.File) {
	t.Helper()
	return startChildCmd(t, mode, exec.Command("/proc/self/exe"))
}

// startChildCmd starts cmd as startChild does; a cmd with SysProcAttr set
// keeps it, and gets no PID namespace of its own.
func startChildCmd(t *testing.T, mode string, cmd *exec.Cmd) (*exec.Cmd, *os.File) {
	t.Helper()
	cmd.Env = append(os.Environ(), "RECORDER_CHILD="+mode)
	if cmd.SysProcAttr == nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: syscall.CLONE_NEWPID}
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdin = r
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	r.Close()
	t.Cleanup(func() { w.Close(); cmd.Process.Kill(); cmd.Wait() })
	return cmd, w
}

func count(t *testing.T, res *Result, name string) uint64 {
	t.Helper()
	for _, c := range res.Calls {
		n, err := c.Name()
		if err != nil {
			t.Fatal(err)
		}
		if n == name && c.ABI == ABINative {
			return c.Count
		}
	}
	return 0
}

// attachChild starts a child (see startChild) and attaches to its PID
// namespace.
func attachChild(t *testing.T, mode string, opts Options) (*exec.Cmd, *os.File, *Target, Namespaces) {
	t.Helper()
	cmd, release := startChild(t, mode)
	ns, err := ContainerNamespaces(cmd.Process.Pid)
	if err != nil {
		t.Fatal(err)
	}
	tgt, err := Attach(ns, opts)
	if err != nil {
		t.Fatalf("attach: %v", err)
	}
	return cmd, release, tgt, ns
}

func trace(t *testing.T, mode string, opts Options) *Result {
	t.Helper()
	cmd, release, tgt, _ := attachChild(t, mode, opts)
	release.Write([]byte("x"))
	if err := cmd.Wait(); err != nil {
		t.Fatalf("child: %v", err)
	}
	res, err := tgt.Stop()
	if err != nil {
		t.Fatalf("stop: %v", err)
	}
	if res.Lost != 0 {
		t.Fatalf("lost %d calls", res.Lost)
	}
	return res
}

// testOptions pins a recorder of the test's own, never the host's.
func testOptions(t *testing.T) Options {
	purgeDeadTests(t)
	dir := t.TempDir()
	parent := filepath.Join("/sys/fs/bpf", "oci-seccomp-bpf-hook-test-"+strconv.Itoa(os.Getpid()))
	opts := Options{
		PinDir:   filepath.Join(parent, filepath.Base(dir)),
		LockPath: filepath.Join(dir, "lock"),
	}
	t.Cleanup(func() {
		if err := Purge(opts); err != nil {
			t.Errorf("purge: %v", err)
		}
		os.Remove(parent)
	})
	return opts
}

// purgeDeadTests removes the pins of test runs that died without their
// clean-up (a test binary killed by -timeout runs no t.Cleanup): their
// links would keep a recorder attached to sys_enter, slowing every
// syscall on the host, until reboot.
func purgeDeadTests(t *testing.T) {
	dirs, _ := filepath.Glob("/sys/fs/bpf/oci-seccomp-bpf-hook-test-*")
	for _, d := range dirs {
		pid, err := strconv.Atoi(strings.TrimPrefix(filepath.Base(d), "oci-seccomp-bpf-hook-test-"))
		if err != nil || pid == os.Getpid() || unix.Kill(pid, 0) == nil {
			continue
		}
		if err := os.RemoveAll(d); err != nil {
			t.Logf("remove pins of dead test %d: %v", pid, err)
		}
	}
}

func TestRecordAfterFilter(t *testing.T) {
	testutil.RequireRawTracepoint(t)
	res := trace(t, "filter", testOptions(t))
	if res.Phase != PhaseFilter {
		t.Fatalf("phase = %v, want filter", res.Phase)
	}
	if got := count(t, res, "getppid"); got != afterFilter {
		t.Errorf("getppid count = %d, want %d", got, afterFilter)
	}
	if got := count(t, res, "getpgid"); got != 0 {
		t.Errorf("getpgid made before the filter was recorded %d times", got)
	}
	if got := count(t, res, "exit_group"); got == 0 {
		t.Errorf("exit_group not recorded")
	}
}

func TestRecordFromPrctlWithoutFilter(t *testing.T) {
	testutil.RequireRawTracepoint(t)
	res := trace(t, "nofilter", testOptions(t))
	if res.Phase != PhasePrctl {
		t.Fatalf("phase = %v, want prctl", res.Phase)
	}
	for name, want := range map[string]uint64{"prctl": 1, "getpgid": beforeFilter, "getppid": afterFilter} {
		if got := count(t, res, name); got != want {
			t.Errorf("%s count = %d, want %d", name, got, want)
		}
	}
}

func TestPrivate(t *testing.T) {
	testutil.RequireRawTracepoint(t)
	opts := testOptions(t)
	opts.Private = true
	res := trace(t, "filter", opts)
	if got := count(t, res, "getppid"); got != afterFilter {
		t.Errorf("getppid count = %d, want %d", got, afterFilter)
	}
}

// Two targets share one program; the pins go when the last leaves.
func TestSharedJoinLeave(t *testing.T) {
	testutil.RequireRawTracepoint(t)
	opts := testOptions(t)
	a, releaseA := startChild(t, "filter")
	b, releaseB := startChild(t, "nofilter")
	nsA, _ := ContainerNamespaces(a.Process.Pid)
	nsB, _ := ContainerNamespaces(b.Process.Pid)
	ta, err := Attach(nsA, opts)
	if err != nil {
		t.Fatal(err)
	}
	tb, err := Attach(nsB, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Attach(nsA, opts); err == nil {
		t.Fatal("second attach to the same namespace succeeded")
	}
	releaseA.Write([]byte("x"))
	releaseB.Write([]byte("x"))
	a.Wait()
	b.Wait()
	ra, err := ta.Stop()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(opts.PinDir, linkPin)); err != nil {
		t.Fatalf("link unpinned while a target remains: %v", err)
	}
	rb, err := tb.Stop()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(opts.PinDir, linkPin)); !os.IsNotExist(err) {
		t.Fatalf("program still attached after the last target left: %v", err)
	}
	if ra.Phase != PhaseFilter || rb.Phase != PhasePrctl {
		t.Fatalf("phases %v, %v", ra.Phase, rb.Phase)
	}
	if count(t, ra, "getpgid") != 0 || count(t, rb, "getpgid") != beforeFilter {
		t.Fatalf("targets mixed up: %s", fmt.Sprint(ra.Calls, rb.Calls))
	}
}

// A tracer that dies without leaving is collected by Cleanup, which then
// detaches the program.
func TestCleanupDeadTracer(t *testing.T) {
	testutil.RequireRawTracepoint(t)
	opts := testOptions(t)
	_, _, tgt, _ := attachChild(t, "filter", opts)
	defer tgt.close()
	if err := Cleanup(opts); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(opts.PinDir, linkPin)); err != nil {
		t.Fatalf("cleanup detached a live tracer's program: %v", err)
	}
	// Pretend the owner died: a start time no process has.
	var v recorderTarget
	if err := tgt.objs.States.Lookup(tgt.slot, &v); err != nil {
		t.Fatal(err)
	}
	v.OwnerStart++
	if err := tgt.objs.States.Update(tgt.slot, &v, 0); err != nil {
		t.Fatal(err)
	}
	if err := Cleanup(opts); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(opts.PinDir, linkPin)); !os.IsNotExist(err) {
		t.Fatalf("program still attached after the dead tracer was collected: %v", err)
	}
}

// After the last target leaves, the next tracer reuses the pinned program
// and maps: it attaches again without loading anything.
func TestReattachPinned(t *testing.T) {
	testutil.RequireRawTracepoint(t)
	opts := testOptions(t)
	first := trace(t, "filter", opts)
	prog, err := os.Stat(filepath.Join(opts.PinDir, progPin))
	if err != nil {
		t.Fatalf("program not pinned after the first target: %v", err)
	}
	second := trace(t, "filter", opts)
	again, err := os.Stat(filepath.Join(opts.PinDir, progPin))
	if err != nil || !os.SameFile(prog, again) {
		t.Fatalf("program pin replaced: %v", err)
	}
	if count(t, first, "getppid") != afterFilter || count(t, second, "getppid") != afterFilter {
		t.Fatal("counts differ between the first and the reattached recorder")
	}
}

// A container in a container: the program reads the namespace two levels
// down, and the host's namespace is refused.
func TestNestedNamespace(t *testing.T) {
	testutil.RequireRawTracepoint(t)
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	// The outer namespace's init is unshare, which forks the test binary
	// into a second new PID namespace, level 2.
	outer, release := startChildCmd(t, "filter", exec.Command("unshare", "-p", "-f", "--kill-child", exe))
	var inner int
	deadline := time.Now().Add(10 * time.Second)
	for inner == 0 && time.Now().Before(deadline) {
		data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", outer.Process.Pid, outer.Process.Pid))
		fmt.Sscan(string(data), &inner)
	}
	if inner == 0 {
		t.Fatal("no inner process")
	}
	if err := CheckTraceable(inner); err != nil {
		t.Fatal(err)
	}
	ns, err := ContainerNamespaces(inner)
	if err != nil {
		t.Fatal(err)
	}
	tgt, err := Attach(ns, testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	release.Write([]byte("x"))
	outer.Wait()
	res, err := tgt.Stop()
	if err != nil {
		t.Fatal(err)
	}
	if got := count(t, res, "getppid"); got != afterFilter {
		t.Errorf("level-2 getppid count = %d, want %d", got, afterFilter)
	}
	if err := CheckTraceable(os.Getpid()); !errors.Is(err, ErrNotTraceable) {
		t.Errorf("host process: %v", err)
	}
}

// A target whose bucket another namespace holds is found through the hash,
// and gets the bucket when that one leaves.
func TestBucketCollision(t *testing.T) {
	testutil.RequireRawTracepoint(t)
	cmd, release, tgt, ns := attachChild(t, "filter", testOptions(t))
	// Pretend a namespace with the same low bits holds the bucket.
	b := bucketOf(ns.PID)
	other := ns.PID ^ indexSize
	if err := tgt.objs.Buckets.Update(b, bucketEntry(other, 7), 0); err != nil {
		t.Fatal(err)
	}
	release.Write([]byte("x"))
	cmd.Wait()
	res, err := tgt.Stop()
	if err != nil {
		t.Fatal(err)
	}
	if got := count(t, res, "getppid"); got != afterFilter {
		t.Errorf("through the hash: getppid count = %d, want %d", got, afterFilter)
	}
}

func TestUnpublishHandsOverBucket(t *testing.T) {
	testutil.RequireRawTracepoint(t)
	_, _, tgt, nsA := attachChild(t, "filter", testOptions(t))
	defer tgt.Stop()
	maps := &tgt.objs.recorderMaps
	// A second, fake target in the same bucket, published after the first.
	nsB := Namespaces{PID: nsA.PID ^ indexSize}
	if err := publish(maps, nsB, 9, recorderTarget{Slot: 9}); err != nil {
		t.Fatal(err)
	}
	var entry uint64
	maps.Buckets.Lookup(bucketOf(nsA.PID), &entry)
	if entry != bucketEntry(nsA.PID, tgt.slot) {
		t.Fatalf("bucket = %#x, want the first target's", entry)
	}
	if _, err := unpublish(maps, nsA); err != nil {
		t.Fatal(err)
	}
	maps.Buckets.Lookup(bucketOf(nsA.PID), &entry)
	if entry != bucketEntry(nsB.PID, 9) {
		t.Fatalf("bucket = %#x after the first left, want the second's", entry)
	}
	if _, err := unpublish(maps, nsB); err != nil {
		t.Fatal(err)
	}
	maps.Buckets.Lookup(bucketOf(nsA.PID), &entry)
	if entry != 0 {
		t.Fatalf("bucket = %#x after both left", entry)
	}
	// Put A back so that the deferred Stop finds it.
	if err := publish(maps, nsA, tgt.slot, recorderTarget{Slot: tgt.slot, Mntns: nsA.Mount}); err != nil {
		t.Fatal(err)
	}
}

// Calls before the workload's first execve (and that execve) are the
// runtime's; after it, the workload's.
func TestRuntimeAndWorkload(t *testing.T) {
	testutil.RequireRawTracepoint(t)
	res := trace(t, "exec", testOptions(t))
	var getppid, execve *Call
	for i, c := range res.Calls {
		switch n, _ := c.Name(); n {
		case "getppid":
			getppid = &res.Calls[i]
		case "execve":
			execve = &res.Calls[i]
		}
	}
	if getppid == nil || getppid.Count != 2*afterFilter || getppid.Runtime != afterFilter {
		t.Errorf("getppid = %+v, want %d calls, %d of them the runtime's", getppid, 2*afterFilter, afterFilter)
	}
	if execve == nil || execve.Runtime != 1 {
		t.Errorf("execve = %+v, want it counted as the runtime's", execve)
	}
}

func TestArgs(t *testing.T) {
	testutil.RequireRawTracepoint(t)
	res := trace(t, "args", testOptions(t))
	got := map[string]Arg{}
	for _, c := range res.Calls {
		n, _ := c.Name()
		if c.ABI == ABINative && len(c.Args) == 1 {
			got[n] = c.Args[0]
		}
	}
	socket := got["socket"]
	if socket.Index != 0 || !slices.Equal(socket.Values, []ArgValue{{unix.AF_UNIX, 3}, {unix.AF_INET, 2}}) || socket.Overflow != 0 {
		t.Errorf("socket: %+v", socket)
	}
	if p := got["personality"]; !slices.Equal(p.Values, []ArgValue{{0xffffffff, 1}}) {
		t.Errorf("personality: %+v", p)
	}
	if u := got["unshare"]; u.Flags != unix.CLONE_NEWUTS|unix.CLONE_NEWIPC || len(u.Values) != 0 {
		t.Errorf("unshare: %+v, want the namespace bits alone", u)
	}
	// Go's runtime starts threads with clone, and no namespace bit.
	if c, ok := got["clone"]; ok && c.Flags != 0 {
		t.Errorf("clone: %+v", c)
	}
	size := int(recorderLayoutARG_SET_SIZE)
	// prctl: PR_SET_NO_NEW_PRIVS (before the filter: not recorded) and
	// argOptions more, of which size fit.
	if p := got["prctl"]; len(p.Values) != size || p.Overflow != argOptions-uint64(size) {
		t.Errorf("prctl: %d values, overflow %d; want %d and %d", len(p.Values), p.Overflow, size, argOptions-size)
	}
}

// Two containers of one pod that shares its PID namespace (another
// process is PID 1, as a pod's pause process is): each target gets its
// own calls, told apart by mount namespace.
func TestSharedPIDNamespace(t *testing.T) {
	testutil.RequireRawTracepoint(t)
	opts := testOptions(t)
	pause := exec.Command("unshare", "-p", "-f", "--kill-child", "--mount-proc", "sleep", "1000")
	if err := pause.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pause.Process.Kill(); pause.Wait() })
	sleeper := childOf(t, pause.Process.Pid)
	exe, _ := os.Executable()
	// A container of the pod: a process in the pause's PID namespace, in a
	// mount namespace of its own.
	member := func(mode string) (*exec.Cmd, *os.File, int) {
		cmd := exec.Command("nsenter", "-t", strconv.Itoa(sleeper), "-p", "--", "unshare", "-m", exe)
		cmd.SysProcAttr = &syscall.SysProcAttr{} // no PID namespace of its own
		cmd, release := startChildCmd(t, mode, cmd)
		pid := childOf(t, cmd.Process.Pid)
		// Its namespaces are final once unshare has exec'd the test binary.
		deadline := time.Now().Add(10 * time.Second)
		for time.Now().Before(deadline) {
			if e, _ := os.Readlink(fmt.Sprintf("/proc/%d/exe", pid)); e == exe {
				return cmd, release, pid
			}
		}
		t.Fatalf("process %d never ran %s", pid, exe)
		return nil, nil, 0
	}
	a, releaseA, pidA := member("filter")
	b, releaseB, pidB := member("nofilter")
	nsA, err := ContainerNamespaces(pidA)
	if err != nil {
		t.Fatal(err)
	}
	nsB, _ := ContainerNamespaces(pidB)
	if !nsA.Shared || !nsB.Shared || nsA.PID != nsB.PID || nsA.Mount == nsB.Mount {
		t.Fatalf("namespaces %+v, %+v", nsA, nsB)
	}
	ta, err := Attach(nsA, opts)
	if err != nil {
		t.Fatal(err)
	}
	tb, err := Attach(nsB, opts)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Attach(nsA, opts); !errors.Is(err, ErrAlreadyTraced) {
		t.Fatalf("the same container twice: %v", err)
	}
	releaseA.Write([]byte("x"))
	releaseB.Write([]byte("x"))
	a.Wait()
	b.Wait()
	// The primary leaves first: the other takes over its bucket.
	ra, err := ta.Stop()
	if err != nil {
		t.Fatal(err)
	}
	rb, err := tb.Stop()
	if err != nil {
		t.Fatal(err)
	}
	if count(t, ra, "getppid") != afterFilter || count(t, rb, "getppid") != afterFilter {
		t.Errorf("getppid: %d and %d, want %d each", count(t, ra, "getppid"), count(t, rb, "getppid"), afterFilter)
	}
	if count(t, ra, "getpgid") != 0 || count(t, rb, "getpgid") != beforeFilter {
		t.Errorf("targets mixed up")
	}
}

// childOf waits for process pid's first child and returns it.
func childOf(t *testing.T, pid int) int {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		var c int
		data, _ := os.ReadFile(fmt.Sprintf("/proc/%d/task/%d/children", pid, pid))
		if _, err := fmt.Sscan(string(data), &c); err == nil {
			return c
		}
	}
	t.Fatalf("process %d has no child", pid)
	return 0
}

// On a kernel with bpf_rdonly_cast and cfs_rq->rq (6.2+, group
// scheduling), the program learns each CPU's runqueue, checked against
// the helper, and takes the caller from it from then on. The CPU the
// traced child last ran on remembers the child's PID namespace (no other
// container runs during the test).
func TestCPUCache(t *testing.T) {
	testutil.RequireRawTracepoint(t)
	cmd, release, tgt, ns := attachChild(t, "filter", testOptions(t))
	release.Write([]byte("x"))
	cmd.Wait()
	var perCPU []recorderCpuCache
	if err := tgt.objs.Cpus.Lookup(uint32(0), &perCPU); err != nil {
		t.Fatal(err)
	}
	if _, err := tgt.Stop(); err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(perCPU, func(c recorderCpuCache) bool { return c.Rq != 0 }) {
		t.Errorf("no CPU learnt its runqueue: %+v (every syscall calls the helper)", perCPU)
	}
	if !slices.ContainsFunc(perCPU, func(c recorderCpuCache) bool { return c.Pidns == ns.PID && c.Task != 0 }) {
		t.Errorf("no CPU remembers PID namespace %d: %+v", ns.PID, perCPU)
	}
}

// Once the workload runs, the program puts the target's phase in its
// bucket entry and counts the workload's calls from the entry alone,
// arguments included; unpublishing still finds the entry its own.
func TestBucketPhase(t *testing.T) {
	testutil.RequireRawTracepoint(t)
	opts := testOptions(t)
	cmd, release, tgt, ns := attachChild(t, "exec-args", opts)
	release.Write([]byte("x"))
	cmd.Wait()
	var entry uint64
	if err := tgt.objs.Buckets.Lookup(bucketOf(ns.PID), &entry); err != nil {
		t.Fatal(err)
	}
	want := bucketEntry(ns.PID, tgt.slot) | uint64(recorderPhasePHASE_FILTER)<<recorderLayoutBUCKET_PHASE_SHIFT
	if entry != want {
		t.Errorf("bucket entry %#x, want %#x", entry, want)
	}
	res, err := tgt.Stop()
	if err != nil {
		t.Fatal(err)
	}
	buckets, err := ebpf.LoadPinnedMap(filepath.Join(opts.PinDir, "buckets"), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer buckets.Close()
	if err := buckets.Lookup(bucketOf(ns.PID), &entry); err != nil || entry != 0 {
		t.Errorf("bucket entry %#x after Stop, want 0 (%v)", entry, err)
	}
	for _, c := range res.Calls {
		switch n, _ := c.Name(); {
		case n == "getppid" && (c.Count != 2*afterFilter || c.Runtime != afterFilter):
			t.Errorf("getppid = %+v, want %d calls, %d of them the runtime's", c, 2*afterFilter, afterFilter)
		case n == "socket" && c.ABI == ABINative:
			want := []ArgValue{{unix.AF_UNIX, 3}, {unix.AF_INET, 2}}
			if len(c.Args) != 1 || !slices.Equal(c.Args[0].Values, want) {
				t.Errorf("socket = %+v, want the values %v", c, want)
			}
		}
	}
	if got := count(t, res, "socket"); got != 5 {
		t.Errorf("socket count %d, want 5", got)
	}
}

// A slot's maps are reused: scrubbed by Stop and skipped by the next
// join, or cleared by the join when the last tracer died. Either way the
// next target sees nothing of the previous one.
func TestSlotReuse(t *testing.T) {
	testutil.RequireRawTracepoint(t)
	opts := testOptions(t)
	check := func(what string, res *Result) {
		t.Helper()
		var socket []ArgValue
		for _, c := range res.Calls {
			if n, _ := c.Name(); n == "socket" && c.ABI == ABINative && len(c.Args) == 1 {
				socket = c.Args[0].Values
			}
		}
		if want := []ArgValue{{unix.AF_UNIX, 3}, {unix.AF_INET, 2}}; !slices.Equal(socket, want) {
			t.Errorf("%s: socket values %v, want %v", what, socket, want)
		}
		if got := count(t, res, "getppid"); got != afterFilter {
			t.Errorf("%s: getppid count %d, want %d", what, got, afterFilter)
		}
	}
	check("first", trace(t, "args", opts))
	check("after a scrubbed slot", trace(t, "args", opts))

	// A tracer that dies leaves its slot unscrubbed.
	cmd, release, tgt, _ := attachChild(t, "args", opts)
	release.Write([]byte("x"))
	cmd.Wait()
	var v recorderTarget
	tgt.objs.States.Lookup(tgt.slot, &v)
	v.OwnerStart++
	tgt.objs.States.Update(tgt.slot, &v, 0)
	tgt.close()
	if err := Cleanup(opts); err != nil {
		t.Fatal(err)
	}
	check("after a dead tracer's slot", trace(t, "args", opts))
}

// innerMaps, written out, are the inner maps the object declares.
func TestInnerMaps(t *testing.T) {
	spec, err := loadRecorder()
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range innerMaps {
		got := spec.Maps[name].InnerMap
		if got == nil {
			t.Fatalf("%s has no inner map", name)
		}
		if got.Type != want.Type || got.KeySize != want.KeySize || got.ValueSize != want.ValueSize ||
			got.MaxEntries != want.MaxEntries || got.Flags != want.Flags {
			t.Errorf("%s: the object's inner map is %v %d/%d x%d flags %#x, innerMaps says %v %d/%d x%d flags %#x", name,
				got.Type, got.KeySize, got.ValueSize, got.MaxEntries, got.Flags,
				want.Type, want.KeySize, want.ValueSize, want.MaxEntries, want.Flags)
		}
	}
	for name, m := range spec.Maps {
		if _, ok := innerMaps[name]; m.InnerMap != nil && !ok {
			t.Errorf("%s: inner map missing from innerMaps", name)
		}
	}
}

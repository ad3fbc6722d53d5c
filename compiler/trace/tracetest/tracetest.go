// Package tracetest builds synthetic traces for tests and benchmarks:
// deterministic for a given seed, valid, and with numbers consistent
// across runs so that any set of them merges.
package tracetest

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/trace"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/args"
)

// Call is a syscall a synthetic run may make.
type Call struct {
	Arch   string
	Name   string
	Number int
}

// X86_64 is a table of common x86_64 syscalls with their real numbers,
// plus a few 32-bit compat calls, enough for varied but realistic traces.
var X86_64 = []Call{
	{"SCMP_ARCH_X86_64", "read", 0}, {"SCMP_ARCH_X86_64", "write", 1},
	{"SCMP_ARCH_X86_64", "open", 2}, {"SCMP_ARCH_X86_64", "close", 3},
	{"SCMP_ARCH_X86_64", "stat", 4}, {"SCMP_ARCH_X86_64", "fstat", 5},
	{"SCMP_ARCH_X86_64", "lstat", 6}, {"SCMP_ARCH_X86_64", "poll", 7},
	{"SCMP_ARCH_X86_64", "lseek", 8}, {"SCMP_ARCH_X86_64", "mmap", 9},
	{"SCMP_ARCH_X86_64", "mprotect", 10}, {"SCMP_ARCH_X86_64", "munmap", 11},
	{"SCMP_ARCH_X86_64", "brk", 12}, {"SCMP_ARCH_X86_64", "rt_sigaction", 13},
	{"SCMP_ARCH_X86_64", "rt_sigprocmask", 14}, {"SCMP_ARCH_X86_64", "ioctl", 16},
	{"SCMP_ARCH_X86_64", "pread64", 17}, {"SCMP_ARCH_X86_64", "access", 21},
	{"SCMP_ARCH_X86_64", "pipe", 22}, {"SCMP_ARCH_X86_64", "dup2", 33},
	{"SCMP_ARCH_X86_64", "getpid", 39}, {"SCMP_ARCH_X86_64", "socket", 41},
	{"SCMP_ARCH_X86_64", "connect", 42}, {"SCMP_ARCH_X86_64", "clone", 56},
	{"SCMP_ARCH_X86_64", "fork", 57}, {"SCMP_ARCH_X86_64", "execve", 59},
	{"SCMP_ARCH_X86_64", "exit", 60}, {"SCMP_ARCH_X86_64", "wait4", 61},
	{"SCMP_ARCH_X86_64", "uname", 63}, {"SCMP_ARCH_X86_64", "fcntl", 72},
	{"SCMP_ARCH_X86_64", "getcwd", 79}, {"SCMP_ARCH_X86_64", "chdir", 80},
	{"SCMP_ARCH_X86_64", "mkdir", 83}, {"SCMP_ARCH_X86_64", "unlink", 87},
	{"SCMP_ARCH_X86_64", "getuid", 102}, {"SCMP_ARCH_X86_64", "getgid", 104},
	{"SCMP_ARCH_X86_64", "geteuid", 107}, {"SCMP_ARCH_X86_64", "getppid", 110},
	{"SCMP_ARCH_X86_64", "prctl", 157}, {"SCMP_ARCH_X86_64", "arch_prctl", 158},
	{"SCMP_ARCH_X86_64", "gettid", 186}, {"SCMP_ARCH_X86_64", "futex", 202},
	{"SCMP_ARCH_X86_64", "getdents64", 217}, {"SCMP_ARCH_X86_64", "set_tid_address", 218},
	{"SCMP_ARCH_X86_64", "clock_gettime", 228}, {"SCMP_ARCH_X86_64", "exit_group", 231},
	{"SCMP_ARCH_X86_64", "openat", 257}, {"SCMP_ARCH_X86_64", "newfstatat", 262},
	{"SCMP_ARCH_X86_64", "set_robust_list", 273}, {"SCMP_ARCH_X86_64", "pipe2", 293},
	{"SCMP_ARCH_X86_64", "prlimit64", 302}, {"SCMP_ARCH_X86_64", "getrandom", 318},
	{"SCMP_ARCH_X86_64", "statx", 332}, {"SCMP_ARCH_X86_64", "rseq", 334},
	{"SCMP_ARCH_X86_64", "clone3", 435}, {"SCMP_ARCH_X86_64", "faccessat2", 439},
	{"SCMP_ARCH_X86", "read", 3}, {"SCMP_ARCH_X86", "write", 4},
	{"SCMP_ARCH_X86", "exit", 1}, {"SCMP_ARCH_X86", "socketcall", 102},
	{"SCMP_ARCH_X86", "_llseek", 140}, {"SCMP_ARCH_X86", "set_thread_area", 243},
}

// Processes are the comm names runs pick from.
var Processes = []string{"sh", "python3", "nginx", "bash", "ls", "cat", "curl", "node"}

// epoch is the start time of run 0; run i starts i minutes later.
var epoch = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// Run returns run number i, which calls a random subset of table picked
// with rng, each a random number of times, from random processes, some
// of them partly by the runtime (RuntimeCount). Calls that internal/args
// lists get their argument recorded as the hook would: a few values
// out of a small range, sometimes an overflow, or namespace flags. The
// identity is fixed by i: container "ctr-<i>", started i minutes after a
// fixed epoch.
func Run(rng *rand.Rand, table []Call, i int) trace.Run {
	start := epoch.Add(time.Duration(i) * time.Minute)
	r := trace.Run{
		ContainerID: fmt.Sprintf("ctr-%06d", i),
		Image:       "docker.io/library/alpine:3.20",
		Command:     []string{"/bin/sh", "-c", fmt.Sprintf("job %d", i)},
		Start:       start,
		End:         start.Add(time.Duration(1+rng.IntN(5000)) * time.Millisecond),
		Hook:        "2.0.0-test",
		Runtime:     Runtimes[i%len(Runtimes)],
	}
	for _, c := range table {
		if rng.IntN(3) == 0 {
			continue
		}
		s := trace.Syscall{Name: c.Name, Number: c.Number, Arch: c.Arch, Count: 1 + uint64(rng.IntN(10000))}
		if rng.IntN(4) == 0 {
			s.RuntimeCount = uint64(rng.IntN(int(s.Count) + 1))
		}
		for range 1 + rng.IntN(2) {
			s.Processes = append(s.Processes, Processes[rng.IntN(len(Processes))])
		}
		if row, ok := tableRow(c.Name); ok {
			s.Args = []trace.Arg{arg(rng, row, s.Count)}
		}
		r.Syscalls = append(r.Syscalls, s)
	}
	return r
}

// Runtimes are the runtimes runs take turns at.
var Runtimes = []string{"runc 1.1.5+ds1", "crun 1.8.1"}

// tableRow returns the internal/args row of a call, if any.
func tableRow(name string) (args.Row, bool) {
	for _, r := range args.Table() {
		if r.Syscall == name {
			return r, true
		}
	}
	return args.Row{}, false
}

// arg makes what the recorder would record of row's argument over count
// calls: for values, up to 4 distinct values among 8 and, now and then,
// calls that overflowed; for namespace flags, none or one CLONE_NEW* bit.
func arg(rng *rand.Rand, row args.Row, count uint64) trace.Arg {
	a := trace.Arg{Index: int(row.Index), Kind: trace.ArgKind(row.Kind.String())}
	if row.Kind == args.NamespaceFlags {
		if rng.IntN(4) == 0 {
			a.Flags = 1 << 28 // CLONE_NEWUSER
		}
		return a
	}
	left := count
	if rng.IntN(8) == 0 {
		a.Overflow = 1 + uint64(rng.IntN(int(left)))
		left -= a.Overflow
	}
	for n := rng.IntN(4); n >= 0 && left > 0; n-- {
		v := trace.ArgValue{Value: uint64(rng.IntN(8)), Count: 1 + uint64(rng.IntN(int(left)))}
		if slices.ContainsFunc(a.Values, func(o trace.ArgValue) bool { return o.Value == v.Value }) {
			continue
		}
		left -= v.Count
		a.Values = append(a.Values, v)
	}
	slices.SortFunc(a.Values, func(x, y trace.ArgValue) int { return int(x.Value) - int(y.Value) })
	return a
}

// Trace returns a trace of runs first..first+n-1 (see Run), seeded by
// seed, so that traces built with overlapping ranges and the same seed
// share identical runs.
func Trace(seed uint64, table []Call, first, n int) *trace.Trace {
	runs := make([]trace.Run, 0, n)
	for i := first; i < first+n; i++ {
		rng := rand.New(rand.NewPCG(seed, uint64(i)))
		runs = append(runs, Run(rng, table, i))
	}
	return trace.New(runs...)
}

//go:build linux

// Command gentraces writes synthetic trace files for the compiler
// benchmark: -n traces, one run each, in the format the hook writes with
// tf: (package compiler/trace), under the directory -o as trace-NNNN.json.
//
// Each run makes a core of calls every process makes (the first syscall
// numbers of the native ABI, where read, write, open, mmap and the like
// live) plus a random selection of the rest, with random counts and
// process names, so that merging them exercises summing, name and
// provenance merging across many distinct runs. As version 2 traces,
// the first calls are partly the runtime's (runtimeCount), runs name
// their runtime, and the calls of internal/args record their argument:
// a few values of a small set for each, namespace flags for clone and
// unshare, so that merging unions value sets and compiling writes
// argument rules. Names and numbers come from libseccomp through the same
// code the tracer uses, so the traces are valid for this machine. The
// output depends only on the flags.
package main

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/bpf"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/trace"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/args"
)

// Shape of a synthetic run: how many calls, and from how many of the
// native ABI's lowest numbers.
const (
	maxNumber = 460 // above the highest x86_64/arm64 syscall number today
	coreCalls = 40  // made by every run
	extraMin  = 20  // plus this many to extraMin+extraSpan random others
	extraSpan = 80
)

var comms = []string{"runc:[2:INIT]", "sh", "python3", "node", "java", "nginx", "postgres", "app", "worker", "curl"}

func main() {
	n := flag.Int("n", 1000, "number of traces to write")
	out := flag.String("o", "", "output `directory` (created)")
	seed := flag.Uint64("seed", 1, "random seed")
	flag.Parse()
	if *out == "" || *n < 1 {
		fmt.Fprintln(os.Stderr, "usage: gentraces -o DIR [-n COUNT] [-seed N]")
		os.Exit(2)
	}
	if err := run(*n, *out, *seed); err != nil {
		fmt.Fprintln(os.Stderr, "gentraces:", err)
		os.Exit(1)
	}
}

type call struct {
	name string
	nr   int
}

func run(n int, dir string, seed uint64) error {
	calls, err := nativeCalls()
	if err != nil {
		return err
	}
	arch, err := bpf.ProfileArch(bpf.ABINative)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create output directory: %w", err)
	}
	rng := rand.New(rand.NewPCG(seed, 0))
	epoch := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range n {
		start := epoch.Add(time.Duration(i) * time.Minute)
		run := trace.Run{
			ContainerID: fmt.Sprintf("%016x%016x%016x%016x", rng.Uint64(), rng.Uint64(), rng.Uint64(), uint64(i)),
			Image:       "localhost/bench/app:latest",
			Command:     []string{"/usr/bin/app", "--case", fmt.Sprint(i)},
			Start:       start,
			End:         start.Add(time.Duration(1+rng.IntN(60)) * time.Second),
			Hook:        "bench",
			Runtime:     runtimes[i%len(runtimes)],
		}
		pick := make(map[int]bool)
		for j := 0; j < coreCalls && j < len(calls); j++ {
			pick[j] = true
		}
		for extra := extraMin + rng.IntN(extraSpan); extra > 0; extra-- {
			pick[rng.IntN(len(calls))] = true
		}
		for j, c := range calls {
			if !pick[j] {
				continue
			}
			s := trace.Syscall{
				Name:      c.name,
				Number:    c.nr,
				Arch:      string(arch),
				Count:     1 + uint64(rng.IntN(100000)),
				Processes: []string{comms[rng.IntN(len(comms))]},
			}
			if j < coreCalls/2 {
				s.RuntimeCount = uint64(rng.IntN(int(s.Count) + 1))
			}
			if row, ok := args.Lookup(c.name, rowIndex(c.name)); ok {
				s.Args = []trace.Arg{recordedArg(rng, row, s.Count)}
			}
			run.Syscalls = append(run.Syscalls, s)
		}
		data, err := trace.Marshal(trace.New(run))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("trace-%04d.json", i)), data, 0o644); err != nil {
			return fmt.Errorf("write trace: %w", err)
		}
	}
	return nil
}

var runtimes = []string{"runc 1.1.5+ds1", "crun 1.8.1"}

// rowIndex is the argument internal/args records of name, if any.
func rowIndex(name string) uint8 {
	for _, r := range args.Table() {
		if r.Syscall == name {
			return r.Index
		}
	}
	return 0
}

// recordedArg is what the recorder would make of count calls: one to
// four values of eight for a values row (every call counted), no
// namespace or CLONE_NEWUSER now and then for a namespace row.
func recordedArg(rng *rand.Rand, row args.Row, count uint64) trace.Arg {
	a := trace.Arg{Index: int(row.Index), Kind: trace.ArgKind(row.Kind.String())}
	if row.Kind == args.NamespaceFlags {
		if rng.IntN(10) == 0 {
			a.Flags = 0x10000000 // CLONE_NEWUSER
		}
		return a
	}
	n := 1 + rng.IntN(4)
	first := uint64(rng.IntN(8))
	for k := range n {
		c := count / uint64(n)
		if k == 0 {
			c += count % uint64(n)
		}
		if c > 0 {
			a.Values = append(a.Values, trace.ArgValue{Value: first + uint64(k), Count: c})
		}
	}
	return a
}

// nativeCalls lists the native ABI's syscalls by number, named as the
// tracer names them.
func nativeCalls() ([]call, error) {
	var calls []call
	for nr := range maxNumber {
		name, err := bpf.Call{ABI: bpf.ABINative, Number: nr}.Name()
		if err != nil || trace.CheckName(name) != nil {
			continue // a hole in the table
		}
		calls = append(calls, call{name, nr})
	}
	if len(calls) < coreCalls {
		return nil, fmt.Errorf("only %d native syscalls known to libseccomp", len(calls))
	}
	return calls, nil
}

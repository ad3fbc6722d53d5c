//go:build linux

// Command floor attaches an empty eBPF program to the raw tracepoint
// sys_enter and holds it there, for the benchmarks' floor: the cost that
// any program on sys_enter adds to every syscall on the host, before it
// does any work. A recorder can only be compared fairly against this.
//
// It prints "attached" on stdout once the program is live and detaches
// when stdin reaches EOF or on SIGTERM or SIGINT. The link is not pinned,
// so the program is gone as soon as this process exits, however it exits.
//
// With -count it attaches nothing and prints how many programs are linked
// to the raw tracepoints sys_enter and sys_exit, whoever attached them:
// the benchmarks check it around each sample, since any such program
// slows down every syscall on the host.
//
// With -stats it also has the kernel time every BPF program's runs
// (BPF_ENABLE_STATS, for as long as it holds it) and, when it detaches,
// prints "stats RUNTIME_NS RUN_COUNT" for its own program; with -stats
// -hold-only it attaches nothing and only holds the statistics on. With
// -prog-stats PATH it prints "RUNTIME_NS RUN_COUNT" of the program pinned
// at PATH. The benchmarks use these to time the recorder's program itself,
// apart from the rest of the syscall. With -jited PATH it writes the
// machine code the JIT made of the program pinned at PATH to stdout, for
// objdump (Debian's bpftool is built without libbfd and cannot list it).
//
// Requires root and at least Linux 4.17 (raw tracepoints); -count needs
// 5.8 (link iteration).
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/link"
	"github.com/cilium/ebpf/rlimit"
	"golang.org/x/sys/unix"
)

func main() {
	count := flag.Bool("count", false, "print how many programs are on sys_enter and sys_exit, and exit")
	stats := flag.Bool("stats", false, "have the kernel time BPF programs while attached; print the empty program's time")
	holdOnly := flag.Bool("hold-only", false, "with -stats: attach nothing, only hold the statistics on")
	progStats := flag.String("prog-stats", "", "print the run time and run count of the program pinned at `path`, and exit")
	jited := flag.String("jited", "", "write the JIT image of the program pinned at `path` to stdout, and exit")
	flag.Parse()
	run := func() error { return attach(*stats, !*holdOnly) }
	switch {
	case *count:
		run = printCount
	case *progStats != "":
		run = func() error { return printProgStats(*progStats) }
	case *jited != "":
		run = func() error { return writeJited(*jited) }
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

func attach(stats, program bool) error {
	// Kernels before 5.11 charge BPF memory to RLIMIT_MEMLOCK.
	if err := rlimit.RemoveMemlock(); err != nil {
		return fmt.Errorf("remove memlock limit: %w", err)
	}
	if stats {
		s, err := ebpf.EnableStats(uint32(unix.BPF_STATS_RUN_TIME))
		if err != nil {
			return fmt.Errorf("enable BPF statistics: %w", err)
		}
		defer s.Close()
	}
	var prog *ebpf.Program
	if program {
		var err error
		prog, err = ebpf.NewProgram(&ebpf.ProgramSpec{
			Name: "bench_floor",
			Type: ebpf.RawTracepoint,
			Instructions: asm.Instructions{
				asm.Mov.Imm(asm.R0, 0),
				asm.Return(),
			},
			License: "Dual BSD/GPL",
		})
		if err != nil {
			return fmt.Errorf("load empty program: %w", err)
		}
		defer prog.Close()
		l, err := link.AttachRawTracepoint(link.RawTracepointOptions{Name: "sys_enter", Program: prog})
		if err != nil {
			return fmt.Errorf("attach raw tracepoint sys_enter: %w", err)
		}
		defer l.Close()
	}
	if _, err := fmt.Println("attached"); err != nil {
		return fmt.Errorf("report attached: %w", err)
	}
	waitDone()
	if prog == nil || !stats {
		return nil
	}
	st, err := prog.Stats()
	if err != nil {
		return fmt.Errorf("program stats: %w", err)
	}
	_, err = fmt.Println("stats", st.Runtime.Nanoseconds(), st.RunCount)
	return err
}

// waitDone returns when stdin reaches EOF or on SIGTERM or SIGINT.
func waitDone() {
	done := make(chan struct{}, 2)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGTERM, syscall.SIGINT)
	go func() {
		<-sig
		done <- struct{}{}
	}()
	go func() {
		_, _ = io.Copy(io.Discard, os.Stdin)
		done <- struct{}{}
	}()
	<-done
}

func printProgStats(path string) error {
	prog, err := ebpf.LoadPinnedProgram(path, nil)
	if err != nil {
		return fmt.Errorf("load pinned program: %w", err)
	}
	defer prog.Close()
	st, err := prog.Stats()
	if err != nil {
		return fmt.Errorf("program stats: %w", err)
	}
	_, err = fmt.Println(st.Runtime.Nanoseconds(), st.RunCount)
	return err
}

func writeJited(path string) error {
	prog, err := ebpf.LoadPinnedProgram(path, nil)
	if err != nil {
		return fmt.Errorf("load pinned program: %w", err)
	}
	defer prog.Close()
	info, err := prog.Info()
	if err != nil {
		return fmt.Errorf("program info: %w", err)
	}
	insns, ok := info.JitedInsns()
	if !ok || len(insns) == 0 {
		return fmt.Errorf("no JIT image for %s (JIT off, or kernel too old)", path)
	}
	_, err = os.Stdout.Write(insns)
	return err
}

// printCount prints the number of raw tracepoint links on sys_enter or
// sys_exit. Links that go away while being listed are skipped.
func printCount() error {
	n := 0
	var it link.Iterator
	defer it.Close()
	for it.Next() {
		info, err := it.Link.Info()
		if err != nil {
			continue // not a link type that reports its target
		}
		if rt := info.RawTracepoint(); rt != nil && (rt.Name == "sys_enter" || rt.Name == "sys_exit") {
			n++
		}
	}
	if err := it.Err(); err != nil {
		return fmt.Errorf("list links: %w", err)
	}
	_, err := fmt.Println(n)
	return err
}

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
)

func main() {
	count := flag.Bool("count", false, "print how many programs are on sys_enter and sys_exit, and exit")
	flag.Parse()
	run := attach
	if *count {
		run = printCount
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "floor:", err)
		os.Exit(1)
	}
}

func attach() error {
	// Kernels before 5.11 charge BPF memory to RLIMIT_MEMLOCK.
	if err := rlimit.RemoveMemlock(); err != nil {
		return fmt.Errorf("remove memlock limit: %w", err)
	}
	prog, err := ebpf.NewProgram(&ebpf.ProgramSpec{
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
	if _, err := fmt.Println("attached"); err != nil {
		return fmt.Errorf("report attached: %w", err)
	}
	<-done
	return nil
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

// Package bpf owns everything kernel-side of the hook: the eBPF syscall
// recorder (recorder.bpf.c, compiled ahead of time by bpf2go into the
// committed recorder_*_bpfel.{go,o}) and a small API to use it.
//
// One program, attached once to the raw tracepoint sys_enter and pinned in
// bpffs, serves every traced container on the host: a container joins with
// Attach, keyed by the inode of its PID namespace, and leaves with
// Target.Stop, which returns what it made. The per-syscall cost for the rest
// of the host does not grow with the number of traced containers, and the
// last container out detaches the program.
//
// The object is CO-RE: it needs kernel BTF (/sys/kernel/btf/vmlinux) at
// load time, but no kernel headers and no compiler.
package bpf

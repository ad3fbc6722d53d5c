// Package bpf owns everything kernel-side of the hook: the eBPF syscall
// recorder (recorder.bpf.c, compiled ahead of time by bpf2go into the
// committed recorder_*_bpfel.{go,o}) and a small API to use it.
//
// One program, attached once to the raw tracepoint sys_enter and pinned in
// bpffs, serves every traced container on the host (a second, on
// sched_switch, tells it which task runs on each CPU; see attach.go): a
// container joins with
// Attach, keyed by the inode of its PID namespace, and leaves with
// Target.Stop, which returns what it made. The per-syscall cost for the rest
// of the host does not grow with the number of traced containers, and the
// last container out detaches the program.
//
// The object is CO-RE: it needs kernel BTF (/sys/kernel/btf/vmlinux) at
// load time, but no kernel headers and no compiler. It runs on Linux 5.12
// and later; from 6.2 on (the bpf_rdonly_cast kfunc) sys_enter needs no
// helper call to know the current task.
package bpf

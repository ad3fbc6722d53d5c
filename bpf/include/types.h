/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * A compact stand-in for vmlinux.h: the scalar types libbpf's headers need,
 * the map-type constants the recorder uses, and just the kernel structures
 * it reads, each marked preserve_access_index so that every field offset is
 * a CO-RE relocation resolved against the running kernel's BTF at load time.
 * Field order and padding here do not matter; names and types do.
 */
#pragma once

typedef unsigned char __u8;
typedef unsigned short __u16;
typedef int __s32;
typedef unsigned int __u32;
typedef long long __s64;
typedef unsigned long long __u64;
typedef __u8 u8;
typedef __u16 u16;
typedef __s32 s32;
typedef __u32 u32;
typedef __s64 s64;
typedef __u64 u64;
typedef __u16 __be16;
typedef __u32 __be32;
typedef __u64 __be64;
typedef __u32 __wsum;
typedef _Bool bool;
#define true 1
#define false 0

enum bpf_map_type {
	BPF_MAP_TYPE_HASH = 1,
	BPF_MAP_TYPE_ARRAY = 2,
	BPF_MAP_TYPE_PERCPU_ARRAY = 6,
	BPF_MAP_TYPE_ARRAY_OF_MAPS = 12,
};

enum {
	BPF_ANY = 0,
};

/* Context of a raw tracepoint: args[0] is struct pt_regs *, args[1] the
 * syscall number for raw_syscalls:sys_enter. */
struct bpf_raw_tracepoint_args {
	__u64 args[0];
};

#define __ca __attribute__((preserve_access_index))

struct ns_common {
	unsigned int inum;
} __ca;

struct pid_namespace {
	struct ns_common ns;
} __ca;

struct upid {
	int nr;
	struct pid_namespace *ns;
} __ca;

struct pid {
	unsigned int level;
	struct upid numbers[4];
} __ca;

/* x86 keeps TS_COMPAT in status; arm64 keeps TIF_32BIT in flags. */
struct thread_info {
	unsigned long flags;
	u32 status;
} __ca;

struct mnt_namespace {
	struct ns_common ns;
} __ca;

struct nsproxy {
	struct mnt_namespace *mnt_ns;
} __ca;

struct task_struct;

struct rq {
	struct task_struct *curr;
} __ca;

struct cfs_rq {
	struct rq *rq; /* CONFIG_FAIR_GROUP_SCHED */
} __ca;

struct sched_entity {
	struct cfs_rq *cfs_rq;
} __ca;

struct seccomp {
	int mode;
} __ca;

struct task_struct {
	struct thread_info thread_info;
	struct seccomp seccomp;
	struct pid *thread_pid;
	struct nsproxy *nsproxy;
	struct sched_entity se;
	u64 start_time;
} __ca;

#if defined(__TARGET_ARCH_x86)
struct pt_regs {
	unsigned long r9;
	unsigned long r8;
	unsigned long r10;
	unsigned long bp;
	unsigned long bx;
	unsigned long cx;
	unsigned long dx;
	unsigned long si;
	unsigned long di;
} __ca;
#elif defined(__TARGET_ARCH_arm64)
struct pt_regs {
	u64 regs[31];
} __ca;
#endif

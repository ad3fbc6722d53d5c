//go:build ignore

/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/*
 * The syscall recorder: one program on the raw tracepoint sys_enter, shared
 * by every traced container on the host.
 *
 * For each syscall the program resolves the calling task's PID namespace
 * (its inode number, as in /proc/PID/ns/pid) through BTF pointers. The
 * host's own processes stop there. Others look the inode up in `buckets`, a
 * direct-mapped array (an inlined lookup, no hash): an empty entry, the
 * case for untraced containers, ends it; an entry for this inode gives the
 * container's slot; an entry for another inode (two traced namespaces
 * whose low bits collide) sends it to the `targets` hash. The cost does not
 * grow with the number of traced containers. A slot indexes `states` (the
 * container's phase and counters) and two arrays of per-container maps:
 * `counts` (per-CPU counters, so recording takes no atomic operation) and
 * `comms` (the first process name seen making each call). Nothing is sent
 * to user space while tracing: the tracer reads the maps once, at the end,
 * so no event can be lost to a full buffer.
 *
 * Recording starts when the runtime is about to hand over to the workload.
 * A target starts WAITING. The first prctl() moves it to PRCTL (the point
 * where the old BCC hook started recording); installing a seccomp filter
 * (seccomp(SECCOMP_SET_MODE_FILTER) or prctl(PR_SET_SECCOMP,
 * SECCOMP_MODE_FILTER)) before the first execve moves it to FILTER. Calls
 * are counted separately for the two phases, and the tracer keeps the
 * FILTER counts when a filter was installed, since only calls made after
 * that point are checked against the profile; otherwise it keeps PRCTL.
 * A filter installed after execve belongs to the workload and changes
 * nothing.
 */

#include "types.h"
#include "bpf_helpers.h"
#include "bpf_core_read.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/*
 * The enums below are what user space shares with the program: bpf2go
 * emits them as Go types and constants (the -type flags in gen.go), so
 * bpf/ holds no copy. The sizes are enumerators rather than #defines for
 * that reason.
 */
enum layout {
	MAX_TARGETS = 1024,
	NR_SLOTS = 1024,
	NR_ABIS = 3,
	NR_PHASES = 2,
	COUNT_ENTRIES = NR_PHASES * NR_ABIS * NR_SLOTS,
	COMM_ENTRIES = NR_ABIS * NR_SLOTS,
	COMM_LEN = 16,
	INDEX_SIZE = 4096, /* a power of two */
};

enum abi {
	ABI_NATIVE = 0,
	ABI_COMPAT = 1, /* 32-bit syscalls on a 64-bit kernel */
	ABI_X32 = 2,    /* x86_64's x32 ABI, numbers tagged with bit 30 */
};

enum phase {
	PHASE_WAITING = 0,
	PHASE_PRCTL = 1,
	PHASE_FILTER = 2,
};

/* Never read. clang writes a type into BTF, where bpf2go finds it, only
 * when something in the object has that type; struct target has enum
 * phase, and this has the two enums used only for their values. */
static volatile const struct {
	enum abi abi;
	enum layout layout;
} btf_enums __attribute__((used));

#define X32_SYSCALL_BIT 0x40000000
#define TS_COMPAT 0x0002     /* x86: thread_info.status */
#define TIF_32BIT (1UL << 22) /* arm64: thread_info.flags */
#define PR_SET_SECCOMP 22
#define SECCOMP_MODE_FILTER 2
#define SECCOMP_SET_MODE_FILTER 1

/* One traced container: states[slot]. */
struct target {
	u32 slot;   /* index into counts and comms */
	enum phase phase; /* only ever increases */
	u32 execed; /* an execve was seen: the workload runs */
	u32 owner;  /* PID of the tracer, for cleaning up after a dead one */
	u64 owner_start; /* its start time in clock ticks (/proc/PID/stat) */
	u64 lost;        /* calls that could not be recorded: must stay 0 */
	u64 unknown;     /* calls numbered outside [0, NR_SLOTS) */
};

/* PID namespace inode -> slot, for every traced container. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_TARGETS);
	__type(key, u32);
	__type(value, u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} targets SEC(".maps");

/* inode & (INDEX_SIZE - 1) -> inode << 32 | (slot + 1), or 0: one traced
 * container per entry, the others that share its low bits are found in
 * targets. One 64-bit value, so the program never sees a torn entry. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, INDEX_SIZE);
	__type(key, u32);
	__type(value, u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} buckets SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_TARGETS);
	__type(key, u32);
	__type(value, struct target);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} states SEC(".maps");

struct counts_slot {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, COUNT_ENTRIES);
	__uint(key_size, sizeof(u32));
	__uint(value_size, sizeof(u64));
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, MAX_TARGETS);
	__type(key, u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct counts_slot);
} counts SEC(".maps");

struct comm {
	char name[COMM_LEN];
};

struct comms_slot {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, COMM_ENTRIES);
	__uint(key_size, sizeof(u32));
	__uint(value_size, sizeof(struct comm));
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, MAX_TARGETS);
	__type(key, u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct comms_slot);
} comms SEC(".maps");

/* Syscall numbers per ABI, set by the loader from libseccomp's tables;
 * an ABI the architecture lacks gets 0xffffffff. */
volatile const u32 nr_prctl[NR_ABIS];
volatile const u32 nr_seccomp[NR_ABIS];
volatile const u32 nr_execve[NR_ABIS];
volatile const u32 nr_execveat[NR_ABIS];

/* The inode of the PID namespace of pid at level (0 < level <= 3):
 * pid->numbers[level].ns->ns.inum, read directly through BTF pointers (no
 * helper calls). numbers[] is a flexible array, so each level is a
 * constant index; deeper nesting than three container levels is not
 * traced (the tracer refuses it). */
static __always_inline u32 pidns_at(struct pid *pid, unsigned int level)
{
	struct pid_namespace *ns;

	switch (level) {
	case 1:
		ns = pid->numbers[1].ns;
		break;
	case 2:
		ns = pid->numbers[2].ns;
		break;
	case 3:
		ns = pid->numbers[3].ns;
		break;
	default:
		return 0;
	}
	return ns->ns.inum;
}

static __always_inline bool in_compat_syscall(struct task_struct *task)
{
#if defined(__TARGET_ARCH_x86)
	return task->thread_info.status & TS_COMPAT;
#elif defined(__TARGET_ARCH_arm64)
	return task->thread_info.flags & TIF_32BIT;
#else
	return false;
#endif
}

/* The first two syscall arguments, for the ABI in use. */
static __always_inline void syscall_args(struct pt_regs *regs, u32 abi,
					 u64 *a0, u64 *a1)
{
#if defined(__TARGET_ARCH_x86)
	if (abi == ABI_COMPAT) {
		*a0 = BPF_CORE_READ(regs, bx);
		*a1 = BPF_CORE_READ(regs, cx);
	} else {
		*a0 = BPF_CORE_READ(regs, di);
		*a1 = BPF_CORE_READ(regs, si);
	}
#elif defined(__TARGET_ARCH_arm64)
	*a0 = BPF_CORE_READ(regs, regs[0]);
	*a1 = BPF_CORE_READ(regs, regs[1]);
#else
	*a0 = 0;
	*a1 = 0;
#endif
}

static __always_inline bool installs_filter(struct pt_regs *regs, u32 abi,
					    u64 nr)
{
	u64 a0, a1;

	if (nr != nr_seccomp[abi] && nr != nr_prctl[abi])
		return false;
	syscall_args(regs, abi, &a0, &a1);
	if (nr == nr_seccomp[abi])
		return a0 == SECCOMP_SET_MODE_FILTER;
	return a0 == PR_SET_SECCOMP && a1 == SECCOMP_MODE_FILTER;
}

/* Advance the target's phase for this call. Returns false when the call
 * itself is not to be recorded. */
static __always_inline bool advance(struct target *t, struct pt_regs *regs,
				    u32 abi, u64 nr, u32 *phase)
{
	if (*phase == PHASE_FILTER || t->execed)
		return *phase != PHASE_WAITING;
	if (nr == nr_execve[abi] || nr == nr_execveat[abi])
		t->execed = 1;
	if (installs_filter(regs, abi, nr)) {
		/* The install itself runs unfiltered: record from the next call. */
		t->phase = PHASE_FILTER;
		return false;
	}
	if (*phase == PHASE_WAITING && nr == nr_prctl[abi]) {
		/* Only WAITING -> PRCTL: never undo a concurrent FILTER. */
		__sync_val_compare_and_swap(&t->phase, PHASE_WAITING, PHASE_PRCTL);
		*phase = PHASE_PRCTL;
	}
	return *phase != PHASE_WAITING;
}

SEC("raw_tp/sys_enter")
int sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	/* The helper costs a call, about 25 ns where every return goes through
	 * a return thunk (SRSO's "Safe RET"), more than all the rest. A
	 * per-CPU note of the running task kept by a program on sched_switch
	 * would spare it, but on Linux 6.18 such notes were seen to name
	 * another task than the caller under load (docs/benchmarks.md), which
	 * loses calls. */
	struct task_struct *task = bpf_get_current_task_btf();
	struct pid *pid = task->thread_pid;
	unsigned int level = pid->level;

	/* The host's own processes (level 0) are never traced: the common
	 * case costs two loads and no map lookup. */
	if (level == 0)
		return 0;
	u32 ns = pidns_at(pid, level);
	u32 h = ns & (INDEX_SIZE - 1);
	u64 *entry = bpf_map_lookup_elem(&buckets, &h);
	if (!entry || *entry == 0)
		return 0;
	u32 slot;
	if ((u32)(*entry >> 32) == ns) {
		slot = (u32)*entry - 1;
	} else {
		u32 *s = bpf_map_lookup_elem(&targets, &ns);
		if (!s)
			return 0;
		slot = *s;
	}
	struct target *t = bpf_map_lookup_elem(&states, &slot);
	if (!t)
		return 0;

	struct pt_regs *regs = (void *)ctx->args[0];
	u64 nr = ctx->args[1];
	u32 abi = ABI_NATIVE;
	if (in_compat_syscall(task)) {
		abi = ABI_COMPAT;
	} else if (nr_execve[ABI_X32] != 0xffffffff && (nr & X32_SYSCALL_BIT)) {
		abi = ABI_X32;
		nr &= ~(u64)X32_SYSCALL_BIT;
	}

	u32 phase = t->phase;
	if (!advance(t, regs, abi, nr, &phase))
		return 0;
	if (nr >= NR_SLOTS) {
		__sync_fetch_and_add(&t->unknown, 1);
		return 0;
	}

	void *slot_counts = bpf_map_lookup_elem(&counts, &slot);
	if (!slot_counts) {
		__sync_fetch_and_add(&t->lost, 1);
		return 0;
	}
	u32 call = abi * NR_SLOTS + (u32)nr;
	u32 key = (phase - PHASE_PRCTL) * COMM_ENTRIES + call;
	u64 *count = bpf_map_lookup_elem(slot_counts, &key);
	if (!count) {
		__sync_fetch_and_add(&t->lost, 1);
		return 0;
	}
	if (*count == 0) {
		/* First time on this CPU: name the process if nobody has. */
		void *slot_comms = bpf_map_lookup_elem(&comms, &slot);
		struct comm *c = slot_comms ? bpf_map_lookup_elem(slot_comms, &call) : 0;
		if (c && c->name[0] == 0)
			bpf_get_current_comm(c->name, sizeof(c->name));
	}
	*count += 1;
	return 0;
}

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
 * container's phase and counters) and three arrays of per-container maps:
 * `counts` (per-CPU counters, so recording takes no atomic operation) and
 * `comms` (the first process name seen making each call, per phase and
 * part) and `argsets` (below). Nothing is sent to user space while
 * tracing: the tracer reads the maps once, at the end, so no event can be
 * lost to a full buffer.
 *
 * Once a container's workload runs, nothing in its state can change any
 * more, and the program writes its phase into the container's bucket
 * entry: from then on a call of the workload needs nothing from `states`.
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
 * nothing. Within a phase, calls made before the first execve are the
 * container runtime's own (its init, after the filter) and counted apart
 * from the workload's, so that a profile can be rebuilt for another
 * runtime.
 *
 * For the calls of a small table (arg_row, filled by the loader from
 * internal/args), one argument is recorded too: the distinct values seen
 * (up to ARG_SET_SIZE per container, call and ABI; more is counted as an
 * overflow) or, for namespace flags, their OR.
 *
 * A container usually owns its PID namespace (its init is PID 1 there)
 * and is found by that namespace alone. Containers of a pod that shares
 * one PID namespace (Kubernetes shareProcessNamespace, podman --pid) do
 * not: their targets are "shared", and a call is attributed by its mount
 * namespace too, read only for them.
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
	NR_PARTS = 2, /* enum part */
	CALLS = NR_ABIS * NR_SLOTS,
	COUNT_ENTRIES = NR_PHASES * NR_PARTS * CALLS,
	COMM_ENTRIES = COUNT_ENTRIES, /* a name per count */
	NR_ARG_ROWS = 16,
	ARG_SET_SIZE = 32,
	ARG_ENTRIES = NR_PHASES * NR_ABIS * NR_ARG_ROWS,
	COMM_LEN = 16,
	INDEX_SIZE = 4096, /* a power of two */
	BUCKET_SLOT = 0xffff, /* slot + 1 in a bucket entry */
	BUCKET_PHASE_SHIFT = 16, /* and above it, a phase the program set */
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

/* Whose call it is: the runtime's (before the workload's first execve,
 * that execve included) or the workload's. */
enum part {
	PART_RUNTIME = 0,
	PART_WORKLOAD = 1,
};

/* How an arg_row argument is recorded (internal/args.Kind). */
enum arg_kind {
	ARG_VALUES = 1,
	ARG_NSFLAGS = 2,
};

/* Never read. clang writes a type into BTF, where bpf2go finds it, only
 * when something in the object has that type; struct target has enum
 * phase, and this has the types used only for their values or sizes. */
static volatile const struct {
	enum abi abi;
	enum layout layout;
	enum part part;
	enum arg_kind arg_kind;
} btf_enums __attribute__((used));

#define X32_SYSCALL_BIT 0x40000000
#define TS_COMPAT 0x0002     /* x86: thread_info.status */
#define TIF_32BIT (1UL << 22) /* arm64: thread_info.flags */
#define PR_SET_SECCOMP 22
#define SECCOMP_MODE_FILTER 2
#define SECCOMP_SET_MODE_FILTER 1

/* One traced container: states[slot]. */
struct target {
	u32 slot;   /* index into counts, comms and argsets */
	enum phase phase; /* only ever increases */
	u32 execed; /* an execve was seen: the workload runs */
	u32 owner;  /* PID of the tracer, for cleaning up after a dead one */
	u64 owner_start; /* its start time in clock ticks (/proc/PID/stat) */
	u64 lost;        /* calls that could not be recorded: must stay 0 */
	u64 unknown;     /* calls numbered outside [0, NR_SLOTS) */
	u32 mntns;  /* inode of the container's mount namespace */
	u32 shared; /* the PID namespace is shared: match mntns too */
	u32 clean;  /* user space only: the slot's maps are all zero again */
};

/* PID namespace inode -> slot: one target of every traced namespace (a
 * shared namespace may have more, in mnt_targets). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_TARGETS);
	__type(key, u32);
	__type(value, u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} targets SEC(".maps");

/* inode & (INDEX_SIZE - 1) -> inode << 32 | phase << BUCKET_PHASE_SHIFT |
 * (slot + 1), or 0: one traced container per entry, the others that share
 * its low bits are found in targets. User space writes entries with phase
 * 0; the program adds the target's phase, with a compare-and-swap, once
 * the target's workload runs (execed, and not a shared namespace's
 * target): its phase can no longer change, so the entry alone tells where
 * the workload's calls are counted. One 64-bit value, so the program never
 * sees a torn entry. */
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

/* PID namespace inode << 32 | mount namespace inode -> slot, for every
 * target of a shared PID namespace. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_TARGETS);
	__type(key, u64);
	__type(value, u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} mnt_targets SEC(".maps");

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

/* The recorded arguments of one call of one container, on one CPU. For
 * ARG_NSFLAGS rows only value[0] (the OR) and count[0] are used. */
struct arg_set {
	u32 n;        /* values recorded, at most ARG_SET_SIZE */
	u32 overflow; /* calls whose value did not fit */
	u64 value[ARG_SET_SIZE];
	u64 count[ARG_SET_SIZE];
};

/* Never read either: the value type of inner maps, for bpf2go. */
static volatile const struct arg_set btf_arg_set __attribute__((used));

struct argsets_slot {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ARG_ENTRIES);
	__uint(key_size, sizeof(u32));
	__uint(value_size, sizeof(struct arg_set));
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, MAX_TARGETS);
	__type(key, u32);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
	__array(values, struct argsets_slot);
} argsets SEC(".maps");

/* The argument table, set by the loader: arg_row[abi * NR_SLOTS + nr] is
 * the row of that call plus one (0: no argument recorded), and each row
 * says which argument and how. In read-only data, so looking a call up
 * costs one load. */
volatile const u8 arg_row[CALLS];
volatile const u8 row_arg[NR_ARG_ROWS];  /* which argument, 0-5 */
volatile const u8 row_kind[NR_ARG_ROWS]; /* enum arg_kind */
volatile const u64 ns_mask; /* internal/args.NamespaceMask */

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

/* bpf_rdonly_cast (Linux 6.2+) turns the raw tracepoint's untyped pt_regs
 * pointer into one the program may load from directly: the verifier
 * makes the cast a move and the loads fault-safe, so reading an argument
 * costs no helper call. Weak: older kernels read through
 * bpf_probe_read_kernel instead. */
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;

/* Argument i (0-5) of the call, for the ABI in use. */
static __always_inline u64 syscall_arg(struct pt_regs *regs, u32 abi, u32 i)
{
	if (bpf_rdonly_cast)
		regs = bpf_rdonly_cast(regs, bpf_core_type_id_kernel(struct pt_regs));
#if defined(__TARGET_ARCH_x86)
#define ARG(field) (bpf_rdonly_cast ? regs->field : BPF_CORE_READ(regs, field))
	if (abi == ABI_COMPAT) {
		switch (i) {
		case 0: return (u32)ARG(bx);
		case 1: return (u32)ARG(cx);
		case 2: return (u32)ARG(dx);
		case 3: return (u32)ARG(si);
		case 4: return (u32)ARG(di);
		default: return (u32)ARG(bp);
		}
	}
	switch (i) {
	case 0: return ARG(di);
	case 1: return ARG(si);
	case 2: return ARG(dx);
	case 3: return ARG(r10);
	case 4: return ARG(r8);
	default: return ARG(r9);
	}
#undef ARG
#elif defined(__TARGET_ARCH_arm64)
	if (i > 5)
		i = 5;
	u64 v = bpf_rdonly_cast ? regs->regs[i] : BPF_CORE_READ(regs, regs[i]);
	return abi == ABI_COMPAT ? (u32)v : v;
#else
	return 0;
#endif
}

/* A seccomp filter install: seccomp(SECCOMP_SET_MODE_FILTER, flags, prog)
 * or prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, prog) with a program. runc's
 * init first probes the kernel's flags with a NULL program (EFAULT); those
 * probes install nothing. */
static __always_inline bool installs_filter(struct pt_regs *regs, u32 abi,
					    u64 nr)
{
	if (nr == nr_seccomp[abi])
		return syscall_arg(regs, abi, 0) == SECCOMP_SET_MODE_FILTER &&
		       syscall_arg(regs, abi, 2) != 0;
	if (nr == nr_prctl[abi])
		return syscall_arg(regs, abi, 0) == PR_SET_SECCOMP &&
		       syscall_arg(regs, abi, 1) == SECCOMP_MODE_FILTER &&
		       syscall_arg(regs, abi, 2) != 0;
	return false;
}

/* Advance the target's phase for this call. Returns the part of the
 * recording the call belongs to, or -1 when it is not recorded. */
static __always_inline int advance(struct target *t, struct pt_regs *regs,
				   u32 abi, u64 nr, u32 *phase)
{
	/* The workload runs: nothing changes any more (a filter it installs
	 * is its own business). The common case: one load and a branch. */
	if (t->execed)
		return *phase == PHASE_WAITING ? -1 : PART_WORKLOAD;
	if (nr == nr_execve[abi] || nr == nr_execveat[abi])
		t->execed = 1; /* this call is still the runtime's */
	if (*phase != PHASE_FILTER) {
		if (installs_filter(regs, abi, nr)) {
			/* The install itself runs unfiltered: record from the
			 * next call. */
			t->phase = PHASE_FILTER;
			return -1;
		}
		if (*phase == PHASE_WAITING && nr == nr_prctl[abi]) {
			/* Only WAITING -> PRCTL: never undo a concurrent FILTER. */
			__sync_val_compare_and_swap(&t->phase, PHASE_WAITING, PHASE_PRCTL);
			*phase = PHASE_PRCTL;
		}
	}
	return *phase == PHASE_WAITING ? -1 : PART_RUNTIME;
}

/* Count a call of the target in slot that could not be recorded. */
static __always_inline void lose(u32 slot)
{
	struct target *t = bpf_map_lookup_elem(&states, &slot);
	if (t)
		__sync_fetch_and_add(&t->lost, 1);
}

/* Record argument row of the call counted at key (what is needed of the
 * call is derived from it) into the arg sets of the target in slot. Per-CPU
 * sets need no atomics: the program runs with preemption disabled. */
static __always_inline void record_arg(struct bpf_raw_tracepoint_args *ctx,
				       u32 slot, u32 call, u32 key, u32 row)
{
	if (row >= NR_ARG_ROWS)
		return;
	u32 abi = call / NR_SLOTS;
	u32 phase = key < NR_PARTS * CALLS ? PHASE_PRCTL : PHASE_FILTER;
	void *slot_sets = bpf_map_lookup_elem(&argsets, &slot);
	u32 k = ((phase - PHASE_PRCTL) * NR_ABIS + abi) * NR_ARG_ROWS + row;
	struct arg_set *set = slot_sets ? bpf_map_lookup_elem(slot_sets, &k) : 0;
	if (!set) {
		lose(slot);
		return;
	}
	u64 v = syscall_arg((struct pt_regs *)ctx->args[0], abi, row_arg[row]);
	if (row_kind[row] == ARG_NSFLAGS) {
		set->value[0] |= v & ns_mask;
		set->count[0]++;
		set->n = 1;
		return;
	}
	u32 n = set->n;
	for (u32 i = 0; i < ARG_SET_SIZE; i++) {
		if (i >= n)
			break;
		if (set->value[i] == v) {
			set->count[i]++;
			return;
		}
	}
	if (n < ARG_SET_SIZE) {
		set->value[n] = v;
		set->count[n] = 1;
		set->n = n + 1;
	} else {
		set->overflow++;
	}
}

/* Count the call at key for the target in slot: the call's counter, its
 * argument if arg_row has one, and the name of the process the first time
 * on this CPU. Only ctx, slot and key are live here, so that nothing
 * spills to the stack on the way to the counter. */
static __always_inline void count_call(struct bpf_raw_tracepoint_args *ctx,
				       u32 slot, u32 call, u32 key)
{
	void *slot_counts = bpf_map_lookup_elem(&counts, &slot);
	u64 *count = slot_counts ? bpf_map_lookup_elem(slot_counts, &key) : 0;
	if (!count) {
		lose(slot);
		return;
	}
	u64 n = *count;
	*count = n + 1;
	u32 row = arg_row[call < CALLS ? call : 0];
	if (row)
		record_arg(ctx, slot, call, key, row - 1);
	if (n == 0) {
		/* First time on this CPU: name the process if nobody has. */
		void *slot_comms = bpf_map_lookup_elem(&comms, &slot);
		struct comm *cm = slot_comms ? bpf_map_lookup_elem(slot_comms, &key) : 0;
		if (cm && cm->name[0] == 0)
			bpf_get_current_comm(cm->name, sizeof(cm->name));
	}
}

/* The inode of the task's mount namespace, for targets of shared PID
 * namespaces. */
static __always_inline u32 mntns_of(struct task_struct *task)
{
	return task->nsproxy->mnt_ns->ns.inum;
}

/*
 * What the program keeps per CPU, written only by the program on that CPU
 * (it runs with preemption disabled) and never by user space.
 *
 * rq: the calling task without a helper call.
 *
 * bpf_get_current_task_btf() costs a call, about 25 ns where every
 * return goes through a return thunk (SRSO's "Safe RET"), more than the
 * rest of the program. The scheduler keeps the task running on each CPU in
 * that CPU's runqueue, rq->curr: __schedule() sets it and switches to that
 * task with interrupts off, so whenever a task enters a syscall its CPU's
 * rq->curr is that task (the kernel's task_curr() relies on the same).
 * The runqueue of a CPU never moves. So the program finds it once per CPU
 * through the helper's task (task->se.cfs_rq->rq), checks that its curr
 * is that task, and keeps its address in rq; from then on the caller is
 * two loads away and can never be stale, unlike a note kept by a
 * sched_switch program (docs/benchmarks.md).
 *
 * Where a piece is missing (bpf_rdonly_cast before Linux 6.2, no
 * cfs_rq->rq without CONFIG_FAIR_GROUP_SCHED), the program calls the
 * helper every time.
 *
 * task, start, pidns: the PID namespace of the last caller on this CPU
 * that was not the host's. A task's PID namespace is fixed for its life
 * (setns and unshare change only its children's), so the inode read once
 * stays true for as long as the task lives; the task's start time tells
 * it from a later task allocated at the same address. A traced task
 * calling again on the same CPU then skips the rest of the namespace
 * walk (pidns_at: two more dependent loads, each fault-checked); the
 * level, read before the cache, tells a host process. Nothing here
 * depends on which containers are traced, so joins and leaves need not
 * invalidate it.
 */
struct cpu_cache {
	u64 rq;
	u64 task;
	u64 start;
	u32 pidns;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, u32);
	__type(value, struct cpu_cache);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} cpus SEC(".maps");

static __always_inline struct task_struct *current_task(struct cpu_cache *c)
{
	if (!bpf_rdonly_cast || !bpf_core_field_exists(struct cfs_rq, rq))
		return bpf_get_current_task_btf();
	if (c && c->rq) {
		struct rq *rq = bpf_rdonly_cast((void *)c->rq, bpf_core_type_id_kernel(struct rq));
		return rq->curr;
	}
	struct task_struct *task = bpf_get_current_task_btf();
	if (c) {
		struct rq *rq = task->se.cfs_rq->rq;
		if (rq && rq->curr == task)
			c->rq = (u64)rq;
	}
	return task;
}

/* The inode of the task's PID namespace, or 0 for the host's processes
 * (and for deeper nesting than pidns_at reads). */
static __always_inline u32 pidns_of(struct task_struct *task, struct cpu_cache *c)
{
	struct pid *pid = task->thread_pid;
	unsigned int level = pid->level;

	/* The host's own processes (level 0) are never traced: they stop
	 * here, before the cache, which they leave to the last container
	 * task. Most calls on a host are theirs, and this is their whole
	 * cost: checking the cache first cost them 5-6 ns more a call
	 * (kernel BPF statistics, docs/benchmarks.md). */
	if (level == 0)
		return 0;
	if (c && c->task == (u64)task && c->start == task->start_time)
		return c->pidns;
	u32 ns = pidns_at(pid, level);
	if (c) {
		c->task = (u64)task;
		c->start = task->start_time;
		c->pidns = ns;
	}
	return ns;
}

SEC("raw_tp/sys_enter")
int sys_enter(struct bpf_raw_tracepoint_args *ctx)
{
	u32 zero = 0;
	struct cpu_cache *c = bpf_map_lookup_elem(&cpus, &zero);
	struct task_struct *task = current_task(c);
	u32 ns = pidns_of(task, c);
	if (ns == 0)
		return 0;
	u32 h = ns & (INDEX_SIZE - 1);
	u64 *entry = bpf_map_lookup_elem(&buckets, &h);
	if (!entry)
		return 0;
	u64 e = *entry;
	if (e == 0)
		return 0;

	struct pt_regs *regs = (void *)ctx->args[0];
	u64 nr = ctx->args[1];
	u32 abi = ABI_NATIVE;
	if (in_compat_syscall(task)) {
		abi = ABI_COMPAT;
	} else if ((nr & X32_SYSCALL_BIT) && nr_execve[ABI_X32] != 0xffffffff) {
		abi = ABI_X32;
		nr &= ~(u64)X32_SYSCALL_BIT;
	}

	/* The slot and phase in the entry are the caller's if the entry is
	 * for its namespace (mine). When it carries a phase, the workload of
	 * that target runs and the entry says all that is needed (the common
	 * case); otherwise the target's state decides. */
	bool mine = (u32)(e >> 32) == ns;
	u32 slot = ((u32)e & BUCKET_SLOT) - 1;
	u32 phase = (u32)e >> BUCKET_PHASE_SHIFT;
	int part = PART_WORKLOAD;
	if (!mine || !phase) {
		if (!mine) {
			u32 *s = bpf_map_lookup_elem(&targets, &ns);
			if (!s)
				return 0;
			slot = *s;
		}
		struct target *t = bpf_map_lookup_elem(&states, &slot);
		if (!t)
			return 0;
		if (t->shared) {
			/* Several containers, or others untraced, in this PID
			 * namespace: the mount namespace says whose call it is. */
			u32 mnt = mntns_of(task);
			if (mnt != t->mntns) {
				u64 key = (u64)ns << 32 | mnt;
				u32 *s = bpf_map_lookup_elem(&mnt_targets, &key);
				if (!s)
					return 0;
				slot = *s;
				t = bpf_map_lookup_elem(&states, &slot);
				if (!t)
					return 0;
			}
		}
		phase = t->phase;
		part = advance(t, regs, abi, nr, &phase);
		if (part < 0)
			return 0;
		if (part == PART_WORKLOAD && mine && !t->shared)
			/* The phase is final: put it in the bucket entry, unless
			 * user space has replaced the entry meanwhile. */
			__sync_val_compare_and_swap(entry, e, e | (u64)phase << BUCKET_PHASE_SHIFT);
		/* Before the workload's execve, a thread under no filter is one
		 * the runtime left unfiltered (runc installs its filter on its
		 * init's thread only, and its Go runtime's other threads go on
		 * making calls): no profile ever applies to its calls, so they
		 * are not the profile's. After execve every thread of the
		 * container inherited the filter, so this costs the workload
		 * nothing. */
		if (part == PART_RUNTIME && phase == PHASE_FILTER &&
		    task->seccomp.mode != SECCOMP_MODE_FILTER)
			return 0;
	}
	if (nr >= NR_SLOTS) {
		struct target *t = bpf_map_lookup_elem(&states, &slot);
		if (t)
			__sync_fetch_and_add(&t->unknown, 1);
		return 0;
	}
	u32 call = abi * NR_SLOTS + (u32)nr;
	count_call(ctx, slot, call,
		   ((phase - PHASE_PRCTL) * NR_PARTS + part) * CALLS + call);
	return 0;
}

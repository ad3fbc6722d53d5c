package trace

import "time"

// Version is the trace format version written by this package. Parse
// rejects versions above it, since a reader cannot know what a newer
// writer meant by its fields, and below MinVersion.
//
// Version 2 added the runtime's share of each call (Syscall.RuntimeCount),
// recorded arguments (Syscall.Args) and more provenance (Run.Node,
// Namespace, Pod, Container, Runtime, NoNewPrivileges).
const Version = 2

// MinVersion is the oldest version Parse reads. A version 1 file is read
// as a version 2 trace without the fields version 2 added, which is what
// it means: no call was told apart as the runtime's, and no argument was
// recorded, so every value may have been used.
const MinVersion = 1

// Trace is the content of a trace file.
type Trace struct {
	// Version is the format version; readers reject versions they do not know.
	Version int `json:"version"`
	// Syscalls summarises all runs: counts summed, process names merged,
	// and how many runs saw each syscall. Derived from Runs.
	Syscalls []Syscall `json:"syscalls"`
	// Runs lists every traced run, sorted by start time then container ID.
	Runs []Run `json:"runs"`
}

// Run is one traced container: where the syscalls came from and what it made.
//
// A run is identified by ContainerID and Start together: the same
// container restarted is a new run, and two runs with the same identity
// must be identical (see Merge).
type Run struct {
	// ContainerID is the OCI container ID from the runtime state.
	ContainerID string `json:"containerID,omitempty"`
	// Image names the image when the engine annotates it.
	Image string `json:"image,omitempty"`
	// Command is the container's process arguments from its OCI config.
	Command []string `json:"command,omitempty"`
	// Node is the name of the host the container ran on (the hook's
	// --node-name, by default the host name). Version 2.
	Node string `json:"node,omitempty"`
	// Namespace, Pod and Container name the container in Kubernetes, from
	// the annotations CRI-O or containerd set; empty elsewhere. Version 2.
	Namespace string `json:"namespace,omitempty"`
	Pod       string `json:"pod,omitempty"`
	Container string `json:"container,omitempty"`
	// Runtime is the OCI runtime that started the container, name and
	// version as it reports them ("runc 1.1.5+ds1", "crun 1.8.1"); empty
	// when unknown. Version 2.
	Runtime string `json:"runtime,omitempty"`
	// NoNewPrivileges is the container's process.noNewPrivileges. With
	// it, runc and crun install the seccomp filter right before execve
	// rather than early, so fewer of their own calls come after it.
	// Version 2.
	NoNewPrivileges bool `json:"noNewPrivileges,omitzero"`
	// Start and End bound the tracing window.
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// Hook is the version of the hook that recorded the run.
	Hook string `json:"hook,omitempty"`
	// Syscalls made by the run, sorted by Arch then Name.
	Syscalls []Syscall `json:"syscalls"`
}

// Syscall is one system call as recorded for one architecture.
type Syscall struct {
	// Name is the libseccomp name for Number on Arch.
	Name string `json:"name"`
	// Number is the syscall number on Arch (not the native number when
	// the call came through a compat ABI).
	Number int `json:"nr"`
	// Arch is the libseccomp architecture as written in profiles, e.g.
	// "SCMP_ARCH_X86_64", or "SCMP_ARCH_X86" for a 32-bit compat call
	// made on an x86_64 host.
	Arch string `json:"arch"`
	// Count is how many times the call was made.
	Count uint64 `json:"count"`
	// RuntimeCount is how many of Count the container runtime made: after
	// its seccomp filter, before the workload's first execve (that execve
	// included). The rest, Count - RuntimeCount, are the workload's. 0
	// in version 1 files, which did not tell them apart. Version 2.
	RuntimeCount uint64 `json:"runtimeCount,omitzero"`
	// Processes lists the names (comm) of processes seen making it, sorted.
	Processes []string `json:"processes,omitempty"`
	// Runs is, in a summary, how many runs made the call; 0 inside a Run,
	// and then left out of the file (omitzero: the JSON library's
	// omitempty leaves out only empty JSON values, and 0 is not one).
	Runs int `json:"runs,omitzero"`
	// Args holds what was recorded of the call's arguments, sorted by
	// index, at most one entry per index. The hook records one argument
	// of the calls internal/args lists. A call without Args may have
	// used any arguments. Version 2.
	Args []Arg `json:"args,omitempty"`
}

// ArgKind is how an argument was recorded.
type ArgKind string

// Argument kinds, as internal/args.Kind names them.
const (
	// ArgValues: the distinct values seen, each with how often (Values),
	// and how many calls had a value the recorder had no room for
	// (Overflow).
	ArgValues ArgKind = "values"
	// ArgNamespaceFlags: the OR of the namespace bits (CLONE_NEW*) seen
	// in a flags argument (Flags).
	ArgNamespaceFlags ArgKind = "nsflags"
)

// Arg is what was recorded of one argument of one call.
//
// In a summary, Values are the union over runs with their counts summed,
// Flags the OR and Overflow the sum, over the runs that recorded the
// argument: a run that did not (a version 1 run) is not represented, so a
// consumer that needs to know whether every run recorded it looks at the
// runs.
type Arg struct {
	// Index is the argument's position, 0 to 5.
	Index int `json:"index"`
	// Kind says which of the fields below hold what was seen.
	Kind ArgKind `json:"kind"`
	// Values are the distinct values seen, sorted, for ArgValues.
	Values []ArgValue `json:"values,omitempty"`
	// Flags is the OR of the CLONE_NEW* bits seen, for ArgNamespaceFlags;
	// 0 (and absent from the file) when no call asked for a namespace.
	Flags uint64 `json:"flags,omitzero"`
	// Overflow counts, for ArgValues, the calls whose value did not fit
	// the recorder's set of values: they may have used any value.
	Overflow uint64 `json:"overflow,omitzero"`
}

// ArgValue is one value of an argument and how many calls used it.
type ArgValue struct {
	Value uint64 `json:"value"`
	Count uint64 `json:"count"`
}

// Limits on individual fields. They are far above anything the hook
// records and exist so that a corrupted or hostile file cannot make the
// compiler build absurd profiles.
const (
	// MaxNameLen bounds syscall names; the longest libseccomp knows is
	// under 30 bytes.
	MaxNameLen = 64
	// MaxProcessLen bounds process names. The kernel's comm is at most 15
	// bytes; the slack allows for future fields such as executable names.
	MaxProcessLen = 255
	// MaxTextLen bounds free-text provenance (container ID, image, hook
	// version, each command argument).
	MaxTextLen = 4096
	// MaxNumber bounds syscall numbers. x32 numbers carry bit 30, MIPS and
	// ARM private calls are offset, but all stay far below this.
	MaxNumber = 1<<31 - 1
	// MaxArgIndex is the highest argument index: seccomp sees six.
	MaxArgIndex = 5
)

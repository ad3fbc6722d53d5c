package trace

import "time"

// Version is the trace format version written by this package. Parse
// rejects every other version: a reader cannot know what a newer writer
// meant by its fields.
const Version = 1

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
	// Processes lists the names (comm) of processes seen making it, sorted.
	Processes []string `json:"processes,omitempty"`
	// Runs is, in a summary, how many runs made the call; 0 inside a Run,
	// and then left out of the file (omitzero: the JSON library's
	// omitempty leaves out only empty JSON values, and 0 is not one).
	Runs int `json:"runs,omitzero"`
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
)

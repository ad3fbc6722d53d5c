// Package trace defines the on-disk trace format: what the hook recorded for
// one or more container runs, before it is turned into a seccomp profile.
//
// The format is versioned JSON. A trace holds runs (one per traced
// container, with where it came from) and a summary over all runs. Merging
// traces is a union of runs, so it is commutative, associative and
// idempotent; the summary is always derived from the runs.
//
// This package is pure Go: the compiler imports it without pulling in eBPF.
package trace

import "time"

// Version is the trace format version written by this package.
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
	// Runs is, in a summary, how many runs made the call; 0 inside a Run.
	Runs int `json:"runs,omitempty"`
}

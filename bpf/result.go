//go:build linux

package bpf

import "github.com/oci-hooks/oci-seccomp-bpf-hook/internal/args"

// Phase is how far a traced container got, as seen by the recorder.
type Phase uint32

// Phases: enum phase in recorder.bpf.c, as bpf2go emits it.
const (
	// PhaseWaiting: attached, but the runtime has not yet called prctl;
	// nothing is recorded.
	PhaseWaiting = Phase(recorderPhasePHASE_WAITING)
	// PhasePrctl: recording since the first prctl, where the old BCC hook
	// started. Used when no seccomp filter was installed.
	PhasePrctl = Phase(recorderPhasePHASE_PRCTL)
	// PhaseFilter: recording since the runtime installed the container's
	// seccomp filter, the point from which a profile applies.
	PhaseFilter = Phase(recorderPhasePHASE_FILTER)
)

// String names the phase: waiting, prctl or filter ("unknown" for any
// other value).
func (p Phase) String() string {
	switch p {
	case PhaseWaiting:
		return "waiting"
	case PhasePrctl:
		return "prctl"
	case PhaseFilter:
		return "filter"
	}
	return "unknown"
}

// ABI is the system call convention a call came through.
type ABI uint32

// ABIs: enum abi in recorder.bpf.c, as bpf2go emits it. internal/arch
// names the architecture of each on each host (Info.ABIs, in this order).
const (
	// ABINative is the kernel's own ABI (x86_64 on amd64).
	ABINative = ABI(recorderAbiABI_NATIVE)
	// ABICompat is the 32-bit ABI of a 64-bit kernel (i386 on amd64, arm
	// on arm64), with its own syscall numbers.
	ABICompat = ABI(recorderAbiABI_COMPAT)
	// ABIX32 is x86_64's x32 ABI; Number is without the x32 bit.
	ABIX32 = ABI(recorderAbiABI_X32)
)

// Call is one syscall a target made.
type Call struct {
	ABI    ABI
	Number int
	// Count is how many times it was made.
	Count uint64
	// Runtime is how many of them the container runtime made: those
	// before the workload's first execve (that execve included).
	Runtime uint64
	// Comms names the processes seen making it: the first seen on each
	// side of the workload's execve (the runtime's and the workload's).
	Comms []string
	// Args holds the recorded argument of a call internal/args lists.
	Args []Arg
}

// Arg is what the recorder saw of one argument of one call.
type Arg struct {
	// Index is the argument's position, from 0.
	Index uint8
	// Kind says which of Values and Flags holds what was seen.
	Kind args.Kind
	// Values are the distinct values seen, with how often, sorted by
	// value (args.Values).
	Values []ArgValue
	// Flags is the OR of the namespace bits seen (args.NamespaceFlags).
	Flags uint64
	// Overflow counts calls whose value did not fit the recorder's set of
	// values: they may have used any value.
	Overflow uint64
}

// ArgValue is one value of an argument and how often it was seen.
type ArgValue struct {
	Value, Count uint64
}

// Result is what a target recorded.
type Result struct {
	// Phase is how far the target got; Calls are those of that phase.
	Phase Phase
	// Calls made, sorted by ABI then number.
	Calls []Call
	// Lost counts calls the program could not record. Anything but zero
	// means the result is incomplete and must not become a profile.
	Lost uint64
	// Missed counts runs of the program that the kernel skipped while the
	// target was recorded (it does so when the program would recurse on a
	// CPU). The counter is the program's, shared by all targets, so any
	// skip makes every target's result suspect: anything but zero means
	// calls may be missing.
	Missed uint64
	// Unknown counts calls numbered outside the recorded range; they fail
	// with ENOSYS whatever a profile says.
	Unknown uint64
}

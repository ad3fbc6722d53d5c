package profile

import (
	"fmt"
	"slices"

	"github.com/containers/common/pkg/seccomp"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/arch"
)

// Flag is a seccomp filter flag as written in a profile's "flags" list.
// containers/common types the list as []string; these constants name the
// values runc and crun understand.
type Flag string

// Filter flags accepted in profiles.
const (
	// FlagTSync synchronises all threads; runtimes set it themselves and
	// accept it for compatibility.
	FlagTSync Flag = "SECCOMP_FILTER_FLAG_TSYNC"
	// FlagLog logs every action except SCMP_ACT_ALLOW.
	FlagLog Flag = "SECCOMP_FILTER_FLAG_LOG"
	// FlagSpecAllow disables the speculative store bypass mitigation.
	FlagSpecAllow Flag = "SECCOMP_FILTER_FLAG_SPEC_ALLOW"
	// FlagWaitKillableRecv makes notified tasks wait killably. Requires at
	// least Linux 5.19.
	FlagWaitKillableRecv Flag = "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV"
)

var knownFlags = []Flag{FlagTSync, FlagLog, FlagSpecAllow, FlagWaitKillableRecv}

// KnownFlags returns the filter flags Parse accepts, sorted.
func KnownFlags() []Flag {
	return slices.Sorted(slices.Values(knownFlags))
}

var knownActions = []seccomp.Action{
	seccomp.ActKill, seccomp.ActKillProcess, seccomp.ActKillThread,
	seccomp.ActTrap, seccomp.ActErrno, seccomp.ActTrace,
	seccomp.ActAllow, seccomp.ActLog, seccomp.ActNotify,
}

// KnownActions returns the actions Parse accepts, sorted.
func KnownActions() []seccomp.Action {
	return slices.Sorted(slices.Values(knownActions))
}

// Allows reports whether a syscall that meets action runs: SCMP_ACT_ALLOW
// and SCMP_ACT_LOG (which allows and logs). SCMP_ACT_NOTIFY and
// SCMP_ACT_TRACE hand the decision to another process and do not count.
func Allows(action seccomp.Action) bool {
	return action == seccomp.ActAllow || action == seccomp.ActLog
}

var knownOperators = []seccomp.Operator{
	seccomp.OpNotEqual, seccomp.OpLessThan, seccomp.OpLessEqual,
	seccomp.OpEqualTo, seccomp.OpGreaterEqual, seccomp.OpGreaterThan,
	seccomp.OpMaskedEqual,
}

// KnownOperators returns the argument comparison operators Parse accepts,
// sorted.
func KnownOperators() []seccomp.Operator {
	return slices.Sorted(slices.Values(knownOperators))
}

// KnownArches returns the architectures Parse accepts in "architectures"
// and "archMap", sorted: those of internal/arch's table, and
// SCMP_ARCH_NATIVE, which stands for the architecture of whatever host
// loads the profile.
func KnownArches() []seccomp.Arch {
	out := append(convert[seccomp.Arch](arch.KnownNames()), seccomp.ArchNative)
	slices.Sort(out)
	return out
}

// KnownFilterArches returns the architecture names Parse accepts in
// "includes.arches" and "excludes.arches", sorted. These are libseccomp's
// short names ("amd64", "arm64", ...), not SCMP_ARCH_* constants, and they
// match the architecture of the host, not the ABI of a call.
func KnownFilterArches() []string {
	return convert[string](arch.KnownLibNames())
}

// FilterArch returns the name used for a in "includes.arches" and
// "excludes.arches" (libseccomp's, which containers/common compares them
// against), or "" for an unknown architecture.
func FilterArch(a seccomp.Arch) string {
	info, _ := arch.Lookup(arch.Name(a))
	return string(info.Lib)
}

// knownArch reports whether a is a concrete architecture of the table
// (not SCMP_ARCH_NATIVE).
func knownArch(a seccomp.Arch) bool {
	_, ok := arch.Lookup(arch.Name(a))
	return ok
}

// nativeArch validates the caller's native architecture or derives it from
// runtime.GOARCH (arch.Native).
func nativeArch(a seccomp.Arch) (seccomp.Arch, error) {
	if a == "" {
		info, err := arch.Native()
		if err != nil {
			return "", fmt.Errorf("determine native architecture: %w", err)
		}
		return seccomp.Arch(info.Name), nil
	}
	if !knownArch(a) {
		return "", fmt.Errorf("native architecture %q is not a concrete known architecture", a)
	}
	return a, nil
}

// SubArches returns the architectures whose calls a kernel of a also
// accepts (SCMP_ARCH_X86 and SCMP_ARCH_X32 for SCMP_ARCH_X86_64), in the
// order of the engine's default profile's archMap, or nil. A call
// recorded for one of them on such a host is a compat call, and the
// profile must list the sub-architecture or the kernel kills the caller.
func SubArches(a seccomp.Arch) []seccomp.Arch {
	info, _ := arch.Lookup(arch.Name(a))
	return convert[seccomp.Arch](info.Sub)
}

// isSubArch reports whether sub is one of host's sub-architectures.
func isSubArch(host, sub seccomp.Arch) bool {
	return arch.IsSub(arch.Name(host), arch.Name(sub))
}

// convert copies names from one string type to another: internal/arch's
// to containers/common's. It returns nil for none.
func convert[To, From ~string](in []From) []To {
	var out []To
	for _, s := range in {
		out = append(out, To(s))
	}
	return out
}

package profile

import (
	"maps"
	"slices"

	"github.com/containers/common/pkg/seccomp"
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

// filterArch maps each profile architecture to the name libseccomp gives it
// (scmp_arch_resolve_name), which is what containers/common compares
// "includes.arches" and "excludes.arches" against: the name of the host's
// native architecture, such as "amd64".
var filterArch = map[seccomp.Arch]string{
	seccomp.ArchX86:         "x86",
	seccomp.ArchX86_64:      "amd64",
	seccomp.ArchX32:         "x32",
	seccomp.ArchARM:         "arm",
	seccomp.ArchAARCH64:     "arm64",
	seccomp.ArchMIPS:        "mips",
	seccomp.ArchMIPS64:      "mips64",
	seccomp.ArchMIPS64N32:   "mips64n32",
	seccomp.ArchMIPSEL:      "mipsel",
	seccomp.ArchMIPSEL64:    "mipsel64",
	seccomp.ArchMIPSEL64N32: "mipsel64n32",
	seccomp.ArchPPC:         "ppc",
	seccomp.ArchPPC64:       "ppc64",
	seccomp.ArchPPC64LE:     "ppc64le",
	seccomp.ArchS390:        "s390",
	seccomp.ArchS390X:       "s390x",
	seccomp.ArchPARISC:      "parisc",
	seccomp.ArchPARISC64:    "parisc64",
	seccomp.ArchRISCV64:     "riscv64",
}

// KnownArches returns the architectures Parse accepts in "architectures"
// and "archMap", sorted. SCMP_ARCH_NATIVE is among them: it stands for the
// architecture of whatever host loads the profile.
func KnownArches() []seccomp.Arch {
	return slices.Sorted(func(yield func(seccomp.Arch) bool) {
		for a := range filterArch {
			if !yield(a) {
				return
			}
		}
		yield(seccomp.ArchNative)
	})
}

// KnownFilterArches returns the architecture names Parse accepts in
// "includes.arches" and "excludes.arches", sorted. These are libseccomp's
// short names ("amd64", "arm64", ...), not SCMP_ARCH_* constants, and they
// match the architecture of the host, not the ABI of a call.
func KnownFilterArches() []string {
	return slices.Sorted(maps.Values(filterArch))
}

// FilterArch returns the name used for arch in "includes.arches" and
// "excludes.arches", or "" for an unknown architecture.
func FilterArch(arch seccomp.Arch) string {
	return filterArch[arch]
}

// subArches lists, for each architecture that can host others, the ABIs
// its kernel also runs. It mirrors the archMap of the engine's default
// profile, which is what runtimes load on each host.
var subArches = map[seccomp.Arch][]seccomp.Arch{
	seccomp.ArchX86_64:      {seccomp.ArchX86, seccomp.ArchX32},
	seccomp.ArchAARCH64:     {seccomp.ArchARM},
	seccomp.ArchMIPS64:      {seccomp.ArchMIPS, seccomp.ArchMIPS64N32},
	seccomp.ArchMIPS64N32:   {seccomp.ArchMIPS, seccomp.ArchMIPS64},
	seccomp.ArchMIPSEL64:    {seccomp.ArchMIPSEL, seccomp.ArchMIPSEL64N32},
	seccomp.ArchMIPSEL64N32: {seccomp.ArchMIPSEL, seccomp.ArchMIPSEL64},
	seccomp.ArchS390X:       {seccomp.ArchS390},
}

// SubArches returns the architectures whose calls a kernel of arch also
// accepts (SCMP_ARCH_X86 and SCMP_ARCH_X32 for SCMP_ARCH_X86_64), in
// archMap order, or nil. A call recorded for one of them on such a host is
// a compat call, and the profile must list the sub-architecture or the
// kernel kills the caller.
func SubArches(arch seccomp.Arch) []seccomp.Arch {
	return slices.Clone(subArches[arch])
}

// isSubArch reports whether sub is one of host's sub-architectures.
func isSubArch(host, sub seccomp.Arch) bool {
	return slices.Contains(subArches[host], sub)
}

package profile

import (
	"slices"

	"github.com/containers/common/pkg/seccomp"
)

// syscallEntry is one row of the generated syscallTable.
type syscallEntry struct {
	name   string
	arches uint32 // bit i set: the call exists on tableArches[i]
}

// archBit returns the table bit of arch, or 0 for an architecture the
// table does not cover.
func archBit(arch seccomp.Arch) uint32 {
	for i, a := range tableArches {
		if a == arch {
			return 1 << i
		}
	}
	return 0
}

// KnownSyscalls returns, sorted, the names of the syscalls that exist on
// arch according to the libseccomp release the package's table was
// generated from (see SyscallTableSource). Names that libseccomp only
// knows as pseudo-syscalls on arch (socketcall on x86_64) are not
// included. It returns nil for an unknown architecture.
func KnownSyscalls(arch seccomp.Arch) []string {
	bit := archBit(arch)
	if bit == 0 {
		return nil
	}
	var names []string
	for _, e := range syscallTable {
		if e.arches&bit != 0 {
			names = append(names, e.name)
		}
	}
	return names
}

// SyscallArches returns the architectures on which name is a real
// syscall, in KnownArches order, or nil for a name the table does not
// know (possibly one added to the kernel after the table was generated).
func SyscallArches(name string) []seccomp.Arch {
	i, ok := slices.BinarySearchFunc(syscallTable[:], name, func(e syscallEntry, n string) int {
		switch {
		case e.name < n:
			return -1
		case e.name > n:
			return 1
		}
		return 0
	})
	if !ok {
		return nil
	}
	var out []seccomp.Arch
	for b, a := range tableArches {
		if syscallTable[i].arches&(1<<b) != 0 {
			out = append(out, a)
		}
	}
	slices.Sort(out)
	return out
}

// SyscallTableSource names the libseccomp release that KnownSyscalls and
// SyscallArches reflect, e.g. "libseccomp 2.5.4".
func SyscallTableSource() string {
	return tableSource
}

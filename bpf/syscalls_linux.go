//go:build linux

package bpf

import (
	"fmt"
	"runtime"

	"github.com/cilium/ebpf"
	cseccomp "github.com/containers/common/pkg/seccomp"
	libseccomp "github.com/seccomp/libseccomp-golang"
)

// x32Bit tags x32 syscall numbers, in the kernel and in libseccomp.
const x32Bit = 0x40000000

// abiArch is the libseccomp architecture of each ABI on this machine;
// ArchInvalid where the machine has no such ABI.
func abiArch(a ABI) libseccomp.ScmpArch {
	switch runtime.GOARCH {
	case "amd64":
		return [...]libseccomp.ScmpArch{libseccomp.ArchAMD64, libseccomp.ArchX86, libseccomp.ArchX32}[a]
	case "arm64":
		return [...]libseccomp.ScmpArch{libseccomp.ArchARM64, libseccomp.ArchARM, libseccomp.ArchInvalid}[a]
	}
	return libseccomp.ArchInvalid
}

// ProfileArch is the architecture of an ABI as written in seccomp
// profiles, e.g. SCMP_ARCH_X86 for compat calls on amd64.
func ProfileArch(a ABI) (cseccomp.Arch, error) {
	switch abiArch(a) {
	case libseccomp.ArchAMD64:
		return cseccomp.ArchX86_64, nil
	case libseccomp.ArchX86:
		return cseccomp.ArchX86, nil
	case libseccomp.ArchX32:
		return cseccomp.ArchX32, nil
	case libseccomp.ArchARM64:
		return cseccomp.ArchAARCH64, nil
	case libseccomp.ArchARM:
		return cseccomp.ArchARM, nil
	}
	return "", fmt.Errorf("no %s ABI %d", runtime.GOARCH, a)
}

// Name returns libseccomp's name for the call, from the table of its ABI.
func (c Call) Name() (string, error) {
	arch := abiArch(c.ABI)
	if arch == libseccomp.ArchInvalid {
		return "", fmt.Errorf("syscall %d: no %s ABI %d", c.Number, runtime.GOARCH, c.ABI)
	}
	nr := c.Number
	if arch == libseccomp.ArchX32 {
		nr |= x32Bit
	}
	name, err := libseccomp.ScmpSyscall(nr).GetNameByArch(arch)
	if err != nil {
		return "", fmt.Errorf("name syscall %d on %s: %w", c.Number, arch, err)
	}
	return name, nil
}

// setSyscallNumbers fills the program's per-ABI syscall numbers from
// libseccomp's tables, so the C code holds no architecture's numbers.
func setSyscallNumbers(spec *ebpf.CollectionSpec) error {
	for _, name := range []string{"prctl", "seccomp", "execve", "execveat"} {
		var nrs [nrABIs]uint32
		for a := range nrs {
			nrs[a] = ^uint32(0)
			arch := abiArch(ABI(a))
			if arch == libseccomp.ArchInvalid {
				continue
			}
			nr, err := libseccomp.GetSyscallFromNameByArch(name, arch)
			if err != nil {
				return fmt.Errorf("look up %s on %s: %w", name, arch, err)
			}
			nrs[a] = uint32(nr) &^ x32Bit
		}
		v, ok := spec.Variables["nr_"+name]
		if !ok {
			return fmt.Errorf("recorder has no variable nr_%s", name)
		}
		if err := v.Set(nrs); err != nil {
			return fmt.Errorf("set nr_%s: %w", name, err)
		}
	}
	return nil
}

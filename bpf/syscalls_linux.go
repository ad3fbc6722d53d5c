//go:build linux

package bpf

import (
	"fmt"
	"runtime"

	"github.com/cilium/ebpf"
	libseccomp "github.com/seccomp/libseccomp-golang"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/arch"
)

// x32Bit tags x32 syscall numbers, in the kernel and in libseccomp.
const x32Bit = 0x40000000

// ProfileArch is the architecture of an ABI as written in seccomp
// profiles, e.g. SCMP_ARCH_X86 for compat calls on amd64.
func ProfileArch(a ABI) (arch.Name, error) {
	if host, err := arch.Native(); err == nil && int(a) < len(host.ABIs) && host.ABIs[a] != "" {
		return host.ABIs[a], nil
	}
	return "", fmt.Errorf("no %s ABI %d", runtime.GOARCH, a)
}

// abiArch returns libseccomp's architecture of an ABI on this machine,
// and false where the machine has no such ABI. It resolves the table's
// name through cgo; internal/arch's tests prove libseccomp knows them all.
func abiArch(a ABI) (libseccomp.ScmpArch, bool) {
	name, err := ProfileArch(a)
	if err != nil {
		return libseccomp.ArchInvalid, false
	}
	info, _ := arch.Lookup(name)
	l, err := libseccomp.GetArchFromString(string(info.Lib))
	return l, err == nil
}

// Name returns libseccomp's name for the call, from the table of its ABI.
func (c Call) Name() (string, error) {
	scmp, ok := abiArch(c.ABI)
	if !ok {
		return "", fmt.Errorf("syscall %d: no %s ABI %d", c.Number, runtime.GOARCH, c.ABI)
	}
	nr := c.Number
	if scmp == libseccomp.ArchX32 {
		nr |= x32Bit
	}
	name, err := libseccomp.ScmpSyscall(nr).GetNameByArch(scmp)
	if err != nil {
		return "", fmt.Errorf("name syscall %d on %s: %w", c.Number, scmp, err)
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
			scmp, ok := abiArch(ABI(a))
			if !ok {
				continue
			}
			nr, err := libseccomp.GetSyscallFromNameByArch(name, scmp)
			if err != nil {
				return fmt.Errorf("look up %s on %s: %w", name, scmp, err)
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

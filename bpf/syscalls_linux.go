//go:build linux

package bpf

import (
	"fmt"
	"runtime"
	"sync"

	"github.com/cilium/ebpf"
	libseccomp "github.com/seccomp/libseccomp-golang"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/arch"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/args"
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

// recordedArgs is internal/args resolved for the recorder: the rows, and
// for each call (ABI * nrSlots + number) its row plus one, or 0.
type recordedArgs struct {
	rows []args.Row
	row  [calls]uint8
}

// argTable resolves internal/args against libseccomp's syscall numbers
// on this machine. Calls an ABI lacks (socket on 32-bit x86 before 4.3,
// in libseccomp as a socketcall multiplexer) get no row there.
var argTable = sync.OnceValues(func() (*recordedArgs, error) {
	t := &recordedArgs{rows: args.Table()}
	if len(t.rows) > nrArgRows {
		return nil, fmt.Errorf("argument table: %d rows, the recorder has room for %d", len(t.rows), nrArgRows)
	}
	for i, r := range t.rows {
		for a := range nrABIs {
			scmp, ok := abiArch(ABI(a))
			if !ok {
				continue
			}
			nr, err := libseccomp.GetSyscallFromNameByArch(r.Syscall, scmp)
			if err != nil || nr < 0 {
				continue // a pseudo-syscall number: no such call on this ABI
			}
			if n := uint32(nr) &^ x32Bit; n < nrSlots {
				t.row[uint32(a)*nrSlots+n] = uint8(i + 1)
			}
		}
	}
	return t, nil
})

// setArgTable loads the argument table into the program's read-only data.
func setArgTable(spec *ebpf.CollectionSpec) error {
	t, err := argTable()
	if err != nil {
		return err
	}
	var index, kind [nrArgRows]uint8
	for i, r := range t.rows {
		index[i], kind[i] = r.Index, uint8(r.Kind)
	}
	for name, v := range map[string]any{"arg_row": t.row, "row_arg": index, "row_kind": kind, "ns_mask": args.NamespaceMask} {
		sv, ok := spec.Variables[name]
		if !ok {
			return fmt.Errorf("recorder has no variable %s", name)
		}
		if err := sv.Set(v); err != nil {
			return fmt.Errorf("set %s: %w", name, err)
		}
	}
	return nil
}

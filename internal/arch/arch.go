package arch

import (
	"fmt"
	"maps"
	"runtime"
	"slices"
)

// Name is an architecture as seccomp profiles write it, e.g.
// SCMP_ARCH_X86_64: the values of containers/common's seccomp.Arch and of
// the runtime spec's specs.Arch.
type Name string

// The architectures of the table. A profile may also say
// SCMP_ARCH_NATIVE, which stands for whatever host loads it and is no
// architecture of its own, so it is not among them.
const (
	X86         Name = "SCMP_ARCH_X86"
	X86_64      Name = "SCMP_ARCH_X86_64"
	X32         Name = "SCMP_ARCH_X32"
	ARM         Name = "SCMP_ARCH_ARM"
	AARCH64     Name = "SCMP_ARCH_AARCH64"
	MIPS        Name = "SCMP_ARCH_MIPS"
	MIPS64      Name = "SCMP_ARCH_MIPS64"
	MIPS64N32   Name = "SCMP_ARCH_MIPS64N32"
	MIPSEL      Name = "SCMP_ARCH_MIPSEL"
	MIPSEL64    Name = "SCMP_ARCH_MIPSEL64"
	MIPSEL64N32 Name = "SCMP_ARCH_MIPSEL64N32"
	PPC         Name = "SCMP_ARCH_PPC"
	PPC64       Name = "SCMP_ARCH_PPC64"
	PPC64LE     Name = "SCMP_ARCH_PPC64LE"
	S390        Name = "SCMP_ARCH_S390"
	S390X       Name = "SCMP_ARCH_S390X"
	PARISC      Name = "SCMP_ARCH_PARISC"
	PARISC64    Name = "SCMP_ARCH_PARISC64"
	RISCV64     Name = "SCMP_ARCH_RISCV64"
)

// LibName is libseccomp's name for an architecture, e.g. amd64: what
// seccomp_arch_resolve_name and libseccomp-golang's GetArchFromString
// take and ScmpArch.String returns. containers/common compares a
// profile's "includes.arches" and "excludes.arches" against the host's
// LibName.
type LibName string

// Info is one architecture of the table.
type Info struct {
	// Name is the architecture's name in profiles.
	Name Name
	// Lib is libseccomp's name for it.
	Lib LibName
	// Audit is the AUDIT_ARCH_* value (linux/audit.h) that the kernel
	// reports in seccomp_data.arch for calls of this ABI, and that
	// libseccomp's SCMP_ARCH_* token equals. 0 for x32, which has none of
	// its own: its calls carry AUDIT_ARCH_X86_64 and bit 30 of the
	// syscall number.
	Audit uint32
	// Sub lists the architectures whose calls a kernel of this one also
	// accepts, in the order of the archMap in containers/common's default
	// profile (which runtimes load); nil for most. A profile for such a
	// host must list a sub-architecture whose calls it allows, or the
	// kernel kills the caller.
	Sub []Name
	// GOARCH is the Go architecture whose programs run natively on it
	// (the mapping of containers/common's GoArchToSeccompArch, with
	// riscv64 added), or "" when Go has none.
	GOARCH string
	// ABIs, for the architectures the recorder runs on, names the
	// architecture of each system call ABI the recorder tells apart, in
	// the order of enum abi in bpf/recorder.bpf.c: native, compat
	// (32-bit), x32. It ends early where the kernel has no more ABIs.
	ABIs []Name
}

// table lists the architectures in a fixed order. Append only: the
// syscall table compiler/profile generates numbers its architecture bits
// in this order, and appending keeps a regenerated one diffing cleanly.
// Lookups return copies of the entries; the slices in them are shared
// and must not be modified.
var table = []Info{
	{Name: X86, Lib: "x86", Audit: 0x40000003, GOARCH: "386"},
	{Name: X86_64, Lib: "amd64", Audit: 0xc000003e, GOARCH: "amd64",
		Sub: []Name{X86, X32}, ABIs: []Name{X86_64, X86, X32}},
	{Name: X32, Lib: "x32", GOARCH: "amd64p32"},
	{Name: ARM, Lib: "arm", Audit: 0x40000028, GOARCH: "arm"},
	{Name: AARCH64, Lib: "arm64", Audit: 0xc00000b7, GOARCH: "arm64",
		Sub: []Name{ARM}, ABIs: []Name{AARCH64, ARM}},
	{Name: MIPS, Lib: "mips", Audit: 0x00000008, GOARCH: "mips"},
	{Name: MIPS64, Lib: "mips64", Audit: 0x80000008, GOARCH: "mips64",
		Sub: []Name{MIPS, MIPS64N32}},
	{Name: MIPS64N32, Lib: "mips64n32", Audit: 0xa0000008, GOARCH: "mips64p32",
		Sub: []Name{MIPS, MIPS64}},
	{Name: MIPSEL, Lib: "mipsel", Audit: 0x40000008, GOARCH: "mipsle"},
	{Name: MIPSEL64, Lib: "mipsel64", Audit: 0xc0000008, GOARCH: "mips64le",
		Sub: []Name{MIPSEL, MIPSEL64N32}},
	{Name: MIPSEL64N32, Lib: "mipsel64n32", Audit: 0xe0000008, GOARCH: "mips64p32le",
		Sub: []Name{MIPSEL, MIPSEL64}},
	{Name: PPC, Lib: "ppc", Audit: 0x00000014, GOARCH: "ppc"},
	{Name: PPC64, Lib: "ppc64", Audit: 0x80000015, GOARCH: "ppc64"},
	{Name: PPC64LE, Lib: "ppc64le", Audit: 0xc0000015, GOARCH: "ppc64le"},
	{Name: S390, Lib: "s390", Audit: 0x00000016, GOARCH: "s390"},
	{Name: S390X, Lib: "s390x", Audit: 0x80000016, GOARCH: "s390x",
		Sub: []Name{S390}},
	{Name: PARISC, Lib: "parisc", Audit: 0x0000000f},
	{Name: PARISC64, Lib: "parisc64", Audit: 0x8000000f},
	{Name: RISCV64, Lib: "riscv64", Audit: 0xc00000f3, GOARCH: "riscv64"},
}

// Indexes of table by each key. Building them also proves the keys
// unique: a repeated one panics when the package loads.
var (
	byName   = index(func(i Info) Name { return i.Name })
	byLib    = index(func(i Info) LibName { return i.Lib })
	byGOARCH = index(func(i Info) string { return i.GOARCH })
)

func index[K comparable](key func(Info) K) map[K]int {
	var zero K
	m := make(map[K]int, len(table))
	for i, info := range table {
		k := key(info)
		if k == zero {
			continue
		}
		if _, dup := m[k]; dup {
			panic(fmt.Sprintf("arch: %v is in the table twice", k))
		}
		m[k] = i
	}
	return m
}

// All returns the table, in its fixed order.
func All() []Info {
	return slices.Clone(table)
}

// Lookup returns the architecture named n in profiles, and false for a
// name the table does not know (SCMP_ARCH_NATIVE among them).
func Lookup(n Name) (Info, bool) {
	return find(byName, n)
}

// ByLib returns the architecture libseccomp calls l, and false for a name
// the table does not know.
func ByLib(l LibName) (Info, bool) {
	return find(byLib, l)
}

// ForGOARCH returns the architecture whose native programs Go builds for
// goarch.
func ForGOARCH(goarch string) (Info, error) {
	info, ok := find(byGOARCH, goarch)
	if !ok {
		return Info{}, fmt.Errorf("find architecture of GOARCH %q: not in the table", goarch)
	}
	return info, nil
}

// Native returns the architecture this program was built for
// (runtime.GOARCH): the one SCMP_ARCH_NATIVE means on this host, and the
// one whose syscalls the recorder names.
func Native() (Info, error) {
	return ForGOARCH(runtime.GOARCH)
}

func find[K comparable](m map[K]int, k K) (Info, bool) {
	i, ok := m[k]
	if !ok {
		return Info{}, false
	}
	return table[i], true
}

// IsSub reports whether sub is one of host's sub-architectures: whether a
// kernel of host also runs calls of sub.
func IsSub(host, sub Name) bool {
	info, ok := Lookup(host)
	return ok && slices.Contains(info.Sub, sub)
}

// KnownNames returns the profile names of the table, sorted.
func KnownNames() []Name {
	return sortedKeys(byName)
}

// KnownLibNames returns libseccomp's names of the table, sorted.
func KnownLibNames() []LibName {
	return sortedKeys(byLib)
}

func sortedKeys[K ~string](m map[K]int) []K {
	return slices.Sorted(maps.Keys(m))
}

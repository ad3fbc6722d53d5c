//go:build linux && cgo

package arch_test

// The table against the sources it summarises: libseccomp (through cgo),
// containers/common and the kernel headers.

import (
	"runtime"
	"slices"
	"testing"

	"github.com/containers/common/pkg/seccomp"
	libseccomp "github.com/seccomp/libseccomp-golang"
	"golang.org/x/sys/unix"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/arch"
)

func TestLibseccompNames(t *testing.T) {
	for _, info := range arch.All() {
		l, err := libseccomp.GetArchFromString(string(info.Lib))
		if err != nil {
			t.Errorf("%s: libseccomp refuses %q: %v", info.Name, info.Lib, err)
			continue
		}
		if l.String() != string(info.Lib) {
			t.Errorf("%s: libseccomp calls %q %q", info.Name, info.Lib, l)
		}
	}
}

func TestLibseccompNative(t *testing.T) {
	l, err := libseccomp.GetNativeArch()
	if err != nil {
		t.Fatal(err)
	}
	info, err := arch.Native()
	if err != nil {
		t.Fatal(err)
	}
	if string(info.Lib) != l.String() {
		t.Errorf("native architecture: table %s (%s), libseccomp %s", info.Name, info.Lib, l)
	}
}

// TestSubArchesMatchDefaultProfile checks Sub against the archMap of
// containers/common's default profile, entry by entry and in order.
func TestSubArchesMatchDefaultProfile(t *testing.T) {
	hosts := map[arch.Name]bool{}
	for _, m := range seccomp.DefaultProfile().ArchMap {
		info, ok := arch.Lookup(arch.Name(m.Arch))
		if !ok {
			t.Errorf("default profile's %s is not in the table", m.Arch)
			continue
		}
		hosts[info.Name] = true
		var want []arch.Name
		for _, s := range m.SubArches {
			want = append(want, arch.Name(s))
		}
		if !slices.Equal(info.Sub, want) {
			t.Errorf("%s: sub-architectures %v, default profile %v", info.Name, info.Sub, want)
		}
	}
	for _, info := range arch.All() {
		if len(info.Sub) > 0 && !hosts[info.Name] {
			t.Errorf("%s has sub-architectures the default profile does not give it", info.Name)
		}
	}
}

// TestGOARCHMatchesContainersCommon checks GOARCH against
// GoArchToSeccompArch, which lacks riscv64 only.
func TestGOARCHMatchesContainersCommon(t *testing.T) {
	for _, info := range arch.All() {
		if info.GOARCH == "" {
			continue
		}
		got, err := seccomp.GoArchToSeccompArch(info.GOARCH)
		if err != nil {
			if info.Name != arch.RISCV64 {
				t.Errorf("%s: containers/common does not know GOARCH %s", info.Name, info.GOARCH)
			}
			continue
		}
		if arch.Name(got) != info.Name {
			t.Errorf("GOARCH %s: table %s, containers/common %s", info.GOARCH, info.Name, got)
		}
	}
	if got, err := seccomp.GoArchToSeccompArch(runtime.GOARCH); err == nil {
		if info, _ := arch.Native(); arch.Name(got) != info.Name {
			t.Errorf("native architecture: table %s, containers/common %s", info.Name, got)
		}
	}
}

func TestAuditValues(t *testing.T) {
	want := map[arch.Name]uint32{
		arch.X86:         unix.AUDIT_ARCH_I386,
		arch.X86_64:      unix.AUDIT_ARCH_X86_64,
		arch.X32:         0,
		arch.ARM:         unix.AUDIT_ARCH_ARM,
		arch.AARCH64:     unix.AUDIT_ARCH_AARCH64,
		arch.MIPS:        unix.AUDIT_ARCH_MIPS,
		arch.MIPS64:      unix.AUDIT_ARCH_MIPS64,
		arch.MIPS64N32:   unix.AUDIT_ARCH_MIPS64N32,
		arch.MIPSEL:      unix.AUDIT_ARCH_MIPSEL,
		arch.MIPSEL64:    unix.AUDIT_ARCH_MIPSEL64,
		arch.MIPSEL64N32: unix.AUDIT_ARCH_MIPSEL64N32,
		arch.PPC:         unix.AUDIT_ARCH_PPC,
		arch.PPC64:       unix.AUDIT_ARCH_PPC64,
		arch.PPC64LE:     unix.AUDIT_ARCH_PPC64LE,
		arch.S390:        unix.AUDIT_ARCH_S390,
		arch.S390X:       unix.AUDIT_ARCH_S390X,
		arch.PARISC:      unix.AUDIT_ARCH_PARISC,
		arch.PARISC64:    unix.AUDIT_ARCH_PARISC64,
		arch.RISCV64:     unix.AUDIT_ARCH_RISCV64,
	}
	if len(want) != len(arch.All()) {
		t.Errorf("the test knows %d architectures, the table %d", len(want), len(arch.All()))
	}
	for _, info := range arch.All() {
		if w, ok := want[info.Name]; !ok || info.Audit != w {
			t.Errorf("%s: audit arch %#x, want %#x", info.Name, info.Audit, w)
		}
	}
}

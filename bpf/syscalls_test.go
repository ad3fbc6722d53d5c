//go:build linux

package bpf

import (
	"testing"

	libseccomp "github.com/seccomp/libseccomp-golang"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/arch"
)

// TestABIArches checks the recorder's ABIs against internal/arch's table:
// every architecture's list fits the program's arrays, and ProfileArch
// and Name follow this host's.
func TestABIArches(t *testing.T) {
	for _, info := range arch.All() {
		if len(info.ABIs) > nrABIs {
			t.Errorf("%s: %d ABIs, the recorder tells %d apart", info.Name, len(info.ABIs), nrABIs)
		}
	}
	host, err := arch.Native()
	if err != nil {
		t.Fatal(err)
	}
	for a := range ABI(nrABIs) {
		got, err := ProfileArch(a)
		if int(a) >= len(host.ABIs) {
			if err == nil {
				t.Errorf("ProfileArch(%d) = %s, want an error", a, got)
			}
			if _, err := (Call{ABI: a}).Name(); err == nil {
				t.Errorf("ABI %d: Name succeeded", a)
			}
			continue
		}
		if err != nil || got != host.ABIs[a] {
			t.Errorf("ProfileArch(%d) = %s, %v; want %s", a, got, err, host.ABIs[a])
		}
		// A round trip through libseccomp's table of the ABI: the number
		// of execve (x32's without its tag bit) names execve.
		scmp, ok := abiArch(a)
		if !ok {
			t.Errorf("ABI %d (%s): libseccomp has no architecture", a, got)
			continue
		}
		nr, err := libseccomp.GetSyscallFromNameByArch("execve", scmp)
		if err != nil {
			t.Fatal(err)
		}
		if name, err := (Call{ABI: a, Number: int(nr) &^ x32Bit}).Name(); err != nil || name != "execve" {
			t.Errorf("ABI %d (%s): call %d is %q, %v; want execve", a, got, nr, name, err)
		}
	}
}

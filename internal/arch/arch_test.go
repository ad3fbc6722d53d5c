package arch_test

import (
	"slices"
	"testing"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/arch"
)

func TestKnownSorted(t *testing.T) {
	names, libs := arch.KnownNames(), arch.KnownLibNames()
	if !slices.IsSorted(names) || !slices.IsSorted(libs) {
		t.Errorf("not sorted: %v, %v", names, libs)
	}
	if len(names) != len(arch.All()) || len(libs) != len(arch.All()) {
		t.Errorf("%d names and %d libseccomp names for %d architectures", len(names), len(libs), len(arch.All()))
	}
}

// TestTable checks that the entries refer to each other consistently.
func TestTable(t *testing.T) {
	for _, info := range arch.All() {
		if got, ok := arch.Lookup(info.Name); !ok || got.Name != info.Name {
			t.Errorf("Lookup(%s) = %v, %v", info.Name, got.Name, ok)
		}
		if got, ok := arch.ByLib(info.Lib); !ok || got.Name != info.Name {
			t.Errorf("ByLib(%s) = %v, %v", info.Lib, got.Name, ok)
		}
		if info.GOARCH != "" {
			if got, err := arch.ForGOARCH(info.GOARCH); err != nil || got.Name != info.Name {
				t.Errorf("ForGOARCH(%s) = %v, %v", info.GOARCH, got.Name, err)
			}
		}
		for _, s := range info.Sub {
			if _, ok := arch.Lookup(s); !ok || s == info.Name {
				t.Errorf("%s: sub-architecture %s", info.Name, s)
			}
			if !arch.IsSub(info.Name, s) {
				t.Errorf("IsSub(%s, %s) = false", info.Name, s)
			}
		}
		// The recorder's ABIs: the architecture itself, then some of
		// the 32-bit ABIs its kernel runs.
		if len(info.ABIs) > 0 && info.ABIs[0] != info.Name {
			t.Errorf("%s: native ABI is %s", info.Name, info.ABIs[0])
		}
		for _, a := range info.ABIs[min(1, len(info.ABIs)):] {
			if !slices.Contains(info.Sub, a) {
				t.Errorf("%s: ABI %s is no sub-architecture", info.Name, a)
			}
		}
	}
}

func TestLookupUnknown(t *testing.T) {
	if _, ok := arch.Lookup("SCMP_ARCH_NATIVE"); ok {
		t.Error("SCMP_ARCH_NATIVE is in the table")
	}
	if _, ok := arch.ByLib(""); ok {
		t.Error(`ByLib("") found an architecture`)
	}
	if _, err := arch.ForGOARCH("wasm"); err == nil {
		t.Error("ForGOARCH(wasm) found an architecture")
	}
	if arch.IsSub(arch.X86, arch.X86_64) || arch.IsSub("SCMP_ARCH_NATIVE", arch.X86) {
		t.Error("IsSub holds backwards or for an unknown host")
	}
}

// TestRecorderArches pins the ABIs of the architectures the recorder runs
// on: their order is that of enum abi in bpf/recorder.bpf.c.
func TestRecorderArches(t *testing.T) {
	for goarch, want := range map[string][]arch.Name{
		"amd64": {arch.X86_64, arch.X86, arch.X32},
		"arm64": {arch.AARCH64, arch.ARM},
	} {
		info, err := arch.ForGOARCH(goarch)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(info.ABIs, want) {
			t.Errorf("%s: ABIs %v, want %v", goarch, info.ABIs, want)
		}
	}
	n := 0
	for _, info := range arch.All() {
		if len(info.ABIs) > 0 {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d architectures have recorder ABIs, want 2", n)
	}
}

func TestNative(t *testing.T) {
	info, err := arch.Native()
	if err != nil {
		t.Skipf("no architecture for this build: %v", err)
	}
	if info.Name == "" || info.Lib == "" {
		t.Errorf("Native() = %+v", info)
	}
}

func TestAllIsACopy(t *testing.T) {
	all := arch.All()
	all[0].Name = "changed"
	if arch.All()[0].Name == "changed" {
		t.Error("All returns the table itself")
	}
}

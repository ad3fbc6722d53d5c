package cli

import (
	"fmt"
	"io"

	"github.com/containers/common/pkg/seccomp"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/profile"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/arch"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/fsutil"
)

// impl is every side effect the commands have. defaultImpl is the real
// one; tests substitute fakes.
type impl interface {
	// ReadFile returns the content of an input file (following symlinks),
	// refusing non-regular files and files over MaxInputSize.
	ReadFile(path string) ([]byte, error)
	// WriteFile replaces path atomically with data (mode OutputMode).
	WriteFile(path string, data []byte) error
	// WriteFileFrom is WriteFile for what src writes, written as src
	// writes it; an error from src leaves path unchanged.
	WriteFileFrom(path string, src io.WriterTo) error
	// NativeArch is the architecture compiled profiles are for when
	// --arch is not given.
	NativeArch() (seccomp.Arch, error)
	// Check builds the profile's filters with libseccomp.
	Check(p *seccomp.Seccomp) (profile.CheckReport, error)
}

// defaultImpl is the real impl: internal/fsutil for files, the build's
// architecture and libseccomp.
type defaultImpl struct{}

func (defaultImpl) ReadFile(path string) ([]byte, error) {
	return fsutil.ReadFile(path, MaxInputSize)
}

func (defaultImpl) WriteFile(path string, data []byte) error {
	return fsutil.WriteFileAtomic(path, data, OutputMode)
}

func (defaultImpl) WriteFileFrom(path string, src io.WriterTo) error {
	return fsutil.WriteFileAtomicFrom(path, src, OutputMode)
}

func (defaultImpl) NativeArch() (seccomp.Arch, error) {
	info, err := arch.Native()
	if err != nil {
		return "", fmt.Errorf("determine native architecture: %w", err)
	}
	return seccomp.Arch(info.Name), nil
}

func (defaultImpl) Check(p *seccomp.Seccomp) (profile.CheckReport, error) {
	return profile.Check(p)
}

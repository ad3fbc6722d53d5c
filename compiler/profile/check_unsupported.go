//go:build !linux || !cgo

package profile

import "github.com/containers/common/pkg/seccomp"

// Check needs libseccomp through cgo; this build has neither, so it
// validates p and returns ErrCheckUnsupported.
func Check(p *seccomp.Seccomp) (CheckReport, error) {
	if err := Validate(p); err != nil {
		return CheckReport{}, err
	}
	return CheckReport{}, ErrCheckUnsupported
}

// Package profile reads, writes, compiles, compares and checks seccomp
// profiles in the JSON format of containers/common (podman, CRI-O), using
// the types of github.com/containers/common/pkg/seccomp.
//
// The pieces are:
//
//   - Parse and Marshal: strict decoding (unknown, misspelt or repeated
//     fields and trailing data are errors) and deterministic encoding.
//   - Compile: turn traces recorded by the hook, and already compiled
//     profiles, into an allow-list profile on top of an optional base. With
//     a base and one trace it reproduces what the original
//     oci-seccomp-bpf-hook wrote; see Compile for the exact rules.
//   - Diff: what one profile allows that another does not.
//   - Check: build the real BPF filter with libseccomp for every
//     architecture the profile lists and report its size, or why a runtime
//     would refuse the profile.
//
// Everything but Check is pure Go. Check needs cgo and libseccomp; in
// builds without them it returns ErrCheckUnsupported. The table of
// syscall names per architecture used by Diff (zsyscalls.go) is generated
// from libseccomp by gen_syscalls.go.
//
// The package never logs: every problem is returned as an error naming the
// rule, field or architecture at fault.
package profile

//go:generate go run gen_syscalls.go -o zsyscalls.go

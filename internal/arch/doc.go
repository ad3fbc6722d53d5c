// Package arch is the project's one table of CPU architectures: for each,
// the name seccomp profiles give it (SCMP_ARCH_X86_64), the name
// libseccomp gives it (amd64), the kernel's AUDIT_ARCH_* value, the
// 32-bit ABIs its kernel also runs (its sub-architectures), the GOARCH
// whose programs run on it natively and, where the recorder runs, the
// architecture of each ABI the recorder tells apart.
//
// Everything else derives its mappings from here: the recorder (bpf) names
// the ABI of a call, the compiler (compiler/profile) validates
// architectures, finds the native one, fills archMap entries and hands
// names to libseccomp, and the syscall-table generator walks the table.
//
// The package is pure Go and imports neither libseccomp nor
// containers/common, so that the recorder needs neither for it. Its names
// are plain strings: callers convert at their edge, to
// containers/common's seccomp.Arch or, through GetArchFromString, to
// libseccomp's ScmpArch. The tests check the table against both, and the
// audit values against the kernel headers' (golang.org/x/sys/unix).
package arch

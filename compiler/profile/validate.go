package profile

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/containers/common/pkg/seccomp"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/trace"
)

// ErrInvalid is wrapped by every error Validate returns.
var ErrInvalid = errors.New("invalid profile")

const (
	// maxErrno is the largest errno a seccomp filter can return
	// (MAX_ERRNO in the kernel).
	maxErrno = 4095
	// maxArgs is the number of syscall arguments seccomp can inspect.
	maxArgs = 6
)

// Validate reports the first field of p that no runtime could use: a
// missing or unknown default action, an architecture, action, operator or
// flag not in the Known* lists, an argument index above 5, an errno above
// 4095 or not of the form ENAME, a malformed syscall name, capability
// ("CAP_*") or filter architecture (see KnownFilterArches), a nil rule or
// argument, or a rule that sets both "name" and "names".
//
// Names in "includes.arches" and "excludes.arches" that are of the form of
// libseccomp's names but name no architecture are accepted, as runtimes
// do (they never match); Check warns about them.
//
// Validate checks each field on its own. Problems that need the profile as
// a whole or libseccomp, such as unknown syscall names, contradictory rules
// or setting both "architectures" and "archMap", are found by Check.
func Validate(p *seccomp.Seccomp) error {
	if p == nil {
		return fmt.Errorf("%w: profile is nil", ErrInvalid)
	}
	if p.DefaultAction == "" {
		return fmt.Errorf("%w: defaultAction is missing", ErrInvalid)
	}
	if !slices.Contains(knownActions, p.DefaultAction) {
		return fmt.Errorf("%w: defaultAction: unknown action %q", ErrInvalid, p.DefaultAction)
	}
	if err := checkErrno(p.DefaultErrno, p.DefaultErrnoRet); err != nil {
		return fmt.Errorf("%w: default errno: %w", ErrInvalid, err)
	}
	for i, a := range p.Architectures {
		if err := checkArch(a); err != nil {
			return fmt.Errorf("%w: architectures[%d]: %w", ErrInvalid, i, err)
		}
	}
	for i, m := range p.ArchMap {
		if err := checkArch(m.Arch); err != nil {
			return fmt.Errorf("%w: archMap[%d]: %w", ErrInvalid, i, err)
		}
		for j, a := range m.SubArches {
			if err := checkArch(a); err != nil {
				return fmt.Errorf("%w: archMap[%d].subArchitectures[%d]: %w", ErrInvalid, i, j, err)
			}
		}
	}
	for i, f := range p.Flags {
		if !slices.Contains(knownFlags, Flag(f)) {
			return fmt.Errorf("%w: flags[%d]: unknown flag %q", ErrInvalid, i, f)
		}
	}
	for i, s := range p.Syscalls {
		if err := validateRule(s); err != nil {
			return fmt.Errorf("%w: syscalls[%d]%s: %w", ErrInvalid, i, ruleLabel(s), err)
		}
	}
	return nil
}

// ruleLabel names a rule by its first syscall for error messages.
func ruleLabel(s *seccomp.Syscall) string {
	switch {
	case s == nil:
		return ""
	case s.Name != "":
		return " (" + s.Name + ")"
	case len(s.Names) == 1:
		return " (" + s.Names[0] + ")"
	case len(s.Names) > 1:
		return fmt.Sprintf(" (%s and %d more)", s.Names[0], len(s.Names)-1)
	}
	return ""
}

func validateRule(s *seccomp.Syscall) error {
	if s == nil {
		return errors.New("rule is null")
	}
	if s.Name != "" && len(s.Names) > 0 {
		return errors.New("both name and names are set")
	}
	if s.Name != "" {
		if err := trace.CheckName(s.Name); err != nil {
			return fmt.Errorf("name: %w", err)
		}
	}
	for i, n := range s.Names {
		if err := trace.CheckName(n); err != nil {
			return fmt.Errorf("names[%d]: %w", i, err)
		}
	}
	if s.Action == "" {
		return errors.New("action is missing")
	}
	if !slices.Contains(knownActions, s.Action) {
		return fmt.Errorf("unknown action %q", s.Action)
	}
	if err := checkErrno(s.Errno, s.ErrnoRet); err != nil {
		return err
	}
	for i, a := range s.Args {
		if a == nil {
			return fmt.Errorf("args[%d] is null", i)
		}
		if a.Index >= maxArgs {
			return fmt.Errorf("args[%d]: index %d out of range (0-%d)", i, a.Index, maxArgs-1)
		}
		if !slices.Contains(knownOperators, a.Op) {
			return fmt.Errorf("args[%d]: unknown operator %q", i, a.Op)
		}
	}
	for _, f := range []struct {
		name string
		f    seccomp.Filter
	}{{"includes", s.Includes}, {"excludes", s.Excludes}} {
		for i, c := range f.f.Caps {
			if err := checkCap(c); err != nil {
				return fmt.Errorf("%s.caps[%d]: %w", f.name, i, err)
			}
		}
		for i, a := range f.f.Arches {
			// A name no architecture has is legal, if pointless: runtimes
			// compare the names with the host's and never match it
			// (Docker's default profile excludes "mips3l64n32"). Check
			// warns about it. A name of another form, such as the
			// profile spelling SCMP_ARCH_X86_64, is a mistake.
			if !slices.Contains(KnownFilterArches(), a) && !isFilterArchName(a) {
				return fmt.Errorf("%s.arches[%d]: unknown architecture %q (want a libseccomp name such as amd64)", f.name, i, a)
			}
		}
	}
	return nil
}

func checkArch(a seccomp.Arch) error {
	if a == seccomp.ArchNative || knownArch(a) {
		return nil
	}
	return fmt.Errorf("unknown architecture %q", a)
}

// checkErrno validates an errno given as name (or decimal number) and as
// number, the two ways containers/common accepts. The name wins when both
// are set; Check verifies that they agree.
func checkErrno(name string, ret *uint) error {
	if ret != nil && *ret > maxErrno {
		return fmt.Errorf("errnoRet %d out of range (0-%d)", *ret, maxErrno)
	}
	if name == "" {
		return nil
	}
	if n, err := strconv.ParseUint(name, 10, 32); err == nil {
		if n > maxErrno {
			return fmt.Errorf("errno %d out of range (0-%d)", n, maxErrno)
		}
		return nil
	}
	if !isUpperIdent(name, "E") {
		return fmt.Errorf("errno %q is neither a number nor a name like EPERM", name)
	}
	return nil
}

func checkCap(c string) error {
	if !isUpperIdent(c, "CAP_") {
		return fmt.Errorf("capability %q is not of the form CAP_*", c)
	}
	return nil
}

// isUpperIdent reports whether s is prefix followed by at least one
// uppercase letter, digit or underscore.
func isUpperIdent(s, prefix string) bool {
	rest, ok := strings.CutPrefix(s, prefix)
	if !ok || rest == "" || len(s) > 64 {
		return false
	}
	for i := 0; i < len(rest); i++ {
		c := rest[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

// isFilterArchName reports whether a is of the form of libseccomp's
// architecture names: 1 to 32 lowercase letters, digits and underscores.
func isFilterArchName(a string) bool {
	if a == "" || len(a) > 32 {
		return false
	}
	for i := 0; i < len(a); i++ {
		if c := a[i]; !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}

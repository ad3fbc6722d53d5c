package profile

import (
	"fmt"
	"math"
	"slices"

	"github.com/containers/common/pkg/seccomp"
)

// Access is how a profile treats one syscall name.
type Access string

// Accesses, from most to least permissive.
const (
	// AccessAllowed: the call runs whatever its arguments, capabilities
	// and host.
	AccessAllowed Access = "allowed"
	// AccessConditional: the call runs only in some cases, when its
	// arguments match, the container has (or lacks) some capabilities or
	// on some host architectures.
	AccessConditional Access = "conditional"
	// AccessDenied: the call never runs.
	AccessDenied Access = "denied"
)

// KnownAccesses returns the Access values, sorted.
func KnownAccesses() []Access {
	return []Access{AccessAllowed, AccessConditional, AccessDenied}
}

// Allowed returns every name p lets run at least sometimes, with its
// Access; names absent from the map are denied. Names are counted across
// architectures: a name allowed on one architecture is allowed.
//
// For an allow-list (a default action that does not allow) the names are
// those of SCMP_ACT_ALLOW and SCMP_ACT_LOG rules: AccessAllowed when the
// rule has no args, includes or excludes, AccessConditional otherwise.
//
// For a profile whose default action allows (a block-list), the names are
// every syscall KnownSyscalls lists for the profile's architectures
// ("architectures", archMap entries and their sub-architectures, or the
// architecture of this build when none is listed) minus those blocked by a
// rule without conditions; a conditional blocking rule makes its names
// AccessConditional. Names that allowing rules mention but the table does
// not know are added. Counts for block-lists thus depend on the table's
// libseccomp release (SyscallTableSource).
func Allowed(p *seccomp.Seccomp) map[string]Access {
	out := make(map[string]Access)
	if p == nil {
		return out
	}
	if !Allows(p.DefaultAction) {
		for _, s := range p.Syscalls {
			if !Allows(s.Action) {
				continue
			}
			for _, n := range ruleNames(s) {
				if unconditional(s) {
					out[n] = AccessAllowed
				} else if out[n] != AccessAllowed {
					out[n] = AccessConditional
				}
			}
		}
		return out
	}

	for _, a := range profileArches(p) {
		for _, n := range KnownSyscalls(a) {
			out[n] = AccessAllowed
		}
	}
	for _, s := range p.Syscalls {
		if Allows(s.Action) {
			for _, n := range ruleNames(s) {
				if _, ok := out[n]; !ok {
					out[n] = AccessAllowed
				}
			}
		}
	}
	blocked := map[string]bool{}
	for _, s := range p.Syscalls {
		if Allows(s.Action) {
			continue
		}
		for _, n := range ruleNames(s) {
			if unconditional(s) {
				blocked[n] = true
			} else if _, ok := out[n]; ok {
				out[n] = AccessConditional
			}
		}
	}
	for n := range blocked {
		delete(out, n)
	}
	return out
}

// profileArches lists the architectures p covers, sorted, with
// SCMP_ARCH_NATIVE (or no architecture at all) standing for this build's.
func profileArches(p *seccomp.Seccomp) []seccomp.Arch {
	set := map[seccomp.Arch]bool{}
	for _, a := range p.Architectures {
		set[a] = true
	}
	for _, m := range p.ArchMap {
		set[m.Arch] = true
		for _, a := range m.SubArches {
			set[a] = true
		}
	}
	if len(set) == 0 || set[seccomp.ArchNative] {
		delete(set, seccomp.ArchNative)
		if native, err := nativeArch(""); err == nil {
			set[native] = true
		}
	}
	out := make([]seccomp.Arch, 0, len(set))
	for a := range set {
		out = append(out, a)
	}
	slices.Sort(out)
	return out
}

// DiffReport compares what two profiles allow, name by name (see
// Allowed). All lists are sorted and never nil.
type DiffReport struct {
	// BaseAllowed and TargetAllowed count the names each profile allows,
	// conditional ones included.
	BaseAllowed   int `json:"baseAllowed"`
	TargetAllowed int `json:"targetAllowed"`
	// BaseConditional and TargetConditional count the names each allows
	// only conditionally.
	BaseConditional   int `json:"baseConditional"`
	TargetConditional int `json:"targetConditional"`
	// Blocked lists what target needs that base blocks: names target
	// allows and base denies.
	Blocked []string `json:"blocked"`
	// Unused lists what base allows that target never used: names base
	// allows and target denies.
	Unused []string `json:"unused"`
	// Conditional lists names both allow, but with a different Access.
	Conditional []AccessChange `json:"conditional"`
	// Arguments lists names both allow with different argument values,
	// where both profiles' conditions can be read as values of one
	// argument (see ArgChange).
	Arguments []ArgChange `json:"arguments"`
	// ChangePercent is the change in the number of allowed names from base
	// to target, rounded: -87 when target allows 52 and base 410. It is 0
	// when base allows nothing.
	ChangePercent int `json:"changePercent"`
	// Summary is a one-line description, see Summary.
	Summary string `json:"summary"`
}

// AccessChange is a name allowed by both profiles of a diff, differently.
type AccessChange struct {
	Name   string `json:"name"`
	Base   Access `json:"base"`
	Target Access `json:"target"`
}

// Diff compares what base and target allow. To compare a trace, turn it
// into a profile first with FromTrace. Neither profile is validated: Diff
// only looks at actions, names, whether rules have conditions and, for
// Arguments, at conditions on one argument.
func Diff(base, target *seccomp.Seccomp) DiffReport {
	b, t := Allowed(base), Allowed(target)
	r := DiffReport{
		BaseAllowed:   len(b),
		TargetAllowed: len(t),
		Blocked:       []string{},
		Unused:        []string{},
		Conditional:   []AccessChange{},
		Arguments:     []ArgChange{},
	}
	var both []string
	for n, ta := range t {
		ba, ok := b[n]
		switch {
		case !ok:
			r.Blocked = append(r.Blocked, n)
		case ba != ta:
			r.Conditional = append(r.Conditional, AccessChange{Name: n, Base: ba, Target: ta})
		}
		if ok && (ba == AccessConditional || ta == AccessConditional) {
			both = append(both, n)
		}
		if ta == AccessConditional {
			r.TargetConditional++
		}
	}
	for n, ba := range b {
		if _, ok := t[n]; !ok {
			r.Unused = append(r.Unused, n)
		}
		if ba == AccessConditional {
			r.BaseConditional++
		}
	}
	slices.Sort(r.Blocked)
	slices.Sort(r.Unused)
	slices.SortFunc(r.Conditional, func(x, y AccessChange) int {
		switch {
		case x.Name < y.Name:
			return -1
		case x.Name > y.Name:
			return 1
		}
		return 0
	})
	slices.Sort(both)
	r.Arguments = argChanges(base, target, both)
	if r.BaseAllowed > 0 {
		r.ChangePercent = int(math.Round(float64(r.TargetAllowed-r.BaseAllowed) * 100 / float64(r.BaseAllowed)))
	}
	r.Summary = r.summary()
	return r
}

// Same reports whether both profiles allow the same names with the same
// Access and, where they can be compared, the same argument values.
func (r DiffReport) Same() bool {
	return len(r.Blocked) == 0 && len(r.Unused) == 0 && len(r.Conditional) == 0 && len(r.Arguments) == 0
}

// summary renders "allows 52 of 410 (−87%)": how many names target allows
// against how many base allows, then how many of target's base blocks.
func (r DiffReport) summary() string {
	change := "n/a"
	if r.BaseAllowed > 0 {
		switch {
		case r.ChangePercent < 0:
			change = fmt.Sprintf("\u2212%d%%", -r.ChangePercent)
		case r.ChangePercent > 0:
			change = fmt.Sprintf("+%d%%", r.ChangePercent)
		default:
			change = "\u00b10%"
		}
	}
	s := fmt.Sprintf("allows %d of %d (%s)", r.TargetAllowed, r.BaseAllowed, change)
	if len(r.Blocked) > 0 {
		s += fmt.Sprintf(", %d of them blocked by base", len(r.Blocked))
	}
	return s
}

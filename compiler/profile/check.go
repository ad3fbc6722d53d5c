package profile

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/containers/common/pkg/seccomp"
)

// MaxInstructions is the most BPF instructions the kernel accepts in one
// seccomp filter (BPF_MAXINSNS); longer filters fail to load with EINVAL.
const MaxInstructions = 4096

var (
	// ErrCheckUnsupported is returned by Check in builds without cgo or
	// outside Linux, where libseccomp is unavailable.
	ErrCheckUnsupported = errors.New("checking profiles needs libseccomp: this build has no cgo or is not for Linux")
	// ErrUnknownSyscall is returned by Check for a name libseccomp does
	// not know on any architecture.
	ErrUnknownSyscall = errors.New("unknown syscall")
	// ErrContradiction is returned by Check when two rules without args,
	// includes or excludes give one syscall different actions, such as
	// the same name allowed and blocked.
	ErrContradiction = errors.New("contradictory rules")
	// ErrTooLarge is returned by Check when a filter exceeds
	// MaxInstructions.
	ErrTooLarge = errors.New("filter too large for the kernel")
	// ErrUnloadable is returned by Check for profiles runtimes refuse for
	// reasons other than the above: both "architectures" and "archMap",
	// SCMP_ACT_NOTIFY without "listenerPath", disagreeing errno fields,
	// unknown errno names or libseccomp refusing a rule.
	ErrUnloadable = errors.New("profile cannot be loaded")
)

// CapSet names the capabilities Check assumes a container has when it
// evaluates "includes.caps" and "excludes.caps".
type CapSet string

// Capability sets used by Check.
const (
	// CapsAny: the profile has no capability conditions, so one filter
	// stands for every container.
	CapsAny CapSet = "any"
	// CapsNone: a container without capabilities.
	CapsNone CapSet = "none"
	// CapsAll: a container with every capability the profile mentions.
	CapsAll CapSet = "all"
)

// KnownCapSets returns the CapSet values, sorted.
func KnownCapSets() []CapSet {
	return []CapSet{CapsAll, CapsAny, CapsNone}
}

// CheckReport is what Check found in a loadable profile.
type CheckReport struct {
	// Library is the libseccomp release the filters were built with.
	Library string `json:"library"`
	// DefaultAction is the profile's default action.
	DefaultAction seccomp.Action `json:"defaultAction"`
	// Rules describes each rule of the profile, in order.
	Rules []RuleReport `json:"rules"`
	// Filters has one entry per host architecture and capability set.
	Filters []FilterReport `json:"filters"`
	// Warnings lists, sorted, rules that never take effect as written:
	// loaded, but for some syscall another rule wins; or with an
	// architecture in "includes" or "excludes" that no host has.
	Warnings []string `json:"warnings"`
}

// RuleReport describes one rule of a profile.
type RuleReport struct {
	// Index is the rule's position in the profile's "syscalls" list.
	Index int `json:"index"`
	// Action is the rule's action.
	Action seccomp.Action `json:"action"`
	// Names are the syscalls the rule covers.
	Names []string `json:"names"`
	// Condition describes when the rule applies ("" for always), for
	// example "arg0 == 0x8; caps CAP_SYS_ADMIN".
	Condition string `json:"condition,omitempty"`
	// Comment is the rule's comment.
	Comment string `json:"comment,omitempty"`
}

// FilterReport describes the filter a runtime would load on one host.
type FilterReport struct {
	// Host is the host's native architecture, the one "includes.arches"
	// and "excludes.arches" are matched against.
	Host seccomp.Arch `json:"host"`
	// Arches are the architectures in the filter: the host's and those it
	// also runs (from archMap or "architectures").
	Arches []seccomp.Arch `json:"arches"`
	// Caps is the capability set assumed.
	Caps CapSet `json:"caps"`
	// Rules counts the libseccomp rules added: one per syscall name of
	// each applicable rule, more when a rule needs OR-ed conditions.
	Rules int `json:"rules"`
	// Skipped counts profile rules that do not apply on this host or with
	// these capabilities, or that repeat the default action (runtimes
	// skip those, and libseccomp would refuse them).
	Skipped int `json:"skipped"`
	// Instructions is the length of the BPF program, at most
	// MaxInstructions.
	Instructions int `json:"instructions"`
}

// host is one filter Check builds: what a runtime loads on a machine of
// arch, containing arches.
type host struct {
	arch   seccomp.Arch
	arches []seccomp.Arch
}

// hosts lists the filters runtimes would build from p, following
// containers/common: with an archMap, one per entry (its architecture and
// sub-architectures; later duplicates of an entry are never used); with
// "architectures", one per listed architecture that no other listed
// architecture hosts, each containing every listed architecture as the
// runtime adds them all; with neither, the native architecture alone.
func hosts(p *seccomp.Seccomp, native seccomp.Arch) ([]host, error) {
	if len(p.Architectures) > 0 && len(p.ArchMap) > 0 {
		return nil, fmt.Errorf("%w: both architectures and archMap are set (containers/common accepts one or the other)", ErrUnloadable)
	}
	resolve := func(a seccomp.Arch) seccomp.Arch {
		if a == seccomp.ArchNative {
			return native
		}
		return a
	}
	var out []host
	if len(p.ArchMap) > 0 {
		for _, m := range p.ArchMap {
			a := resolve(m.Arch)
			if slices.ContainsFunc(out, func(h host) bool { return h.arch == a }) {
				continue
			}
			arches := []seccomp.Arch{a}
			for _, s := range m.SubArches {
				if s = resolve(s); !slices.Contains(arches, s) {
					arches = append(arches, s)
				}
			}
			out = append(out, host{arch: a, arches: arches})
		}
		return out, nil
	}
	if len(p.Architectures) == 0 {
		return []host{{arch: native, arches: []seccomp.Arch{native}}}, nil
	}
	var listed []seccomp.Arch
	for _, a := range p.Architectures {
		if a = resolve(a); !slices.Contains(listed, a) {
			listed = append(listed, a)
		}
	}
	for _, a := range listed {
		hosted := slices.ContainsFunc(listed, func(m seccomp.Arch) bool {
			return isSubArch(m, a) && !isSubArch(a, m)
		})
		if hosted {
			continue
		}
		arches := []seccomp.Arch{a}
		for _, o := range listed {
			if o != a {
				arches = append(arches, o)
			}
		}
		out = append(out, host{arch: a, arches: arches})
	}
	return out, nil
}

// capSets returns the capability sets worth checking: CapsAny when no rule
// mentions capabilities, else CapsNone and CapsAll, with the capabilities
// CapsAll stands for.
func capSets(p *seccomp.Seccomp) ([]CapSet, map[string]bool) {
	all := map[string]bool{}
	for _, s := range p.Syscalls {
		for _, c := range s.Includes.Caps {
			all[c] = true
		}
		for _, c := range s.Excludes.Caps {
			all[c] = true
		}
	}
	if len(all) == 0 {
		return []CapSet{CapsAny}, nil
	}
	return []CapSet{CapsNone, CapsAll}, all
}

// applies reports whether containers/common keeps rule s for a container
// on h with capabilities caps: excluded when any "excludes" entry matches,
// included only when every "includes" capability is held and, if
// "includes.arches" is set, the host's architecture is listed. A rule
// without names is dropped.
func applies(s *seccomp.Syscall, h host, caps map[string]bool) bool {
	arch := FilterArch(h.arch)
	switch {
	case len(ruleNames(s)) == 0:
		return false
	case slices.Contains(s.Excludes.Arches, arch):
		return false
	case slices.ContainsFunc(s.Excludes.Caps, func(c string) bool { return caps[c] }):
		return false
	case len(s.Includes.Arches) > 0 && !slices.Contains(s.Includes.Arches, arch):
		return false
	case slices.ContainsFunc(s.Includes.Caps, func(c string) bool { return !caps[c] }):
		return false
	}
	return true
}

// Describe says when a rule applies, "" for always: its argument
// conditions, required or excluded capabilities and host architectures,
// for example "arg0 == 0x8; caps CAP_SYS_ADMIN".
func Describe(s *seccomp.Syscall) string {
	var parts []string
	for _, a := range s.Args {
		parts = append(parts, argString(a))
	}
	if len(s.Includes.Caps) > 0 {
		parts = append(parts, "caps "+strings.Join(s.Includes.Caps, ","))
	}
	if len(s.Excludes.Caps) > 0 {
		parts = append(parts, "without caps "+strings.Join(s.Excludes.Caps, ","))
	}
	if len(s.Includes.Arches) > 0 {
		parts = append(parts, "on "+strings.Join(s.Includes.Arches, ","))
	}
	if len(s.Excludes.Arches) > 0 {
		parts = append(parts, "not on "+strings.Join(s.Excludes.Arches, ","))
	}
	return strings.Join(parts, "; ")
}

// argString renders an argument condition like "arg0 & 0x7e020000 == 0x0".
func argString(a *seccomp.Arg) string {
	ops := map[seccomp.Operator]string{
		seccomp.OpNotEqual: "!=", seccomp.OpLessThan: "<", seccomp.OpLessEqual: "<=",
		seccomp.OpEqualTo: "==", seccomp.OpGreaterEqual: ">=", seccomp.OpGreaterThan: ">",
	}
	if a.Op == seccomp.OpMaskedEqual {
		return fmt.Sprintf("arg%d & %#x == %#x", a.Index, a.Value, a.ValueTwo)
	}
	return fmt.Sprintf("arg%d %s %#x", a.Index, ops[a.Op], a.Value)
}

// ruleReports describes every rule of p.
func ruleReports(p *seccomp.Seccomp) []RuleReport {
	out := make([]RuleReport, 0, len(p.Syscalls))
	for i, s := range p.Syscalls {
		out = append(out, RuleReport{
			Index:     i,
			Action:    s.Action,
			Names:     slices.Clone(ruleNames(s)),
			Condition: Describe(s),
			Comment:   s.Comment,
		})
	}
	return out
}

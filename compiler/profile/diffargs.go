package profile

import (
	"fmt"
	"slices"
	"strings"

	"github.com/containers/common/pkg/seccomp"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/args"
)

// ArgChange is a name both profiles of a diff allow with different
// argument values: "socket: base allows any family, target only AF_UNIX
// (0x1), AF_INET (0x2)".
type ArgChange struct {
	Name string `json:"name"`
	// Base and Target say which values each allows, as "any family",
	// "only AF_UNIX (0x1)", "no namespaces" or "under other conditions".
	Base   string `json:"base"`
	Target string `json:"target"`
}

// String renders the change as one line.
func (c ArgChange) String() string {
	return fmt.Sprintf("%s: base allows %s, target %s", c.Name, c.Base, c.Target)
}

// argView is what one profile allows of one name's arguments, as far as
// the forms compiled profiles and Docker's write can be read: any value;
// a set of values of one argument (rules of one SCMP_CMP_EQ each); the
// namespaces a mask leaves (one SCMP_CMP_MASKED_EQ rule on namespace
// flags); or something else.
type argView struct {
	kind   viewKind
	index  uint
	values []uint64
	// ns are the namespace flags allowed, for viewNamespaces.
	ns uint64
}

type viewKind int

const (
	viewAny viewKind = iota
	viewValues
	viewNamespaces
	viewOther
)

// viewOf reads what p's allow rules say of name's arguments. It is only
// called for names p allows.
func viewOf(p *seccomp.Seccomp, name string) argView {
	if Allows(p.DefaultAction) {
		// A block-list: whatever its rules block, the rest runs.
		return argView{kind: viewOther}
	}
	var rules []*seccomp.Syscall
	for _, s := range p.Syscalls {
		if Allows(s.Action) && slices.Contains(ruleNames(s), name) {
			if unconditional(s) {
				return argView{kind: viewAny}
			}
			rules = append(rules, s)
		}
	}
	plain := func(s *seccomp.Syscall) bool {
		return len(s.Args) == 1 && unconditional(&seccomp.Syscall{Includes: s.Includes, Excludes: s.Excludes})
	}
	v := argView{kind: viewOther}
	for i, s := range rules {
		if !plain(s) {
			return argView{kind: viewOther}
		}
		a := s.Args[0]
		if i > 0 && a.Index != v.index {
			return argView{kind: viewOther}
		}
		v.index = a.Index
		switch {
		case a.Op == seccomp.OpEqualTo && (i == 0 || v.kind == viewValues):
			v.kind = viewValues
			if !slices.Contains(v.values, a.Value) {
				v.values = append(v.values, a.Value)
			}
		case a.Op == seccomp.OpMaskedEqual && a.ValueTwo == 0 && len(rules) == 1 && a.Value&^args.NamespaceMask == 0:
			v.kind, v.ns = viewNamespaces, args.NamespaceMask&^a.Value
		default:
			return argView{kind: viewOther}
		}
	}
	slices.Sort(v.values)
	return v
}

// describe renders the view for name.
func (v argView) describe(name string) string {
	switch v.kind {
	case viewAny:
		if _, ok := argNames[name]; ok && args.Restricted(name) {
			return "any " + argNames[name]
		}
		return "any arguments"
	case viewValues:
		const most = 8
		var vals []string
		for _, x := range v.values[:min(len(v.values), most)] {
			vals = append(vals, valueName(name, int(v.index), x))
		}
		s := "only " + strings.Join(vals, ", ")
		if len(v.values) > most {
			s += fmt.Sprintf(" and %d more", len(v.values)-most)
		}
		if _, ok := argNames[name]; !ok || !args.Restricted(name) {
			s = fmt.Sprintf("arg%d %s", v.index, s)
		}
		return s
	case viewNamespaces:
		if v.ns == 0 {
			return "no namespaces"
		}
		return "namespaces among " + namespaceNames(v.ns)
	}
	return "under other conditions"
}

// equal reports whether two views allow the same.
func (v argView) equal(w argView) bool {
	return v.kind == w.kind && v.kind != viewOther && v.index == w.index && v.ns == w.ns && slices.Equal(v.values, w.values)
}

// argChanges lists, sorted by name, the names both allow whose argument
// views differ, when at least one of them is a set of values or of
// namespaces. Otherwise (any value against conditions of other forms,
// such as capabilities) nothing can be said but what the Conditional
// list says already.
func argChanges(base, target *seccomp.Seccomp, both []string) []ArgChange {
	out := []ArgChange{}
	for _, n := range both {
		b, t := viewOf(base, n), viewOf(target, n)
		readable := func(v argView) bool { return v.kind == viewValues || v.kind == viewNamespaces }
		if b.equal(t) || !readable(b) && !readable(t) {
			continue
		}
		out = append(out, ArgChange{Name: n, Base: b.describe(n), Target: t.describe(n)})
	}
	return out
}

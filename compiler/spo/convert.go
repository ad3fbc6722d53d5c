package spo

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/containers/common/pkg/seccomp"
	"github.com/go-json-experiment/json"
	"golang.org/x/sys/unix"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/profile"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/trace"
)

var (
	// ErrUnsupported is wrapped by every error about a part of the
	// profile that a SeccompProfile cannot express without allowing more
	// than the profile does.
	ErrUnsupported = errors.New("not expressible as a SeccompProfile")
	// ErrName is wrapped by ValidateName's errors.
	ErrName = errors.New("invalid resource name")
)

// Limits of the CRD and of Kubernetes.
const (
	// maxArgs is the CRD's maxItems for a rule's args.
	maxArgs = 6
	// maxNameLen is the longest DNS-1123 subdomain.
	maxNameLen = 253
	// maxAnnotationBytes is what the API server allows for all of an
	// object's annotations, keys and values together
	// (TotalAnnotationSizeLimitB in k8s.io/apimachinery).
	maxAnnotationBytes = 256 << 10
)

var (
	// dns1123Subdomain is the form Kubernetes requires of a custom
	// resource's name.
	dns1123Subdomain = regexp.MustCompile(`^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$`)
	// listenerPathPattern is the CRD's pattern for spec.listenerPath.
	listenerPathPattern = regexp.MustCompile(`^/var/run/security-profiles-operator/[a-zA-Z0-9_\-\.]+$`)
)

// ValidateName reports whether name can name a SeccompProfile: a DNS-1123
// subdomain, which the API server requires of every custom resource.
func ValidateName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: empty", ErrName)
	case len(name) > maxNameLen:
		return fmt.Errorf("%w: %d characters, more than %d", ErrName, len(name), maxNameLen)
	case !dns1123Subdomain.MatchString(name):
		return fmt.Errorf("%w %q: want a DNS-1123 subdomain: lowercase letters, digits, '-' and '.', starting and ending with a letter or digit", ErrName, name)
	}
	return nil
}

// Options are what Convert needs besides the profile.
type Options struct {
	// Name is the resource's metadata.name; see ValidateName.
	Name string
	// NativeArch is the architecture of the nodes the resource is for,
	// such as SCMP_ARCH_X86_64: conditions on architectures and the
	// archMap are resolved for it. Required: compile passes the one it
	// compiled for (--arch or the host's).
	NativeArch seccomp.Arch
	// Traces are those the profile was compiled from, if any. Their runs
	// give the coverage annotation, and their syscall names the calls that
	// keep a defaultErrnoRet the resource cannot carry.
	Traces []*trace.Trace
}

// Convert returns the SeccompProfile resource for p, a profile that passes
// profile.Validate: the rules translated field by field, what the CRD
// cannot carry in annotations, and conditions resolved for the native
// architecture and containers without capabilities as the package
// documentation describes. Rules keep their order; a rule without names
// matches nothing and is dropped, names repeated in a rule are kept once,
// and errnoRet is written only for SCMP_ACT_ERRNO and SCMP_ACT_TRACE, the
// actions that use it.
//
// Convert fails, with an error wrapping ErrUnsupported that names the
// rule, where the resource would allow some container more than p does,
// and where a value does not fit the CRD: an argument of 2^63 or more,
// more than six argument conditions, an errno of 0 (which the operator
// drops when it writes the profile on the node, leaving EPERM), or a
// listenerPath outside /var/run/security-profiles-operator/.
func Convert(p *seccomp.Seccomp, o Options) (*SeccompProfile, error) {
	if err := ValidateName(o.Name); err != nil {
		return nil, err
	}
	if err := profile.Validate(p); err != nil {
		return nil, fmt.Errorf("convert profile: %w", err)
	}
	native := o.NativeArch
	if profile.FilterArch(native) == "" {
		return nil, fmt.Errorf("convert profile: native architecture %q is not a concrete known architecture", native)
	}
	runs, recorded, err := coverage(o.Traces)
	if err != nil {
		return nil, fmt.Errorf("convert profile: %w", err)
	}
	c := &converter{p: p, native: native, lib: profile.FilterArch(native)}

	sp := &SeccompProfile{
		APIVersion: APIVersion,
		Kind:       Kind,
		Metadata:   ObjectMeta{Name: o.Name},
		Spec: Spec{
			DefaultAction:    p.DefaultAction,
			ListenerMetadata: p.ListenerMetadata,
			Flags:            unique(p.Flags),
		},
	}
	if p.ListenerPath != "" && !listenerPathPattern.MatchString(p.ListenerPath) {
		return nil, fmt.Errorf("convert listenerPath %q: %w: the CRD allows only sockets directly under /var/run/security-profiles-operator/", p.ListenerPath, ErrUnsupported)
	}
	if sp.Spec.Architectures, err = c.architectures(); err != nil {
		return nil, err
	}
	for i, s := range p.Syscalls {
		if err := c.rule(i, s); err != nil {
			return nil, err
		}
	}
	if err := c.defaultErrno(recorded); err != nil {
		return nil, err
	}
	sp.Spec.Syscalls = c.rules

	sp.Metadata.Annotations = c.annotations()
	if len(recorded) > 0 || runs > 0 {
		cov, err := json.Marshal(struct {
			Runs     int            `json:"runs"`
			Syscalls map[string]int `json:"syscalls"`
		}{runs, recorded}, json.Deterministic(true))
		if err != nil {
			return nil, fmt.Errorf("encode coverage: %w", err)
		}
		sp.Metadata.Annotations[AnnotationCoverage] = string(cov)
	}
	if len(sp.Metadata.Annotations) == 0 {
		sp.Metadata.Annotations = nil
	}
	if err := checkSize(sp); err != nil {
		return nil, err
	}
	return sp, nil
}

// converter accumulates the resource's rules and what the annotations say
// about them.
type converter struct {
	p      *seccomp.Seccomp
	native seccomp.Arch
	// lib is native's name in includes.arches and excludes.arches.
	lib string
	// rules and comments are parallel: comments[k] annotates rules[k].
	rules    []Syscall
	comments []string
	// resolved are the lines of AnnotationResolved.
	resolved []string
	// byArch and byCaps record that conditions on architectures or
	// capabilities were resolved, for AnnotationTarget.
	byArch, byCaps bool
}

// architectures returns spec.architectures: the profile's, or, from an
// archMap, its native entry, which is what containers/common picks on a
// node of that architecture.
func (c *converter) architectures() ([]seccomp.Arch, error) {
	p := c.p
	switch {
	case len(p.ArchMap) == 0:
		return unique(p.Architectures), nil
	case len(p.Architectures) > 0:
		return nil, errors.New("convert architectures: both architectures and archMap are set, which containers/common refuses")
	}
	c.byArch = true
	for _, m := range p.ArchMap {
		if m.Arch == c.native {
			arches := unique(append([]seccomp.Arch{m.Arch}, m.SubArches...))
			c.resolve("archMap: its %s entry, as architectures %s", c.native, joinArches(arches))
			return arches, nil
		}
	}
	// containers/common then adds no architecture, and libseccomp filters
	// the native one alone.
	c.resolve("archMap: no entry for %s, so the native architecture alone", c.native)
	return nil, nil
}

// rule translates syscalls[i] of the profile, or drops it.
func (c *converter) rule(i int, s *seccomp.Syscall) error {
	names := unique(ruleNames(s))
	if len(names) == 0 {
		// The CRD wants at least one name, and the rule matches nothing.
		c.resolve("dropped the profile's syscalls[%d] %s without names: it matches no call", i, s.Action)
		return nil
	}
	at := fmt.Sprintf("syscalls[%d] (%s)", i, label(names))
	cond := profile.Describe(&seccomp.Syscall{Includes: s.Includes, Excludes: s.Excludes})
	archHolds := c.archHolds(s)
	allows := profile.Allows(s.Action)
	if cond != "" {
		c.byArch = c.byArch || len(s.Includes.Arches) > 0 || len(s.Excludes.Arches) > 0
		c.byCaps = c.byCaps || len(s.Includes.Caps) > 0 || len(s.Excludes.Caps) > 0
	}

	switch {
	case !archHolds:
		// Not for this architecture: the resource is for its nodes only.
		c.resolve("dropped the profile's %s %s [%s]: not on %s%s", at, s.Action, cond, c.lib, commentSuffix(s.Comment))
		return nil
	case len(s.Includes.Caps) > 0 && allows:
		// The target holds no capability; dropping an allow rule only
		// takes from those that do.
		c.resolve("dropped the profile's %s %s [%s]: needs capabilities%s", at, s.Action, cond, commentSuffix(s.Comment))
		return nil
	case len(s.Includes.Caps) > 0:
		return fmt.Errorf("convert %s: %w: %s only for containers holding %s, and dropping the rule would let those make the calls",
			at, ErrUnsupported, s.Action, strings.Join(s.Includes.Caps, ","))
	case len(s.Excludes.Caps) > 0 && allows:
		capName, name, by := c.uncovered(names, s.Excludes.Caps)
		if capName != "" {
			return fmt.Errorf("convert %s: %w: %s allowed only without %s, and no rule allows %s with it, so dropping the condition would allow containers holding %s more",
				at, ErrUnsupported, name, strings.Join(s.Excludes.Caps, ","), name, capName)
		}
		cond += fmt.Sprintf("; with them, the profile's %s allows the calls", indexes(by))
	}

	out := Syscall{Names: names, Action: s.Action}
	if s.Action == seccomp.ActErrno || s.Action == seccomp.ActTrace {
		errno, err := errnoOf(s.Errno, s.ErrnoRet)
		if err != nil {
			return fmt.Errorf("convert %s: %w", at, err)
		}
		if errno != nil {
			if *errno == 0 {
				return fmt.Errorf("convert %s: %w: errnoRet 0, which the operator leaves out of the profile it installs, turning it into EPERM", at, ErrUnsupported)
			}
			n := int32(*errno)
			out.ErrnoRet = &n
		}
	}
	if len(s.Args) > maxArgs {
		return fmt.Errorf("convert %s: %w: %d argument conditions, and the CRD allows %d", at, ErrUnsupported, len(s.Args), maxArgs)
	}
	for j, a := range s.Args {
		if a.Value > math.MaxInt64 || a.ValueTwo > math.MaxInt64 {
			return fmt.Errorf("convert %s: %w: args[%d] compares with %#x, and the CRD's values are int64", at, ErrUnsupported, j, max(a.Value, a.ValueTwo))
		}
		out.Args = append(out.Args, Arg{Index: int32(a.Index), Value: int64(a.Value), ValueTwo: int64(a.ValueTwo), Op: a.Op})
	}
	comment := s.Comment
	if cond != "" {
		comment = strings.TrimSpace(comment + " [was: " + cond + "]")
	}
	c.add(out, comment)
	return nil
}

// archHolds reports whether the rule's conditions on architectures hold
// on the native one, compared by libseccomp name as containers/common
// does.
func (c *converter) archHolds(s *seccomp.Syscall) bool {
	if slices.Contains(s.Excludes.Arches, c.lib) {
		return false
	}
	return len(s.Includes.Arches) == 0 || slices.Contains(s.Includes.Arches, c.lib)
}

// uncovered checks that containers holding any of caps may make names
// anyway: for each capability, rules without argument conditions or
// excludes, needing at most that capability and holding on the native
// architecture, must allow every name. It returns the first capability
// and name for which none does, or the indexes of the rules that do.
func (c *converter) uncovered(names, caps []string) (capName, name string, by []int) {
	for _, cp := range caps {
		allowed := map[string]bool{}
		for i, q := range c.p.Syscalls {
			if !profile.Allows(q.Action) || len(q.Args) > 0 || len(q.Excludes.Caps) > 0 || !c.archHolds(q) ||
				slices.ContainsFunc(q.Includes.Caps, func(x string) bool { return x != cp }) {
				continue
			}
			used := false
			for _, n := range ruleNames(q) {
				if slices.Contains(names, n) {
					allowed[n], used = true, true
				}
			}
			if used && !slices.Contains(by, i) {
				by = append(by, i)
			}
		}
		for _, n := range names {
			if !allowed[n] {
				return cp, n, nil
			}
		}
	}
	slices.Sort(by)
	return "", "", by
}

// defaultErrno handles a defaultErrnoRet, which the CRD lacks: the
// resource's default action returns EPERM, so the recorded calls that no
// rule mentions, which the default action answers, get a rule returning
// the profile's errno.
func (c *converter) defaultErrno(recorded map[string]int) error {
	p := c.p
	if p.DefaultAction != seccomp.ActErrno && p.DefaultAction != seccomp.ActTrace {
		// Runtimes ignore the errno of other actions.
		return nil
	}
	errno, err := errnoOf(p.DefaultErrno, p.DefaultErrnoRet)
	if err != nil {
		return fmt.Errorf("convert default errno: %w", err)
	}
	if errno == nil || *errno == uint(unix.EPERM) {
		return nil
	}
	mentioned := map[string]bool{}
	for _, r := range c.rules {
		for _, n := range r.Names {
			mentioned[n] = true
		}
	}
	var names []string
	for _, n := range slices.Sorted(maps.Keys(recorded)) {
		if !mentioned[n] {
			names = append(names, n)
		}
	}
	if len(names) == 0 || *errno == 0 {
		c.resolve("defaultErrnoRet %d: the CRD has none, so the default action returns EPERM", *errno)
		return nil
	}
	n := int32(*errno)
	c.add(Syscall{Names: names, Action: p.DefaultAction, ErrnoRet: &n},
		fmt.Sprintf("the profile's defaultErrnoRet %d for the recorded calls its default action answers", *errno))
	calls := fmt.Sprintf("the %d recorded calls", len(names))
	if len(names) == 1 {
		calls = "the recorded call"
	}
	c.resolve("defaultErrnoRet %d: the CRD has none, so the default action returns EPERM, except for %s of rule-%03d",
		*errno, calls, len(c.rules)-1)
	return nil
}

// add appends a rule of the resource and its comment.
func (c *converter) add(s Syscall, comment string) {
	c.rules = append(c.rules, s)
	c.comments = append(c.comments, comment)
}

// resolve records a line of AnnotationResolved.
func (c *converter) resolve(format string, a ...any) {
	c.resolved = append(c.resolved, fmt.Sprintf(format, a...))
}

// annotations returns the rule comments, target and resolved notes.
func (c *converter) annotations() map[string]string {
	out := map[string]string{}
	for k, comment := range c.comments {
		if comment != "" {
			out[ruleKey(k)] = comment
		}
	}
	var target []string
	if c.byArch {
		target = append(target, string(c.native)+" nodes")
	}
	if c.byCaps {
		target = append(target, "containers without capabilities")
	}
	if len(target) > 0 {
		out[AnnotationTarget] = strings.Join(target, ", ")
	}
	if len(c.resolved) > 0 {
		out[AnnotationResolved] = strings.Join(c.resolved, "\n")
	}
	return out
}

// ruleKey is the annotation key of rule k of the resource. Three digits
// keep the keys in rule order when sorted, as YAML writes them, for every
// profile short of a thousand rules.
func ruleKey(k int) string {
	return fmt.Sprintf("%s%03d", AnnotationRule, k)
}

// coverage merges the traces and counts, per recorded syscall name, the
// runs that made it on any architecture.
func coverage(traces []*trace.Trace) (runs int, byName map[string]int, err error) {
	if len(traces) == 0 {
		return 0, nil, nil
	}
	t, err := trace.Merge(traces...)
	if err != nil {
		return 0, nil, err
	}
	byName = map[string]int{}
	for _, r := range t.Runs {
		seen := map[string]bool{}
		for _, s := range r.Syscalls {
			if !seen[s.Name] {
				seen[s.Name] = true
				byName[s.Name]++
			}
		}
	}
	return len(t.Runs), byName, nil
}

// checkSize makes sure kubectl apply can store the resource: client-side
// apply copies the whole object, as JSON, into the annotation
// kubectl.kubernetes.io/last-applied-configuration, and all annotations
// together must stay within the API server's limit.
func checkSize(sp *SeccompProfile) error {
	obj, err := json.Marshal(sp)
	if err != nil {
		return fmt.Errorf("encode resource: %w", err)
	}
	size := len(obj)
	for k, v := range sp.Metadata.Annotations {
		size += len(k) + len(v)
	}
	if size > maxAnnotationBytes {
		return fmt.Errorf("convert profile: %w: its annotations and kubectl apply's copy of the resource take %d bytes, more than Kubernetes' %d", ErrUnsupported, size, maxAnnotationBytes)
	}
	return nil
}

// errnoOf is the errno a rule or default action returns, as
// containers/common computes it: the name when set, else the number, else
// nil for the runtime's default.
func errnoOf(name string, ret *uint) (*uint, error) {
	if name == "" {
		return ret, nil
	}
	n, err := profile.ErrnoNumber(name)
	if err != nil {
		return nil, err
	}
	return &n, nil
}

// ruleNames returns the names a rule mentions, through "name" or "names".
func ruleNames(s *seccomp.Syscall) []string {
	if s.Name != "" {
		return []string{s.Name}
	}
	return s.Names
}

// unique returns s without repeated elements, first occurrences in order,
// or nil for none: the CRD's lists of names, architectures and flags are
// sets, which the API server refuses with duplicates.
func unique[T comparable](s []T) []T {
	var out []T
	seen := make(map[T]bool, len(s))
	for _, v := range s {
		if !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

// label names a rule by its names in messages: "socket", "bpf and 3 more".
func label(names []string) string {
	if len(names) == 1 {
		return names[0]
	}
	return fmt.Sprintf("%s and %d more", names[0], len(names)-1)
}

// commentSuffix appends a dropped rule's comment to its line.
func commentSuffix(comment string) string {
	if comment == "" {
		return ""
	}
	return " (" + comment + ")"
}

// indexes renders rule indexes as "syscalls[3]" or "syscalls[3,15]".
func indexes(is []int) string {
	s := make([]string, len(is))
	for k, i := range is {
		s[k] = strconv.Itoa(i)
	}
	return "syscalls[" + strings.Join(s, ",") + "]"
}

func joinArches(arches []seccomp.Arch) string {
	s := make([]string, len(arches))
	for i, a := range arches {
		s[i] = string(a)
	}
	return strings.Join(s, ",")
}

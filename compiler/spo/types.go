package spo

import (
	"strings"

	"github.com/containers/common/pkg/seccomp"
)

// The resource's API group, version and kind.
const (
	// Group is the API group of the security-profiles-operator.
	Group = "security-profiles-operator.x-k8s.io"
	// Version is the API version written: v1, the storage version of
	// operator release v1.0.0, which still serves v1beta1 with the same
	// schema. For an operator older than v1.0.0, write v1beta1 instead:
	// the fields Convert fills are the same.
	Version = "v1"
	// APIVersion is what apiVersion says.
	APIVersion = Group + "/" + Version
	// Kind is the resource's kind.
	Kind = "SeccompProfile"
)

// Annotation keys. Kubernetes wants a DNS-subdomain prefix on keys that
// are not the user's own; this one names the project.
const (
	// AnnotationPrefix starts every annotation Convert writes.
	AnnotationPrefix = "oci-seccomp-bpf-hook.io/"
	// AnnotationRule, followed by a rule's index in spec.syscalls padded
	// to three digits (rule-000), holds that rule's comment.
	AnnotationRule = AnnotationPrefix + "rule-"
	// AnnotationTarget names the nodes and containers the resource's
	// conditions were resolved for; absent when nothing was resolved.
	AnnotationTarget = AnnotationPrefix + "target"
	// AnnotationResolved lists, one per line, what of the profile the
	// resource could not carry and what became of it.
	AnnotationResolved = AnnotationPrefix + "resolved"
	// AnnotationCoverage holds, as JSON, how many runs the traces had and
	// how many of them made each recorded syscall:
	// {"runs":3,"syscalls":{"read":3,"kill":1}}.
	AnnotationCoverage = AnnotationPrefix + "coverage"
)

// SeccompProfile is the resource: the fields of the operator's
// SeccompProfile that Convert fills, in the CRD's JSON names. Status is
// the operator's to write.
type SeccompProfile struct {
	// APIVersion is always APIVersion.
	APIVersion string `json:"apiVersion"`
	// Kind is always Kind.
	Kind string `json:"kind"`
	// Metadata names the resource; it has no namespace because the
	// resource is cluster-scoped.
	Metadata ObjectMeta `json:"metadata"`
	// Spec is the profile.
	Spec Spec `json:"spec"`
}

// ObjectMeta is the part of Kubernetes' object metadata Convert writes.
type ObjectMeta struct {
	// Name is a DNS-1123 subdomain (see ValidateName).
	Name string `json:"name"`
	// Annotations carry what the spec cannot; keys start with
	// AnnotationPrefix.
	Annotations map[string]string `json:"annotations,omitempty"`
}

// Spec is the CRD's spec, less baseProfileName and state, which Convert
// never sets (the first refers to another resource; the second defaults
// to Enabled).
type Spec struct {
	// DefaultAction applies to calls no rule matches.
	DefaultAction seccomp.Action `json:"defaultAction"`
	// Architectures of the filter; a set.
	Architectures []seccomp.Arch `json:"architectures,omitempty"`
	// ListenerPath is the seccomp agent's socket for SCMP_ACT_NOTIFY; the
	// CRD allows only paths under /var/run/security-profiles-operator/.
	ListenerPath string `json:"listenerPath,omitempty"`
	// ListenerMetadata is passed to the seccomp agent as is.
	ListenerMetadata string `json:"listenerMetadata,omitempty"`
	// Syscalls are the rules, in the profile's order.
	Syscalls []Syscall `json:"syscalls,omitempty"`
	// Flags for seccomp(2); a set.
	Flags []string `json:"flags,omitempty"`
}

// Syscall is one rule.
type Syscall struct {
	// Names are the syscalls the rule matches; a non-empty set.
	Names []string `json:"names"`
	// Action is taken when a call matches.
	Action seccomp.Action `json:"action"`
	// ErrnoRet is the errno of SCMP_ACT_ERRNO or the message of
	// SCMP_ACT_TRACE; nil for the runtime's default, EPERM.
	ErrnoRet *int32 `json:"errnoRet,omitempty"`
	// Args are conditions on the call's arguments, all of which must
	// hold; at most six.
	Args []Arg `json:"args,omitempty"`
}

// Arg is a condition on one argument. The CRD types the values as
// non-negative int64, so values of 2^63 and above cannot be written.
type Arg struct {
	// Index of the argument, 0 to 5.
	Index int32 `json:"index"`
	// Value compared with the argument (the mask for SCMP_CMP_MASKED_EQ).
	Value int64 `json:"value"`
	// ValueTwo is the value SCMP_CMP_MASKED_EQ compares the masked
	// argument with.
	ValueTwo int64 `json:"valueTwo"`
	// Op is the comparison.
	Op seccomp.Operator `json:"op"`
}

// LocalhostProfile is what a pod writes in
// securityContext.seccompProfile.localhostProfile to use the resource
// named name once the operator has installed it: operator/NAME.json,
// relative to the kubelet's seccomp directory (the operator adds .json
// only when the name lacks it).
func LocalhostProfile(name string) string {
	if strings.HasSuffix(name, ".json") {
		return "operator/" + name
	}
	return "operator/" + name + ".json"
}

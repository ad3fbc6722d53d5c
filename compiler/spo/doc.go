// Package spo writes a compiled seccomp profile as a SeccompProfile
// resource of the Kubernetes security-profiles-operator, so that what the
// hook recorded can be published to a cluster with kubectl apply.
//
// # The resource
//
// The operator's CRD (deploy/base-crds/crds/seccompprofile.yaml and
// api/seccompprofile/v1 in kubernetes-sigs/security-profiles-operator)
// has, since release v0.9.0, a cluster-scoped SeccompProfile in the group
// security-profiles-operator.x-k8s.io. Release v1.0.0 serves v1, its
// storage version, and v1beta1 with the same schema; earlier releases
// serve v1beta1 only. Convert writes v1 without a namespace. The operator
// installs the profile on every node as operator/NAME.json under the
// kubelet's seccomp directory, which pods name in
// seccompProfile.localhostProfile (see LocalhostProfile).
//
// The CRD's spec holds defaultAction, architectures, flags, listenerPath,
// listenerMetadata, baseProfileName, state and syscalls, each rule with
// names, action, errnoRet and args (index, value, valueTwo, op), and its
// validation refuses every other field. So the rule comments,
// "includes" and "excludes", "archMap" and "defaultErrnoRet" of a
// containers/common profile cannot be written into it.
//
// # Annotations
//
// What the spec cannot hold but a reader needs goes into annotations,
// whose keys all start with AnnotationPrefix:
//
//   - rule-NNN (NNN the rule's index in spec.syscalls, zero-padded to
//     three digits so that the keys sort in rule order) holds the rule's
//     comment, with the condition that was resolved away, if any, after
//     "was:";
//   - target says which nodes and containers the resource was resolved
//     for, when the profile had conditions it could not carry;
//   - resolved lists, one per line, what was resolved and how: the
//     archMap, a defaultErrnoRet, each rule dropped;
//   - coverage, when the inputs were traces, is JSON: the number of runs
//     and, per recorded syscall name, how many of them made it.
//
// # Conditions
//
// Conditions the CRD cannot express are resolved for one target: nodes of
// the native architecture and containers without capabilities (pods that
// drop ALL, as the restricted Pod Security Standard requires). For that
// target the resource blocks and allows exactly what the profile does.
// Architecture is a property of the node and fixed by the target, so a
// rule whose "includes.arches" or "excludes.arches" holds on the native
// architecture loses the condition, and one that does not hold is
// dropped. Capabilities differ from pod to pod, so resolving them must not
// allow a container that holds some more than the profile did: a rule that
// allows only with capabilities is dropped, a blocking rule without
// capabilities ("excludes.caps") is kept for everyone, and an allow rule
// without capabilities is kept only when, for each capability it excludes,
// rules without argument conditions allow the same names to containers
// holding it (as the engine's default profile does for socket). A
// blocking rule that applies only with capabilities, or an allow rule
// without that cover, is an error naming the rule.
//
// The archMap becomes the architectures of its native entry, which is
// what containers/common picks on such a node. A defaultErrnoRet other
// than EPERM cannot be carried: the resource's default action returns
// EPERM, and an extra rule returns the profile's errno for the recorded
// calls that no rule mentions, so that the workload sees the error it was
// traced with (glibc falls back from fchmodat2 or clone3 on ENOSYS, not on
// EPERM).
//
// Convert is deterministic: the same profile and options give the same
// resource, and Marshal the same bytes.
package spo

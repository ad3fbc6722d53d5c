package state

import (
	"fmt"
	"strings"
	"unicode"

	spec "github.com/opencontainers/runtime-spec/specs-go"
)

// Annotations the engines set on a Kubernetes pod's containers, read for
// placeholders, for the per-container key and to skip sandboxes. CRI-O
// sets the io.kubernetes.pod.* / io.kubernetes.container.name family,
// containerd's CRI plugin the io.kubernetes.cri.* family.
const (
	criONamespace = "io.kubernetes.pod.namespace"
	criOPod       = "io.kubernetes.pod.name"
	criOContainer = "io.kubernetes.container.name"
	criOType      = "io.kubernetes.cri-o.ContainerType"

	containerdNamespace = "io.kubernetes.cri.sandbox-namespace"
	containerdPod       = "io.kubernetes.cri.sandbox-name"
	containerdContainer = "io.kubernetes.cri.container-name"
	containerdType      = "io.kubernetes.cri.container-type"

	// typeSandbox is both engines' container type of a pod's sandbox
	// (pause) container.
	typeSandbox = "sandbox"
)

// ContainerKeyPrefix starts the per-container form of the annotation,
// io.containers.trace-syscall/NAME, which asks for tracing the container
// named NAME only. CRI-O rewrites it to AnnotationKey on that container;
// containerd copies pod annotations to every container of the pod as
// they are, so the hook matches the name itself.
const ContainerKeyPrefix = AnnotationKey + "/"

// Selected returns the annotation that asks for tracing this container,
// and false when none does: the container carries neither the plain key
// nor the per-container key for its name, or it is a pod's sandbox
// (pause) container, which pod annotations also reach but which is never
// what a pod's author wants traced. With hooks in containerd's
// base_runtime_spec the hook runs for every container on the node, so
// false is the common case, and the container must start as if the hook
// were not there.
//
// A malformed value of the selected key is an error; so is any other
// per-container key whose name is not a valid container name, since a
// typo would otherwise leave a container silently untraced.
func Selected(s *spec.State) (Annotation, bool, error) {
	name := first(s.Annotations, criOContainer, containerdContainer)
	for k := range s.Annotations {
		if n, ok := strings.CutPrefix(k, ContainerKeyPrefix); ok {
			if err := checkValue(n); err != nil {
				return Annotation{}, false, fmt.Errorf("%w: %s: container name %s: %w", ErrInvalidAnnotation, Excerpt(k), Excerpt(n), err)
			}
		}
	}
	if isSandbox(s) {
		return Annotation{}, false, nil
	}
	v, ok := s.Annotations[AnnotationKey]
	if !ok && name != "" {
		v, ok = s.Annotations[ContainerKeyPrefix+name]
	}
	if !ok {
		return Annotation{}, false, nil
	}
	a, err := ParseAnnotation(v)
	if err != nil {
		return a, false, err
	}
	a, err = a.expand(s)
	return a, err == nil, err
}

func isSandbox(s *spec.State) bool {
	return s.Annotations[criOType] == typeSandbox || s.Annotations[containerdType] == typeSandbox
}

// first returns the first non-empty value of keys in m.
func first(m map[string]string, keys ...string) string {
	for _, k := range keys {
		if v := m[k]; v != "" {
			return v
		}
	}
	return ""
}

// Names are a container's names in Kubernetes, as CRI-O or containerd
// annotate them: the pod's namespace and name and the container's name.
// Each is empty when neither engine set it (podman, a plain runtime).
type Names struct {
	Namespace, Pod, Container string
}

// KubernetesNames returns the names the state's annotations give the
// container, CRI-O's first, for the trace's provenance. Unlike the
// placeholders, the values are not checked: they are recorded, not used
// as path elements.
func KubernetesNames(s *spec.State) Names {
	return Names{
		Namespace: first(s.Annotations, criONamespace, containerdNamespace),
		Pod:       first(s.Annotations, criOPod, containerdPod),
		Container: first(s.Annotations, criOContainer, containerdContainer),
	}
}

// Placeholders that of: and tf: paths may hold, each replaced by a value
// from the container's state, so that the replicas of one pod template
// (one annotation) write one file each.
const (
	// PlaceholderNamespace is the pod's Kubernetes namespace.
	PlaceholderNamespace = "{namespace}"
	// PlaceholderPod is the pod's name.
	PlaceholderPod = "{pod}"
	// PlaceholderContainer is the container's name in the pod.
	PlaceholderContainer = "{container}"
	// PlaceholderID is the container's id from the OCI state.
	PlaceholderID = "{id}"
)

// placeholders returns each placeholder's value for s, and the
// annotations it comes from, for messages.
func placeholders(s *spec.State) map[string][2]string {
	n := KubernetesNames(s)
	return map[string][2]string{
		PlaceholderNamespace: {n.Namespace, criONamespace + " or " + containerdNamespace},
		PlaceholderPod:       {n.Pod, criOPod + " or " + containerdPod},
		PlaceholderContainer: {n.Container, criOContainer + " or " + containerdContainer},
		PlaceholderID:        {s.ID, "the container id"},
	}
}

// maxValueLen bounds a placeholder's value: a file name's worth.
const maxValueLen = 255

// checkValue accepts a placeholder value or container name that can only
// ever be one path element: not empty, no "/", no "..", not ".", no NUL
// or control character, at most maxValueLen bytes.
func checkValue(v string) error {
	switch {
	case v == "":
		return fmt.Errorf("missing or empty")
	case len(v) > maxValueLen:
		return fmt.Errorf("%d bytes, at most %d", len(v), maxValueLen)
	case strings.Contains(v, "/"):
		return fmt.Errorf("holds %q", "/")
	case v == "." || strings.Contains(v, ".."):
		return fmt.Errorf("holds %q", "..")
	case strings.IndexFunc(v, unicode.IsControl) >= 0:
		return fmt.Errorf("holds a control character")
	}
	return nil
}

// expand replaces the placeholders in the of: and tf: paths. Braces that
// do not form a known placeholder are an error, so that a misspelt one is
// not written as a literal file name.
func (a Annotation) expand(s *spec.State) (Annotation, error) {
	vals := placeholders(s)
	for _, p := range []struct {
		key  string
		path *string
	}{{OutputPrefix, &a.Output}, {TracePrefix, &a.Trace}} {
		if !strings.ContainsAny(*p.path, "{}") {
			continue
		}
		var b strings.Builder
		rest := *p.path
		for {
			i := strings.IndexAny(rest, "{}")
			if i < 0 {
				b.WriteString(rest)
				break
			}
			b.WriteString(rest[:i])
			j := strings.IndexByte(rest[i:], '}')
			ph := ""
			if rest[i] == '{' && j > 0 {
				ph = rest[i : i+j+1]
			}
			v, ok := vals[ph]
			if !ok {
				return a, fmt.Errorf("%w: %s%s: unknown placeholder %s (known: %s, %s, %s, %s)", ErrInvalidAnnotation, p.key, Excerpt(*p.path),
					Excerpt(rest[i:min(len(rest), i+max(j+1, 1))]), PlaceholderNamespace, PlaceholderPod, PlaceholderContainer, PlaceholderID)
			}
			if err := checkValue(v[0]); err != nil {
				return a, fmt.Errorf("%w: %s%s: %s (from %s) %w", ErrInvalidAnnotation, p.key, Excerpt(*p.path), ph, v[1], err)
			}
			b.WriteString(v[0])
			rest = rest[i+j+1:]
		}
		*p.path = b.String()
		if err := checkPath(*p.path); err != nil {
			return a, fmt.Errorf("%w: %s%s: %w", ErrInvalidAnnotation, p.key, Excerpt(*p.path), err)
		}
	}
	if a.Trace != "" && (a.Trace == a.Output || a.Trace == a.Input) {
		return a, fmt.Errorf("%w: %s must name another file than %s and %s", ErrInvalidAnnotation, TracePrefix, OutputPrefix, InputPrefix)
	}
	return a, nil
}

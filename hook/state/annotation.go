package state

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// AnnotationKey is the annotation that asks for tracing. The hooks.d JSON
// matches it, so the hook only runs for containers that carry it.
const AnnotationKey = "io.containers.trace-syscall"

// Key prefixes inside the annotation value.
const (
	// InputPrefix names the base profile: its rules are kept, and what it
	// blocks stays blocked.
	InputPrefix = "if:"
	// OutputPrefix names the profile to write. Required.
	OutputPrefix = "of:"
	// TracePrefix names a trace file to write beside the profile, for the
	// compiler. Optional; an addition over the old hook.
	TracePrefix = "tf:"
)

// ErrInvalidAnnotation is wrapped by every annotation parsing error.
var ErrInvalidAnnotation = errors.New("invalid annotation")

// Annotation is a parsed io.containers.trace-syscall value.
type Annotation struct {
	// Output is the absolute path of the profile to write.
	Output string
	// Input is the absolute path of the base profile, or "".
	Input string
	// Trace is the absolute path of the trace to write, or "".
	Trace string
}

// ParseAnnotation parses an annotation value such as
// "if:/abs/in.json;of:/abs/out.json".
//
// It accepts and rejects what the old BCC hook did: parts separated by one
// ';' (two when a tf: part is present), each starting exactly with "if:",
// "of:" or "tf:", paths trimmed of surrounding space and absolute, of:
// mandatory. It is stricter in one way: a key given twice is rejected,
// where the old hook silently kept the last one.
func ParseAnnotation(value string) (Annotation, error) {
	var a Annotation
	parts := strings.Split(value, ";")
	max := 2
	for _, p := range parts {
		if strings.HasPrefix(p, TracePrefix) {
			max = 3
		}
	}
	if len(parts) > max {
		return a, fmt.Errorf("%w: more than %d semicolons: %q", ErrInvalidAnnotation, max-1, value)
	}
	for _, p := range parts {
		var dst *string
		var prefix string
		switch {
		case strings.HasPrefix(p, InputPrefix):
			dst, prefix = &a.Input, InputPrefix
		case strings.HasPrefix(p, OutputPrefix):
			dst, prefix = &a.Output, OutputPrefix
		case strings.HasPrefix(p, TracePrefix):
			dst, prefix = &a.Trace, TracePrefix
		default:
			return a, fmt.Errorf("%w: %q must start with %q, %q or %q", ErrInvalidAnnotation, p, InputPrefix, OutputPrefix, TracePrefix)
		}
		if *dst != "" {
			return a, fmt.Errorf("%w: %s given twice", ErrInvalidAnnotation, prefix)
		}
		path := strings.TrimSpace(strings.TrimPrefix(p, prefix))
		if err := checkPath(path); err != nil {
			return a, fmt.Errorf("%w: %s%s: %v", ErrInvalidAnnotation, prefix, path, err)
		}
		*dst = path
	}
	if a.Output == "" {
		return a, fmt.Errorf("%w: %s is mandatory: %q", ErrInvalidAnnotation, OutputPrefix, value)
	}
	if a.Output == a.Input || a.Output == a.Trace || (a.Trace != "" && a.Trace == a.Input) {
		return a, fmt.Errorf("%w: paths must differ: %q", ErrInvalidAnnotation, value)
	}
	return a, nil
}

func checkPath(path string) error {
	switch {
	case path == "":
		return errors.New("empty path")
	case strings.ContainsRune(path, 0):
		return errors.New("path contains a NUL byte")
	case !filepath.IsAbs(path):
		return errors.New("path must be absolute")
	case strings.HasSuffix(path, "/"):
		return errors.New("path names a directory")
	}
	return nil
}

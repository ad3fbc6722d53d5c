package state

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
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

// Bounds on what the annotation's author may hand the hook. Three paths
// of a sane length fit in MaxValueLen many times over; a longer value is
// refused before anything else is looked at, so that no later message can
// grow with it (an engine that gets more than a pipe's worth of hook
// output can hang: podman + runc did, with a 70,000-character path echoed
// in an error).
const (
	// MaxValueLen bounds the annotation value, in bytes.
	MaxValueLen = 4096
	// MaxPathLen bounds each path, in bytes: PATH_MAX less its NUL.
	MaxPathLen = 4095
)

// ErrInvalidAnnotation is wrapped by every annotation parsing error.
var ErrInvalidAnnotation = errors.New("invalid annotation")

// Annotation is a parsed io.containers.trace-syscall value.
type Annotation struct {
	// Output is the absolute, cleaned path of the profile to write.
	Output string
	// Input is the absolute, cleaned path of the base profile, or "".
	Input string
	// Trace is the absolute, cleaned path of the trace to write, or "".
	Trace string
}

// ParseAnnotation parses an annotation value such as
// "if:/abs/in.json;of:/abs/out.json".
//
// It accepts and rejects what the old BCC hook did: parts separated by one
// ';' (two when a tf: part is present), each starting exactly with "if:",
// "of:" or "tf:", paths trimmed of surrounding space and absolute, of:
// mandatory; if: and of: may name the same file, which is how runs are
// accumulated into one profile. It is stricter in three ways: a key given
// twice is rejected, where the old hook silently kept the last one; tf:
// must differ from the other two; and values over MaxValueLen or paths
// over MaxPathLen are refused. Paths are returned cleaned
// (filepath.Clean), so "/a/./b/../c" is "/a/c": what the hook checks is
// what the kernel resolves, since symbolic links are refused on write.
//
// Error messages quote at most a short excerpt of the value (Excerpt).
func ParseAnnotation(value string) (Annotation, error) {
	var a Annotation
	if len(value) > MaxValueLen {
		return a, fmt.Errorf("%w: value is %d bytes, at most %d are accepted", ErrInvalidAnnotation, len(value), MaxValueLen)
	}
	parts := strings.Split(value, ";")
	max := 2
	for _, p := range parts {
		if strings.HasPrefix(p, TracePrefix) {
			max = 3
		}
	}
	if len(parts) > max {
		return a, fmt.Errorf("%w: more than %d semicolons: %s", ErrInvalidAnnotation, max-1, Excerpt(value))
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
			return a, fmt.Errorf("%w: %s must start with %q, %q or %q", ErrInvalidAnnotation, Excerpt(p), InputPrefix, OutputPrefix, TracePrefix)
		}
		if *dst != "" {
			return a, fmt.Errorf("%w: %s given twice", ErrInvalidAnnotation, prefix)
		}
		path := strings.TrimSpace(strings.TrimPrefix(p, prefix))
		if err := checkPath(path); err != nil {
			return a, fmt.Errorf("%w: %s%s: %w", ErrInvalidAnnotation, prefix, Excerpt(path), err)
		}
		*dst = filepath.Clean(path)
	}
	if a.Output == "" {
		return a, fmt.Errorf("%w: %s is mandatory: %s", ErrInvalidAnnotation, OutputPrefix, Excerpt(value))
	}
	if a.Trace != "" && (a.Trace == a.Output || a.Trace == a.Input) {
		return a, fmt.Errorf("%w: %s must name another file than %s and %s", ErrInvalidAnnotation, TracePrefix, OutputPrefix, InputPrefix)
	}
	return a, nil
}

func checkPath(path string) error {
	switch {
	case path == "":
		return errors.New("empty path")
	case len(path) > MaxPathLen:
		return fmt.Errorf("path is %d bytes, at most %d are accepted", len(path), MaxPathLen)
	case strings.ContainsRune(path, 0):
		return errors.New("path contains a NUL byte")
	case !filepath.IsAbs(path):
		return errors.New("path must be absolute")
	case strings.HasSuffix(path, "/"):
		return errors.New("path names a directory")
	}
	return nil
}

// excerptLen is how much of a user's string a message quotes: enough for
// any sensible path, little enough that no message grows with the input.
const excerptLen = 120

// Excerpt renders s for a message or log line. Printable text up to
// excerptLen bytes is returned as is, so that paths read naturally;
// anything else is Go-quoted, so that control characters cannot forge
// lines, and cut to its first excerptLen bytes with the full length noted.
// Every message that repeats what an annotation's author wrote goes
// through it.
func Excerpt(s string) string {
	if len(s) <= excerptLen && utf8.ValidString(s) && strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) < 0 {
		return s
	}
	if len(s) <= excerptLen {
		return strconv.Quote(s)
	}
	cut := strings.ToValidUTF8(s[:excerptLen], "")
	return fmt.Sprintf("%s... (%d bytes)", strconv.Quote(cut), len(s))
}

// MaxLineLen bounds every line the hook prints or logs, whatever went
// into it (a parser's error may quote a file's content).
const MaxLineLen = 1024

// OneLine makes msg fit one log line: control characters (newlines
// included) become spaces, and it is cut to MaxLineLen bytes.
func OneLine(msg string) string {
	msg = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, msg)
	if len(msg) > MaxLineLen {
		msg = strings.ToValidUTF8(msg[:MaxLineLen-3], "") + "..."
	}
	return msg
}

package trace

import (
	"errors"
	"fmt"
	"slices"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/jsonfile"
)

// file is the on-disk shape, with pointers to tell an absent or null
// field from an empty one.
type file struct {
	Version  *int       `json:"version"`
	Syscalls *[]Syscall `json:"syscalls"`
	Runs     *[]Run     `json:"runs"`
}

// Parse decodes and validates a trace file, returning it normalised.
//
// Decoding is strict: unknown or misspelt fields (keys are matched
// case-sensitively), repeated keys and data after the top-level object are
// errors, and "version" and "runs" are required. A file of a version
// outside MinVersion to Version fails with ErrVersion before any other
// check, so an old reader reports the real problem rather than a newer
// field it does not know. A version 1 file is returned as a trace of
// Version without the fields version 2 added; holding one of them, it is
// an error, as it would be for a version 1 reader.
//
// The summary ("syscalls") may be absent or null, in which case it is
// computed; when present it must equal the summary computed from the runs
// (ErrSummary), order aside. Runs, syscalls and process names may appear
// in any order and are returned sorted. Every other rule is listed on
// Validate. Parse never panics on malformed input.
func Parse(data []byte) (*Trace, error) {
	if v, ok := peekVersion(data); ok && (v < MinVersion || v > Version) {
		return nil, fmt.Errorf("parse trace: %w", versionError(v))
	}
	var f file
	if len(data) < parallelSize || decodeParallel(data, &f) != nil {
		if err := jsonfile.Unmarshal(data, &f); err != nil {
			return nil, fmt.Errorf("parse trace: %w", err)
		}
	}
	switch {
	case f.Version == nil:
		return nil, errors.New("parse trace: missing field version")
	case f.Runs == nil:
		return nil, errors.New("parse trace: missing field runs")
	}
	t := &Trace{Version: *f.Version, Runs: *f.Runs}
	if t.Version == 1 {
		if err := checkVersion1(t.Runs); err != nil {
			return nil, fmt.Errorf("parse trace: %w", err)
		}
		t.Version = Version
	}
	if f.Syscalls != nil {
		t.Syscalls = *f.Syscalls
		if t.Syscalls == nil {
			// "syscalls": [] is a present, empty summary.
			t.Syscalls = []Syscall{}
		}
	}
	// What t.Validate then New(t.Runs...) would do, the summary computed
	// once and the runs copied only if they are not in normal form yet:
	// they were decoded for this trace alone.
	if err := t.checkRuns(); err != nil {
		return nil, fmt.Errorf("parse trace: %w", err)
	}
	// Runs in normal form and in order, as Marshal writes them, are
	// cross-checked while build summarises them, in the same order.
	inOrder := slices.IsSortedFunc(t.Runs, compareRuns) && !slices.ContainsFunc(t.Runs, func(r Run) bool { return !isNormal(r) })
	if !inOrder {
		if err := crossCheck(t.Runs); err != nil {
			return nil, fmt.Errorf("parse trace: %w", err)
		}
		for i, r := range t.Runs {
			t.Runs[i] = normal(r)
		}
	}
	n, ok, err := build(t.Runs, inOrder)
	if err != nil {
		return nil, fmt.Errorf("parse trace: %w", err)
	}
	if !ok {
		return nil, fmt.Errorf("parse trace: %w", errOverflow)
	}
	if err := checkSummary(t.Syscalls, n.Syscalls); err != nil {
		return nil, fmt.Errorf("parse trace: %w", err)
	}
	return n, nil
}

// Marshal encodes t as a trace file: the runs of t normalised, the summary
// recomputed from them (t.Syscalls is ignored), two-space indentation and
// a trailing newline. The output depends only on the content of the runs,
// not on their order or on how t was built, so equal traces give
// byte-identical files. t must pass Validate apart from its summary.
func Marshal(t *Trace) ([]byte, error) {
	if t == nil {
		return nil, errors.New("marshal trace: trace is nil")
	}
	// New(t.Runs...) then Validate, without copying runs already in
	// normal form (n is only read) nor summarising twice.
	runs := make([]Run, len(t.Runs))
	for i, r := range t.Runs {
		runs[i] = normal(r)
	}
	n, ok, err := build(runs, true)
	n.Version = t.Version
	if err := n.checkRuns(); err != nil {
		return nil, fmt.Errorf("marshal trace: %w", err)
	}
	if err != nil {
		return nil, fmt.Errorf("marshal trace: %w", err)
	}
	if !ok {
		return nil, fmt.Errorf("marshal trace: %w", errOverflow)
	}
	return encode(n)
}

// encode is the end of Marshal: it writes n, a valid trace with its
// summary and a non-nil list of runs, as a file. The runs, the bulk of a
// merged trace, are written in parallel (see jsonfile.MarshalLast); Runs
// is Trace's last field.
func encode(n *Trace) ([]byte, error) {
	head := *n
	head.Runs = []Run{}
	data, err := jsonfile.MarshalLast(&head, n.Runs, encodedSize(n))
	if err != nil {
		return nil, fmt.Errorf("marshal trace: %w", err)
	}
	return data, nil
}

// peekVersion returns the value of the top-level "version" member when it
// is an integer, reading leniently and no further than that member, which
// writers put first.
func peekVersion(data []byte) (v int, ok bool) {
	jsonfile.Members(data, func(name string, dec *jsontext.Decoder) bool {
		if name != "version" {
			return true
		}
		ok = json.UnmarshalDecode(dec, &v) == nil
		return false
	})
	return v, ok
}

// versionError is ErrVersion for version v, saying which versions this
// build reads.
func versionError(v int) error {
	return fmt.Errorf("%w %d (this build reads versions %d to %d)", ErrVersion, v, MinVersion, Version)
}

// checkVersion1 refuses, in a file that says it is version 1, the fields
// version 2 added: a version 1 reader would refuse them as unknown.
func checkVersion1(runs []Run) error {
	for i, r := range runs {
		var field string
		switch {
		case r.Node != "":
			field = "node"
		case r.Namespace != "":
			field = "namespace"
		case r.Pod != "":
			field = "pod"
		case r.Container != "":
			field = "container"
		case r.Runtime != "":
			field = "runtime"
		case r.NoNewPrivileges:
			field = "noNewPrivileges"
		}
		for j, s := range r.Syscalls {
			if field != "" {
				break
			}
			switch {
			case s.RuntimeCount != 0:
				field = fmt.Sprintf("syscalls[%d].runtimeCount", j)
			case s.Args != nil:
				field = fmt.Sprintf("syscalls[%d].args", j)
			}
		}
		if field != "" {
			return fmt.Errorf("%w: runs[%d].%s is a version 2 field in a version 1 trace", ErrInvalid, i, field)
		}
	}
	return nil
}

// encodedSize estimates the length of t's file from the number of entries,
// generously for the short names and single process of a typical entry,
// so that the buffer seldom needs to grow and is not much larger than
// needed.
func encodedSize(t *Trace) int {
	n := 256 + 256*len(t.Syscalls)
	for _, r := range t.Runs {
		n += 512 + 256*len(r.Syscalls)
		for _, s := range r.Syscalls {
			for _, a := range s.Args {
				n += 128 + 80*len(a.Values)
			}
		}
	}
	for _, s := range t.Syscalls {
		for _, a := range s.Args {
			n += 128 + 80*len(a.Values)
		}
	}
	return n
}

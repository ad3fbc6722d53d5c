package state

import (
	"fmt"
	"io"
	"strings"

	"github.com/go-json-experiment/json"
	jsonv1 "github.com/go-json-experiment/json/v1"
	spec "github.com/opencontainers/runtime-spec/specs-go"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/ascii"
)

// maxStateSize bounds what is read from stdin. A state is a few KiB; its
// annotations are bounded by what the engine accepts.
const maxStateSize = 4 << 20

// validID reports whether id is what the hook accepts as a container ID,
// ^[A-Za-z0-9][A-Za-z0-9_.+-]*$: it names a file under the hook's run
// directory, so it must not hold a path separator. runc and crun IDs fit
// ([\w+-\.]+); podman and CRI-O use 64 hex digits. A loop, not package
// regexp, which every hook process would map and initialise (see
// internal/ascii).
func validID(id string) bool {
	if id == "" || !ascii.IsAlnum(id[0]) {
		return false
	}
	for i := 1; i < len(id); i++ {
		if c := id[i]; !ascii.IsAlnum(c) && !strings.ContainsRune("_.+-", rune(c)) {
			return false
		}
	}
	return true
}

// maxIDLen keeps <id>.status within NAME_MAX.
const maxIDLen = 200

// Stopped reports whether the state is the one given to poststop hooks.
func Stopped(s *spec.State) bool { return s.Status == spec.StateStopped }

// Read decodes the OCI state from r (the hook's stdin) and checks what the
// hook relies on: a well-formed ID, and for a running container a PID.
func Read(r io.Reader) (*spec.State, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxStateSize+1))
	if err != nil {
		return nil, fmt.Errorf("read state: %w", err)
	}
	if len(data) > maxStateSize {
		return nil, fmt.Errorf("read state: larger than %d bytes", maxStateSize)
	}
	var s spec.State
	// The runtime's JSON, read as leniently as encoding/json (v1) did.
	if err := json.Unmarshal(data, &s, jsonv1.DefaultOptionsV1()); err != nil {
		return nil, fmt.Errorf("parse state: %w", err)
	}
	if len(s.ID) > maxIDLen || !validID(s.ID) {
		return nil, fmt.Errorf("parse state: invalid container id %s", Excerpt(s.ID))
	}
	if !Stopped(&s) && s.Pid <= 0 {
		return nil, fmt.Errorf("parse state: invalid PID %d (must be greater than 0)", s.Pid)
	}
	return &s, nil
}

package profile

import (
	"errors"
	"fmt"
	"strings"

	"github.com/containers/common/pkg/seccomp"
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/ascii"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/jsonfile"
)

// Parse decodes and validates a seccomp profile.
//
// Decoding is strict (see internal/jsonfile): unknown or misspelt fields
// (keys match case-sensitively), repeated keys and data after the profile
// are errors, where the engines' encoding/json would silently ignore or
// overwrite them. The result must then pass Validate. A missing or null
// "syscalls" list is returned as an empty one, and empty lists that
// Marshal would omit as nil, so that Parse(Marshal(p)) equals p.
//
// Parse accepts every profile containers/common loads that uses only
// fields of its Seccomp type, including the engine's default profile and
// the profiles the original oci-seccomp-bpf-hook wrote (even its rule
// without names, written when a trace was empty).
//
// The one member outside those types that Parse accepts is Docker's
// "minKernel" in "includes" and "excludes" (a kernel version such as
// "4.8", from which on the rule applies, or is excluded), so that Docker's
// default profile can be a base. containers/common has no such field, so
// podman and CRI-O, reading the profile with encoding/json, ignore it and
// apply the rule on every kernel; containerd reads no includes at all.
// Parse does the same: it drops the member and says so in the rule's
// comment, so that the profile it returns, and every profile compiled
// from it, means what those engines make of it.
func Parse(data []byte) (*seccomp.Seccomp, error) {
	var p seccomp.Seccomp
	minKernels := map[*seccomp.Filter]string{}
	if err := jsonfile.Unmarshal(data, &p, json.WithUnmarshalers(json.UnmarshalFromFunc(
		func(dec *jsontext.Decoder, f *seccomp.Filter) error {
			var d dockerFilter
			if err := json.UnmarshalDecode(dec, &d); err != nil {
				return err
			}
			*f = seccomp.Filter{Caps: d.Caps, Arches: d.Arches}
			if d.MinKernel != nil {
				minKernels[f] = *d.MinKernel
			}
			return nil
		}))); err != nil {
		return nil, fmt.Errorf("parse profile: %w", err)
	}
	if p.Syscalls == nil {
		p.Syscalls = []*seccomp.Syscall{}
	}
	if err := Validate(&p); err != nil {
		return nil, fmt.Errorf("parse profile: %w", err)
	}
	for i, s := range p.Syscalls {
		for _, f := range []struct {
			name string
			f    *seccomp.Filter
		}{{"includes", &s.Includes}, {"excludes", &s.Excludes}} {
			v, ok := minKernels[f.f]
			if !ok {
				continue
			}
			if !kernelVersion(v) {
				return nil, fmt.Errorf("parse profile: %w: syscalls[%d]%s: %s.minKernel %q is not a kernel version such as 4.8", ErrInvalid, i, ruleLabel(s), f.name, v)
			}
			note := fmt.Sprintf("%s.minKernel %s dropped: podman and CRI-O ignore it, so the rule applies on every kernel", f.name, v)
			if s.Comment != "" {
				note = s.Comment + "; " + note
			}
			s.Comment = note
		}
	}
	dropEmpty(&p)
	return &p, nil
}

// dockerFilter is seccomp.Filter as Docker's profiles write it, with
// "minKernel". The pointer tells an absent member from an empty one.
type dockerFilter struct {
	Caps      []string `json:"caps"`
	Arches    []string `json:"arches"`
	MinKernel *string  `json:"minKernel"`
}

// kernelVersion reports whether v has the form of Docker's minKernel,
// ^[0-9]{1,4}\.[0-9]{1,4}$: the kernel version and major revision ("4.8");
// Docker ignores anything after them. Not a regexp: see internal/ascii.
func kernelVersion(v string) bool {
	major, minor, ok := strings.Cut(v, ".")
	return ok && decimal(major) && decimal(minor)
}

// decimal reports whether s is 1 to 4 decimal digits.
func decimal(s string) bool {
	if len(s) == 0 || len(s) > 4 {
		return false
	}
	for i := range len(s) {
		if !ascii.IsDigit(s[i]) {
			return false
		}
	}
	return true
}

// dropEmpty turns empty lists that Marshal omits ("omitempty" in the
// seccomp types) into nil, so that a parsed profile equals what parsing
// its own marshalled form gives.
func dropEmpty(p *seccomp.Seccomp) {
	nilIfEmpty(&p.Architectures)
	nilIfEmpty(&p.ArchMap)
	nilIfEmpty(&p.Flags)
	for _, s := range p.Syscalls {
		nilIfEmpty(&s.Names)
		nilIfEmpty(&s.Includes.Caps)
		nilIfEmpty(&s.Includes.Arches)
		nilIfEmpty(&s.Excludes.Caps)
		nilIfEmpty(&s.Excludes.Arches)
	}
}

func nilIfEmpty[T any](s *[]T) {
	if s != nil && len(*s) == 0 {
		*s = nil
	}
}

// Marshal encodes a valid profile as JSON with two-space indentation and a
// trailing newline. Fields appear in the order of the seccomp.Seccomp type
// and lists in the order they have, so the output depends only on p's
// content: the same profile always gives the same bytes. Marshal does not
// reorder rules or names; Compile produces them sorted.
//
// A nil "syscalls" list is written as [] rather than null.
func Marshal(p *seccomp.Seccomp) ([]byte, error) {
	if p == nil {
		return nil, errors.New("marshal profile: profile is nil")
	}
	if err := Validate(p); err != nil {
		return nil, fmt.Errorf("marshal profile: %w", err)
	}
	out := *p
	if out.Syscalls == nil {
		out.Syscalls = []*seccomp.Syscall{}
	}
	data, err := jsonfile.Marshal(&out, 0)
	if err != nil {
		return nil, fmt.Errorf("marshal profile: %w", err)
	}
	return data, nil
}

// Clone returns a deep copy of p (nil for nil) that shares no memory with
// it, preserving the difference between nil and empty slices so that the
// copy is reflect.DeepEqual to p.
func Clone(p *seccomp.Seccomp) *seccomp.Seccomp {
	if p == nil {
		return nil
	}
	c := *p
	c.DefaultErrnoRet = cloneUint(p.DefaultErrnoRet)
	c.Architectures = cloneSlice(p.Architectures)
	c.Flags = cloneSlice(p.Flags)
	if p.ArchMap != nil {
		c.ArchMap = make([]seccomp.Architecture, len(p.ArchMap))
		for i, a := range p.ArchMap {
			c.ArchMap[i] = seccomp.Architecture{Arch: a.Arch, SubArches: cloneSlice(a.SubArches)}
		}
	}
	if p.Syscalls != nil {
		c.Syscalls = make([]*seccomp.Syscall, len(p.Syscalls))
		for i, s := range p.Syscalls {
			c.Syscalls[i] = cloneRule(s)
		}
	}
	return &c
}

// cloneRule deep-copies one rule.
func cloneRule(s *seccomp.Syscall) *seccomp.Syscall {
	if s == nil {
		return nil
	}
	c := *s
	c.Names = cloneSlice(s.Names)
	c.ErrnoRet = cloneUint(s.ErrnoRet)
	c.Includes = seccomp.Filter{Caps: cloneSlice(s.Includes.Caps), Arches: cloneSlice(s.Includes.Arches)}
	c.Excludes = seccomp.Filter{Caps: cloneSlice(s.Excludes.Caps), Arches: cloneSlice(s.Excludes.Arches)}
	if s.Args != nil {
		c.Args = make([]*seccomp.Arg, len(s.Args))
		for i, a := range s.Args {
			if a != nil {
				ac := *a
				c.Args[i] = &ac
			}
		}
	}
	return &c
}

// cloneSlice copies s, keeping nil as nil and empty as empty.
func cloneSlice[T any](s []T) []T {
	if s == nil {
		return nil
	}
	return append(make([]T, 0, len(s)), s...)
}

func cloneUint(u *uint) *uint {
	if u == nil {
		return nil
	}
	v := *u
	return &v
}

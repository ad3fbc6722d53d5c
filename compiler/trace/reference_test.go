package trace

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"testing"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/strictjson"
)

// parseReference is Parse as it was before its fast paths: strict
// decoding, Validate, then New. Parse must agree with it on every input,
// errors included.
func parseReference(data []byte) (*Trace, error) {
	if raw := strictjson.Member(data, "version"); len(raw) > 0 {
		var v int
		if err := json.Unmarshal(raw, &v); err == nil && v != Version {
			return nil, fmt.Errorf("parse trace: %w %d (this build reads version %d)", ErrVersion, v, Version)
		}
	}
	f, err := decodeReference(data)
	if err != nil {
		return nil, fmt.Errorf("parse trace: %w", err)
	}
	switch {
	case f.Version == nil:
		return nil, fmt.Errorf("parse trace: missing field version")
	case f.Runs == nil:
		return nil, fmt.Errorf("parse trace: missing field runs")
	}
	t := &Trace{Version: *f.Version, Runs: *f.Runs}
	if f.Syscalls != nil {
		t.Syscalls = *f.Syscalls
		if t.Syscalls == nil {
			t.Syscalls = []Syscall{}
		}
	}
	if err := t.Validate(); err != nil {
		return nil, fmt.Errorf("parse trace: %w", err)
	}
	return New(t.Runs...), nil
}

// marshalReference is Marshal as it was before its fast paths.
func marshalReference(t *Trace) ([]byte, error) {
	n := New(t.Runs...)
	if t.Version != Version {
		n.Version = t.Version
	}
	if err := n.Validate(); err != nil {
		return nil, fmt.Errorf("marshal trace: %w", err)
	}
	return encode(n), nil
}

func errString(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}

// FuzzParseReference holds Parse to the reference: same trace or same
// error message.
func FuzzParseReference(f *testing.F) {
	for _, s := range decodeSeeds(f) {
		f.Add(s)
	}
	f.Add([]byte(`{"version":1,"syscalls":[{"name":"read","nr":0,"arch":"SCMP_ARCH_X86_64","count":3,"processes":["b","a","a"],"runs":1}],` +
		`"runs":[{"start":"2025-03-01T13:00:00+01:00","end":"2025-03-01T12:00:01Z","command":[],"syscalls":[{"name":"read","nr":0,"arch":"SCMP_ARCH_X86_64","count":3,"processes":["b","a"]}]}]}`))
	f.Add([]byte(`{"version":1,"runs":[{"start":"2025-03-01T12:00:00Z","end":"2025-03-01T12:00:01Z","syscalls":[{"name":"read","nr":1,"arch":"SCMP_ARCH_X86_64","count":3},{"name":"write","nr":1,"arch":"SCMP_ARCH_X86_64","count":3}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := Parse(data)
		want, wantErr := parseReference(data)
		if errString(err) != errString(wantErr) {
			t.Fatalf("%q: Parse fails with %v, the reference with %v", data, err, wantErr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: Parse returns\n%#v\nthe reference\n%#v", data, got, want)
		}
	})
}

// FuzzMarshalReference holds Marshal to the reference on traces decoded
// leniently, so neither normalised nor valid.
func FuzzMarshalReference(f *testing.F) {
	for _, s := range decodeSeeds(f) {
		f.Add(s)
	}
	f.Add([]byte(`{"version":1,"runs":[{"start":"2025-03-01T13:00:00+01:00","end":"2025-03-01T12:00:01Z","image":"` + "\xff" + `","command":[],` +
		`"syscalls":[{"name":"write","nr":1,"arch":"SCMP_ARCH_X86_64","count":3,"processes":["b","a","b"]},{"name":"read","nr":0,"arch":"SCMP_ARCH_X86_64","count":1,"processes":[]}]}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		var tr Trace
		if json.Unmarshal(data, &tr) != nil {
			return
		}
		got, err := Marshal(&tr)
		want, wantErr := marshalReference(&tr)
		if errString(err) != errString(wantErr) {
			t.Fatalf("%q: Marshal fails with %v, the reference with %v", data, err, wantErr)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("%q: Marshal writes\n%s\nthe reference\n%s", data, got, want)
		}
	})
}

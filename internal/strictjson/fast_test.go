package strictjson

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"time"
)

type fuzzInner struct {
	Name string   `json:"name"`
	Tags []string `json:"tags"`
}

type fuzzDoc struct {
	ID     int                  `json:"id"`
	Items  []*fuzzInner         `json:"items"`
	Labels map[string]fuzzInner `json:"labels"`
	When   time.Time            `json:"when"`
	Any    any                  `json:"any"`
}

// The byte scan and the token walk must agree on every well-formed
// document: same verdict, same message.
func FuzzCheckKeys(f *testing.F) {
	for _, s := range []string{
		`{"id":1,"items":[{"name":"a","tags":["x"]},null],"labels":{"k":{"name":"b"}}}`,
		`{"id":1,"id":2}`, `{"items":[{"nme":"a"}]}`, `{"labels":{"a":{},"a":{}}}`,
		`{"any":{"x":[1,{"y":"}"}]},"id":1}`, `{"n\u0061me":1}`, `[1,2]`, `"x"`,
		`{"when":"2025-01-01T00:00:00Z","items":[]}`, `{"items":[{"name":"a","name":"b"}]}`,
	} {
		f.Add([]byte(s))
	}
	typ := reflect.TypeFor[fuzzDoc]()
	f.Fuzz(func(t *testing.T, data []byte) {
		if !json.Valid(data) {
			return
		}
		fast, slow := checkKeys(data, typ), walk(data, typ)
		if (fast == nil) != (slow == nil) || (fast != nil && fast.Error() != slow.Error()) {
			t.Fatalf("%q: byte scan says %v, token walk says %v", data, fast, slow)
		}
	})
}

// topLevel collects every top-level member, the last of a key winning as
// in encoding/json: the reference eachMember is checked against.
func topLevel(data []byte) map[string][]byte {
	var members map[string][]byte
	eachMember(data, func(key string, value func() []byte) bool {
		if members == nil {
			members = map[string][]byte{}
		}
		members[key] = value()
		return true
	})
	return members
}

// The member scan never panics, and on a well-formed object finds exactly
// the members encoding/json finds; Member and HasMembers agree with it.
func FuzzTopLevel(f *testing.F) {
	for _, s := range []string{`{"version":1,"runs":[]}`, `{"a":{"b":"}"},"c":[1,"]"]}`, `{"x`, `{"\u0061":1,`, `[]`, `{"a":1 "b":2}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got := topLevel(data)
		var want map[string]json.RawMessage
		if json.Unmarshal(data, &want) != nil {
			return
		}
		if len(got) != len(want) {
			t.Fatalf("%q: the scan found %d members, encoding/json %d", data, len(got), len(want))
		}
		for k, v := range want {
			if g, ok := got[k]; !ok || !json.Valid(g) || string(mustCompact(t, g)) != string(mustCompact(t, v)) {
				t.Fatalf("%q: member %q = %q, want %q", data, k, g, v)
			}
			if !HasMembers(data, k) {
				t.Fatalf("%q: HasMembers(%q) = false", data, k)
			}
			if m := Member(data, k); m == nil {
				t.Fatalf("%q: Member(%q) = nil", data, k)
			}
		}
		if HasMembers(data, "\x00absent") {
			t.Fatalf("%q: HasMembers of an absent key", data)
		}
	})
}

func mustCompact(t *testing.T, raw []byte) []byte {
	var b bytes.Buffer
	if err := json.Compact(&b, raw); err != nil {
		t.Fatalf("compact %q: %v", raw, err)
	}
	return b.Bytes()
}

package strictjson

import (
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

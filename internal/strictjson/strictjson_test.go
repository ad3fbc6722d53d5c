package strictjson_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/strictjson"
)

type inner struct {
	Name string   `json:"name"`
	Tags []string `json:"tags,omitempty"`
}

type doc struct {
	ID       int               `json:"id"`
	Items    []*inner          `json:"items"`
	Labels   map[string]inner  `json:"labels"`
	When     time.Time         `json:"when"`
	Skip     string            `json:"-"`
	Untagged string            // decoded under its Go name
	Raw      map[string]string `json:"raw,omitempty"`
}

func TestUnmarshal(t *testing.T) {
	var d doc
	err := strictjson.Unmarshal([]byte(`{"id":1,"items":[{"name":"a","tags":["x"]},null],
		"labels":{"Any Key":{"name":"b"}},"when":"2025-01-01T00:00:00Z","Untagged":"u"} `), &d)
	if err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	if d.ID != 1 || d.Items[0].Tags[0] != "x" || d.Labels["Any Key"].Name != "b" || d.When.Year() != 2025 || d.Untagged != "u" {
		t.Errorf("decoded %+v", d)
	}
}

func TestUnmarshalErrors(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{`{"id":1,"ID":2}`, "unknown field ID"},
		{`{"id":1,"id":2}`, "duplicate field id"},
		{`{"items":[{"name":"a","Name":"b"}]}`, "unknown field items[0].Name"},
		{`{"labels":{"k":{"nme":"b"}}}`, "unknown field labels.k.nme"},
		{`{"Skip":"x"}`, "unknown field Skip"},
		{`{"id":1} {"id":2}`, "after the top-level value"},
		{`{"id":1} x`, "after the top-level value"},
		{`{"id":1`, "unexpected end"},
		{`{"id":"1"}`, "cannot unmarshal"},
		{`{"items":{}}`, "cannot unmarshal"},
		{`{"items":[[[[[[[[[[]]]]]]]]]]}`, "cannot unmarshal"},
		{`   `, "empty document"},
	} {
		var d doc
		err := strictjson.Unmarshal([]byte(tc.doc), &d)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Unmarshal(%s) = %v, want error containing %q", tc.doc, err, tc.want)
		}
	}
	if err := strictjson.Unmarshal(nil, &doc{}); !errors.Is(err, strictjson.ErrEmpty) {
		t.Errorf("empty input: %v", err)
	}
	if err := strictjson.Unmarshal([]byte(`{}`), doc{}); err == nil {
		t.Error("non-pointer destination accepted")
	}
}

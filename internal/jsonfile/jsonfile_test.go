package jsonfile_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/jsonfile"
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
	Ptr      *uint             `json:"ptr,omitempty"`
	Count    int               `json:"count,omitzero"`
}

func TestUnmarshal(t *testing.T) {
	var d doc
	err := jsonfile.Unmarshal([]byte(`{"id":1,"items":[{"name":"a","tags":["x"]},null],
		"labels":{"Any Key":{"name":"b`+"\xff"+`"}},"when":"2025-01-01T0:00:00Z","Untagged":"u"} `), &d)
	if err != nil {
		t.Fatalf("Unmarshal: %v", err)
	}
	if d.ID != 1 || d.Items[0].Tags[0] != "x" || d.Items[1] != nil || d.Labels["Any Key"].Name != "b\uFFFD" ||
		d.When.Year() != 2025 || d.Untagged != "u" {
		t.Errorf("decoded %+v", d)
	}
}

func TestUnmarshalErrors(t *testing.T) {
	for _, tc := range []struct{ doc, want string }{
		{`{"id":1,"ID":2}`, "decode: unknown field ID"},
		{`{"id":1,"id":2}`, "decode: duplicate field id"},
		{`{"items":[{"name":"a","Name":"b"}]}`, "decode: unknown field items[0].Name"},
		{`{"items":[{"name":"a","name":"b"}]}`, "decode: duplicate field items[0].name"},
		{`{"labels":{"k":{"nme":"b"}}}`, "decode: unknown field labels.k.nme"},
		{`{"Skip":"x"}`, "decode: unknown field Skip"},
		{`{"id":1} {"id":2}`, "decode: unexpected data after the top-level value at offset 9"},
		{`{"id":1} x`, "decode: unexpected data after the top-level value at offset 9"},
		{`{"id":1`, "decode: unexpected end of document at offset 7"},
		{`{"id":"1"}`, "decode: id: cannot unmarshal JSON string into Go int"},
		{`{"id":1.5}`, "decode: id: cannot unmarshal JSON number 1.5 into Go int"},
		{`{"items":{}}`, "decode: items: cannot unmarshal JSON object into Go []*jsonfile_test.inner"},
		{`{"when":"noon"}`, `decode: when: cannot unmarshal JSON string into Go time.Time: parsing time "noon"`},
		{`[1]`, "decode: cannot unmarshal JSON array into Go jsonfile_test.doc"},
		{`{"id":nope}`, "decode: id: invalid character 'o' in literal null (expecting 'u') at offset 7"},
		{`{"items":[{},]}`, "decode: items: invalid character"},
		{`nope`, "decode: invalid character 'o' in literal null (expecting 'u') at offset 1"},
		{"   ", "empty document"},
		{"", "empty document"},
	} {
		var d doc
		err := jsonfile.Unmarshal([]byte(tc.doc), &d)
		if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
			t.Errorf("Unmarshal(%s) = %v, want an error starting with %q", tc.doc, err, tc.want)
		}
	}
	if err := jsonfile.Unmarshal(nil, &doc{}); !errors.Is(err, jsonfile.ErrEmpty) {
		t.Errorf("empty input: %v", err)
	}
	if err := jsonfile.Unmarshal([]byte(`{}`), doc{}); err == nil {
		t.Error("non-pointer destination accepted")
	}
}

// Marshal writes what encoding/json's indenting Encoder wrote with HTML
// escaping off: the expected text is its output.
func TestMarshal(t *testing.T) {
	zero := uint(0)
	for _, tc := range []struct {
		v    any
		want string
	}{
		{doc{}, `{
  "id": 0,
  "items": null,
  "labels": null,
  "when": "0001-01-01T00:00:00Z",
  "Untagged": ""
}
`},
		{doc{Items: []*inner{{Tags: []string{}}, nil}, Labels: map[string]inner{"b": {}, "a": {}}, Ptr: &zero, Count: 2,
			Untagged: "<&> \u2028\u2029 \x01\t\"\\ é", When: time.Date(2025, 3, 1, 12, 0, 0, 5, time.FixedZone("", 3600))}, `{
  "id": 0,
  "items": [
    {
      "name": ""
    },
    null
  ],
  "labels": {
    "a": {
      "name": ""
    },
    "b": {
      "name": ""
    }
  },
  "when": "2025-03-01T12:00:00.000000005+01:00",
  "Untagged": "<&> \u2028\u2029 \u0001\t\"\\ é",
  "ptr": 0,
  "count": 2
}
`},
		{[]string{}, "[]\n"},
	} {
		got, err := jsonfile.Marshal(tc.v, 0)
		if err != nil || string(got) != tc.want {
			t.Errorf("Marshal(%+v) = %v\n%s\nwant\n%s", tc.v, err, got, tc.want)
		}
	}
	if _, err := jsonfile.Marshal(doc{When: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, 0); err == nil {
		t.Error("Marshal of a five-digit year succeeded")
	}
}

// members lists what Members finds, reading no values.
func members(data string) []string {
	var names []string
	jsonfile.Members([]byte(data), func(name string, _ *jsontext.Decoder) bool {
		names = append(names, name)
		return true
	})
	return names
}

func TestMembers(t *testing.T) {
	for _, tc := range []struct {
		doc  string
		want string
	}{
		{`{"version":1,"runs":[{"x":"}"}],"v\u0061":2,"version":3}`, "version runs va version"},
		{`{"a":1,"b":[nope],"c":2}`, "a b"},
		{`{"a":1,"b"`, "a b"},
		{`[{"a":1}]`, ""},
		{``, ""},
	} {
		if got := strings.Join(members(tc.doc), " "); got != tc.want {
			t.Errorf("Members(%s) = %q, want %q", tc.doc, got, tc.want)
		}
	}
	var v jsontext.Value
	jsonfile.Members([]byte(`{"a":[1],"b":{"c":2},"d":broken`), func(name string, dec *jsontext.Decoder) bool {
		if name != "b" {
			return true
		}
		v, _ = dec.ReadValue()
		return false
	})
	if string(v) != `{"c":2}` {
		t.Errorf("the value of b read through Members = %s", v)
	}
}

// FuzzMembers checks that the member walk never panics and, on documents
// the strict decoder takes as an object, finds every member once.
func FuzzMembers(f *testing.F) {
	for _, s := range []string{`{"version":1,"runs":[]}`, `{"a":{"b":"}"},"c":[1,"]"]}`, `{"x`, `{"\u0061":1,`, `[]`, `{"a":1 "b":2}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		names := members(string(data))
		var m map[string]jsontext.Value
		if jsonfile.Unmarshal(data, &m) != nil {
			return
		}
		if len(names) != len(m) {
			t.Fatalf("%q: Members found %q, the decoder %d members", data, names, len(m))
		}
		for _, n := range names {
			if _, ok := m[n]; !ok {
				t.Fatalf("%q: Members found %q, which the decoder did not", data, n)
			}
		}
	})
}

// listDoc is a document whose last member is an array, in the shapes
// MarshalLast writes: the array empty, for the elements given apart.
type listDoc struct {
	Name  string    `json:"name"`
	Inner []inner   `json:"inner,omitempty"`
	Elems []element `json:"elems"`
}

type element struct {
	ID    string            `json:"id"`
	N     uint64            `json:"n,omitzero"`
	Tags  []string          `json:"tags"`
	Inner []inner           `json:"inner,omitempty"`
	M     map[string]string `json:"m,omitempty"`
}

// FuzzMarshalLast checks that MarshalLast writes what Marshal writes for
// the whole document: any number of elements, split among any number of
// workers, with text that needs escaping, nested and empty values.
func FuzzMarshalLast(f *testing.F) {
	f.Add("a", "b<\u2028>\xff", uint8(0), uint8(0))
	f.Add("", "\"\\\n", uint8(1), uint8(3))
	f.Add("x", "", uint8(7), uint8(255))
	f.Fuzz(func(t *testing.T, name, text string, n, shape uint8) {
		elems := make([]element, n%16)
		for i := range elems {
			e := element{ID: text[:i%(len(text)+1)], N: uint64(i) * uint64(shape)}
			switch (i + int(shape)) % 4 {
			case 1:
				e.Tags = []string{}
			case 2:
				e.Tags = []string{text, name}
				e.Inner = []inner{{Name: text}, {Tags: []string{name}}}
			case 3:
				e.M = map[string]string{text: name, name: text}
			}
			elems[i] = e
		}
		d := listDoc{Name: name}
		if shape&1 != 0 {
			d.Inner = []inner{{Name: name, Tags: []string{text}}}
		}
		full := d
		full.Elems = elems
		if full.Elems == nil {
			full.Elems = []element{}
		}
		want, wantErr := jsonfile.Marshal(&full, 0)
		d.Elems = []element{}
		got, err := jsonfile.MarshalLastWorkers(&d, elems, int(shape), int(shape%5))
		if (err != nil) != (wantErr != nil) {
			// Such as two map keys made the same by replacing invalid
			// UTF-8; the messages may differ in the path.
			t.Fatalf("MarshalLast: %v; Marshal: %v", err, wantErr)
		}
		if !bytes.Equal(got, want) {
			t.Fatalf("MarshalLast with %d workers wrote\n%s\nMarshal writes\n%s", shape%5, got, want)
		}
	})
}

func TestMarshalLastNotEmpty(t *testing.T) {
	if _, err := jsonfile.MarshalLast(&listDoc{Elems: []element{{}}}, []element{{}}, 0); err == nil {
		t.Error("MarshalLast of a document whose array is not empty succeeded")
	}
	if _, err := jsonfile.MarshalLast(&listDoc{}, []element{{}}, 0); err == nil {
		t.Error("MarshalLast of a document whose array is null succeeded")
	}
}

// failWriter fails once it has taken n bytes.
type failWriter struct{ n int }

func (f *failWriter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		w := f.n
		f.n = 0
		return w, errors.New("disk full")
	}
	f.n -= len(p)
	return len(p), nil
}

func TestWriteLast(t *testing.T) {
	elems := make([]element, 100)
	for i := range elems {
		elems[i] = element{ID: strings.Repeat("x", i), Tags: []string{"a"}}
	}
	want, err := jsonfile.MarshalLast(&listDoc{Name: "n", Elems: []element{}}, elems, 0)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if n, err := jsonfile.WriteLast(&buf, &listDoc{Name: "n", Elems: []element{}}, elems, 0); err != nil || n != int64(len(want)) || !bytes.Equal(buf.Bytes(), want) {
		t.Errorf("WriteLast = %d, %v; want %d bytes, nil, the same as MarshalLast", n, err, len(want))
	}
	for _, at := range []int{0, 10, len(want) / 2, len(want) - 1} {
		n, err := jsonfile.WriteLast(&failWriter{at}, &listDoc{Name: "n", Elems: []element{}}, elems, 0)
		if err == nil || n != int64(at) {
			t.Errorf("WriteLast to a writer failing after %d bytes = %d, %v", at, n, err)
		}
	}
}

package state

import (
	"errors"
	"strings"
	"testing"
)

func TestParseAnnotation(t *testing.T) {
	for _, c := range []struct {
		value string
		want  Annotation
	}{
		{"of:/out.json", Annotation{Output: "/out.json"}},
		{"if:/in.json;of:/out.json", Annotation{Input: "/in.json", Output: "/out.json"}},
		{"of:/out.json;if:/in.json", Annotation{Input: "/in.json", Output: "/out.json"}},
		{"of: /out.json ", Annotation{Output: "/out.json"}},
		{"if:/in.json;of:/out.json;tf:/t.json", Annotation{Input: "/in.json", Output: "/out.json", Trace: "/t.json"}},
		{"tf:/t.json;of:/out.json", Annotation{Output: "/out.json", Trace: "/t.json"}},
		// The old hook accepted if: and of: naming one file: runs accumulate.
		{"if:/same.json;of:/same.json", Annotation{Input: "/same.json", Output: "/same.json"}},
		{"of:/a/./b/../out.json", Annotation{Output: "/a/out.json"}},
	} {
		got, err := ParseAnnotation(c.value)
		if err != nil {
			t.Errorf("ParseAnnotation(%q): %v", c.value, err)
			continue
		}
		if got != c.want {
			t.Errorf("ParseAnnotation(%q) = %+v, want %+v", c.value, got, c.want)
		}
	}
}

// Everything the old hook rejected, plus duplicate keys.
func TestParseAnnotationRejects(t *testing.T) {
	for _, c := range []struct{ value, why string }{
		{"", "must start with"},
		{"if:/a.json;if:/b.json;of:/out.json", "more than 1 semicolons"},
		{"if:/in.json", "of: is mandatory"},
		{"if:input;of:/out.json", "path must be absolute"},
		{"if:/in.json;of:output", "path must be absolute"},
		{"of:", "empty path"},
		{" of:/out.json", "must start with"},
		{"OF:/out.json", "must start with"},
		{"of:/out.json;", "must start with"},
		{"of:/a.json;of:/b.json", "given twice"},
		{"of:/a.json;tf:/b.json;tf:/c.json", "given twice"},
		{"of:/a.json;tf:/b.json;if:/c.json;x", "more than 2 semicolons"},
		{"of:/dir/", "names a directory"},
		{"of:/a\x00b", "NUL"},
		{"of:/same.json;tf:/same.json", "tf: must name another file"},
		{"if:/same.json;of:/o.json;tf:/same.json", "tf: must name another file"},
		{"of:/" + strings.Repeat("x", MaxValueLen), "at most 4096 are accepted"},
	} {
		_, err := ParseAnnotation(c.value)
		if err == nil {
			t.Errorf("ParseAnnotation(%q) accepted", c.value)
			continue
		}
		if !errors.Is(err, ErrInvalidAnnotation) {
			t.Errorf("ParseAnnotation(%q): %v is not ErrInvalidAnnotation", c.value, err)
		}
		if len(err.Error()) > 300 {
			t.Errorf("ParseAnnotation(%.40q...): error of %d bytes", c.value, len(err.Error()))
		}
		if !strings.Contains(err.Error(), c.why) {
			t.Errorf("ParseAnnotation(%.60q) = %q, want it to say %q", c.value, err, c.why)
		}
	}
}

func FuzzParseAnnotation(f *testing.F) {
	for _, s := range []string{"of:/out.json", "if:/in.json;of:/out.json", "tf:/t;of:/o;if:/i", ";;", "of:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, value string) {
		a, err := ParseAnnotation(value)
		if err != nil {
			return
		}
		for _, p := range []string{a.Output, a.Input, a.Trace} {
			if p != "" && (p[0] != '/' || strings.ContainsAny(p, "\x00;")) {
				t.Fatalf("ParseAnnotation(%q) accepted path %q", value, p)
			}
		}
		if a.Output == "" {
			t.Fatalf("ParseAnnotation(%q) accepted no output", value)
		}
	})
}

func TestExcerpt(t *testing.T) {
	for in, want := range map[string]string{
		"/tmp/x.json":            "/tmp/x.json",
		"/tmp/a b.json":          "/tmp/a b.json",
		"/tmp/x\n.json":          `"/tmp/x\n.json"`,
		"/tmp/\xff":              `"/tmp/\xff"`,
		strings.Repeat("a", 200): `"` + strings.Repeat("a", excerptLen) + `"... (200 bytes)`,
	} {
		if got := Excerpt(in); got != want {
			t.Errorf("Excerpt(%q) = %s, want %s", in, got, want)
		}
	}
	if got := OneLine("a\nb" + strings.Repeat("c", 2*MaxLineLen)); strings.Contains(got, "\n") || len(got) > MaxLineLen {
		t.Errorf("OneLine: %d bytes, %q...", len(got), got[:10])
	}
}

package state

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	s, err := Read(strings.NewReader(`{"ociVersion":"1.0.2","id":"abc123","status":"created","pid":42,"bundle":"/b",
		"annotations":{"io.containers.trace-syscall":"of:/out.json"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if s.Pid != 42 || s.ID != "abc123" || Stopped(s) {
		t.Fatalf("unexpected state %+v", s)
	}
	a, ok, err := Selected(s)
	if err != nil || !ok || a.Output != "/out.json" {
		t.Fatalf("Selected = %+v, %v, %v", a, ok, err)
	}

	s, err = Read(strings.NewReader(`{"ociVersion":"1.0.2","id":"abc123","status":"stopped"}`))
	if err != nil || !Stopped(s) {
		t.Fatalf("poststop state: %+v, %v", s, err)
	}
}

func TestReadRejects(t *testing.T) {
	for _, c := range []struct{ state, why string }{
		{`{"id":"abc","status":"created","pid":0}`, "invalid PID 0"},
		{`{"id":"abc","status":"created","pid":-5}`, "invalid PID -5"},
		{`{"id":"../../etc/x","status":"created","pid":5}`, "invalid container id"},
		{`{"id":"","status":"stopped"}`, "invalid container id"},
		{`{"id":"abc",`, "parse state"},
		{`not json`, "parse state"},
		{strings.Repeat(" ", maxStateSize+1), "larger than"},
	} {
		_, err := Read(strings.NewReader(c.state))
		if err == nil || !strings.Contains(err.Error(), c.why) {
			t.Errorf("Read(%.40q) = %v, want an error saying %q", c.state, err, c.why)
		}
	}
}

// validID accepts exactly what the regular expression it replaced did.
func TestValidIDMatchesRegexp(t *testing.T) {
	re := regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.+-]*$`)
	pieces := []string{"a", "Z", "0", "9", "_", ".", "+", "-", "/", " ", "\n", "é", "\xff", "abc123"}
	r := rand.New(rand.NewPCG(1, 2))
	for range 20000 {
		var b strings.Builder
		for n := r.IntN(8); n > 0; n-- {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		id := b.String()
		if got, want := validID(id), re.MatchString(id); got != want {
			t.Errorf("validID(%q) = %v, the regexp says %v", id, got, want)
		}
	}
}

package trace_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/trace"
)

// FuzzParseTrace checks that Parse never panics and that whatever it
// accepts survives a Marshal/Parse round trip unchanged. The seed corpus
// is in testdata/fuzz/FuzzParseTrace.
func FuzzParseTrace(f *testing.F) {
	if data, err := os.ReadFile("testdata/two-runs.json"); err == nil {
		f.Add(data)
	}
	f.Add([]byte(`{"version":1,"runs":[]}`))
	f.Add([]byte(`{"version":1,"syscalls":null,"runs":[{"start":"2025-03-01T12:00:00Z","end":"2025-03-01T12:00:01Z","syscalls":[{"name":"read","nr":0,"arch":"SCMP_ARCH_X86_64","count":3,"processes":["sh"]}]}]}`))
	// Escapes, non-ASCII text, invalid UTF-8, odd numbers and spacing,
	// and the strictness rules: the decoder's corners.
	f.Add([]byte(`{"version":1,"runs":[{"containerID":"\u00e9\"x\"","image":"caf` + "\xc3\xa9" + `","hook":"` + "\xff" + `","command":["a\\b","\n"],` +
		`"start":"2025-03-01T12:00:00+02:00","end":"2025-03-01T12:00:00Z","syscalls":[{"name":"r\u0065ad","nr":-0,"arch":"SCMP_ARCH_X86_64","count":1,"processes":["` + "\xe2\x28\xa1" + `"]}]}]}`))
	f.Add([]byte(` {"runs" : [ ] , "version" : 1 } ` + "\n\t\r"))
	f.Add([]byte(`{"version":1,"runs":[{"start":"2025-03-01T12:00:00Z","end":"2025-03-01T12:00:00Z","syscalls":[{"name":"read","nr":1e3,"arch":"SCMP_ARCH_X86_64","count":18446744073709551616}]}]}`))
	f.Add([]byte(`{"version":1,"runs":[],"runs":[]}`))
	f.Add([]byte(`{"version":1,"Runs":[]}`))
	f.Add([]byte(`{"version":1,"runs":[]} {}`))
	f.Add([]byte(`{"version":2,"runs":[`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tr, err := trace.Parse(data)
		if err != nil {
			return
		}
		out, err := trace.Marshal(tr)
		if err != nil {
			t.Fatalf("Marshal of a parsed trace failed: %v", err)
		}
		again, err := trace.Parse(out)
		if err != nil {
			t.Fatalf("Parse(Marshal(Parse(x))) failed: %v\n%s", err, out)
		}
		out2, err := trace.Marshal(again)
		if err != nil {
			t.Fatalf("second Marshal failed: %v", err)
		}
		if !bytes.Equal(out, out2) {
			t.Fatalf("round trip is not stable:\n%s\n%s", out, out2)
		}
		if _, err := trace.Merge(tr, again); err != nil {
			t.Fatalf("a trace does not merge with its own round trip: %v", err)
		}
	})
}

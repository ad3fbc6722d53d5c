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
	for _, name := range []string{"testdata/two-runs.json", "testdata/two-runs-v1.json"} {
		if data, err := os.ReadFile(name); err == nil {
			f.Add(data)
		}
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
	f.Add([]byte(`{"version":3,"runs":[`))
	// Version 2: provenance, the runtime's count and each kind of
	// argument, unsorted, repeated, at their bounds and in a version 1
	// file.
	f.Add([]byte(`{"version":2,"runs":[{"node":"n","namespace":"ns","pod":"p","container":"c","runtime":"crun 1.8.1","noNewPrivileges":true,` +
		`"start":"2025-03-01T12:00:00Z","end":"2025-03-01T12:00:01Z","syscalls":[` +
		`{"name":"socket","nr":41,"arch":"SCMP_ARCH_X86_64","count":5,"runtimeCount":1,"args":[{"index":0,"kind":"values","values":[{"value":1,"count":2},{"value":18446744073709551615,"count":1}],"overflow":2}]},` +
		`{"name":"clone","nr":56,"arch":"SCMP_ARCH_X86_64","count":2,"args":[{"index":0,"kind":"nsflags","flags":2114060288}]},` +
		`{"name":"unshare","nr":272,"arch":"SCMP_ARCH_X86_64","count":1,"args":[{"index":0,"kind":"nsflags"}]}]}]}`))
	f.Add([]byte(`{"version":2,"runs":[{"start":"2025-03-01T12:00:00Z","end":"2025-03-01T12:00:01Z","syscalls":[` +
		`{"name":"ioctl","nr":16,"arch":"SCMP_ARCH_X86_64","count":9,"args":[{"index":5,"kind":"values","values":[{"value":2,"count":1},{"value":1,"count":1}]},{"index":1,"kind":"values","values":[{"value":1,"count":1}]}]}]},` +
		`{"containerID":"b","start":"2025-03-01T12:00:00Z","end":"2025-03-01T12:00:01Z","syscalls":[` +
		`{"name":"ioctl","nr":16,"arch":"SCMP_ARCH_X86_64","count":1,"args":[{"index":1,"kind":"nsflags","flags":0}]}]}]}`))
	f.Add([]byte(`{"version":2,"syscalls":[{"name":"socket","nr":41,"arch":"SCMP_ARCH_X86_64","count":2,"runs":2,"args":[{"index":0,"kind":"values","values":[{"value":2,"count":2}]}]}],"runs":[` +
		`{"containerID":"a","start":"2025-03-01T12:00:00Z","end":"2025-03-01T12:00:01Z","syscalls":[{"name":"socket","nr":41,"arch":"SCMP_ARCH_X86_64","count":1,"args":[{"index":0,"kind":"values","values":[{"value":2,"count":1}]}]}]},` +
		`{"containerID":"b","start":"2025-03-01T12:00:00Z","end":"2025-03-01T12:00:01Z","syscalls":[{"name":"socket","nr":41,"arch":"SCMP_ARCH_X86_64","count":1,"args":[{"index":0,"kind":"values","values":[{"value":2,"count":1}]}]}]}]}`))
	f.Add([]byte(`{"version":1,"runs":[{"start":"2025-03-01T12:00:00Z","end":"2025-03-01T12:00:01Z","syscalls":[{"name":"read","nr":0,"arch":"SCMP_ARCH_X86_64","count":1,"runtimeCount":1}]}]}`))
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
		if merged, err := trace.MergeMarshal(tr, again); err != nil || !bytes.Equal(merged, out) {
			t.Fatalf("MergeMarshal of a trace and its round trip = %v, %s\nwant\n%s", err, merged, out)
		}
	})
}

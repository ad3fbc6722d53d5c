package trace

import (
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/jsonfile"
)

// FuzzParseParallel checks that Parse gives the same trace or error when
// it decodes runs in parallel (decodeParallel) as when it does not.
func FuzzParseParallel(f *testing.F) {
	for _, name := range []string{"testdata/two-runs.json", "testdata/two-runs-v1.json"} {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	run := func(id, start, calls string) string {
		return `{"containerID":"` + id + `","start":"2025-03-01T12:00:0` + start + `Z","end":"2025-03-01T12:00:09Z","syscalls":[` + calls + `]}`
	}
	const (
		read  = `{"name":"read","nr":0,"arch":"SCMP_ARCH_X86_64","count":1,"processes":["sh"]}`
		read1 = `{"name":"read","nr":1,"arch":"SCMP_ARCH_X86_64","count":1}`
		write = `{"name":"write","nr":1,"arch":"SCMP_ARCH_X86_64","count":2}`
		bad   = `{"name":"Read","nr":0,"arch":"SCMP_ARCH_X86_64","count":1}`
		sock1 = `{"name":"socket","nr":41,"arch":"SCMP_ARCH_X86_64","count":1,"args":[{"index":0,"kind":"values","values":[{"value":2,"count":1}]}]}`
		sock2 = `{"name":"socket","nr":41,"arch":"SCMP_ARCH_X86_64","count":1,"args":[{"index":0,"kind":"nsflags"}]}`
	)
	doc := func(runs ...string) string { return `{"version":2,"runs":[` + strings.Join(runs, ",") + `]}` }
	for _, d := range []string{
		doc(run("a", "1", read+","+write), run("b", "2", read)),
		doc(run("b", "2", read), run("a", "1", read+","+write)),            // out of order
		doc(run("a", "1", write+","+read), run("b", "2", read)),            // a run not in normal form
		doc(run("a", "1", read), run("b", "2", read1)),                     // numbers disagree
		doc(run("a", "1", read), run("b", "2", read1), run("c", "3", bad)), // ... and a bad run after
		doc(run("a", "1", read), run("a", "1", read)),                      // the same run twice
		doc(run("a", "1", sock1), run("b", "2", sock2)),                    // kinds disagree
		doc(run("a", "1", read), run("b", "2", read)) + " x",               // trailing data
		doc(run("a", "1", read), run("b", "2", `{"name":"read","nr":"0"}`)),
		doc(run("a", "1", read), `null`, run("b", "2", read)),
		doc(run("a", "1", read), run("b", "2", read))[:80],
		`{"version":1,"runs":[` + run("a", "1", read) + `,{"node":"n","start":"2025-03-01T12:00:02Z","end":"2025-03-01T12:00:09Z","syscalls":[` + bad + `]}]}`,
		`{"runs":[` + run("a", "1", read) + `],"version":2,"syscalls":[]}`,
		`{"version":2,"syscalls":[{"name":"read","nr":0,"arch":"SCMP_ARCH_X86_64","count":2,"processes":["sh"],"runs":2}],"runs":[` + run("a", "1", read) + `,` + run("b", "2", read) + `]}`,
		`{"version":2,"runs":{}}`,
		`{"version":2,"runs":null}`,
		`{"version":2,"runs":[]}`,
		`{"version":2}`,
		`{"runs":[` + run("a", "1", read) + `],"runs":[]}`,
		`{"version":2,"runs":[` + run("a", "1", read) + `,` + run("b", "2", `{"name":"read","nr":0,"arch":"SCMP_ARCH_X86_64","count":1,"count":1}`) + `]}`,
		`{"version":2,"runs":[` + run("a", "1", `{"name":"read","nr":"0","arch":"SCMP_ARCH_X86_64","count":1}`) + `,` + run("b", "2", read) + `,]}`,
		`{"version":2,"runs":[` + strings.Repeat(run("a", "1", read)+",", 40) + run("b", "2", read) + `]}`,
	} {
		f.Add([]byte(d))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		defer func(size int) { parallelSize = size }(parallelSize)
		parallelSize = len(data) + 1
		want, wantErr := Parse(data)
		parallelSize = 0
		got, err := Parse(data)
		if fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Fatalf("in parallel: %v\nnot: %v", err, wantErr)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("in parallel:\n%#v\nnot:\n%#v", got, want)
		}
	})
}

// TestDecodeParallel checks that decodeParallel decodes a valid document
// itself, rather than leaving every document to Unmarshal, and finds
// what Unmarshal finds.
func TestDecodeParallel(t *testing.T) {
	data, err := os.ReadFile("testdata/two-runs.json")
	if err != nil {
		t.Fatal(err)
	}
	var got, want file
	if err := decodeParallel(data, &got); err != nil {
		t.Fatalf("decodeParallel: %v", err)
	}
	if err := jsonfile.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) || got.Runs == nil || len(*got.Runs) != 2 {
		t.Errorf("decodeParallel gives\n%#v\nUnmarshal\n%#v", got, want)
	}
}

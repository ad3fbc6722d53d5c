package trace

import (
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/strictjson"
)

// decodeReference is what decodeFile must agree with: the strict path.
func decodeReference(data []byte) (file, error) {
	var f file
	err := strictjson.Unmarshal(data, &f)
	return f, err
}

// decodeSeeds are documents for the fuzz test and the tests below: written
// by encode, hand-formatted, and unusual or malformed in ways the fast
// path must either get right or hand to the strict path.
func decodeSeeds(t testing.TB) [][]byte {
	t0 := time.Date(2026, 11, 29, 12, 0, 0, 5, time.UTC)
	seeds := [][]byte{
		encode(New(Run{ContainerID: "c1", Image: "img", Command: []string{"sh", "-c", "x"}, Start: t0, End: t0.Add(time.Second), Hook: "2.0.0",
			Syscalls: []Syscall{{Name: "read", Number: 0, Arch: "SCMP_ARCH_X86_64", Count: 3, Processes: []string{"runc:[2:INIT]", "sh"}}}})),
		encode(New()),
		[]byte(`{"version":1,"runs":[{"start":"2025-03-01T12:00:00+02:00","end":"2025-03-01T12:00:01Z","syscalls":[]}]}`),
		[]byte(`{"runs":[],"version":1,"syscalls":[{"name":"read","nr":0,"arch":"SCMP_ARCH_X86_64","count":18446744073709551615,"runs":2}]}`),
		[]byte(` {"version" : 1 , "runs" : [ ] } ` + "\n\t\r"),
		[]byte(`{"version":1,"runs":[{"containerID":"\u00e9\"x\"","image":"caf` + "\xc3\xa9" + `","hook":"` + "\xff" + `","command":["a\\b","\n"],"start":"2025-03-01T12:00:00Z","end":"2025-03-01T12:00:00Z","syscalls":[{"name":"r\u0065ad","nr":0,"arch":"A","count":1,"processes":["` + "\xe2\x28\xa1" + `"]}]}]}`),
		// What the fast path leaves to the strict path.
		[]byte(`{"version":1,"syscalls":null,"runs":[]}`),
		[]byte(`{"version":1,"runs":[{"start":"2025-03-01T12:00:00Z","end":"2025-03-01T12:00:00Z","command":null,"syscalls":[{"name":"read","nr":-0,"arch":"A","count":1}]}]}`),
		[]byte(`{"version":1,"runs":[],"runs":[]}`),
		[]byte(`{"version":1,"runs":[],"Syscalls":[]}`),
		[]byte(`{"version":1,"run\u0073":[]}`),
		[]byte(`{"version":1,"runs":[]} {}`),
		[]byte(`{"version":1,"runs":[],}`),
		[]byte(`{"version":1.0,"runs":[]}`),
		[]byte(`{"version":01,"runs":[]}`),
		[]byte(`{"version":1,"runs":[{"start":"2025-03-01T12:00:00Z","end":"2025-03-01T12:00:00Z","syscalls":[{"name":"read","nr":0,"arch":"A","count":1e3}]}]}`),
		[]byte(`{"version":1,"runs":[{"start":"2025-03-01T12:00:00Z","end":"2025-03-01T12:00:00Z","syscalls":[{"name":"read","nr":9223372036854775808,"arch":"A","count":18446744073709551616}]}]}`),
		[]byte(`{"version":1,"runs":[{"start":"2025-03-01","end":5,"syscalls":[]}]}`),
		[]byte("{\"version\":1,\"runs\":[{\"image\":\"a\x01\"}]}"),
		[]byte(`{"version":1,"runs":[{"image":"\x"}]}`),
		[]byte(`{"version":1,"runs":[{"image":"\`),
		[]byte(`{"version":1,"runs":[`),
		[]byte(`[]`),
		[]byte(``),
	}
	if data, err := os.ReadFile("testdata/two-runs.json"); err == nil {
		seeds = append(seeds, data)
	} else {
		t.Fatal(err)
	}
	return seeds
}

// FuzzDecodeFile checks that the fast decoder never panics and never
// accepts a document the strict path rejects or reads differently.
func FuzzDecodeFile(f *testing.F) {
	for _, s := range decodeSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, ok := decodeFile(data)
		if !ok {
			return
		}
		want, err := decodeReference(data)
		if err != nil {
			t.Fatalf("%q: the fast path accepts what the strict path rejects: %v", data, err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q: the fast path decodes\n%#v\nthe strict path\n%#v", data, got, want)
		}
	})
}

// The fast path must take what this package writes, or Parse silently
// loses its speed; and it agrees with the strict path on the seeds.
func TestDecodeFile(t *testing.T) {
	seeds := decodeSeeds(t)
	for i, data := range seeds {
		got, ok := decodeFile(data)
		want, err := decodeReference(data)
		switch {
		case i < 6 && !ok:
			t.Errorf("seed %d: the fast path refuses %q", i, data)
		case ok && err != nil:
			t.Errorf("seed %d: the fast path accepts what the strict path rejects (%v): %q", i, err, data)
		case ok && !reflect.DeepEqual(got, want):
			t.Errorf("seed %d: the fast path decodes\n%#v\nthe strict path\n%#v", i, got, want)
		case i >= 6 && i < len(seeds)-1 && ok:
			t.Errorf("seed %d: the fast path takes %q, meant for the strict path", i, data)
		}
	}
	if _, ok := decodeFile(seeds[len(seeds)-1]); !ok {
		t.Error("the fast path refuses testdata/two-runs.json")
	}
	if f, ok := decodeFile(seeds[5]); !ok || (*f.Runs)[0].Hook != "\uFFFD" || !strings.Contains((*f.Runs)[0].ContainerID, `"x"`) {
		t.Errorf("escapes and invalid UTF-8 decoded as %+v", f.Runs)
	}
}

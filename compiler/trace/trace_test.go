package trace_test

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/trace"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/trace/tracetest"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func run(id string, start time.Time, calls ...trace.Syscall) trace.Run {
	return trace.Run{ContainerID: id, Start: start, End: start.Add(time.Second), Syscalls: calls}
}

func sc(arch, name string, nr int, count uint64, procs ...string) trace.Syscall {
	return trace.Syscall{Arch: arch, Name: name, Number: nr, Count: count, Processes: procs}
}

const x64 = "SCMP_ARCH_X86_64"

func mustMarshal(t testing.TB, tr *trace.Trace) []byte {
	t.Helper()
	b, err := trace.Marshal(tr)
	if err != nil {
		t.Fatalf("Marshal: %v", err)
	}
	return b
}

// The golden file of each version: version 2 round-trips byte for byte;
// version 1 reads as a version 2 trace without the new fields, so it is
// written back identical but for its version.
func TestFixtureRoundTrip(t *testing.T) {
	data, err := os.ReadFile("testdata/two-runs.json")
	if err != nil {
		t.Fatal(err)
	}
	tr, err := trace.Parse(data)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if got := mustMarshal(t, tr); !bytes.Equal(got, data) {
		t.Errorf("Marshal(Parse(fixture)) differs from the fixture:\n%s", got)
	}
	if len(tr.Runs) != 2 || len(tr.Syscalls) != 10 {
		t.Fatalf("got %d runs, %d summary entries; want 2, 10", len(tr.Runs), len(tr.Syscalls))
	}
	byName := map[string]trace.Syscall{}
	for _, s := range tr.Syscalls {
		if s.Arch == x64 {
			byName[s.Name] = s
		}
	}
	if e := byName["execve"]; e.Count != 3 || e.RuntimeCount != 2 {
		t.Errorf("summary entry for execve = %+v, want runtime counts summed", e)
	}
	wantSocket := []trace.Arg{{Index: 0, Kind: trace.ArgValues, Values: []trace.ArgValue{{Value: 1, Count: 1}, {Value: 2, Count: 3}}}}
	if got := byName["socket"].Args; !reflect.DeepEqual(got, wantSocket) {
		t.Errorf("socket args in the summary = %+v, want values unioned, counts summed", got)
	}
	if got := byName["clone"].Args; len(got) != 1 || got[0].Flags != 0x20000 {
		t.Errorf("clone args in the summary = %+v, want the flags OR'ed", got)
	}
	if got := byName["ioctl"].Args; len(got) != 1 || got[0].Overflow != 36 {
		t.Errorf("ioctl args in the summary = %+v, want the overflow", got)
	}
	r := tr.Runs[0]
	if r.Runtime != "runc 1.1.5+ds1" || r.Node != "node-1" || r.Namespace != "shop" || r.Pod == "" || r.Container != "app" || r.NoNewPrivileges {
		t.Errorf("run 0 provenance = %+v", r)
	}
	if !tr.Runs[1].NoNewPrivileges || tr.Runs[1].Runtime != "crun 1.8.1" {
		t.Errorf("run 1 provenance = %+v", tr.Runs[1])
	}
}

func TestFixtureVersion1(t *testing.T) {
	data, err := os.ReadFile("testdata/two-runs-v1.json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("{\n  \"version\": 1,")) {
		t.Fatal("the version 1 fixture is not version 1")
	}
	tr, err := trace.Parse(data)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if tr.Version != trace.Version {
		t.Errorf("Version = %d, want %d", tr.Version, trace.Version)
	}
	want := bytes.Replace(data, []byte(`"version": 1,`), []byte(`"version": 2,`), 1)
	if got := mustMarshal(t, tr); !bytes.Equal(got, want) {
		t.Errorf("Marshal(Parse(v1 fixture)) is not the fixture as version 2:\n%s", got)
	}
	if len(tr.Runs) != 2 || len(tr.Syscalls) != 5 {
		t.Fatalf("got %d runs, %d summary entries; want 2, 5", len(tr.Runs), len(tr.Syscalls))
	}
	read := tr.Syscalls[4]
	if read.Name != "read" || read.Count != 1234 || read.Runs != 2 || !reflect.DeepEqual(read.Processes, []string{"python3", "sh"}) {
		t.Errorf("summary entry for read = %+v", read)
	}
	// A version 1 run and a version 2 run merge: the result is version 2.
	v2, err := os.ReadFile("testdata/two-runs.json")
	if err != nil {
		t.Fatal(err)
	}
	v2 = bytes.ReplaceAll(v2, []byte("4b1c0a6f0e2d"), []byte("000000000001"))
	other, err := trace.Parse(bytes.ReplaceAll(v2, []byte("9f8e7d6c5b4a"), []byte("000000000002")))
	if err != nil {
		t.Fatal(err)
	}
	m, err := trace.Merge(tr, other)
	if err != nil {
		t.Fatalf("Merge(v1, v2): %v", err)
	}
	if len(m.Runs) != 4 || m.Version != trace.Version {
		t.Errorf("Merge(v1, v2) = %d runs, version %d", len(m.Runs), m.Version)
	}
}

func TestNewSummary(t *testing.T) {
	tr := trace.New(
		run("b", t0.Add(time.Minute), sc(x64, "read", 0, 5, "sh"), sc(x64, "write", 1, 1, "sh")),
		run("a", t0, sc(x64, "read", 0, 7, "python3", "sh", "python3")),
	)
	if tr.Version != trace.Version {
		t.Errorf("Version = %d", tr.Version)
	}
	if tr.Runs[0].ContainerID != "a" {
		t.Errorf("runs not sorted by start: %s first", tr.Runs[0].ContainerID)
	}
	want := []trace.Syscall{
		{Name: "read", Number: 0, Arch: x64, Count: 12, Processes: []string{"python3", "sh"}, Runs: 2},
		{Name: "write", Number: 1, Arch: x64, Count: 1, Processes: []string{"sh"}, Runs: 1},
	}
	if !reflect.DeepEqual(tr.Syscalls, want) {
		t.Errorf("summary = %+v\nwant %+v", tr.Syscalls, want)
	}
	if err := tr.Validate(); err != nil {
		t.Errorf("Validate: %v", err)
	}
}

func TestNewDoesNotAlias(t *testing.T) {
	r := run("a", t0, sc(x64, "write", 1, 1, "sh"), sc(x64, "read", 0, 1, "sh"))
	tr := trace.New(r)
	tr.Runs[0].Syscalls[0].Processes[0] = "changed"
	if r.Syscalls[1].Processes[0] != "sh" || r.Syscalls[0].Name != "write" {
		t.Error("New modified or aliased its input")
	}
}

func TestMarshalDeterministic(t *testing.T) {
	a := run("a", t0.In(time.FixedZone("CET", 3600)), sc(x64, "write", 1, 1, "sh"), sc(x64, "read", 0, 2, "b", "a"))
	b := run("b", t0.Add(time.Hour), sc(x64, "read", 0, 1))
	one := mustMarshal(t, trace.New(a, b))
	two := mustMarshal(t, trace.New(b, a))
	if !bytes.Equal(one, two) {
		t.Errorf("Marshal depends on run order:\n%s\n%s", one, two)
	}
	if !bytes.HasSuffix(one, []byte("}\n")) || !bytes.Contains(one, []byte("\n  \"runs\"")) {
		t.Errorf("want two-space indentation and a trailing newline:\n%s", one)
	}
	if !bytes.Contains(one, []byte(`"start": "2025-03-01T12:00:00Z"`)) {
		t.Errorf("times not normalised to UTC:\n%s", one)
	}
	again, err := trace.Parse(one)
	if err != nil {
		t.Fatalf("Parse(Marshal): %v", err)
	}
	if !bytes.Equal(mustMarshal(t, again), one) {
		t.Error("Marshal(Parse(Marshal(t))) != Marshal(t)")
	}
}

func TestMarshalRejectsInvalid(t *testing.T) {
	if _, err := trace.Marshal(trace.New(run("a", t0, sc(x64, "Read", 0, 1)))); !errors.Is(err, trace.ErrInvalid) {
		t.Errorf("Marshal of a bad name: err = %v, want ErrInvalid", err)
	}
	if _, err := trace.Marshal(nil); err == nil {
		t.Error("Marshal(nil) succeeded")
	}
	// JSON times have four-digit years: Marshal must refuse, not write a
	// document it cannot read back.
	far := time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
	if _, err := trace.Marshal(trace.New(run("a", far, sc(x64, "read", 0, 1)))); !errors.Is(err, trace.ErrInvalid) {
		t.Errorf("Marshal of a run in year 10000: err = %v, want ErrInvalid", err)
	}
}

func TestParseAcceptsSummaryAbsentOrNull(t *testing.T) {
	for _, doc := range []string{
		`{"version":1,"runs":[{"containerID":"a","start":"2025-03-01T12:00:00Z","end":"2025-03-01T12:00:01Z","syscalls":[{"name":"read","nr":0,"arch":"SCMP_ARCH_X86_64","count":3}]}]}`,
		`{"version":1,"syscalls":null,"runs":[{"containerID":"a","start":"2025-03-01T12:00:00Z","end":"2025-03-01T12:00:01Z","syscalls":[{"name":"read","nr":0,"arch":"SCMP_ARCH_X86_64","count":3}]}]}`,
	} {
		tr, err := trace.Parse([]byte(doc))
		if err != nil {
			t.Fatalf("Parse(%s): %v", doc, err)
		}
		if len(tr.Syscalls) != 1 || tr.Syscalls[0].Count != 3 || tr.Syscalls[0].Runs != 1 {
			t.Errorf("summary not computed: %+v", tr.Syscalls)
		}
	}
}

func TestParseNormalises(t *testing.T) {
	doc := `{"version":1,"syscalls":[
		{"name":"write","nr":1,"arch":"SCMP_ARCH_X86_64","count":1,"processes":["sh"],"runs":1},
		{"name":"read","nr":0,"arch":"SCMP_ARCH_X86_64","count":3,"processes":["b","a"],"runs":2}],
	"runs":[
		{"containerID":"z","start":"2025-03-01T13:00:00+01:00","end":"2025-03-01T12:00:01Z","syscalls":[
			{"name":"write","nr":1,"arch":"SCMP_ARCH_X86_64","count":1,"processes":["sh","sh"]},
			{"name":"read","nr":0,"arch":"SCMP_ARCH_X86_64","count":1,"processes":["b"]}]},
		{"containerID":"a","start":"2025-03-01T12:00:00Z","end":"2025-03-01T12:00:01Z","syscalls":[
			{"name":"read","nr":0,"arch":"SCMP_ARCH_X86_64","count":2,"processes":["a"]}]}]}`
	tr, err := trace.Parse([]byte(doc))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if tr.Runs[0].ContainerID != "a" || tr.Runs[1].Start.Location() != time.UTC {
		t.Errorf("runs not normalised: %+v", tr.Runs)
	}
	if got := tr.Runs[1].Syscalls[1].Processes; !reflect.DeepEqual(got, []string{"sh"}) {
		t.Errorf("processes not deduplicated: %v", got)
	}
	if tr.Runs[1].Syscalls[0].Name != "read" {
		t.Error("run syscalls not sorted")
	}
}

// Text that is not valid UTF-8 is read as encoding/json read it, each bad
// byte replaced by U+FFFD, rather than refused: the hook never writes it,
// but hand-made traces stay readable.
func TestParseInvalidUTF8(t *testing.T) {
	doc := `{"version":1,"runs":[{"containerID":"a` + "\xff" + `","start":"2025-03-01T12:00:00Z","end":"2025-03-01T12:00:01Z","syscalls":[]}]}`
	tr, err := trace.Parse([]byte(doc))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	if got := tr.Runs[0].ContainerID; got != "a\uFFFD" {
		t.Errorf("container ID = %q, want %q", got, "a\uFFFD")
	}
}

func TestParseErrors(t *testing.T) {
	const okRun = `{"containerID":"a","start":"2025-03-01T12:00:00Z","end":"2025-03-01T12:00:01Z","syscalls":[%s]}`
	withCalls := func(calls string) string {
		return `{"version":2,"runs":[` + strings.Replace(okRun, "%s", calls, 1) + `]}`
	}
	read := `{"name":"read","nr":0,"arch":"SCMP_ARCH_X86_64","count":1}`
	// sockArgs is a socket call made 3 times with the given args.
	sockArgs := func(args string) string {
		return `{"name":"socket","nr":41,"arch":"SCMP_ARCH_X86_64","count":3,"args":[` + args + `]}`
	}
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"empty", ``, "empty document"},
		{"not json", `nope`, "invalid character"},
		{"array", `[]`, "cannot unmarshal"},
		{"trailing data", withCalls(read) + `{}`, "after the top-level value"},
		{"truncated", `{"version":1,"runs":[`, "unexpected end"},
		{"unknown field", `{"version":1,"runs":[],"extra":true}`, "unknown field extra"},
		{"unknown nested field", withCalls(`{"name":"read","nr":0,"arch":"SCMP_ARCH_X86_64","count":1,"pid":3}`), "unknown field runs[0].syscalls[0].pid"},
		{"case mismatch", `{"Version":1,"runs":[]}`, "unknown field Version"},
		{"duplicate key", `{"version":1,"runs":[],"runs":[]}`, "duplicate field runs"},
		{"missing version", `{"runs":[]}`, "missing field version"},
		{"missing runs", `{"version":1}`, "missing field runs"},
		{"future version", `{"version":3,"runs":[],"newField":1}`, "unsupported trace version 3 (this build reads versions 1 to 2)"},
		{"version zero", `{"version":0,"runs":[]}`, "unsupported trace version 0"},
		{"string version", `{"version":"1","runs":[]}`, "cannot unmarshal"},
		{"empty name", withCalls(`{"name":"","nr":0,"arch":"SCMP_ARCH_X86_64","count":1}`), "name is empty"},
		{"bad name", withCalls(`{"name":"re ad","nr":0,"arch":"SCMP_ARCH_X86_64","count":1}`), "invalid character"},
		{"uppercase name", withCalls(`{"name":"READ","nr":0,"arch":"SCMP_ARCH_X86_64","count":1}`), "invalid character"},
		{"long name", withCalls(`{"name":"` + strings.Repeat("a", 65) + `","nr":0,"arch":"SCMP_ARCH_X86_64","count":1}`), "longer than"},
		{"empty arch", withCalls(`{"name":"read","nr":0,"arch":"","count":1}`), "not of the form SCMP_ARCH_"},
		{"native arch", withCalls(`{"name":"read","nr":0,"arch":"SCMP_ARCH_NATIVE","count":1}`), "not a recorded architecture"},
		{"lowercase arch", withCalls(`{"name":"read","nr":0,"arch":"SCMP_ARCH_x86","count":1}`), "invalid character"},
		{"negative number", withCalls(`{"name":"read","nr":-1,"arch":"SCMP_ARCH_X86_64","count":1}`), "out of range"},
		{"float number", withCalls(`{"name":"read","nr":0.5,"arch":"SCMP_ARCH_X86_64","count":1}`), "cannot unmarshal"},
		{"zero count", withCalls(`{"name":"read","nr":0,"arch":"SCMP_ARCH_X86_64","count":0}`), "count is 0"},
		{"negative count", withCalls(`{"name":"read","nr":0,"arch":"SCMP_ARCH_X86_64","count":-1}`), "cannot unmarshal"},
		{"runs in a run", withCalls(`{"name":"read","nr":0,"arch":"SCMP_ARCH_X86_64","count":1,"runs":2}`), "only valid in the summary"},
		{"empty process", withCalls(`{"name":"read","nr":0,"arch":"SCMP_ARCH_X86_64","count":1,"processes":[""]}`), "bad process name"},
		{"duplicate syscall", withCalls(read + "," + read), "listed twice"},
		{"duplicate number", withCalls(read + `,{"name":"write","nr":0,"arch":"SCMP_ARCH_X86_64","count":1}`), "is both"},
		{"missing start", `{"version":1,"runs":[{"end":"2025-03-01T12:00:01Z","syscalls":[]}]}`, "start time is missing"},
		{"bad time", `{"version":1,"runs":[{"start":"yesterday","end":"2025-03-01T12:00:01Z","syscalls":[]}]}`, "cannot parse"},
		{"year 0 east of UTC", `{"version":1,"runs":[{"start":"0000-01-01T00:00:00+01:00","end":"0000-01-01T00:00:00Z","syscalls":[]}]}`, "outside years 0 to 9999"},
		{"end before start", `{"version":1,"runs":[{"start":"2025-03-01T12:00:01Z","end":"2025-03-01T12:00:00Z","syscalls":[]}]}`, "before it starts"},
		{"nul in id", `{"version":1,"runs":[{"containerID":"a\u0000b","start":"2025-03-01T12:00:00Z","end":"2025-03-01T12:00:01Z","syscalls":[]}]}`, "NUL"},
		{"duplicate run", `{"version":1,"runs":[` + strings.Replace(okRun, "%s", read, 1) + `,` + strings.Replace(okRun, "%s", "", 1) + `]}`, "appears twice"},
		{"inconsistent numbers", `{"version":1,"runs":[` + strings.Replace(okRun, "%s", read, 1) + `,` +
			`{"containerID":"b","start":"2025-03-01T12:00:00Z","end":"2025-03-01T12:00:01Z","syscalls":[{"name":"read","nr":1,"arch":"SCMP_ARCH_X86_64","count":1}]}]}`, "number 0 in one run and 1"},
		{"summary count", `{"version":1,"syscalls":[{"name":"read","nr":0,"arch":"SCMP_ARCH_X86_64","count":2,"runs":1}],"runs":[` + strings.Replace(okRun, "%s", read, 1) + `]}`, "count 2 in the summary, 1 in the runs"},
		{"summary extra", `{"version":1,"syscalls":[{"name":"write","nr":1,"arch":"SCMP_ARCH_X86_64","count":1,"runs":1}],"runs":[]}`, "in no run"},
		{"summary missing", `{"version":1,"syscalls":[],"runs":[` + strings.Replace(okRun, "%s", read, 1) + `]}`, "missing from the summary"},
		{"runtime count above count", withCalls(`{"name":"read","nr":0,"arch":"SCMP_ARCH_X86_64","count":1,"runtimeCount":2}`), "runtime count 2 is above the count 1"},
		{"v2 field in v1", `{"version":1,"runs":[{"runtime":"runc","start":"2025-03-01T12:00:00Z","end":"2025-03-01T12:00:01Z","syscalls":[]}]}`, "runs[0].runtime is a version 2 field in a version 1 trace"},
		{"v2 args in v1", `{"version":1,"runs":[{"start":"2025-03-01T12:00:00Z","end":"2025-03-01T12:00:01Z","syscalls":[` + sockArgs(`{"index":0,"kind":"values","values":[{"value":1,"count":1}]}`) + `]}]}`, "syscalls[0].args is a version 2 field"},
		{"nul in runtime", `{"version":2,"runs":[{"runtime":"runc\u0000","start":"2025-03-01T12:00:00Z","end":"2025-03-01T12:00:01Z","syscalls":[]}]}`, "runtime contains a NUL"},
		{"arg index", withCalls(sockArgs(`{"index":6,"kind":"values","values":[{"value":1,"count":1}]}`)), "index 6 out of range (0-5)"},
		{"negative arg index", withCalls(sockArgs(`{"index":-1,"kind":"values","values":[{"value":1,"count":1}]}`)), "index -1 out of range"},
		{"arg kind", withCalls(sockArgs(`{"index":0,"kind":"bits","values":[{"value":1,"count":1}]}`)), `unknown kind "bits"`},
		{"arg kind missing", withCalls(sockArgs(`{"index":0,"values":[{"value":1,"count":1}]}`)), `unknown kind ""`},
		{"args unsorted", withCalls(sockArgs(`{"index":1,"kind":"values","values":[{"value":1,"count":1}]},{"index":0,"kind":"values","values":[{"value":1,"count":1}]}`)), "must be sorted by index"},
		{"args repeated", withCalls(sockArgs(`{"index":0,"kind":"values","values":[{"value":1,"count":1}]},{"index":0,"kind":"values","values":[{"value":2,"count":1}]}`)), "one entry per index"},
		{"values unsorted", withCalls(sockArgs(`{"index":0,"kind":"values","values":[{"value":2,"count":1},{"value":1,"count":1}]}`)), "values must be sorted and distinct"},
		{"values repeated", withCalls(sockArgs(`{"index":0,"kind":"values","values":[{"value":1,"count":1},{"value":1,"count":1}]}`)), "values must be sorted and distinct"},
		{"value count zero", withCalls(sockArgs(`{"index":0,"kind":"values","values":[{"value":1,"count":0}]}`)), "values[0]: count is 0"},
		{"values empty", withCalls(sockArgs(`{"index":0,"kind":"values","values":[]}`)), "no value and no overflow"},
		{"values over count", withCalls(sockArgs(`{"index":0,"kind":"values","values":[{"value":1,"count":2}],"overflow":2}`)), "count 4 calls, more than the 3 made"},
		{"flags on values", withCalls(sockArgs(`{"index":0,"kind":"values","values":[{"value":1,"count":1}],"flags":1}`)), "flags are only for kind nsflags"},
		{"values on nsflags", withCalls(sockArgs(`{"index":0,"kind":"nsflags","values":[{"value":1,"count":1}]}`)), "values and overflow are only for kind values"},
		{"overflow on nsflags", withCalls(sockArgs(`{"index":0,"kind":"nsflags","overflow":1}`)), "values and overflow are only for kind values"},
		{"flags beyond CLONE_NEW", withCalls(sockArgs(`{"index":0,"kind":"nsflags","flags":17}`)), "bits other than CLONE_NEW*"},
		{"unknown arg field", withCalls(sockArgs(`{"index":0,"kind":"nsflags","mask":1}`)), "unknown field runs[0].syscalls[0].args[0].mask"},
		{"arg kinds differ", `{"version":2,"runs":[` + strings.Replace(okRun, "%s", sockArgs(`{"index":0,"kind":"nsflags"}`), 1) + `,` +
			`{"containerID":"b","start":"2025-03-01T12:00:00Z","end":"2025-03-01T12:00:01Z","syscalls":[` + sockArgs(`{"index":0,"kind":"values","overflow":1}`) + `]}]}`, "argument 0 is nsflags in one run and values in another"},
		{"summary runtime count", `{"version":2,"syscalls":[{"name":"read","nr":0,"arch":"SCMP_ARCH_X86_64","count":1,"runs":1}],"runs":[` +
			strings.Replace(okRun, "%s", `{"name":"read","nr":0,"arch":"SCMP_ARCH_X86_64","count":1,"runtimeCount":1}`, 1) + `]}`, "runtime count 0 in the summary, 1 in the runs"},
		{"summary args", `{"version":2,"syscalls":[{"name":"socket","nr":41,"arch":"SCMP_ARCH_X86_64","count":3,"runs":1}],"runs":[` +
			strings.Replace(okRun, "%s", sockArgs(`{"index":0,"kind":"nsflags"}`), 1) + `]}`, "args differ from those of the runs"},
		{"summary runs", `{"version":1,"syscalls":[{"name":"read","nr":0,"arch":"SCMP_ARCH_X86_64","count":1,"runs":2}],"runs":[` + strings.Replace(okRun, "%s", read, 1) + `]}`, "made by 2 runs"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := trace.Parse([]byte(tc.doc))
			if err == nil {
				t.Fatalf("Parse succeeded, want error containing %q", tc.want)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %q does not contain %q", err, tc.want)
			}
			if !strings.HasPrefix(err.Error(), "parse trace: ") {
				t.Errorf("error %q does not start with the operation", err)
			}
		})
	}
}

func TestParseSentinels(t *testing.T) {
	if _, err := trace.Parse([]byte(`{"version":9,"runs":[]}`)); !errors.Is(err, trace.ErrVersion) {
		t.Errorf("err = %v, want ErrVersion", err)
	}
	if _, err := trace.Parse([]byte(`{"version":1,"syscalls":[],"runs":[{"start":"2025-03-01T12:00:00Z","end":"2025-03-01T12:00:01Z","syscalls":[{"name":"read","nr":0,"arch":"SCMP_ARCH_X86_64","count":1}]}]}`)); !errors.Is(err, trace.ErrSummary) {
		t.Errorf("err = %v, want ErrSummary", err)
	}
}

func TestValidateOverflow(t *testing.T) {
	big := ^uint64(0)
	tr := trace.New(run("a", t0, sc(x64, "read", 0, big)), run("b", t0, sc(x64, "read", 0, 1)))
	if err := tr.Validate(); err == nil || !strings.Contains(err.Error(), "overflows") {
		t.Errorf("Validate = %v, want an overflow error", err)
	}
}

func TestMerge(t *testing.T) {
	a := trace.New(run("a", t0, sc(x64, "read", 0, 1, "sh")))
	b := trace.New(run("b", t0.Add(time.Minute), sc(x64, "read", 0, 2, "cat"), sc(x64, "write", 1, 1, "cat")))
	m, err := trace.Merge(a, b, a)
	if err != nil {
		t.Fatalf("Merge: %v", err)
	}
	if len(m.Runs) != 2 {
		t.Fatalf("got %d runs, want 2 (the repeated run kept once)", len(m.Runs))
	}
	if m.Syscalls[0].Count != 3 || m.Syscalls[0].Runs != 2 {
		t.Errorf("read summary = %+v", m.Syscalls[0])
	}
	empty, err := trace.Merge()
	if err != nil || len(empty.Runs) != 0 || empty.Syscalls == nil || empty.Version != trace.Version {
		t.Errorf("Merge() = %+v, %v; want an empty trace", empty, err)
	}
}

func TestMergeErrors(t *testing.T) {
	a := trace.New(run("a", t0, sc(x64, "read", 0, 1)))
	changed := trace.New(run("a", t0, sc(x64, "read", 0, 2)))
	if _, err := trace.Merge(a, changed); !errors.Is(err, trace.ErrConflict) {
		t.Errorf("conflicting runs: err = %v, want ErrConflict", err)
	}
	renumbered := trace.New(run("b", t0, sc(x64, "read", 7, 1)))
	if _, err := trace.Merge(a, renumbered); err == nil || !strings.Contains(err.Error(), "number 0 in one run and 7") {
		t.Errorf("inconsistent numbers: err = %v", err)
	}
	if _, err := trace.Merge(a, nil); err == nil || !strings.Contains(err.Error(), "merge trace 1: trace is nil") {
		t.Errorf("nil trace: err = %v", err)
	}
	var ie *trace.InputError
	if _, err := trace.Merge(a, a, changed); !errors.As(err, &ie) || ie.Index != 2 || ie.Other != 0 ||
		err.Error() != "merge trace 2: conflicting runs with the same container ID and start time: container a started 2025-03-01T12:00:00Z (the run in trace 0 differs)" {
		t.Errorf("conflict: err = %v (%+v)", err, ie)
	}
	bad := trace.New(run("c", t0, sc(x64, "", 0, 1)))
	if _, err := trace.Merge(bad); !errors.Is(err, trace.ErrInvalid) {
		t.Errorf("invalid trace: err = %v", err)
	}
}

// TestMergeProperties checks on random traces that Merge is commutative,
// associative and idempotent, comparing marshalled bytes.
func TestMergeProperties(t *testing.T) {
	for seed := range uint64(20) {
		// Overlapping run ranges so that the traces share runs.
		a := tracetest.Trace(seed, tracetest.X86_64, 0, 3)
		b := tracetest.Trace(seed, tracetest.X86_64, 2, 3)
		c := tracetest.Trace(seed, tracetest.X86_64, 4, 2)
		m := func(ts ...*trace.Trace) []byte {
			t.Helper()
			r, err := trace.Merge(ts...)
			if err != nil {
				t.Fatalf("seed %d: Merge: %v", seed, err)
			}
			return mustMarshal(t, r)
		}
		mt := func(ts ...*trace.Trace) *trace.Trace {
			r, err := trace.Merge(ts...)
			if err != nil {
				t.Fatalf("seed %d: Merge: %v", seed, err)
			}
			return r
		}
		if !bytes.Equal(m(a, b), m(b, a)) {
			t.Errorf("seed %d: merge is not commutative", seed)
		}
		if !bytes.Equal(m(mt(a, b), c), m(a, mt(b, c))) {
			t.Errorf("seed %d: merge is not associative", seed)
		}
		if !bytes.Equal(m(a, a), mustMarshal(t, a)) || !bytes.Equal(m(mt(a, b), b), m(a, b)) {
			t.Errorf("seed %d: merge is not idempotent", seed)
		}
		if got := len(mt(a, b, c).Runs); got != 6 {
			t.Errorf("seed %d: %d runs in the union, want 6", seed, got)
		}
	}
}

// TestMergeMarshal checks that MergeMarshal, and MergeFile then WriteTo,
// give what Marshal(Merge) does, bytes or error, also for runs not in normal form, which it
// copies, and for one that Merge takes and Marshal refuses once
// normalised: invalid UTF-8 grows as it is replaced.
func TestMergeMarshal(t *testing.T) {
	unsorted := trace.Run{ContainerID: "u", Start: t0.In(time.FixedZone("CET", 3600)), End: t0.Add(time.Second),
		Syscalls: []trace.Syscall{sc(x64, "write", 1, 1, "sh", "a", "sh"), sc(x64, "read", 0, 2)}}
	long := run(strings.Repeat("\xff", trace.MaxTextLen), t0, sc(x64, "read", 0, 1))
	a := tracetest.Trace(1, tracetest.X86_64, 0, 3)
	b := tracetest.Trace(1, tracetest.X86_64, 2, 3)
	for _, tc := range []struct {
		name   string
		traces []*trace.Trace
	}{
		{"none", nil},
		{"overlapping", []*trace.Trace{a, b}},
		{"not normal", []*trace.Trace{a, {Version: trace.Version, Runs: []trace.Run{unsorted}}}},
		{"too long once normal", []*trace.Trace{{Version: trace.Version, Runs: []trace.Run{long}}}},
		{"conflict", []*trace.Trace{trace.New(run("a", t0, sc(x64, "read", 0, 1))), trace.New(run("a", t0, sc(x64, "read", 0, 2)))}},
		{"nil", []*trace.Trace{a, nil}},
	} {
		var want []byte
		m, err := trace.Merge(tc.traces...)
		if err == nil {
			want, err = trace.Marshal(m)
		}
		got, gotErr := trace.MergeMarshal(tc.traces...)
		if fmt.Sprint(gotErr) != fmt.Sprint(err) || !bytes.Equal(got, want) {
			t.Errorf("%s: MergeMarshal = %.40q..., %v; Marshal(Merge) = %.40q..., %v", tc.name, got, gotErr, want, err)
		}
		// The same in two steps.
		var buf bytes.Buffer
		mf, gotErr := trace.MergeFile(tc.traces...)
		if gotErr == nil {
			var n int64
			n, gotErr = mf.WriteTo(&buf)
			if n != int64(buf.Len()) {
				t.Errorf("%s: WriteTo wrote %d bytes, says %d", tc.name, buf.Len(), n)
			}
		}
		if fmt.Sprint(gotErr) != fmt.Sprint(err) || !bytes.Equal(buf.Bytes(), want) {
			t.Errorf("%s: MergeFile then WriteTo = %.40q..., %v; Marshal(Merge) = %.40q..., %v", tc.name, buf.Bytes(), gotErr, want, err)
		}
	}
}

func TestCheckNameAndArch(t *testing.T) {
	for _, n := range []string{"read", "_llseek", "arm_fadvise64_64", "s390_pci_mmio_read"} {
		if err := trace.CheckName(n); err != nil {
			t.Errorf("CheckName(%q) = %v", n, err)
		}
	}
	for _, n := range []string{"", "9p", "Read", "re-ad", "read\x00"} {
		if trace.CheckName(n) == nil {
			t.Errorf("CheckName(%q) succeeded", n)
		}
	}
	for _, a := range []string{"SCMP_ARCH_X86_64", "SCMP_ARCH_MIPSEL64N32"} {
		if err := trace.CheckArch(a); err != nil {
			t.Errorf("CheckArch(%q) = %v", a, err)
		}
	}
	for _, a := range []string{"", "SCMP_ARCH_", "x86_64", "SCMP_ARCH_NATIVE", "SCMP_ARCH_X86 "} {
		if trace.CheckArch(a) == nil {
			t.Errorf("CheckArch(%q) succeeded", a)
		}
	}
}

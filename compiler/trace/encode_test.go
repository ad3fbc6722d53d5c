package trace

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// encodeReference is what encode must match: encoding/json, indented.
func encodeReference(t *Trace) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(t); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

func TestEncodeMatchesEncodingJSON(t *testing.T) {
	t0 := time.Date(2026, 11, 29, 12, 0, 0, 123456789, time.UTC)
	for _, tr := range []*Trace{
		{Version: 1},
		{Version: 1, Syscalls: []Syscall{}, Runs: []Run{}},
		New(Run{ContainerID: "c1", Image: "img <&>", Command: []string{"sh", "-c", "echo \"hi\"\n\u2028 é \x01"},
			Start: t0, End: t0.Add(time.Second), Hook: "2.0.0",
			Syscalls: []Syscall{
				{Name: "read", Number: 0, Arch: "SCMP_ARCH_X86_64", Count: 18446744073709551615, Processes: []string{"runc:[2:INIT]", "sh"}},
				{Name: "socketcall", Number: 102, Arch: "SCMP_ARCH_X86", Count: 1},
			}},
			Run{Start: t0, End: t0, Syscalls: []Syscall{}}),
	} {
		if got, want := encode(tr), encodeReference(tr); !bytes.Equal(got, want) {
			t.Errorf("encode differs from encoding/json:\n%s\nwant\n%s", got, want)
		}
	}
}

func FuzzEncode(f *testing.F) {
	f.Add("c1", "sh -c x", "read", "SCMP_ARCH_X86_64", "proc", uint64(3), 0, int64(0))
	f.Add("\x80\"<", "\u2028", "", "a\\b", "\t", uint64(0), -5, int64(1<<40))
	f.Fuzz(func(t *testing.T, id, cmd, name, arch, proc string, count uint64, nr int, ns int64) {
		start := time.Unix(0, ns).UTC()
		tr := &Trace{Version: 1, Syscalls: []Syscall{{Name: name, Number: nr, Arch: arch, Count: count, Runs: 1}},
			Runs: []Run{{ContainerID: id, Command: []string{cmd}, Start: start, End: start,
				Syscalls: []Syscall{{Name: name, Number: nr, Arch: arch, Count: count, Processes: []string{proc}}}}}}
		if got, want := encode(tr), encodeReference(tr); !bytes.Equal(got, want) {
			t.Fatalf("encode differs from encoding/json:\n%s\nwant\n%s", got, want)
		}
	})
}

package trace

import (
	"fmt"
	"reflect"
	"testing"
	"time"
)

// FuzzNormal checks the shortcuts Parse and Marshal take: normal(r)
// equals normRun(r), what normRun returns needs no further copy, a
// one-run summary is what summary makes of it, and a summary in normal
// form compares as a normalised copy does.
func FuzzNormal(f *testing.F) {
	f.Add("c1", "sh", "sh", "read", "write", "SCMP_ARCH_X86_64", int64(0), 0, uint8(0))
	f.Add("c\xff", "b", "a", "write", "read", "SCMP_ARCH_X86", int64(1<<40), 3600, uint8(0xff))
	f.Add("", "", "\xc3", "a", "a", "", int64(-1), -7200, uint8(0x0f))
	f.Fuzz(func(t *testing.T, id, p1, p2, n1, n2, arch string, ns int64, offset int, shape uint8) {
		start := time.Unix(0, ns).In(time.FixedZone("z", offset%86400))
		if shape&1 != 0 {
			start = start.UTC()
		}
		r := Run{ContainerID: id, Image: p1, Hook: p2, Start: start, End: start.Add(time.Second)}
		if shape&2 != 0 {
			r.End = time.Now() // with a monotonic reading
		}
		switch shape >> 2 & 3 {
		case 1:
			r.Command = []string{}
		case 2:
			r.Command = []string{id, p2}
		}
		procs := []string{p1, p2}
		switch shape >> 4 & 3 {
		case 1:
			procs = nil
		case 2:
			procs = []string{}
		case 3:
			procs = procs[1:]
		}
		if shape&64 == 0 {
			r.Syscalls = []Syscall{{Name: n1, Arch: arch, Count: 1, Processes: procs}, {Name: n2, Arch: arch, Number: 1, Count: 2}}
			// Arguments in and out of order, an index twice, empty
			// lists.
			switch ns & 3 {
			case 1:
				r.Syscalls[0].Args = []Arg{{Index: 1, Kind: ArgValues, Values: []ArgValue{{Value: 2, Count: 1}, {Value: 1, Count: 1}}}, {Index: offset & 1, Kind: ArgNamespaceFlags}}
			case 2:
				r.Syscalls[1].Args = []Arg{{Index: 0, Kind: ArgValues, Values: []ArgValue{}, Overflow: 2}}
			case 3:
				r.Syscalls[1].Args = []Arg{}
			}
		} else if shape&128 == 0 {
			r.Syscalls = []Syscall{}
		}
		r.Runtime, r.Node = p1, "\xff"+p2

		want := normRun(r)
		if got := normal(r); !reflect.DeepEqual(got, want) {
			t.Fatalf("normal(%#v) =\n%#v\nnormRun gives\n%#v", r, got, want)
		}
		if !isNormal(want) {
			t.Fatalf("normRun(%#v) = %#v is not in normal form", r, want)
		}

		// The shortcuts for a one-run trace: its summary, and a summary
		// in normal form compared without a copy.
		sum, _, _ := summary([]Run{want}, false)
		if got, ok := summariseOne(want); ok && !reflect.DeepEqual(got, sum) {
			t.Fatalf("summariseOne(%#v) =\n%#v\nsummary gives\n%#v", want, got, sum)
		}
		for _, given := range [][]Syscall{sum, want.Syscalls, r.Syscalls} {
			if got, want := fmt.Sprint(checkSummary(given, sum)), fmt.Sprint(checkSummaryCopy(given, sum)); got != want {
				t.Fatalf("checkSummary(%#v) = %s, want %s", given, got, want)
			}
		}
	})
}

package trace

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"
)

// TestEachRunInParallel checks that Merge, MergeMarshal and Validate say
// the same in parallel as one run at a time: of many runs, some not in
// normal form, one of them invalid or in conflict somewhere.
func TestEachRunInParallel(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	t0 := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for round := range 40 {
		var traces []*Trace
		for i := range 300 {
			r := Run{ContainerID: fmt.Sprint("c", i%250), Start: t0.Add(time.Duration(i) * time.Second), End: t0.Add(time.Hour),
				Syscalls: []Syscall{
					{Name: "read", Number: 0, Arch: "SCMP_ARCH_X86_64", Count: 2, Processes: []string{"sh"}},
					{Name: "write", Number: 1, Arch: "SCMP_ARCH_X86_64", Count: 1},
				}}
			if i%7 == 0 {
				r.Syscalls[0], r.Syscalls[1] = r.Syscalls[1], r.Syscalls[0] // not in normal form
			}
			switch k := rng.IntN(600); {
			case k == round:
				r.Syscalls[1].Name = "Bad"
			case k == round+1:
				r.Syscalls[0].Count = 0
			case k == round+2:
				r.Start = r.End.Add(time.Second)
			case k == round+3:
				r.Syscalls[0].Number = 7 // disagrees with the other runs
			}
			traces = append(traces, &Trace{Version: Version, Runs: []Run{r}})
		}
		if round%5 == 0 {
			traces[rng.IntN(len(traces))] = nil
		}
		all := &Trace{Version: Version}
		for _, tr := range traces {
			if tr != nil {
				all.Runs = append(all.Runs, tr.Runs...)
			}
		}
		type result struct {
			merged   *Trace
			mergeErr string
			data     []byte
			dataErr  string
			valid    string
		}
		run := func() result {
			var r result
			var err error
			r.merged, err = Merge(traces...)
			r.mergeErr = fmt.Sprint(err)
			r.data, err = MergeMarshal(traces...)
			r.dataErr = fmt.Sprint(err)
			r.valid = fmt.Sprint(all.Validate())
			return r
		}
		want := func() result {
			defer func(n int) { minParallel = n }(minParallel)
			minParallel = 1 << 30
			return run()
		}()
		if got := run(); !reflect.DeepEqual(got, want) {
			t.Fatalf("round %d: in parallel\n%v, %v, %v\none at a time\n%v, %v, %v", round, got.mergeErr, got.dataErr, got.valid, want.mergeErr, want.dataErr, want.valid)
		}
	}
}

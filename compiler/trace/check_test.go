package trace

import (
	"fmt"
	"math"
	"reflect"
	"slices"
	"testing"
	"time"
)

// checkSyscallsRef is checkSyscalls as it was before its shortcuts for
// runs in normal form: maps only.
func checkSyscallsRef(ss []Syscall) error {
	byName := map[archName]bool{}
	byNr := map[archNr]string{}
	for i := range ss {
		s := &ss[i]
		if err := validateSyscall(s, false); err != nil {
			return fmt.Errorf("syscall %d: %w", i, err)
		}
		if s.Runs != 0 {
			return fmt.Errorf("syscall %d (%s %s): %w: runs is only valid in the summary", i, s.Arch, s.Name, ErrInvalid)
		}
		if byName[archName{s.Arch, s.Name}] {
			return errListedTwice(i, s)
		}
		byName[archName{s.Arch, s.Name}] = true
		if other, dup := byNr[archNr{s.Arch, s.Number}]; dup {
			return errNumberTwice(i, s, other)
		}
		byNr[archNr{s.Arch, s.Number}] = s.Name
	}
	return nil
}

// FuzzCheckSyscalls compares checkSyscalls with checkSyscallsRef on runs
// made of few architectures, names and numbers, so that entries repeat,
// collide and come in and out of order, and with numbers on both sides
// of the bitmap's bound. One runChecker checks every run of an input, as
// in Merge.
func FuzzCheckSyscalls(f *testing.F) {
	f.Add([]byte{0, 1, 2, 3, 4, 5, 6, 7, 8})
	f.Add([]byte{0, 0, 0, 0, 1, 1, 0, 2, 1})
	f.Add([]byte{0, 2, 7, 0, 3, 7, 255, 0, 0, 0})
	f.Add([]byte{1, 0, 8, 1, 1, 8, 0, 0, 9, 0, 1, 9})
	f.Add([]byte{0, 0, 0, 0, 1, 1, 0, 2, 0})          // in order, a number twice
	f.Add([]byte{2, 0, 7, 2, 1, 8, 2, 2, 8})          // in order, a large number twice
	f.Add([]byte{0, 0, 1, 0, 1, 2, 0, 0, 3})          // out of order, a name twice
	f.Add([]byte{0, 0, 1, 0, 1, 2, 1, 0, 1, 0, 2, 1}) // another architecture, then back
	arches := []string{"SCMP_ARCH_X86", "SCMP_ARCH_X86_64", "SCMP_ARCH_X32", "x86"}
	names := []string{"a", "b", "c", "read", "write", "Bad", "zz"}
	numbers := []int{0, 1, 2, 63, 64, smallNumbers - 1, smallNumbers, 5000, 1<<30 | 1, -1, MaxNumber}
	f.Fuzz(func(t *testing.T, data []byte) {
		var c runChecker
		for len(data) > 0 {
			var ss []Syscall
			for len(data) >= 3 && data[0] != 255 {
				ss = append(ss, Syscall{
					Arch:   arches[int(data[0])%len(arches)],
					Name:   names[int(data[1])%len(names)],
					Number: numbers[int(data[2])%len(numbers)],
					Count:  1,
					Runs:   int(data[0] / 128),
				})
				data = data[3:]
			}
			if len(data) > 0 {
				data = data[1:] // the next run
			}
			got, want := c.checkSyscalls(ss), checkSyscallsRef(ss)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Fatalf("checkSyscalls(%v) = %v, want %v", ss, got, want)
			}
		}
	})
}

// summaryRef is summary as it was before it cross-checked runs itself:
// one map keyed by architecture and name.
func summaryRef(runs []Run) (sum []Syscall, ok bool) {
	type key struct{ arch, name string }
	ok = true
	idx := make(map[key]int)
	var procs []stringSet
	var args [][]Arg
	sum = []Syscall{}
	for _, r := range runs {
		for _, s := range r.Syscalls {
			k := key{s.Arch, s.Name}
			i, seen := idx[k]
			if !seen {
				i = len(sum)
				idx[k] = i
				sum = append(sum, Syscall{Name: s.Name, Number: s.Number, Arch: s.Arch})
				procs = append(procs, stringSet{})
				args = append(args, nil)
			}
			e := &sum[i]
			e.Count = addCount(e.Count, s.Count, &ok)
			e.RuntimeCount = addCount(e.RuntimeCount, s.RuntimeCount, &ok)
			e.Runs++
			for _, p := range s.Processes {
				procs[i].add(p)
			}
			if len(s.Args) > 0 {
				args[i] = mergeArgs(args[i], s.Args, &ok)
			}
		}
	}
	for i := range sum {
		sum[i].Processes = normProcesses(procs[i].list)
		sum[i].Args = args[i]
	}
	slices.SortFunc(sum, compareSyscalls)
	return sum, ok
}

// FuzzSummary compares summary, which cross-checks runs as it summarises
// them, one at a time and in parallel, with crossCheck followed by
// summaryRef, on valid runs that share identities, names, numbers and
// argument indexes.
func FuzzSummary(f *testing.F) {
	f.Add([]byte{0, 0, 1, 2, 3, 255, 1, 0, 1, 2, 3})
	f.Add([]byte{0, 0, 1, 2, 3, 255, 0, 0, 1, 2, 3})
	f.Add([]byte{0, 0, 1, 2, 3, 255, 1, 0, 1, 3, 3})
	f.Add([]byte{0, 0, 1, 2, 0x13, 255, 1, 0, 1, 2, 0x43}) // one argument, two kinds
	f.Add([]byte{0, 0, 1, 2, 6, 255, 1, 0, 1, 2, 6})       // counts that saturate
	f.Add([]byte{0, 0, 1, 2, 3, 1, 2, 3, 4, 255, 1, 1, 1, 2, 3, 255, 2, 0, 2, 2, 9})
	f.Fuzz(func(t *testing.T, data []byte) {
		arches := []string{"SCMP_ARCH_X86_64", "SCMP_ARCH_X86"}
		names := []string{"read", "write", "clone", "ioctl"}
		kinds := []ArgKind{ArgValues, ArgNamespaceFlags}
		var runs []Run
		for len(data) > 0 {
			// A run: its identity, then syscalls of 4 bytes each.
			id := data[0]
			r := Run{ContainerID: string(rune('a' + id%3)), Start: time.Unix(int64(id/3%2), 0).UTC()}
			data = data[1:]
			for len(data) >= 4 && data[0] != 255 {
				s := Syscall{
					Arch:      arches[data[0]%2],
					Name:      names[data[1]%4],
					Number:    int(data[2] % 3),
					Count:     uint64(data[3]%5) + 1,
					Processes: []string{names[data[3]/5%4]},
				}
				if data[3]%7 == 6 {
					s.Count = math.MaxUint64 - 1 // sums saturate
				}
				if n := data[3] >> 4; n > 0 {
					s.Args = []Arg{{Index: int(n % 3), Kind: kinds[n/3%2], Values: []ArgValue{{Value: uint64(n), Count: 1}}}}
				}
				r.Syscalls = append(r.Syscalls, s)
				data = data[4:]
			}
			if len(data) > 0 {
				data = data[1:]
			}
			runs = append(runs, r)
		}
		// What spans runs is checked of runs that passed check.
		var c runChecker
		for _, r := range runs {
			if c.checkSyscalls(r.Syscalls) != nil {
				return
			}
		}
		wantErr := crossCheck(runs)
		wantSum, wantOK := summaryRef(runs)
		// One run at a time, then in parallel (summariseParallel) from
		// two runs on.
		for _, min := range []int{minParallel, 1} {
			defer func(n int) { minParallel = n }(minParallel)
			minParallel = min
			sum, ok, err := summary(runs, true)
			if fmt.Sprint(err) != fmt.Sprint(wantErr) {
				t.Fatalf("summary error = %v, crossCheck says %v", err, wantErr)
			}
			if err != nil {
				continue
			}
			if ok != wantOK || !reflect.DeepEqual(sum, wantSum) {
				t.Fatalf("summary =\n%v, %v\nwant\n%v, %v", sum, ok, wantSum, wantOK)
			}
			if sum2, ok2, _ := summary(runs, false); ok2 != ok || !reflect.DeepEqual(sum2, sum) {
				t.Fatalf("summary without checks differs: %v", sum2)
			}
		}
	})
}

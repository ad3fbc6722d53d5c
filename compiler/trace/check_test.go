package trace

import (
	"fmt"
	"testing"
)

// checkSyscallsRef is checkSyscalls as it was before its shortcuts for
// runs in normal form: maps only.
func checkSyscallsRef(ss []Syscall) error {
	byName := map[archName]bool{}
	byNr := map[archNr]string{}
	for i, s := range ss {
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

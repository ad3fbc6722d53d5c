package profile

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// kernelVersion accepts exactly what the regular expression it replaced
// did.
func TestKernelVersionMatchesRegexp(t *testing.T) {
	re := regexp.MustCompile(`^[0-9]{1,4}\.[0-9]{1,4}$`)
	r := rand.New(rand.NewPCG(1, 2))
	word := func() string {
		pieces := []string{"0", "4", "9", "12", "0", "4", "9", "12", ".", "a", " ", "\n", "-", "٣"}
		var b strings.Builder
		for n := r.IntN(4); n > 0; n-- {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		return b.String()
	}
	matched := 0
	for range 20000 {
		v := word() + "." + word()
		want := re.MatchString(v)
		if want {
			matched++
		}
		if got := kernelVersion(v); got != want {
			t.Errorf("kernelVersion(%q) = %v, the regexp says %v", v, got, want)
		}
	}
	if matched < 1000 {
		t.Errorf("only %d of the inputs were versions", matched)
	}
}

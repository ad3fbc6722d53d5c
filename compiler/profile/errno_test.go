package profile

import (
	"errors"
	"testing"
)

func TestErrnoNumber(t *testing.T) {
	for _, tc := range []struct {
		name string
		want uint
	}{
		{"EPERM", 1}, {"ENOSYS", 38}, {"EINVAL", 22}, {"ENOTSUP", 95}, {"1", 1}, {"0", 0}, {"4095", 4095},
	} {
		got, err := ErrnoNumber(tc.name)
		if err != nil || got != tc.want {
			t.Errorf("ErrnoNumber(%q) = %d, %v; want %d", tc.name, got, err, tc.want)
		}
	}
	for _, bad := range []string{"EFROB", "4096", "", "eperm"} {
		if _, err := ErrnoNumber(bad); !errors.Is(err, ErrUnloadable) {
			t.Errorf("ErrnoNumber(%q) = %v, want ErrUnloadable", bad, err)
		}
	}
}

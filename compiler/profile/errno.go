package profile

import (
	"fmt"
	"strconv"
	"sync"

	"golang.org/x/sys/unix"
)

// ErrnoNumber resolves the "errno" of a rule or the "defaultErrno" of a
// profile, a name such as "EPERM" or a decimal number, to the number a
// runtime returns, as containers/common does. An unknown name is an
// error wrapping ErrUnloadable, since no runtime could load the profile.
//
// It lives outside the cgo file so that packages converting profiles to
// other formats, which need the number but not libseccomp, can use it.
func ErrnoNumber(name string) (uint, error) {
	if n, err := strconv.ParseUint(name, 10, 32); err == nil && n <= maxErrno {
		return uint(n), nil
	}
	if n, ok := errnoByName()[name]; ok {
		return n, nil
	}
	return 0, fmt.Errorf("%w: unknown errno %q", ErrUnloadable, name)
}

// errnoByName maps errno names, including common aliases, to numbers.
var errnoByName = sync.OnceValue(func() map[string]uint {
	m := map[string]uint{}
	for i := 1; i <= maxErrno; i++ {
		if n := unix.ErrnoName(unix.Errno(i)); n != "" {
			m[n] = uint(i)
		}
	}
	m["EWOULDBLOCK"] = uint(unix.EWOULDBLOCK)
	m["EDEADLOCK"] = uint(unix.EDEADLOCK)
	m["ENOTSUP"] = uint(unix.ENOTSUP)
	return m
})

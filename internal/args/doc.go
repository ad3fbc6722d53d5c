// Package args is the table of system call arguments that profiles
// restrict: which argument of which call the recorder records, how, and
// why. The recorder (package bpf) loads it into the kernel program; the
// compiler turns what was recorded into argument conditions.
//
// A profile of names alone allows a traced call with any arguments, and
// for some calls the arguments are where the kernel's attack surface is:
// socket allows every address family once traced, clone and unshare
// allow new user and other namespaces, personality allows
// READ_IMPLIES_EXEC, ioctl every request code. Docker's default profile
// restricts clone's namespace flags and personality's values for the same
// reason.
package args

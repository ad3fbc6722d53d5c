// Package state reads what an OCI runtime hands a hook, the container
// state (runtime-spec State) on stdin, and parses the
// io.containers.trace-syscall annotation in it.
//
// It is pure Go and does no I/O beyond the reader it is given: files named
// by the annotation are checked and read by the caller.
package state

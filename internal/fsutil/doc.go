// Package fsutil reads and writes the small files the hook and the
// compiler exchange (traces and seccomp profiles) without trusting the
// paths they are given.
//
// Both binaries may run as root with paths taken from container
// annotations or command lines, so reads refuse symlinks in the last path
// component, anything but regular files (a FIFO would block, /dev/zero
// would never end) and files larger than a caller-given limit. Writes go
// to a fresh temporary file created with O_EXCL in the destination's
// directory, are synced and then renamed over the destination, so readers
// see either the old or the new content and never a partial file, and a
// symlink planted at the destination is refused rather than followed.
//
// Only the final path component is protected: directories leading to it
// are resolved normally and must be trusted by the caller.
package fsutil

// Package output decides where the hook may write a profile or a trace,
// and writes them there.
//
// The hook runs as root, and the paths come from an annotation that
// whoever may run a container (or, on a CRI-O node, create a pod) writes.
// So an output is refused, before the container starts, when:
//
//   - it lies in a system tree (SystemTrees: /etc, /usr, /boot, ...),
//     unless an administrator named its directory with --allow-dir;
//   - allowed directories are configured and it lies outside them;
//   - a symbolic link is on its path, or its directory is on a kernel
//     pseudo filesystem (procfs, sysfs, ...);
//   - a file is already there that is neither empty nor a seccomp profile
//     or trace (as Parse of compiler/profile or compiler/trace reads it):
//     re-tracing over an earlier profile or trace, or a fresh mktemp
//     file, works; a copy of /etc/passwd is never replaced.
//
// Open makes those checks and keeps the directory open. The tracer writes
// through that same directory handle when the container exits (it is
// inherited from prestart), so no path can be swapped in between; the
// last rule is checked again right before the write. Files are written
// atomically, with mode 0644 and the owner and group of their directory.
package output

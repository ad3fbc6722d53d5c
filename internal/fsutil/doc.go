// Package fsutil reads and writes the small files the hook and the
// compiler exchange (traces and seccomp profiles) without trusting the
// paths they are given.
//
// Both binaries may run as root with paths taken from container
// annotations or command lines. Reads (ReadFile, ReadFileAt) refuse
// anything but regular files (a FIFO would block, /dev/zero would never
// end) and files larger than a caller-given limit; ReadFile follows
// symbolic links, since a reader names a file it could name directly,
// while ReadFileAt refuses one in the name it is given.
//
// Writes never go through the destination: the data goes to a fresh
// temporary file created with O_EXCL|O_NOFOLLOW in the destination's
// directory, is synced and then renamed over the destination (StageAt,
// then Staged.Commit), so readers see either the old or the new content
// and never a partial file, and a symlink planted at the destination is
// replaced rather than followed. Every step is relative to one directory
// handle, so moving or swapping the directory mid-way cannot redirect a
// write. How that handle is opened is the caller's choice: OpenDir refuses
// a symbolic link in any component of the path and kernel pseudo
// filesystems, for paths someone else chose (WriteFileNoSymlinks);
// WriteFileAtomic resolves the directory normally, for a user's own paths.
package fsutil

// Package trace defines the on-disk trace format: what the hook recorded for
// one or more container runs, before it is turned into a seccomp profile.
//
// The format is versioned JSON (see docs/trace-format.md). A trace holds
// runs, one per traced container with where it came from, and a summary
// over all runs. The summary is derived data: New and Marshal always
// compute it from the runs, and Parse accepts a file only when its summary
// is absent or matches the runs exactly, so the two halves of a file can
// never disagree silently. Version 2 added the runtime's share of each
// call, recorded arguments and more provenance; version 1 files still
// read, as traces without them.
//
// Every trace this package returns is normalised: times in UTC, runs
// sorted by start time then container ID, syscalls sorted by architecture
// then name, process names sorted without duplicates, arguments sorted by
// index and their values by value. Normalisation is what
// makes Marshal deterministic and Merge commutative, associative and
// idempotent: merging is a union of runs in which a run identical to one
// already present is kept once.
//
// The package lives under compiler/, with its reader: the hook imports it
// to write traces, and nothing under compiler/ imports hook/.
// It is pure Go: importing it pulls in neither eBPF nor cgo.
package trace

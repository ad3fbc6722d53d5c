// Package lifecycle is the hook's orchestration: Prestart (run by the OCI
// runtime before the container starts), Trace (the detached tracer that
// records the container with the bpf package and writes the profile), and
// Poststop (run after the container is gone, waiting until the profile is
// on disk so that `podman run` never returns before it).
//
// The three talk through descriptors handed from Prestart to the tracer
// and a status file per container under the run directory:
//
//	Prestart --pipe--> "attached" or an error, read before returning
//	Prestart --pidfd-> the container's init, polled for its exit
//	tracer   --flock-> <run>/<id>.status, held until the profile is written
//	Poststop <-flock-- waits for that lock, then reports the status
package lifecycle

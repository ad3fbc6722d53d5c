// Package lifecycle runs the hook's stages for one container.
//
// Prestart (the OCI prestart hook) checks the annotation, the outputs and
// the input, then starts the tracer, a detached copy of the hook binary,
// and waits until it has attached the recorder. The tracer gets its
// settings as one handoff on an inherited descriptor (TracerEnv), with
// the container's pidfd, the output directories Prestart checked, and a
// locked status file; it records until the container's init exits and
// writes the profile and trace through those directories. Poststop (the
// OCI poststop hook) waits on the status file's lock, so that the engine
// returns only once the profile is on disk, and reports the tracer's
// error. TraceByHand is the tracer started from a command line.
//
// The tracer reaches the kernel, the filesystem and the clock through an
// interface (impl) that unit tests fake.
package lifecycle

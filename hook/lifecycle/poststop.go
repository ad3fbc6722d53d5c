//go:build linux

package lifecycle

import (
	"errors"
	"strings"

	spec "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/bpf"
)

// Poststop runs as the OCI poststop hook: it waits until the container's
// tracer has written the profile (or failed), so that the engine, and
// `podman run`, return only once the profile is on disk. A tracer failure
// is returned as an error, which the engine reports.
func Poststop(s *spec.State, opts Options) error {
	opts = opts.withDefaults()
	log := logrus.WithField("id", s.ID)
	line, err := waitStatus(opts.RunDir, s.ID, opts.StopTimeout)
	if line == "" && err == nil {
		// Not traced by this hook (or collected already): nothing to wait
		// for or clean up, and nothing to cost a node that runs the hook
		// for every container.
		log.Debug("no tracer status: nothing to wait for")
		return nil
	}
	// Whatever became of this tracer, do not leave the shared program
	// attached for one that died without leaving.
	if cerr := bpf.Cleanup(opts.BPF); cerr != nil {
		log.WithError(cerr).Warn("clean up recorder")
	}
	sweepStatus(opts.RunDir)
	if err != nil {
		return err
	}
	switch {
	case line == statusOK:
		log.Debug("tracer finished")
	default:
		return errors.New(strings.TrimPrefix(line, "error: "))
	}
	return nil
}

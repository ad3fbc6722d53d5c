// Command oci-seccomp-bpf-hook is an OCI hook that traces the syscalls of
// a container with eBPF and writes a seccomp profile allowing them.
//
// Registered through hooks.d for the prestart and poststop stages, it runs
// with -s and reads the OCI state from stdin. As prestart it starts a
// detached copy of itself, the tracer (-r PID -o OUT [-i IN] [-t TRACE]),
// and returns once that is recording; as poststop it waits until the
// tracer has written the profile. See README.md and docs/.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sirupsen/logrus"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/bpf"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/hook/lifecycle"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/hook/state"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/version"
)

func main() {
	var (
		start       = flag.Bool("s", false, "run as an OCI hook: read the container state from stdin")
		pid         = flag.Int("r", 0, "trace the container whose init has this `PID` (the tracer)")
		output      = flag.String("o", "", "tracer: `path` of the profile to write")
		input       = flag.String("i", "", "tracer: `path` of the base profile")
		tracePath   = flag.String("t", "", "tracer: `path` of the trace to write")
		id          = flag.String("id", "", "tracer: container `id`")
		bundle      = flag.String("bundle", "", "tracer: container bundle `directory`")
		attachedFD  = flag.Int("attached-fd", -1, "tracer: `fd` to report attaching on")
		pidFD       = flag.Int("pidfd", -1, "tracer: pidfd of the container's init")
		statusFD    = flag.Int("status-fd", -1, "tracer: locked status file `fd`")
		runDir      = flag.String("run-dir", lifecycle.DefaultRunDir, "`directory` for per-container status files")
		pinDir      = flag.String("pin-dir", bpf.DefaultPinDir, "bpffs `directory` of the shared recorder")
		private     = flag.Bool("private", false, "attach a program of this tracer's own instead of the shared one")
		timeout     = flag.Duration("timeout", lifecycle.DefaultAttachTimeout, "how long prestart waits for the tracer to attach")
		logLevel    = flag.String("log-level", "info", "log `level`: debug, info, warn or error")
		showVersion = flag.Bool("version", false, "print the version and exit")
	)
	var allowDirs []string
	flag.Func("allow-dir", "only write profiles and traces under this absolute `directory` (repeatable)", func(d string) error {
		if !filepath.IsAbs(d) {
			return fmt.Errorf("%q is not absolute", d)
		}
		allowDirs = append(allowDirs, d)
		return nil
	})
	flag.Parse()
	if *showVersion {
		fmt.Println(version.Version)
		return
	}
	setupLogging(*logLevel, filepath.Join(*runDir, "hook.log"))

	opts := lifecycle.Options{
		RunDir:        *runDir,
		AttachTimeout: *timeout,
		AllowDirs:     allowDirs,
		BPF:           bpf.Options{PinDir: *pinDir, Private: *private},
	}
	var err error
	switch {
	case *pid > 0:
		err = lifecycle.RequireRoot()
		if err == nil {
			err = lifecycle.Trace(lifecycle.TracerConfig{
				PID: *pid, Output: *output, Input: *input, Trace: *tracePath,
				ID: *id, Bundle: *bundle,
				AttachedFD: *attachedFD, PidFD: *pidFD, StatusFD: *statusFD,
				Options: opts,
			})
		}
	case *start:
		err = runHook(opts)
	default:
		flag.Usage()
		os.Exit(2)
	}
	if err != nil {
		logrus.Error(err)
		os.Exit(1)
	}
}

// runHook dispatches on the state's status: "stopped" is the poststop
// stage, anything else prestart.
func runHook(opts lifecycle.Options) error {
	if err := lifecycle.RequireRoot(); err != nil {
		return err
	}
	s, err := state.Read(os.Stdin)
	if err != nil {
		return err
	}
	if state.Stopped(s) {
		return lifecycle.Poststop(s, opts)
	}
	return lifecycle.Prestart(s, opts)
}

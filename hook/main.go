// Command oci-seccomp-bpf-hook is an OCI hook that traces the syscalls of
// a container with eBPF and writes a seccomp profile allowing them.
//
// Registered through hooks.d for the prestart and poststop stages, it runs
// with -s and reads the OCI state from stdin. As prestart it starts a
// detached copy of itself, the tracer, and returns once that is
// recording; as poststop it waits until the tracer has written the
// profile. Like the old hook, -r PID -o OUT [-i IN] traces a running
// container's PID namespace by hand. See README.md and docs/.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	spec "github.com/opencontainers/runtime-spec/specs-go"
	"github.com/sirupsen/logrus"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/bpf"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/hook/lifecycle"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/hook/state"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/version"
)

func main() {
	if os.Getenv(lifecycle.TracerEnv) != "" {
		os.Exit(runTracer())
	}
	var (
		start       = flag.Bool("s", false, "run as an OCI hook: read the container state from stdin")
		pid         = flag.Int("r", 0, "trace by hand the PID namespace of this `PID` until it exits")
		output      = flag.String("o", "", "with -r: `path` of the profile to write")
		input       = flag.String("i", "", "with -r: `path` of a base profile to extend")
		runDir      = flag.String("run-dir", lifecycle.DefaultRunDir, "`directory` for per-container status files")
		pinDir      = flag.String("pin-dir", bpf.DefaultPinDir, "bpffs `directory` of the shared recorder")
		private     = flag.Bool("private", false, "attach a program of the tracer's own instead of the shared one (tests)")
		timeout     = flag.Duration("timeout", lifecycle.DefaultAttachTimeout, "how long prestart waits for the tracer to attach")
		logLevel    = flag.String("log-level", "info", "log `level`: debug, info, warn or error")
		nodeName    = flag.String("node-name", "", "`name` of this host in traces (default: the host name)")
		showVersion = flag.Bool("version", false, "print the version and exit")
	)
	var allowDirs []string
	flag.Func("allow-dir", "only write profiles and traces under this absolute `directory` (repeatable); system directories too", func(d string) error {
		if !filepath.IsAbs(d) {
			return fmt.Errorf("%s is not absolute", state.Excerpt(d))
		}
		allowDirs = append(allowDirs, filepath.Clean(d))
		return nil
	})
	flag.Parse()
	if *showVersion {
		fmt.Println(version.Version)
		return
	}
	// By hand (-r), at a terminal, stderr shows progress too.
	stderrMax := logrus.WarnLevel
	if *pid > 0 {
		stderrMax = logrus.TraceLevel
	}
	setupLogging(*logLevel, filepath.Join(*runDir, "hook.log"), stderrMax)

	opts := lifecycle.Options{
		RunDir:        *runDir,
		AttachTimeout: *timeout,
		AllowDirs:     allowDirs,
		LogLevel:      *logLevel,
		NodeName:      *nodeName,
		BPF:           bpf.Options{PinDir: *pinDir, Private: *private},
	}
	var err error
	switch {
	case *pid > 0:
		err = lifecycle.RequireRoot()
		if err == nil {
			err = lifecycle.TraceByHand(*pid, *output, *input, opts)
		}
		if err != nil {
			logrus.Error(err)
		}
	case *start:
		err = runHook(opts)
	default:
		flag.Usage()
		os.Exit(lifecycle.ExitUsage)
	}
	os.Exit(lifecycle.ExitCode(err))
}

// runHook dispatches on the state's status: "stopped" is the poststop
// stage, anything else prestart. It logs its error itself, with the
// container's id, so that the log (journalctl -t oci-seccomp-bpf-hook)
// tells which container it was about.
func runHook(opts lifecycle.Options) error {
	err := lifecycle.RequireRoot()
	var s *spec.State
	if err == nil {
		s, err = state.Read(os.Stdin)
	}
	switch {
	case err != nil:
	case state.Stopped(s):
		err = lifecycle.Poststop(s, opts)
	default:
		err = lifecycle.Prestart(s, opts)
	}
	if err != nil {
		log := logrus.NewEntry(logrus.StandardLogger())
		if s != nil {
			log = log.WithField("id", s.ID)
		}
		log.Error(err)
	}
	return err
}

// runTracer is the process Prestart starts (lifecycle.TracerEnv set): its
// settings come from the handoff, not from flags.
func runTracer() int {
	t, err := lifecycle.ReadHandoff()
	if err != nil {
		setupLogging("info", filepath.Join(lifecycle.DefaultRunDir, "hook.log"), logrus.WarnLevel)
		logrus.Error(err)
		return 1
	}
	setupLogging(t.LogLevel(), filepath.Join(t.RunDir(), "hook.log"), logrus.WarnLevel)
	err = t.Run()
	if err != nil {
		logrus.Error(err)
	}
	return lifecycle.ExitCode(err)
}

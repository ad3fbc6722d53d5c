package main

import (
	"fmt"
	"io"
	"log/syslog"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/sirupsen/logrus"
	lsyslog "github.com/sirupsen/logrus/hooks/syslog"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/hook/state"
)

// syslogTag is what the old hook logged under; journalctl -t finds both.
const syslogTag = "oci-seccomp-bpf-hook"

// setupLogging logs at level to syslog when a syslog socket exists, or
// else to fallback (the tracer's stderr is /dev/null, and podman shows a
// poststop hook's stderr only when debugging), and to stderr, one plain
// line per entry, up to stderrMax: warnings and errors for the OCI hook,
// whose stderr the engine shows when it fails (runc in its error, crun in
// the file run.oci.hooks.stderr names, with every line, so info lines
// stay out of it), and everything for a tracer run by hand at a terminal.
func setupLogging(level, fallback string, stderrMax logrus.Level) {
	logrus.SetOutput(io.Discard)
	logrus.SetFormatter(lineFormatter{})
	if l, err := logrus.ParseLevel(level); err == nil {
		logrus.SetLevel(l)
	}
	logrus.AddHook(writerHook{w: os.Stderr, max: stderrMax})
	if h := dialSyslog(syslogSockets); h != nil {
		logrus.AddHook(h)
		return
	}
	if fallback == "" {
		return
	}
	if err := os.MkdirAll(filepath.Dir(fallback), 0o700); err != nil {
		return
	}
	f, err := os.OpenFile(fallback, os.O_WRONLY|os.O_APPEND|os.O_CREATE|syscall.O_NOFOLLOW, 0o600)
	if err == nil {
		logrus.AddHook(fileHook{f})
	}
}

// syslogSockets are where a local syslog daemon listens.
var syslogSockets = []string{"/dev/log", "/var/run/syslog"}

// dialSyslog connects to the first of socks that accepts a connection, as
// a datagram socket (journald's /dev/log, rsyslog's and syslog-ng's by
// default) or else a stream socket, as log/syslog does for its default
// address. It returns nil when none does.
func dialSyslog(socks []string) logrus.Hook {
	for _, sock := range socks {
		if _, err := os.Stat(sock); err != nil {
			continue
		}
		for _, network := range []string{"unixgram", "unix"} {
			if h, err := lsyslog.NewSyslogHook(network, sock, syslog.LOG_INFO|syslog.LOG_DAEMON, syslogTag); err == nil {
				return h
			}
		}
	}
	return nil
}

// writerHook writes entries up to max to w, one line each.
type writerHook struct {
	w   io.Writer
	max logrus.Level
}

func (h writerHook) Levels() []logrus.Level { return logrus.AllLevels[:h.max+1] }

func (h writerHook) Fire(e *logrus.Entry) error {
	line, err := lineFormatter{}.Format(e)
	if err == nil {
		_, err = h.w.Write(line)
	}
	return err
}

// fileHook appends entries to a file, with a timestamp and the PID.
type fileHook struct{ f *os.File }

func (fileHook) Levels() []logrus.Level { return logrus.AllLevels }

func (h fileHook) Fire(e *logrus.Entry) error {
	line, err := lineFormatter{}.Format(e)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(h.f, "%s [%d] %s", e.Time.UTC().Format(time.RFC3339Nano), os.Getpid(), line)
	return err
}

// lineFormatter writes "oci-seccomp-bpf-hook: error: message key=value".
type lineFormatter struct{}

func (lineFormatter) Format(e *logrus.Entry) ([]byte, error) {
	var b strings.Builder
	keys := make([]string, 0, len(e.Data))
	fmt.Fprintf(&b, "%s: %s: %s", syslogTag, e.Level, e.Message)
	for k := range e.Data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%v", k, e.Data[k])
	}
	// Messages quote what users wrote only as excerpts; OneLine is the
	// backstop that keeps every line short and single, whatever an error
	// from a library quoted.
	return []byte(state.OneLine(b.String()) + "\n"), nil
}

package main

import (
	"fmt"
	"log/syslog"
	"os"
	"sort"
	"strings"

	"github.com/sirupsen/logrus"
	lsyslog "github.com/sirupsen/logrus/hooks/syslog"
)

// syslogTag is what the old hook logged under; journalctl -t finds both.
const syslogTag = "oci-seccomp-bpf-hook"

// setupLogging logs to stderr, one plain line per entry (the engine shows
// a failing hook's stderr to the user), and also to syslog when a syslog
// socket exists: the tracer's stderr is /dev/null.
func setupLogging(level string) {
	logrus.SetOutput(os.Stderr)
	logrus.SetFormatter(lineFormatter{})
	if l, err := logrus.ParseLevel(level); err == nil {
		logrus.SetLevel(l)
	}
	for _, sock := range []string{"/dev/log", "/var/run/syslog"} {
		if _, err := os.Stat(sock); err != nil {
			continue
		}
		if h, err := lsyslog.NewSyslogHook("unix", sock, syslog.LOG_INFO|syslog.LOG_DAEMON, syslogTag); err == nil {
			logrus.AddHook(h)
		}
		break
	}
}

// lineFormatter writes "oci-seccomp-bpf-hook: error: message key=value".
type lineFormatter struct{}

func (lineFormatter) Format(e *logrus.Entry) ([]byte, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: %s: %s", syslogTag, e.Level, e.Message)
	keys := make([]string, 0, len(e.Data))
	for k := range e.Data {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%v", k, e.Data[k])
	}
	b.WriteByte('\n')
	return []byte(b.String()), nil
}

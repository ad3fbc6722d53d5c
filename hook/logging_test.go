package main

import (
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sirupsen/logrus"
)

// The hook reaches a syslog daemon on a datagram socket, as journald's
// /dev/log is, and on a stream socket; a missing or dead socket is skipped.
func TestDialSyslog(t *testing.T) {
	dir := t.TempDir()
	for _, network := range []string{"unixgram", "unix"} {
		t.Run(network, func(t *testing.T) {
			sock := filepath.Join(dir, network+".sock")
			read := listen(t, network, sock)
			h := dialSyslog([]string{filepath.Join(dir, "missing"), sock})
			if h == nil {
				t.Fatalf("no syslog hook for a %s socket", network)
			}
			e := logrus.NewEntry(logrus.StandardLogger())
			e.Level, e.Message = logrus.ErrorLevel, "hello"
			if err := h.Fire(e); err != nil {
				t.Fatal(err)
			}
			// LOG_DAEMON|LOG_ERR = 27.
			if got := read(); !strings.HasPrefix(got, "<27>") || !strings.Contains(got, syslogTag+"[") || !strings.Contains(got, "hello") {
				t.Errorf("syslog got %q", got)
			}
		})
	}
	if h := dialSyslog([]string{filepath.Join(dir, "missing")}); h != nil {
		t.Errorf("a syslog hook without a socket")
	}
}

// listen serves a syslog socket at path and returns a function that reads
// one message from it.
func listen(t *testing.T, network, path string) func() string {
	t.Helper()
	buf := make([]byte, 4096)
	deadline := time.Now().Add(10 * time.Second)
	if network == "unixgram" {
		c, err := net.ListenUnixgram(network, &net.UnixAddr{Name: path, Net: network})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return func() string {
			c.SetReadDeadline(deadline)
			n, err := c.Read(buf)
			if err != nil {
				t.Fatal(err)
			}
			return string(buf[:n])
		}
	}
	l, err := net.Listen(network, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	conns := make(chan net.Conn, 1)
	go func() {
		if c, err := l.Accept(); err == nil {
			conns <- c
		}
	}()
	return func() string {
		select {
		case c := <-conns:
			defer c.Close()
			c.SetReadDeadline(deadline)
			n, err := c.Read(buf)
			if err != nil {
				t.Fatal(err)
			}
			return string(buf[:n])
		case <-time.After(time.Until(deadline)):
			t.Fatal("no connection")
			return ""
		}
	}
}

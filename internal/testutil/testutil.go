// Package testutil holds helpers shared by the project's privileged tests.
package testutil

import (
	"errors"
	"os"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/features"
)

// RequireRoot skips t unless it runs as root. Under CI (CI set to a true
// value) the skip becomes a failure: CI runs as root, so a skip there would
// hide the privileged tests.
func RequireRoot(t testing.TB) {
	t.Helper()
	if os.Geteuid() == 0 {
		return
	}
	skipOrFail(t, "requires root")
}

// RequireRawTracepoint skips t unless the kernel can load raw tracepoint
// programs (and fails it under CI, where it must).
func RequireRawTracepoint(t testing.TB) {
	t.Helper()
	RequireRoot(t)
	err := features.HaveProgramType(ebpf.RawTracepoint)
	if errors.Is(err, ebpf.ErrNotSupported) {
		skipOrFail(t, "raw tracepoints not supported")
	} else if err != nil {
		t.Fatalf("probe raw tracepoint support: %v", err)
	}
}

func skipOrFail(t testing.TB, why string) {
	t.Helper()
	switch os.Getenv("CI") {
	case "", "0", "false":
		t.Skip(why)
	default:
		t.Fatalf("%s (CI is set: privileged tests must run)", why)
	}
}

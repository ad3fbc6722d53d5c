// Package hooksd tests the hooks.d JSON that registers the hook.
package hooksd

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	hooks "github.com/containers/common/pkg/hooks/1.0.0"
	spec "github.com/opencontainers/runtime-spec/specs-go"
)

// The JSON, with its install-time placeholder substituted as `make install`
// does, must pass the hooks 1.0.0 schema and match only our annotation.
func TestHookJSON(t *testing.T) {
	data, err := os.ReadFile("oci-seccomp-bpf-hook.json")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "oci-seccomp-bpf-hook")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	data = []byte(strings.ReplaceAll(string(data), "HOOK_BIN_DIR", dir))

	h, err := hooks.Read(data)
	if err != nil {
		t.Fatalf("read hook: %v", err)
	}
	if err := h.Validate([]string{}); err != nil {
		t.Fatalf("validate: %v", err)
	}
	if got := strings.Join(h.Stages, ","); got != "prestart,poststop" {
		t.Errorf("stages = %s", got)
	}
	if h.Hook.Path != bin || strings.Join(h.Hook.Args, " ") != "oci-seccomp-bpf-hook -s" {
		t.Errorf("hook = %+v", h.Hook)
	}

	for key, want := range map[string]bool{
		"io.containers.trace-syscall":     true,
		"io.containers.trace-syscall/web": true,
		"io.containers.trace-syscall/":    false,
		"io.containers.trace-syscallx":    false,
		"xio.containers.trace-syscall":    false,
		"io.containers.trace.syscall":     false,
	} {
		cfg := &spec.Spec{Annotations: map[string]string{key: "of:/x"}}
		got, err := h.When.Match(cfg, cfg.Annotations, false)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("match %q = %v, want %v", key, got, want)
		}
	}
	for pattern := range h.When.Annotations {
		if _, err := regexp.Compile(pattern); err != nil {
			t.Errorf("pattern %q: %v", pattern, err)
		}
	}
}

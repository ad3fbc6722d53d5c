package deb

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/version"
)

const (
	pkgName   = "oci-seccomp-bpf-hook"
	changelog = "debian/changelog"
	spec      = "../rpm/" + pkgName + ".spec"
)

// The top entry of debian/changelog: name, then upstream version (an
// optional epoch and the Debian revision around it).
var changelogTop = regexp.MustCompile(`^(\S+) \((?:\d+:)?(\S+)-([^-\s)]+)\) \S+; urgency=\S+\n`)

// upstreamFromChangelog returns the package name, upstream version and
// Debian revision of the changelog's first entry.
func upstreamFromChangelog(t *testing.T, data string) (name, upstream, revision string) {
	t.Helper()
	m := changelogTop.FindStringSubmatch(data)
	if m == nil {
		t.Fatalf("%s: first line is not `name (version-revision) dist; urgency=...`: %q", changelog, strings.SplitN(data, "\n", 2)[0])
	}
	return m[1], m[2], m[3]
}

// specField returns the value of a preamble tag such as Version.
func specField(t *testing.T, data, tag string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^` + tag + `:\s*(\S+)\s*$`).FindStringSubmatch(data)
	if m == nil {
		t.Fatalf("%s: no %s: line", spec, tag)
	}
	return m[1]
}

func read(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.FromSlash(path))
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestVersions checks that the rpm spec (Version and its newest %changelog
// entry) and the top of debian/changelog carry internal/version/VERSION.
func TestVersions(t *testing.T) {
	want := version.Version
	if want == "" || strings.ContainsAny(want, " -\n") {
		t.Fatalf("internal/version/VERSION = %q: want a non-empty version without spaces or '-'", want)
	}

	name, upstream, revision := upstreamFromChangelog(t, read(t, changelog))
	if name != pkgName {
		t.Errorf("%s: package %q, want %q", changelog, name, pkgName)
	}
	if upstream != want {
		t.Errorf("%s: version %s-%s, want upstream version %s (internal/version/VERSION)", changelog, upstream, revision, want)
	}

	s := read(t, spec)
	if got := specField(t, s, "Name"); got != pkgName {
		t.Errorf("%s: Name %q, want %q", spec, got, pkgName)
	}
	if got := specField(t, s, "Version"); got != want {
		t.Errorf("%s: Version %s, want %s (internal/version/VERSION)", spec, got, want)
	}
	// Release: 1%{?dist}; the changelog entry names version-release.
	release := strings.TrimSuffix(specField(t, s, "Release"), "%{?dist}")
	_, log, ok := strings.Cut(s, "\n%changelog\n")
	if !ok {
		t.Fatalf("%s: no %%changelog section", spec)
	}
	first, _, _ := strings.Cut(log, "\n")
	if !strings.HasPrefix(first, "* ") || !strings.HasSuffix(first, " - "+want+"-"+release) {
		t.Errorf("%s: newest %%changelog entry %q does not end in \" - %s-%s\"", spec, first, want, release)
	}
}

func TestChangelogTop(t *testing.T) {
	for _, tc := range []struct {
		line, name, upstream, revision string
		ok                             bool
	}{
		{"oci-seccomp-bpf-hook (2.0.0-1) unstable; urgency=medium\n", pkgName, "2.0.0", "1", true},
		{"oci-seccomp-bpf-hook (1:2.0.0~rc1-0.1) bookworm; urgency=low\n", pkgName, "2.0.0~rc1", "0.1", true},
		{"oci-seccomp-bpf-hook (2.0.0-1-2) unstable; urgency=low\n", pkgName, "2.0.0-1", "2", true},
		{"oci-seccomp-bpf-hook (2.0.0) unstable; urgency=low\n", "", "", "", false},
		{"oci-seccomp-bpf-hook 2.0.0-1 unstable\n", "", "", "", false},
	} {
		m := changelogTop.FindStringSubmatch(tc.line)
		if (m != nil) != tc.ok {
			t.Errorf("%q: matched %v, want %v", tc.line, m != nil, tc.ok)
			continue
		}
		if m != nil && (m[1] != tc.name || m[2] != tc.upstream || m[3] != tc.revision) {
			t.Errorf("%q: got %q %q %q", tc.line, m[1], m[2], m[3])
		}
	}
}

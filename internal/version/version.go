// Package version holds the project's version, read from the VERSION file
// beside this source: the one place the Makefile, the rpm spec and the
// Debian changelog check against, so a build with plain `go build` prints
// the same version as a packaged one.
package version

import (
	_ "embed"
	"strings"
)

//go:embed VERSION
var raw string

// Version is the release version, e.g. "2.0.0".
var Version = strings.TrimSpace(raw)

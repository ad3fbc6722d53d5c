// Package deb holds the Debian packaging (deb/debian, copied to debian/ by
// `make deb`) and the test that keeps both packages' versions in step with
// internal/version/VERSION, the one place the version is set.
//
// It has no code of its own: the test lives here so that `go test ./...`
// fails as soon as VERSION is bumped without the spec and the changelog,
// and so that the package builds run it as their check.
package deb

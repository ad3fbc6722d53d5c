// Package cli implements the oci-seccomp-compiler command line: parsing
// options, running the merge, compile, diff and check subcommands and
// turning their outcome into output and an exit code.
//
// The layout follows the security-profiles-operator's CLI packages:
// consts.go holds names and defaults, options.go parses and validates
// arguments into Options, cli.go runs the subcommands on top of
// compiler/profile, compiler/trace and compiler/spo, and impl.go is the
// seam through which every side effect (reading and writing files, asking
// libseccomp) goes, so that tests can run whole commands against fakes.
//
// Messages follow one rule: a failure is a single line naming the file and
// the cause, printed to stderr; results go to stdout or to the -o file.
package cli

// Command oci-seccomp-compiler merges the traces oci-seccomp-bpf-hook
// records, compiles them into seccomp profiles, compares profiles and
// checks them with libseccomp. See docs/compiler.md.
package main

import (
	"os"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/cli"
)

func main() {
	os.Exit(cli.New(os.Stdout, os.Stderr).Run(os.Args[1:]))
}

package cli

import (
	"slices"
)

// Program is the name the binary is installed under, used in messages.
const Program = "oci-seccomp-compiler"

// Command is a subcommand name.
type Command string

// Subcommands.
const (
	// CommandMerge merges traces into one trace.
	CommandMerge Command = "merge"
	// CommandCompile compiles traces and profiles into a profile.
	CommandCompile Command = "compile"
	// CommandDiff compares what two profiles or traces allow.
	CommandDiff Command = "diff"
	// CommandCheck builds a profile's BPF filters and reports on them.
	CommandCheck Command = "check"
)

// KnownCommands returns the subcommands, sorted.
func KnownCommands() []Command {
	return slices.Sorted(slices.Values([]Command{CommandMerge, CommandCompile, CommandDiff, CommandCheck}))
}

// Format is what compile writes.
type Format string

// Output formats of compile.
const (
	// FormatJSON is a seccomp profile in the JSON format of
	// containers/common; the default.
	FormatJSON Format = "json"
	// FormatSPO is the same profile as a SeccompProfile resource of the
	// security-profiles-operator, in YAML (see compiler/spo).
	FormatSPO Format = "spo"
)

// KnownFormats returns the output formats, sorted.
func KnownFormats() []Format {
	return []Format{FormatJSON, FormatSPO}
}

// Flag names. Each can be given with one or two dashes, before or after
// the file arguments.
const (
	// FlagOutput (merge, compile) names the file to write; "-" is stdout.
	FlagOutput = "output"
	// FlagOutputShort is the usual spelling of FlagOutput.
	FlagOutputShort = "o"
	// FlagBase (compile) names the profile to build on.
	FlagBase = "base"
	// FlagMode (compile) says what to do with the base.
	FlagMode = "mode"
	// FlagArch (compile, diff) sets the native architecture, as
	// SCMP_ARCH_X86_64 or amd64; the default is the build's.
	FlagArch = "arch"
	// FlagJSON (diff, check) prints JSON instead of text.
	FlagJSON = "json"
	// FlagNoCheck (compile) writes the profile even if Check rejects it.
	FlagNoCheck = "no-check"
	// FlagFormat (compile) selects what is written: FormatJSON or
	// FormatSPO.
	FlagFormat = "format"
	// FlagName (compile, with FormatSPO) is the resource's name.
	FlagName = "name"
	// FlagRuntime (compile) names the OCI runtimes the profile is for,
	// comma-separated: the workload's calls plus each one's own.
	FlagRuntime = "runtime"
	// FlagVersion, alone, prints the version.
	FlagVersion = "version"
)

// Exit codes. diff follows cmp(1): 0 when the inputs allow the same, 1
// when they differ, 2 on any error. The other commands exit 1 when they
// fail and 2 for usage errors.
const (
	// ExitOK: success; for diff, both inputs allow the same.
	ExitOK = 0
	// ExitFailure: merge, compile or check failed; the reason is on stderr.
	ExitFailure = 1
	// ExitDiffer: diff found a difference.
	ExitDiffer = 1
	// ExitUsage: the command line is wrong.
	ExitUsage = 2
	// ExitTrouble: diff could not compare (unreadable or invalid input).
	ExitTrouble = 2
)

const (
	// MaxInputSize bounds every input file: a merge of a thousand traces
	// is about 18 MiB, so this leaves room for large merges while still
	// refusing, say, a disk image given by mistake.
	MaxInputSize = 256 << 20
	// OutputMode is the permission of written files: profiles are read by
	// the container engine, which may run as another user.
	OutputMode = 0o644
	// Stdout as an output path writes to standard output.
	Stdout = "-"
)

package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/containers/common/pkg/seccomp"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/profile"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/spo"
)

// ErrUsage is wrapped by every error about the command line itself.
var ErrUsage = errors.New("usage")

// Options is a parsed command line.
type Options struct {
	// Command is the subcommand to run.
	Command Command
	// Output is the file merge and compile write, or Stdout.
	Output string
	// Base is the profile compile builds on; empty for none.
	Base string
	// Mode is what compile does with Base (profile.ModeRestrict unless
	// --mode says otherwise).
	Mode profile.Mode
	// Arch is the native architecture for compile and diff; empty means
	// the host's.
	Arch seccomp.Arch
	// JSON selects machine-readable output for diff and check.
	JSON bool
	// NoCheck skips checking the compiled profile with libseccomp.
	NoCheck bool
	// Format is what compile writes: FormatJSON unless --format says
	// otherwise.
	Format Format
	// Name is the resource's name with FormatSPO.
	Name string
	// Runtimes are the OCI runtimes compile makes the profile for
	// (profile.Inputs.Runtimes); empty keeps the traced runtime's calls.
	Runtimes []string
	// Inputs are the positional arguments: traces, profiles, or the two
	// files diff compares.
	Inputs []string
}

// usage texts per command, shown on usage errors and with -h.
var usages = map[Command]string{
	CommandMerge:   "merge -o OUT TRACE...\n\tMerge traces into one (a union of runs).",
	CommandCompile: "compile [--base PROFILE [--mode restrict|extend]] [--arch ARCH] [--runtime RUNTIME[,...]] [--no-check] [--format json|spo [--name NAME]] -o OUT TRACE|PROFILE...\n\tCompile traces and profiles into an allow-list profile. With --base, restrict (default) allows only\n\twhat the inputs need and the base allows; extend keeps the base whole and adds what it lacks (the hook's if:).\n\tWith --runtime, the workload's calls and those of the runtimes named (runc, crun).\n\t--format spo writes it as a security-profiles-operator SeccompProfile named NAME, in YAML.",
	CommandDiff:    "diff [--json] [--arch ARCH] BASE TARGET\n\tCompare what two profiles or traces allow. Exit 0 when the same, 1 when different, 2 on error.",
	CommandCheck:   "check [--json] PROFILE\n\tBuild the profile's BPF filters with libseccomp and report rules and instruction counts.",
}

// Usage writes the program's usage to w.
func Usage(w io.Writer) {
	fmt.Fprintf(w, "Usage: %s COMMAND [OPTIONS] FILE...\n\nCommands:\n", Program)
	for _, c := range []Command{CommandMerge, CommandCompile, CommandDiff, CommandCheck} {
		fmt.Fprintf(w, "  %s\n", strings.ReplaceAll(usages[c], "\n", "\n  "))
	}
	fmt.Fprintf(w, "\nFlags may come before or after files; -o - writes to standard output.\n"+
		"Files are traces or profiles, told apart by content.\n"+
		"  %s --version\tprint the version\n", Program)
}

// ParseOptions parses the arguments after the program name. It returns an
// error wrapping ErrUsage for an unknown command or flag or a wrong number
// of files, and flag.ErrHelp for -h.
func ParseOptions(args []string) (*Options, error) {
	if len(args) == 0 {
		return nil, fmt.Errorf("%w: no command given", ErrUsage)
	}
	o := &Options{Command: Command(args[0])}
	if !slices.Contains(KnownCommands(), o.Command) {
		return nil, fmt.Errorf("%w: unknown command %q (want one of %s)", ErrUsage, args[0], joinCommands())
	}

	fs := flag.NewFlagSet(string(o.Command), flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	switch o.Command {
	case CommandMerge, CommandCompile:
		fs.StringVar(&o.Output, FlagOutput, "", "output file, - for standard output")
		fs.StringVar(&o.Output, FlagOutputShort, "", "output file, - for standard output")
	}
	switch o.Command {
	case CommandCompile:
		fs.StringVar(&o.Base, FlagBase, "", "base profile")
		o.Mode = profile.ModeRestrict
		fs.Func(FlagMode, "what to do with the base: restrict or extend", func(v string) error {
			if !slices.Contains(profile.KnownModes(), profile.Mode(v)) {
				return fmt.Errorf("unknown mode %q (want restrict or extend)", v)
			}
			o.Mode = profile.Mode(v)
			return nil
		})
		fs.BoolVar(&o.NoCheck, FlagNoCheck, false, "do not check the result with libseccomp")
		fs.Func(FlagRuntime, "OCI runtimes the profile is for, comma-separated", func(v string) error {
			for _, r := range strings.Split(v, ",") {
				if !slices.Contains(profile.KnownRuntimes(), r) {
					return fmt.Errorf("unknown runtime %q (want %s)", r, strings.Join(profile.KnownRuntimes(), ", "))
				}
				o.Runtimes = append(o.Runtimes, r)
			}
			return nil
		})
		fs.Var((*archFlag)(&o.Arch), FlagArch, "native architecture")
		o.Format = FormatJSON
		fs.Func(FlagFormat, "what to write: json or spo", func(v string) error {
			if !slices.Contains(KnownFormats(), Format(v)) {
				return fmt.Errorf("unknown format %q (want json or spo)", v)
			}
			o.Format = Format(v)
			return nil
		})
		fs.StringVar(&o.Name, FlagName, "", "name of the SeccompProfile (--format spo)")
	case CommandDiff:
		fs.BoolVar(&o.JSON, FlagJSON, false, "print JSON")
		fs.Var((*archFlag)(&o.Arch), FlagArch, "native architecture")
	case CommandCheck:
		fs.BoolVar(&o.JSON, FlagJSON, false, "print JSON")
	}

	inputs, err := parseInterspersed(fs, args[1:])
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %s: %w", ErrUsage, o.Command, err)
	}
	o.Inputs = inputs
	if err := o.Validate(); err != nil {
		return nil, err
	}
	return o, nil
}

// Validate checks the combination of options for o.Command.
func (o *Options) Validate() error {
	bad := func(format string, a ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrUsage, o.Command, fmt.Sprintf(format, a...))
	}
	switch o.Command {
	case CommandMerge:
		if o.Output == "" {
			return bad("-o OUT is required")
		}
		if len(o.Inputs) == 0 {
			return bad("no traces given")
		}
	case CommandCompile:
		if o.Output == "" {
			return bad("-o OUT is required")
		}
		if len(o.Inputs) == 0 && o.Base == "" {
			return bad("no traces or profiles given")
		}
		switch {
		case o.Format == FormatSPO && o.Name == "":
			return bad("--%s NAME is required with --%s %s", FlagName, FlagFormat, FormatSPO)
		case o.Format == FormatSPO:
			if err := spo.ValidateName(o.Name); err != nil {
				return fmt.Errorf("%w: %s: --%s: %w", ErrUsage, o.Command, FlagName, err)
			}
		case o.Name != "":
			return bad("--%s is only for --%s %s", FlagName, FlagFormat, FormatSPO)
		}
	case CommandDiff:
		if len(o.Inputs) != 2 {
			return bad("want two files, BASE and TARGET, got %d", len(o.Inputs))
		}
	case CommandCheck:
		if len(o.Inputs) != 1 {
			return bad("want one PROFILE, got %d files", len(o.Inputs))
		}
	default:
		return fmt.Errorf("%w: unknown command %q", ErrUsage, o.Command)
	}
	for _, in := range o.Inputs {
		if in == "" {
			return bad("empty file name")
		}
	}
	return nil
}

// parseInterspersed parses flags anywhere among the positional arguments,
// which the flag package alone does not: it stops at the first
// positional. Everything after "--" is positional.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		consumed := len(args) - len(rest)
		if consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// archFlag parses --arch, accepting SCMP_ARCH_X86_64 or a libseccomp
// name such as amd64.
type archFlag seccomp.Arch

// String returns the architecture as given to Set.
func (a *archFlag) String() string { return string(*a) }

// Set accepts any concrete architecture of profile.KnownArches, in either
// spelling.
func (a *archFlag) Set(s string) error {
	for _, k := range profile.KnownArches() {
		if k == seccomp.ArchNative {
			continue
		}
		if string(k) == s || profile.FilterArch(k) == s {
			*a = archFlag(k)
			return nil
		}
	}
	return fmt.Errorf("unknown architecture %q", s)
}

func joinCommands() string {
	var s []string
	for _, c := range KnownCommands() {
		s = append(s, string(c))
	}
	return strings.Join(s, ", ")
}

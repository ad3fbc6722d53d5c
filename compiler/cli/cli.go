package cli

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"text/tabwriter"

	"github.com/containers/common/pkg/seccomp"
	"github.com/go-json-experiment/json/jsontext"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/profile"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/spo"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/compiler/trace"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/jsonfile"
	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/version"
)

// CLI runs commands. Create it with New.
type CLI struct {
	impl   impl
	stdout io.Writer
	stderr io.Writer
}

// New returns a CLI writing results to stdout and messages to stderr.
func New(stdout, stderr io.Writer) *CLI {
	return &CLI{impl: defaultImpl{}, stdout: stdout, stderr: stderr}
}

// Run runs the command line args (without the program name) and returns
// the exit code. Errors are printed to stderr as one line.
func (c *CLI) Run(args []string) int {
	if len(args) == 1 && (args[0] == "--"+FlagVersion || args[0] == "-"+FlagVersion) {
		fmt.Fprintf(c.stdout, "%s %s\n", Program, version.Version)
		return ExitOK
	}
	if len(args) == 1 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		Usage(c.stdout)
		return ExitOK
	}
	o, err := ParseOptions(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		fmt.Fprintf(c.stdout, "Usage: %s %s\n", Program, usages[Command(args[0])])
		return ExitOK
	case err != nil:
		c.fail(err)
		fmt.Fprintf(c.stderr, "Run '%s --help' for usage.\n", Program)
		return ExitUsage
	}

	code, err := c.run(o)
	if err != nil {
		c.fail(err)
	}
	return code
}

// fail prints err as a single line.
func (c *CLI) fail(err error) {
	msg := strings.Join(strings.Fields(err.Error()), " ")
	fmt.Fprintf(c.stderr, "%s: %s\n", Program, msg)
}

// run dispatches to the command and maps its error to an exit code.
func (c *CLI) run(o *Options) (int, error) {
	switch o.Command {
	case CommandMerge:
		return exit(c.merge(o))
	case CommandCompile:
		return exit(c.compile(o))
	case CommandCheck:
		return exit(c.check(o))
	case CommandDiff:
		same, err := c.diff(o)
		switch {
		case err != nil:
			return ExitTrouble, err
		case same:
			return ExitOK, nil
		default:
			return ExitDiffer, nil
		}
	}
	return ExitUsage, fmt.Errorf("%w: unknown command %q", ErrUsage, o.Command)
}

func exit(err error) (int, error) {
	if err != nil {
		return ExitFailure, err
	}
	return ExitOK, nil
}

// merge implements `merge -o OUT TRACE...`.
func (c *CLI) merge(o *Options) error {
	inputs, err := c.readInputs(o.Inputs)
	if err != nil {
		return err
	}
	var traces []*trace.Trace
	for i, in := range inputs {
		path := o.Inputs[i]
		if in.trace == nil {
			return fmt.Errorf("%s: is a profile; merge takes traces (use compile to combine profiles)", path)
		}
		traces = append(traces, in.trace)
	}
	m, err := trace.MergeFile(traces...)
	if err != nil {
		return nameInput(err, o.Inputs, nil)
	}
	if o.Output == Stdout {
		// Whole, as every command writes to stdout.
		var b bytes.Buffer
		if _, err := m.WriteTo(&b); err != nil {
			return err
		}
		return c.output(o.Output, b.Bytes())
	}
	// Written to the file as it is encoded: a merge of many traces is
	// large, and writing it out overlaps encoding it.
	if err := c.impl.WriteFileFrom(o.Output, m); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

// compile implements `compile [--base PROFILE] -o OUT INPUT...`.
func (c *CLI) compile(o *Options) error {
	var base *seccomp.Seccomp
	if o.Base != "" {
		data, err := c.impl.ReadFile(o.Base)
		if err != nil {
			return fmt.Errorf("read base: %w", err)
		}
		if isTrace(data) {
			return fmt.Errorf("%s: is a trace; --%s takes a profile", o.Base, FlagBase)
		}
		if base, err = profile.Parse(data); err != nil {
			return fmt.Errorf("%s: %w", o.Base, err)
		}
	}
	in := profile.Inputs{NativeArch: o.Arch}
	var tracePaths, profilePaths []string
	inputs, err := c.readInputs(o.Inputs)
	if err != nil {
		return err
	}
	for i, input := range inputs {
		path := o.Inputs[i]
		if input.trace != nil {
			in.Traces = append(in.Traces, input.trace)
			tracePaths = append(tracePaths, path)
		} else {
			in.Profiles = append(in.Profiles, input.profile)
			profilePaths = append(profilePaths, path)
		}
	}
	if in.NativeArch == "" {
		native, err := c.impl.NativeArch()
		if err != nil {
			return err
		}
		in.NativeArch = native
	}
	in.Mode = o.Mode
	in.Runtimes = o.Runtimes
	out, err := profile.Compile(base, in)
	if err != nil {
		return nameInput(err, tracePaths, profilePaths)
	}
	if !o.NoCheck {
		_, err := c.impl.Check(out)
		if err != nil && !errors.Is(err, profile.ErrCheckUnsupported) {
			return fmt.Errorf("compiled profile fails the check (use --%s to write it anyway): %w", FlagNoCheck, err)
		}
	}
	if o.Format == FormatSPO {
		return c.outputSPO(o, out, in)
	}
	data, err := profile.Marshal(out)
	if err != nil {
		return err
	}
	return c.output(o.Output, data)
}

// outputSPO writes the compiled profile as a SeccompProfile resource
// (--format spo), with the traces' coverage and the native architecture
// its conditions were compiled for.
func (c *CLI) outputSPO(o *Options, p *seccomp.Seccomp, in profile.Inputs) error {
	sp, err := spo.Convert(p, spo.Options{Name: o.Name, NativeArch: in.NativeArch, Traces: in.Traces})
	if err != nil {
		return err
	}
	data, err := spo.Marshal(sp)
	if err != nil {
		return err
	}
	return c.output(o.Output, data)
}

// diff implements `diff [--json] BASE TARGET` and reports whether both
// allow the same.
func (c *CLI) diff(o *Options) (bool, error) {
	var ps [2]*seccomp.Seccomp
	for i, path := range o.Inputs {
		in, err := c.readInput(path)
		if err != nil {
			return false, err
		}
		ps[i] = in.profile
		if in.trace != nil {
			native := o.Arch
			if native == "" {
				if native, err = c.impl.NativeArch(); err != nil {
					return false, err
				}
			}
			if ps[i], err = profile.FromTrace(in.trace, native); err != nil {
				return false, fmt.Errorf("%s: %w", path, err)
			}
		}
	}
	r := profile.Diff(ps[0], ps[1])
	if o.JSON {
		out := struct {
			Base   string `json:"base"`
			Target string `json:"target"`
			Same   bool   `json:"same"`
			profile.DiffReport
		}{o.Inputs[0], o.Inputs[1], r.Same(), r}
		return r.Same(), c.printJSON(out)
	}

	var b strings.Builder
	fmt.Fprintf(&b, "base:   %s (%d allowed, %d conditionally)\n", o.Inputs[0], r.BaseAllowed, r.BaseConditional)
	fmt.Fprintf(&b, "target: %s (%d allowed, %d conditionally)\n", o.Inputs[1], r.TargetAllowed, r.TargetConditional)
	fmt.Fprintf(&b, "target %s\n", r.Summary)
	if r.Same() {
		b.WriteString("same: both allow the same syscalls\n")
	}
	writeList(&b, "needed by target, blocked by base", r.Blocked)
	writeList(&b, "allowed by base, never used by target", r.Unused)
	if len(r.Conditional) > 0 {
		var names []string
		for _, ch := range r.Conditional {
			names = append(names, fmt.Sprintf("%s(%s->%s)", ch.Name, ch.Base, ch.Target))
		}
		writeList(&b, "allowed by both, under different conditions", names)
	}
	if len(r.Arguments) > 0 {
		fmt.Fprintf(&b, "argument differences (%d):\n", len(r.Arguments))
		for _, ch := range r.Arguments {
			fmt.Fprintf(&b, "  %s\n", ch)
		}
	}
	_, err := io.WriteString(c.stdout, b.String())
	return r.Same(), err
}

// check implements `check [--json] PROFILE`.
func (c *CLI) check(o *Options) error {
	path := o.Inputs[0]
	data, err := c.impl.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read profile: %w", err)
	}
	if isTrace(data) {
		return fmt.Errorf("%s: is a trace; check takes a profile (compile the trace first)", path)
	}
	p, err := profile.Parse(data)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	r, err := c.impl.Check(p)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if o.JSON {
		return c.printJSON(r)
	}

	var b bytes.Buffer
	fmt.Fprintf(&b, "%s: default action %s, %s, checked with %s\n\n", path, r.DefaultAction, plural(len(r.Rules), "rule"), r.Library)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "RULE\tACTION\tNAMES\tSYSCALLS\tCONDITION\tCOMMENT")
	for _, rule := range r.Rules {
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\t%s\n", rule.Index, rule.Action, len(rule.Names),
			sample(rule.Names, 3), dash(rule.Condition), dash(oneLine(rule.Comment)))
	}
	tw.Flush()
	b.WriteString("\n")
	tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "HOST\tCAPS\tARCHES\tRULES\tSKIPPED\tINSTRUCTIONS")
	for _, f := range r.Filters {
		arches := make([]string, len(f.Arches))
		for i, a := range f.Arches {
			arches[i] = strings.TrimPrefix(string(a), "SCMP_ARCH_")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\n", f.Host, f.Caps, strings.Join(arches, ","), f.Rules, f.Skipped, f.Instructions)
	}
	tw.Flush()
	if len(r.Warnings) > 0 {
		fmt.Fprintf(&b, "\nwarnings (%d): rules that never take effect as written\n", len(r.Warnings))
		for _, w := range r.Warnings {
			fmt.Fprintf(&b, "  %s\n", w)
		}
	}
	_, err = c.stdout.Write(b.Bytes())
	return err
}

// nameInput rewrites an error about the i-th trace or profile given to
// trace.Merge or profile.Compile to name its file instead.
func nameInput(err error, tracePaths, profilePaths []string) error {
	var te *trace.InputError
	if errors.As(err, &te) && te.Index < len(tracePaths) {
		if te.Other >= 0 && te.Other != te.Index && te.Other < len(tracePaths) {
			return fmt.Errorf("%s: %w (the run in %s differs)", tracePaths[te.Index], te.Err, tracePaths[te.Other])
		}
		return fmt.Errorf("%s: %w", tracePaths[te.Index], te.Err)
	}
	var pe *profile.InputError
	if errors.As(err, &pe) && pe.Index < len(profilePaths) {
		return fmt.Errorf("%s: %w", profilePaths[pe.Index], pe.Err)
	}
	return err
}

// input is a parsed input file: exactly one of trace and profile is set.
type input struct {
	trace   *trace.Trace
	profile *seccomp.Seccomp
}

// readInput reads and parses a trace or a profile. Traces are objects
// with "version" and "runs"; anything else is parsed as a profile, so that
// a broken profile gets a profile's error message.
//
// A document trace.Parse accepts is such an object, so readInput tries
// that first and asks what the document is only when it fails: isTrace
// reads a trace up to "runs", past its summary, and doing that before
// every Parse took 7% of the CPU time of merging a thousand traces.
func (c *CLI) readInput(path string) (input, error) {
	data, err := c.impl.ReadFile(path)
	if err != nil {
		return input{}, fmt.Errorf("read input: %w", err)
	}
	t, err := trace.Parse(data)
	if err == nil {
		return input{trace: t}, nil
	}
	if isTrace(data) {
		return input{}, fmt.Errorf("%s: %w", path, err)
	}
	p, err := profile.Parse(data)
	if err != nil {
		return input{}, fmt.Errorf("%s: %w", path, err)
	}
	return input{profile: p}, nil
}

// readInputs reads and parses paths in parallel, one worker per CPU:
// parsing JSON is most of the work of merging a thousand traces. The
// result is in the order of paths, and an error is the one of the first
// failing path, so the outcome does not depend on scheduling.
func (c *CLI) readInputs(paths []string) ([]input, error) {
	inputs := make([]input, len(paths))
	errs := make([]error, len(paths))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(paths)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				inputs[i], errs[i] = c.readInput(paths[i])
			}
		}()
	}
	for i := range paths {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return inputs, nil
}

// isTrace reports whether data is a JSON object with both "version" and
// "runs" keys, which profiles never have. It reads no further than the
// second of them.
func isTrace(data []byte) bool {
	var version, runs bool
	jsonfile.Members(data, func(name string, _ *jsontext.Decoder) bool {
		version = version || name == "version"
		runs = runs || name == "runs"
		return !version || !runs
	})
	return version && runs
}

// output writes data to path, or to stdout for Stdout.
func (c *CLI) output(path string, data []byte) error {
	if path == Stdout {
		_, err := c.stdout.Write(data)
		return err
	}
	if err := c.impl.WriteFile(path, data); err != nil {
		return fmt.Errorf("write output: %w", err)
	}
	return nil
}

func (c *CLI) printJSON(v any) error {
	data, err := jsonfile.Marshal(v, 0)
	if err != nil {
		return err
	}
	_, err = c.stdout.Write(data)
	return err
}

// writeList writes a titled, counted, wrapped list of names.
func writeList(b *strings.Builder, title string, names []string) {
	if len(names) == 0 {
		return
	}
	fmt.Fprintf(b, "%s (%d):\n", title, len(names))
	line := " "
	for _, n := range names {
		if len(line)+1+len(n) > 78 {
			b.WriteString(line + "\n")
			line = " "
		}
		line += " " + n
	}
	b.WriteString(line + "\n")
}

// sample shows the first n names and how many more there are.
func sample(names []string, n int) string {
	if len(names) == 0 {
		return "-"
	}
	if len(names) <= n {
		return strings.Join(names, ",")
	}
	return strings.Join(names[:n], ",") + fmt.Sprintf(",+%d", len(names)-n)
}

// plural renders "1 rule" or "2 rules".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

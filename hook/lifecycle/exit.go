package lifecycle

import "errors"

// Exit statuses of the hook, by what went wrong. runc shows a failing
// hook's message; crun shows only "error executing hook PATH (exit code:
// N)", so the status is the one hint a crun user gets without reading
// the log (README, "Errors under crun").
const (
	// ExitFailure: the tracer or the recorder failed, or anything else.
	ExitFailure = 1
	// ExitUsage: bad flags (the flag package's status).
	ExitUsage = 2
	// ExitAnnotation: the annotation is malformed.
	ExitAnnotation = 3
	// ExitOutput: an of: or tf: path may not be written.
	ExitOutput = 4
	// ExitInput: the if: profile cannot be read or is not valid.
	ExitInput = 5
)

// exitError gives err an exit status without changing its message.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

func withExit(code int, err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: code, err: err}
}

// ExitCode returns the exit status for err: 0 for nil, the status an
// error was given, else ExitFailure.
func ExitCode(err error) int {
	var e *exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &e):
		return e.code
	}
	return ExitFailure
}

// Package ascii classifies ASCII bytes for the few fixed patterns the hook
// checks (container IDs, `RUNTIME --version`, Docker's minKernel).
//
// They are loops rather than regular expressions: package regexp, its
// syntax package and the Unicode tables they reference made 0.33 MiB of
// the hook's executable, which a tracer has resident nearly whole (the
// page cache holds it in large folios, and Linux 6.18 maps a file folio
// whole on a fault in it), and the runtime version's {0,63} repetitions
// compiled, at every start of the hook, to 143 KB of heap in 2,382
// allocations, in 9 ms.
package ascii

// IsDigit reports whether c is 0-9.
func IsDigit(c byte) bool { return '0' <= c && c <= '9' }

// IsAlnum reports whether c is A-Z, a-z or 0-9.
func IsAlnum(c byte) bool {
	return IsDigit(c) || 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z'
}

// Package strictjson decodes JSON documents that must match a Go type
// exactly.
//
// encoding/json is lenient in ways that matter for security-relevant
// files such as seccomp profiles: it matches object keys
// case-insensitively ("DEFAULTACTION" fills DefaultAction), lets a
// repeated key silently overwrite the first one, ignores unknown keys
// unless told otherwise and stops at the first complete value, ignoring
// whatever follows. A profile that a human reads one way and a program
// reads another is a trap, so this package rejects all of those before
// handing the document to encoding/json.
//
// The checks are driven by the destination type: every object key must be
// the exact JSON name of a field of the struct being filled (or any key for
// a map), appear at most once, and be followed by nothing but whitespace at
// the end of the document. Types that implement json.Unmarshaler (such as
// time.Time) are treated as opaque values and left to their own decoder.
package strictjson

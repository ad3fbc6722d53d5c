// Package jsonfile reads and writes the project's JSON files, traces and
// seccomp profiles, with one set of rules for both.
//
// The JSON library is github.com/go-json-experiment/json, whose API Go 1.26
// ships as encoding/json/v2 behind GOEXPERIMENT=jsonv2. The module needs
// no experiment flag, so the rpm and deb builds, go vet and a plain go test
// work unchanged; moving to encoding/json/v2 once it is stable is a change
// of import paths. (Built with GOEXPERIMENT=jsonv2, the module is an alias
// of the standard library's package.)
//
// Reading is strict, where encoding/json (v1) was lenient: unknown or
// misspelt object keys, keys that differ only in case, repeated keys and
// data after the top-level value are errors, so that a file cannot mean
// one thing to a person and another to the program. Invalid UTF-8 is
// still replaced by U+FFFD, as encoding/json did and as the engines that
// load profiles do. Errors name the field at fault as a path such as
// "syscalls[3].includes.arches".
//
// Writing is deterministic and gives, byte for byte, what encoding/json's
// Encoder gave with two-space indentation and HTML escaping off: nil
// slices and maps as null, map keys sorted, U+2028 and U+2029 escaped, a
// trailing newline. Two differences remain, which the project's types and
// writers avoid: omitempty leaves out a field whose JSON value is empty
// ("", [], {} or null), so a number that encoding/json left out when zero
// needs omitzero; and invalid UTF-8, which no writer here hands over, comes
// out as U+FFFD itself rather than as the escape \ufffd.
package jsonfile

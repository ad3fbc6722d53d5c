package trace

import (
	"bytes"
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// encode writes t as encoding/json's Encoder with two-space indentation
// and HTML escaping off would, byte for byte (a test holds it to that),
// but in one pass: marshalling then re-indenting a merge of a thousand
// traces took a third of the time of `oci-seccomp-compiler merge`.
func encode(t *Trace) []byte {
	var b bytes.Buffer
	b.Grow(encodedSize(t))
	b.WriteString("{\n  \"version\": ")
	writeInt(&b, t.Version)
	b.WriteString(",\n  \"syscalls\": ")
	encodeSyscalls(&b, t.Syscalls, "  ")
	b.WriteString(",\n  \"runs\": ")
	if t.Runs == nil {
		b.WriteString("null")
	} else if len(t.Runs) == 0 {
		b.WriteString("[]")
	} else {
		b.WriteString("[\n")
		for i, r := range t.Runs {
			if i > 0 {
				b.WriteString(",\n")
			}
			encodeRun(&b, r)
		}
		b.WriteString("\n  ]")
	}
	b.WriteString("\n}\n")
	return b.Bytes()
}

// encodedSize estimates the length of encode's output from the number of
// entries, generously for the short names and single process of a typical
// entry, so that the buffer seldom needs to grow and is not much larger
// than needed.
func encodedSize(t *Trace) int {
	n := 256 + 256*len(t.Syscalls)
	for _, r := range t.Runs {
		n += 512 + 256*len(r.Syscalls)
	}
	return n
}

func encodeRun(b *bytes.Buffer, r Run) {
	const in = "      "
	b.WriteString("    {\n")
	if r.ContainerID != "" {
		field(b, in, "containerID")
		encodeString(b, r.ContainerID)
		b.WriteString(",\n")
	}
	if r.Image != "" {
		field(b, in, "image")
		encodeString(b, r.Image)
		b.WriteString(",\n")
	}
	if len(r.Command) > 0 {
		field(b, in, "command")
		encodeStrings(b, r.Command, in)
		b.WriteString(",\n")
	}
	field(b, in, "start")
	start, _ := r.Start.MarshalJSON() // valid: Validate checked the times
	b.Write(start)
	b.WriteString(",\n")
	field(b, in, "end")
	end, _ := r.End.MarshalJSON()
	b.Write(end)
	b.WriteString(",\n")
	if r.Hook != "" {
		field(b, in, "hook")
		encodeString(b, r.Hook)
		b.WriteString(",\n")
	}
	field(b, in, "syscalls")
	encodeSyscalls(b, r.Syscalls, in)
	b.WriteString("\n    }")
}

// encodeSyscalls writes a list of syscalls whose key is indented by in.
func encodeSyscalls(b *bytes.Buffer, list []Syscall, in string) {
	if list == nil {
		b.WriteString("null")
		return
	}
	if len(list) == 0 {
		b.WriteString("[]")
		return
	}
	item := in + "  "
	member := item + "  "
	b.WriteString("[\n")
	for i, s := range list {
		if i > 0 {
			b.WriteString(",\n")
		}
		b.WriteString(item)
		b.WriteString("{\n")
		field(b, member, "name")
		encodeString(b, s.Name)
		b.WriteString(",\n")
		field(b, member, "nr")
		writeInt(b, s.Number)
		b.WriteString(",\n")
		field(b, member, "arch")
		encodeString(b, s.Arch)
		b.WriteString(",\n")
		field(b, member, "count")
		b.Write(strconv.AppendUint(b.AvailableBuffer(), s.Count, 10))
		if len(s.Processes) > 0 {
			b.WriteString(",\n")
			field(b, member, "processes")
			encodeStrings(b, s.Processes, member)
		}
		if s.Runs != 0 {
			b.WriteString(",\n")
			field(b, member, "runs")
			writeInt(b, s.Runs)
		}
		b.WriteByte('\n')
		b.WriteString(item)
		b.WriteByte('}')
	}
	b.WriteByte('\n')
	b.WriteString(in)
	b.WriteByte(']')
}

// writeInt writes n in decimal, without allocating as strconv.Itoa would.
func writeInt(b *bytes.Buffer, n int) {
	b.Write(strconv.AppendInt(b.AvailableBuffer(), int64(n), 10))
}

func field(b *bytes.Buffer, in, name string) {
	b.WriteString(in)
	b.WriteByte('"')
	b.WriteString(name)
	b.WriteString("\": ")
}

// encodeStrings writes a non-empty list of strings whose key is indented
// by in.
func encodeStrings(b *bytes.Buffer, list []string, in string) {
	b.WriteString("[\n")
	for i, s := range list {
		if i > 0 {
			b.WriteString(",\n")
		}
		b.WriteString(in)
		b.WriteString("  ")
		encodeString(b, s)
	}
	b.WriteByte('\n')
	b.WriteString(in)
	b.WriteByte(']')
}

// encodeString quotes s as encoding/json does with HTML escaping off:
// plain printable ASCII as is, anything else through encoding/json.
func encodeString(b *bytes.Buffer, s string) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			var q bytes.Buffer
			enc := json.NewEncoder(&q)
			enc.SetEscapeHTML(false)
			_ = enc.Encode(s) // a string always encodes
			b.Write(bytes.TrimSuffix(q.Bytes(), []byte("\n")))
			return
		}
	}
	b.WriteByte('"')
	b.WriteString(s)
	b.WriteByte('"')
}

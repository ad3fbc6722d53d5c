package trace

import (
	"encoding/json"
	"math"
	"time"
)

// decodeFile is Parse's fast path: a hand-written decoder for trace files
// as this package writes them. It is several times faster than
// encoding/json followed by strictjson's key check, which took most of the
// time of `oci-seccomp-compiler merge` on a thousand traces.
//
// It accepts a strict subset of what strictjson.Unmarshal accepts: an
// object with only the fields of file (exact keys, each at most once),
// followed by nothing but whitespace. Numbers must be non-negative integers
// without fraction or exponent, and null appears nowhere. Strings without
// escapes or non-ASCII bytes are taken as they are; other strings are
// decoded by encoding/json, and times by time.Time's own decoder, as in
// the strict path. Whenever decodeFile returns a file, strictjson.Unmarshal
// returns the same one (FuzzDecodeFile holds it to that). On anything else,
// malformed or merely unusual, it returns ok == false and Parse falls back
// to the strict path, which has the final word and the error messages.
func decodeFile(data []byte) (f file, ok bool) {
	d := decoder{data: data, names: make(map[string]string)}
	ok = d.object(fileFields, func(field int) bool {
		switch field {
		case 0:
			v, ok := d.int()
			f.Version = &v
			return ok
		case 1:
			list, ok := d.syscalls()
			f.Syscalls = &list
			return ok
		default:
			runs := []Run{} // encoding/json decodes [] as empty, not nil
			ok := d.array(func() bool {
				r, ok := d.run()
				runs = append(runs, r)
				return ok
			})
			f.Runs = &runs
			return ok
		}
	})
	d.ws()
	if !ok || d.pos != len(d.data) {
		return file{}, false
	}
	return f, true
}

// The JSON names of the fields of file, Run and Syscall, in the order of
// the switches that decode them.
var (
	fileFields    = []string{"version", "syscalls", "runs"}
	runFields     = []string{"containerID", "image", "command", "start", "end", "hook", "syscalls"}
	syscallFields = []string{"name", "nr", "arch", "count", "processes", "runs"}
)

// decoder reads one document. Its methods report false for input they do
// not handle, leaving pos anywhere.
type decoder struct {
	data []byte
	pos  int
	// names interns syscall names, architectures and process names: a
	// merged trace repeats the same few hundred strings a hundred thousand
	// times.
	names map[string]string
}

func (d *decoder) run() (r Run, ok bool) {
	ok = d.object(runFields, func(field int) bool {
		var ok bool
		switch field {
		case 0:
			r.ContainerID, ok = d.str(false)
		case 1:
			r.Image, ok = d.str(false)
		case 2:
			r.Command, ok = d.strings(false)
		case 3:
			ok = d.time(&r.Start)
		case 4:
			ok = d.time(&r.End)
		case 5:
			r.Hook, ok = d.str(false)
		default:
			r.Syscalls, ok = d.syscalls()
		}
		return ok
	})
	return r, ok
}

func (d *decoder) syscalls() ([]Syscall, bool) {
	list := []Syscall{}
	ok := d.array(func() bool {
		var s Syscall
		ok := d.object(syscallFields, func(field int) bool {
			var ok bool
			switch field {
			case 0:
				s.Name, ok = d.str(true)
			case 1:
				s.Number, ok = d.int()
			case 2:
				s.Arch, ok = d.str(true)
			case 3:
				s.Count, ok = d.uint(math.MaxUint64)
			case 4:
				s.Processes, ok = d.strings(true)
			default:
				s.Runs, ok = d.int()
			}
			return ok
		})
		list = append(list, s)
		return ok
	})
	return list, ok
}

// object reads an object whose keys are all in fields, each at most once,
// calling member with the index of each key to read its value.
func (d *decoder) object(fields []string, member func(field int) bool) bool {
	if !d.consume('{') {
		return false
	}
	if d.consume('}') {
		return true
	}
	var seen uint64 // bit i: fields[i] was seen
	for {
		raw, plain := d.rawString()
		if !plain {
			return false // absent, or escaped keys: rare, left to the strict path
		}
		field := -1
		for i, name := range fields {
			if string(raw[1:len(raw)-1]) == name {
				field = i
				break
			}
		}
		if field < 0 || seen&(1<<field) != 0 || !d.consume(':') || !member(field) {
			return false
		}
		seen |= 1 << field
		if !d.consume(',') {
			return d.consume('}')
		}
	}
}

// array reads an array, calling elem to read each element.
func (d *decoder) array(elem func() bool) bool {
	if !d.consume('[') {
		return false
	}
	if d.consume(']') {
		return true
	}
	for {
		if !elem() {
			return false
		}
		if !d.consume(',') {
			return d.consume(']')
		}
	}
}

// strings reads a non-null array of strings.
func (d *decoder) strings(intern bool) ([]string, bool) {
	list := []string{}
	ok := d.array(func() bool {
		s, ok := d.str(intern)
		list = append(list, s)
		return ok
	})
	return list, ok
}

// str reads a string, interning it if asked.
func (d *decoder) str(intern bool) (string, bool) {
	raw, plain := d.rawString()
	switch {
	case raw == nil:
		return "", false
	case plain && intern:
		body := raw[1 : len(raw)-1]
		if s, ok := d.names[string(body)]; ok {
			return s, true
		}
		s := string(body)
		d.names[s] = s
		return s, true
	case plain:
		return string(raw[1 : len(raw)-1]), true
	}
	// Escapes, non-ASCII text or invalid UTF-8: encoding/json decodes
	// them exactly as the strict path would.
	var s string
	if json.Unmarshal(raw, &s) != nil {
		return "", false
	}
	return s, true
}

// rawString reads a string and returns it with its quotes, and whether
// its content is plain: ASCII without escapes. raw is nil if
// there is no string at pos. A string that is not plain may still be
// malformed: control characters are the only thing rejected here.
func (d *decoder) rawString() (raw []byte, plain bool) {
	if !d.consume('"') {
		return nil, false
	}
	start := d.pos - 1
	plain = true
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		d.pos++
		switch {
		case c == '"':
			return d.data[start:d.pos], plain
		case c == '\\':
			plain = false
			d.pos++ // the escaped byte, so that \" does not end the string
		case c < 0x20:
			return nil, false
		case c >= 0x80:
			plain = false
		}
	}
	return nil, false
}

// time reads a time as encoding/json does: the raw string, quotes
// included, goes to time.Time's UnmarshalJSON.
func (d *decoder) time(t *time.Time) bool {
	raw, _ := d.rawString()
	return raw != nil && t.UnmarshalJSON(raw) == nil
}

// int reads a non-negative integer that fits an int.
func (d *decoder) int() (int, bool) {
	n, ok := d.uint(math.MaxInt)
	return int(n), ok
}

// uint reads an integer in [0, limit] written as JSON digits: no sign,
// leading zero, fraction or exponent.
func (d *decoder) uint(limit uint64) (uint64, bool) {
	d.ws()
	start := d.pos
	var n uint64
	for ; d.pos < len(d.data) && '0' <= d.data[d.pos] && d.data[d.pos] <= '9'; d.pos++ {
		digit := uint64(d.data[d.pos] - '0')
		if n > (limit-digit)/10 {
			return 0, false
		}
		n = n*10 + digit
	}
	switch {
	case d.pos == start, d.pos-start > 1 && d.data[start] == '0':
		return 0, false
	case d.pos < len(d.data) && (d.data[d.pos] == '.' || d.data[d.pos] == 'e' || d.data[d.pos] == 'E'):
		return 0, false
	}
	return n, true
}

// consume skips whitespace and then c, if c comes next.
func (d *decoder) consume(c byte) bool {
	d.ws()
	if d.pos < len(d.data) && d.data[d.pos] == c {
		d.pos++
		return true
	}
	return false
}

// ws skips JSON whitespace.
func (d *decoder) ws() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

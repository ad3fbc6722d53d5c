package jsonfile

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
)

// ErrEmpty is returned for a document holding no JSON value at all, such
// as an empty file.
var ErrEmpty = errors.New("empty document")

// readOptions are the rules of Unmarshal. Duplicate keys are rejected and
// keys matched case-sensitively by the library's defaults.
var readOptions = json.JoinOptions(
	json.RejectUnknownMembers(true),
	jsontext.AllowInvalidUTF8(true),
	// encoding/json took times that RFC 3339 does not allow: a one-digit
	// hour, a comma before the fraction, a zone offset of 24 hours or 60
	// minutes (https://go.dev/issue/54580). Traces written that way by
	// hand stay readable; this is the one option that needs the library's
	// v1 package.
	jsonv1.ParseTimeWithLooseRFC3339(true),
)

// writeOptions make Marshal write what encoding/json's Encoder wrote with
// SetIndent("", "  ") and SetEscapeHTML(false); v2's defaults differ from
// v1 in the ways undone here.
var writeOptions = json.JoinOptions(
	jsontext.Multiline(true),
	jsontext.WithIndent("  "),
	json.FormatNilSliceAsNull(true),
	json.FormatNilMapAsNull(true),
	json.Deterministic(true),
	jsontext.EscapeForJS(true),
	jsontext.AllowInvalidUTF8(true),
)

// Unmarshal decodes data into v, a non-nil pointer, strictly (see the
// package documentation). On error v may be partly filled and must not be
// used.
//
// The first problem in document order is reported. A JSON value of the
// wrong type for its field ("nr": "0") is reported with the field's path
// and the Go type it does not fit.
//
// opts add to the rules, such as json.WithUnmarshalers for a type whose
// JSON may hold a member its Go type lacks; callers must not use them to
// relax the rules.
func Unmarshal(data []byte, v any, opts ...json.Options) error {
	if err := json.Unmarshal(data, v, json.JoinOptions(append([]json.Options{readOptions}, opts...)...)); err != nil {
		return decodeError(data, err)
	}
	return nil
}

// Marshal encodes v as a JSON file: two-space indentation, fields in the
// order of the Go types, a trailing newline. sizeHint, if positive, is the
// expected length of the output; a good guess saves copying a large
// document as its buffer grows.
func Marshal(v any, sizeHint int) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(sizeHint)
	// A streaming encoder appends straight into buf and ends the
	// top-level value with the newline.
	if err := json.MarshalEncode(jsontext.NewEncoder(&buf, writeOptions), v); err != nil {
		return nil, fmt.Errorf("encode: %w", err)
	}
	return buf.Bytes(), nil
}

// MarshalLast returns what Marshal returns for v with elems as the
// elements of the array that is the last member of v's object, which v
// itself must leave empty ([]): what WriteLast writes.
func MarshalLast[E any](v any, elems []E, sizeHint int) ([]byte, error) {
	var buf bytes.Buffer
	buf.Grow(sizeHint)
	if _, err := WriteLast(&buf, v, elems, sizeHint); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// WriteLast writes to w what Marshal returns for v with elems as the
// elements of the array that is the last member of v's object, which v
// itself must leave empty ([]). Marshal writes v in one go; WriteLast
// writes v with the array empty while workers, one per CPU, write the
// elements in chunks, each element as Marshal writes an element of such
// an array, and it writes the pieces to w in order, with the punctuation
// and indentation Marshal puts between them, as soon as each is done.
// Writing the 1,000 runs of a merged trace (19 MB) in one go took a third
// of the time of merging 1,000 traces on a 2-CPU machine, all of it on
// one CPU, and writing them to a file and syncing it another 70 ms, which
// now overlap the encoding of the chunks after (see
// fsutil.WriteFileAtomicFrom). sizeHint is the expected length.
//
// The output is Marshal's byte for byte (FuzzMarshalLast). An error, which
// none of the project's types can cause, names the place in the element
// rather than in the document, and may come after part of the output.
func WriteLast[E any](w io.Writer, v any, elems []E, sizeHint int) (int64, error) {
	return writeLast(w, v, elems, sizeHint, runtime.GOMAXPROCS(0))
}

func writeLast[E any](w io.Writer, v any, elems []E, sizeHint, workers int) (int64, error) {
	// An element of an array in a member of the top-level object is at
	// depth 2: each of its lines after the first is indented twice more,
	// and it is preceded by a line break and two indents.
	const (
		indent   = "    "
		emptyEnd = "[]\n}\n" // the empty array, the object's end, the newline
		open     = "[\n" + indent
		sep      = ",\n" + indent
		end      = "\n  ]\n}\n"
	)
	// Several chunks a worker, so that the first are written while the
	// last are encoded.
	type chunk struct {
		data []byte
		err  error
		done chan struct{}
	}
	chunks := make([]chunk, min(len(elems), 8*max(1, workers)))
	next := make(chan int, len(chunks))
	for k := range chunks {
		chunks[k].done = make(chan struct{})
		next <- k
	}
	close(next)
	var wg sync.WaitGroup
	defer wg.Wait() // on error too: no worker outlives the call
	for range min(max(1, workers), len(chunks)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var enc jsontext.Encoder
			for k := range next {
				c := &chunks[k]
				share := elems[k*len(elems)/len(chunks) : (k+1)*len(elems)/len(chunks)]
				buf := bytes.NewBuffer(make([]byte, 0, sizeHint/len(chunks)))
				for i := range share {
					if i > 0 {
						buf.WriteString(sep)
					}
					// Each element is a top-level value of its own, which
					// the encoder ends with a newline that is not the
					// element's.
					enc.Reset(buf, writeOptions, jsontext.WithIndentPrefix(indent))
					if c.err = json.MarshalEncode(&enc, &share[i]); c.err != nil {
						c.err = fmt.Errorf("encode: %w", c.err)
						break
					}
					buf.Truncate(buf.Len() - len("\n"))
				}
				c.data = buf.Bytes()
				close(c.done)
			}
		}()
	}
	head, err := Marshal(v, 0)
	switch {
	case err != nil:
		return 0, err
	case !bytes.HasSuffix(head, []byte(emptyEnd)):
		return 0, errors.New("encode: the last member is not an empty array")
	case len(elems) == 0:
		n, err := w.Write(head)
		return int64(n), err
	}
	cw := &countWriter{w: w}
	cw.write(head[:len(head)-len(emptyEnd)])
	cw.write([]byte(open))
	for k := range chunks {
		c := &chunks[k]
		<-c.done
		if c.err != nil {
			return cw.n, c.err
		}
		if k > 0 {
			cw.write([]byte(sep))
		}
		cw.write(c.data)
		c.data = nil
		if cw.err != nil {
			return cw.n, cw.err
		}
	}
	cw.write([]byte(end))
	return cw.n, cw.err
}

// countWriter writes to w until the first error, counting what it wrote.
type countWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (cw *countWriter) write(p []byte) {
	if cw.err == nil {
		var n int
		n, cw.err = cw.w.Write(p)
		cw.n += int64(n)
	}
}

// Members calls fn with the name of each member of the top-level object
// in data, in order, until fn returns false. dec is positioned at the
// member's value; fn may read it, but only when it then returns false.
// Members reads no further than it must, so looking at a member written
// first costs nothing however large the rest is. It is lenient (repeated
// keys and invalid UTF-8 pass) and stops quietly at anything malformed or
// when data is not an object: it is for telling documents apart and
// peeking, not for checking them.
func Members(data []byte, fn func(name string, dec *jsontext.Decoder) bool) {
	dec := jsontext.NewDecoder(bytes.NewBuffer(data),
		jsontext.AllowDuplicateNames(true), jsontext.AllowInvalidUTF8(true))
	if tok, err := dec.ReadToken(); err != nil || tok.Kind() != '{' {
		return
	}
	for dec.PeekKind() == '"' {
		name, err := dec.ReadToken()
		if err != nil || !fn(name.String(), dec) || dec.SkipValue() != nil {
			return
		}
	}
}

// decodeError turns an error of the library into one naming the field at
// fault in the project's words ("unknown field runs[0].pid"). The
// library's own messages name JSON pointers and Go types, and deliberately
// vary their wording between processes, which the compiler's golden tests
// and its users should not see.
func decodeError(data []byte, err error) error {
	var syn *jsontext.SyntacticError
	var sem *json.SemanticError
	var msg string
	switch {
	case errors.As(err, &syn) && errors.Is(syn.Err, io.ErrUnexpectedEOF) && len(bytes.Trim(data, " \t\r\n")) == 0:
		return ErrEmpty
	case errors.As(err, &syn) && errors.Is(syn.Err, io.ErrUnexpectedEOF):
		msg = fmt.Sprintf("unexpected end of document at offset %d", syn.ByteOffset)
	case errors.As(err, &syn) && errors.Is(syn.Err, jsontext.ErrDuplicateName):
		msg = "duplicate field " + path(syn.JSONPointer)
	case errors.As(err, &syn) && syn.JSONPointer == "" && trailing(data, syn.ByteOffset):
		msg = fmt.Sprintf("unexpected data after the top-level value at offset %d", syn.ByteOffset)
	case errors.As(err, &syn):
		msg = fmt.Sprintf("%s%v at offset %d", at(syn.JSONPointer), syn.Err, syn.ByteOffset)
	case errors.As(err, &sem) && errors.Is(sem.Err, json.ErrUnknownName):
		msg = "unknown field " + path(sem.JSONPointer)
	case errors.As(err, &sem):
		msg = at(sem.JSONPointer) + "cannot unmarshal"
		if sem.JSONKind != 0 {
			msg += " JSON " + kindName(sem.JSONKind)
		}
		if sem.JSONKind == '0' && len(sem.JSONValue) > 0 && len(sem.JSONValue) <= 32 {
			msg += " " + string(sem.JSONValue)
		}
		if sem.GoType != nil {
			msg += " into Go " + sem.GoType.String()
		}
		if sem.Err != nil {
			msg += ": " + sem.Err.Error()
		}
	default:
		return fmt.Errorf("decode: %w", err)
	}
	return &decodeErr{"decode: " + msg, err}
}

// decodeErr is an error of the library reworded: the message is the
// project's, the cause stays reachable for errors.Is and errors.As.
type decodeErr struct {
	msg string
	err error
}

func (e *decodeErr) Error() string { return e.msg }
func (e *decodeErr) Unwrap() error { return e.err }

// trailing reports whether a syntax error at offset follows a complete
// top-level value: only then is it data after the document.
func trailing(data []byte, offset int64) bool {
	return offset > 0 && offset <= int64(len(data)) &&
		jsontext.Value(data[:offset]).IsValid(jsontext.AllowInvalidUTF8(true))
}

// path renders a JSON pointer as the field paths of the project's
// messages: "/runs/0/syscalls/2/nr" as "runs[0].syscalls[2].nr". No field
// of the project's types is named by digits, so a number is an index.
func path(p jsontext.Pointer) string {
	var b strings.Builder
	for tok := range p.Tokens() {
		if _, err := strconv.ParseUint(tok, 10, 64); err == nil {
			b.WriteString("[" + tok + "]")
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(tok)
	}
	return b.String()
}

// at is the prefix of a message about the value at p: its path and a
// colon, or nothing for the top-level value.
func at(p jsontext.Pointer) string {
	if p == "" {
		return ""
	}
	return path(p) + ": "
}

// kindName names a JSON kind in JSON's terms.
func kindName(k jsontext.Kind) string {
	switch k {
	case 'n':
		return "null"
	case 'f', 't':
		return "boolean"
	case '"':
		return "string"
	case '0':
		return "number"
	case '{':
		return "object"
	case '[':
		return "array"
	}
	return k.String()
}

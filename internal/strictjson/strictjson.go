package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strconv"
	"strings"
	"sync"
)

// ErrEmpty is returned for a document holding no JSON value at all, such
// as an empty file.
var ErrEmpty = errors.New("empty document")

// Unmarshal decodes data into v, a non-nil pointer, after checking that
// every object key matches a field of the destination type exactly, that no
// key repeats within an object and that nothing follows the top-level value.
//
// Errors name the offending location as a path such as
// "syscalls[3].includes.arches". Type mismatches (a string where a number
// belongs) are reported by encoding/json. On error v may be partially
// filled and must not be used.
func Unmarshal(data []byte, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		return errors.New("decode: destination must be a non-nil pointer")
	}
	// encoding/json validates and fills v in one pass; then a byte scan
	// checks the keys it matched leniently. A syntax error is explained by
	// the token walk instead, with the path and offset of the problem.
	err := json.Unmarshal(data, v)
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		if werr := walk(data, rv.Type().Elem()); werr != nil {
			return werr
		}
		return fmt.Errorf("decode: %w", err)
	}
	// The document is well-formed: key errors come before type errors, as
	// a misspelt key often explains a type error.
	if kerr := checkKeys(data, rv.Type().Elem()); kerr != nil {
		return kerr
	}
	if err != nil {
		return fmt.Errorf("decode: %w", err)
	}
	return nil
}

// walk checks data against t with a walker and reports what is wrong with
// it: an unknown or repeated key, a syntax error, trailing data.
func walk(data []byte, t reflect.Type) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	w := walker{dec: dec}
	if err := w.value(t, "$"); err != nil {
		if errors.Is(err, io.EOF) {
			return ErrEmpty
		}
		return err
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return fmt.Errorf("decode: unexpected data after the top-level value at offset %d", dec.InputOffset())
	}
	return nil
}

// walker streams tokens from dec and compares objects against the expected
// Go type. It never builds values; encoding/json does that afterwards.
type walker struct {
	dec *json.Decoder
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// value consumes one JSON value that should decode into t.
func (w walker) value(t reflect.Type, path string) error {
	for t.Kind() == reflect.Pointer {
		if t.Implements(unmarshalerType) {
			return w.skip()
		}
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(unmarshalerType) {
		return w.skip()
	}
	tok, err := w.dec.Token()
	if err != nil {
		return w.syntax(err)
	}
	delim, isDelim := tok.(json.Delim)
	if !isDelim {
		// A scalar: encoding/json reports a type mismatch, if any.
		return nil
	}
	switch {
	case delim == '{' && t.Kind() == reflect.Struct:
		return w.object(path, func(key string) (reflect.Type, error) {
			ft, ok := fieldsOf(t)[key]
			if !ok {
				return nil, fmt.Errorf("decode: unknown field %s", join(path, key))
			}
			return ft, nil
		})
	case delim == '{' && t.Kind() == reflect.Map:
		return w.object(path, func(string) (reflect.Type, error) { return t.Elem(), nil })
	case delim == '[' && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array):
		for i := 0; w.dec.More(); i++ {
			if err := w.value(t.Elem(), path+"["+strconv.Itoa(i)+"]"); err != nil {
				return err
			}
		}
		return w.closing()
	default:
		// The document and the type disagree (an array where an object
		// belongs, or an interface{} field). Skip the value; encoding/json
		// reports the mismatch with its own message.
		return w.rest(1)
	}
}

// object consumes the members of an object whose '{' was already read.
// field maps each key to the type of its value or rejects the key.
func (w walker) object(path string, field func(string) (reflect.Type, error)) error {
	seen := make(map[string]bool)
	for w.dec.More() {
		tok, err := w.dec.Token()
		if err != nil {
			return w.syntax(err)
		}
		key, ok := tok.(string)
		if !ok {
			return fmt.Errorf("decode: object key at %s is not a string", path)
		}
		if seen[key] {
			return fmt.Errorf("decode: duplicate field %s", join(path, key))
		}
		seen[key] = true
		ft, err := field(key)
		if err != nil {
			return err
		}
		if err := w.value(ft, join(path, key)); err != nil {
			return err
		}
	}
	return w.closing()
}

// closing consumes the '}' or ']' ending the current object or array.
func (w walker) closing() error {
	if _, err := w.dec.Token(); err != nil {
		return w.syntax(err)
	}
	return nil
}

// skip consumes one complete value without looking at it.
func (w walker) skip() error {
	tok, err := w.dec.Token()
	if err != nil {
		return w.syntax(err)
	}
	if _, ok := tok.(json.Delim); ok {
		return w.rest(1)
	}
	return nil
}

// rest consumes tokens until depth open delimiters have been closed. It is
// iterative so that deeply nested input cannot exhaust the stack.
func (w walker) rest(depth int) error {
	for depth > 0 {
		tok, err := w.dec.Token()
		if err != nil {
			return w.syntax(err)
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
	}
	return nil
}

// syntax turns a tokenizer error into a decode error, keeping io.EOF
// recognisable for the empty-document case and translating the bare
// io.ErrUnexpectedEOF of a truncated document.
func (w walker) syntax(err error) error {
	if errors.Is(err, io.EOF) && w.dec.InputOffset() == 0 {
		return err
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("decode: unexpected end of document at offset %d", w.dec.InputOffset())
	}
	return fmt.Errorf("decode: %w", err)
}

func join(path, key string) string {
	if path == "$" {
		return key
	}
	return path + "." + key
}

// fieldCache maps a struct type to its JSON field names and types.
var fieldCache sync.Map // reflect.Type -> map[string]reflect.Type

// fieldsOf returns the exact JSON names of t's exported fields, following
// the encoding/json rules this project relies on: the name from the json
// tag when present, the Go name otherwise, "-" skips the field. Embedded
// structs are flattened.
func fieldsOf(t reflect.Type) map[string]reflect.Type {
	if m, ok := fieldCache.Load(t); ok {
		return m.(map[string]reflect.Type)
	}
	m := make(map[string]reflect.Type)
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			ft := f.Type
			if ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			if ft.Kind() == reflect.Struct {
				for k, v := range fieldsOf(ft) {
					m[k] = v
				}
				continue
			}
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		m[name] = f.Type
	}
	fieldCache.Store(t, m)
	return m
}

package strictjson

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
)

// checkKeys is the fast path of Unmarshal for a document json.Valid has
// accepted: a scan over the bytes, guided by t, that reports unknown and
// repeated keys with the same messages as the walker. It allocates only
// for keys that hold escapes and for error messages, which makes it several
// times faster than walking json.Decoder tokens on large traces.
func checkKeys(data []byte, t reflect.Type) error {
	s := keyScanner{data: data}
	return s.value(t)
}

type keyScanner struct {
	data []byte
	pos  int
	// path holds the keys and indexes leading to the current value, turned
	// into "items[0].name" only for an error message.
	path []segment
}

type segment struct {
	key     string
	index   int
	isIndex bool
}

// where renders the path to key in the object at the current position, as
// the walker does.
func (s *keyScanner) where(key string) string {
	path := "$"
	for _, seg := range s.path {
		if seg.isIndex {
			path += "[" + strconv.Itoa(seg.index) + "]"
		} else {
			path = join(path, seg.key)
		}
	}
	return join(path, key)
}

func (s *keyScanner) ws() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// value checks the value at pos against t (nil: anything goes) and moves
// past it.
func (s *keyScanner) value(t reflect.Type) error {
	for t != nil && t.Kind() == reflect.Pointer {
		if t.Implements(unmarshalerType) {
			t = nil
			break
		}
		t = t.Elem()
	}
	if t != nil && reflect.PointerTo(t).Implements(unmarshalerType) {
		t = nil
	}
	s.ws()
	switch c := s.data[s.pos]; {
	case t == nil:
	case c == '{' && t.Kind() == reflect.Struct:
		fields := fieldsOf(t)
		return s.object(func(key string) (reflect.Type, bool) {
			ft, ok := fields[key]
			return ft, ok
		})
	case c == '{' && t.Kind() == reflect.Map:
		elem := t.Elem()
		return s.object(func(string) (reflect.Type, bool) { return elem, true })
	case c == '[' && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array):
		return s.array(t.Elem())
	}
	s.skip()
	return nil
}

func (s *keyScanner) object(field func(string) (reflect.Type, bool)) error {
	s.pos++ // '{'
	var seen keySet
	for {
		s.ws()
		switch s.data[s.pos] {
		case '}':
			s.pos++
			return nil
		case ',':
			s.pos++
			s.ws()
		}
		key := s.key()
		if seen.has(key) {
			return fmt.Errorf("decode: duplicate field %s", s.where(key))
		}
		seen.add(key)
		ft, ok := field(key)
		if !ok {
			return fmt.Errorf("decode: unknown field %s", s.where(key))
		}
		s.ws()
		s.pos++ // ':'
		s.path = append(s.path, segment{key: key})
		if err := s.value(ft); err != nil {
			return err
		}
		s.path = s.path[:len(s.path)-1]
	}
}

func (s *keyScanner) array(elem reflect.Type) error {
	s.pos++ // '['
	for i := 0; ; i++ {
		s.ws()
		switch s.data[s.pos] {
		case ']':
			s.pos++
			return nil
		case ',':
			s.pos++
		}
		s.path = append(s.path, segment{index: i, isIndex: true})
		if err := s.value(elem); err != nil {
			return err
		}
		s.path = s.path[:len(s.path)-1]
	}
}

// key reads the string at pos, decoding escapes the way encoding/json
// matches keys after decoding them.
func (s *keyScanner) key() string {
	start := s.pos
	s.skipString()
	return s.keyAt(start)
}

// keyAt decodes the quoted string from start to pos.
func (s *keyScanner) keyAt(start int) string {
	raw := s.data[start:s.pos]
	if plain(raw) {
		return string(raw[1 : len(raw)-1])
	}
	var k string
	_ = json.Unmarshal(raw, &k) // "" for a malformed key: eachMember's callers validate later
	return k
}

// plain reports whether a quoted key needs no decoding: no escapes, and
// only ASCII (encoding/json turns invalid UTF-8 into U+FFFD).
func plain(raw []byte) bool {
	for _, b := range raw {
		if b == '\\' || b >= 0x80 {
			return false
		}
	}
	return true
}

// skipString moves past the string starting at pos.
func (s *keyScanner) skipString() {
	s.pos++ // opening quote
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case '\\':
			s.pos += 2
		case '"':
			s.pos++
			return
		default:
			s.pos++
		}
	}
}

// skip moves past one value of any kind, iteratively for nested ones.
func (s *keyScanner) skip() {
	depth := 0
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case '"':
			s.skipString()
			if depth == 0 {
				return
			}
			continue
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return // the end of the enclosing container
			}
			depth--
			if depth == 0 {
				s.pos++
				return
			}
		case ',', ' ', '\t', '\n', '\r', ':':
			if depth == 0 {
				return
			}
		}
		s.pos++
	}
}

// keySet remembers an object's keys: a slice while small (structs have a
// handful), a map once large (so a hostile map-typed object cannot make
// the check quadratic).
type keySet struct {
	list []string
	set  map[string]bool
}

func (k *keySet) has(key string) bool {
	if k.set != nil {
		return k.set[key]
	}
	for _, s := range k.list {
		if s == key {
			return true
		}
	}
	return false
}

func (k *keySet) add(key string) {
	if k.set == nil && len(k.list) < 32 {
		k.list = append(k.list, key)
		return
	}
	if k.set == nil {
		k.set = make(map[string]bool, 64)
		for _, s := range k.list {
			k.set[s] = true
		}
	}
	k.set[key] = true
}

// Member returns the raw value of the first top-level member named key,
// or nil. It reads no further than that member, so peeking at a version
// written first costs nothing however large the rest is.
func Member(data []byte, key string) []byte {
	var raw []byte
	eachMember(data, func(k string, value func() []byte) bool {
		if k != key {
			return true
		}
		raw = value()
		return false
	})
	return raw
}

// HasMembers reports whether the top-level object has members with all
// the keys, reading no further than the last one found.
func HasMembers(data []byte, keys ...string) bool {
	missing := len(keys)
	seen := make([]bool, len(keys))
	eachMember(data, func(k string, _ func() []byte) bool {
		for i, want := range keys {
			if k == want && !seen[i] {
				seen[i] = true
				missing--
			}
		}
		return missing > 0
	})
	return missing == 0
}

func isObject(data []byte) bool {
	s := keyScanner{data: data}
	s.ws()
	return s.pos < len(data) && data[s.pos] == '{'
}

// eachMember calls fn with each top-level member's key until fn returns
// false; value skips the member's value and returns it raw, and is called
// for fn when it did not. It stops quietly at anything malformed.
func eachMember(data []byte, fn func(key string, value func() []byte) bool) {
	s := keyScanner{data: data}
	if !isObject(data) {
		return
	}
	s.ws()
	s.pos++
	for {
		s.ws()
		if s.pos < len(data) && data[s.pos] == ',' {
			s.pos++
			s.ws()
		}
		if s.pos >= len(data) || data[s.pos] != '"' {
			return
		}
		start := s.pos
		s.skipString()
		if s.pos > len(data) || data[s.pos-1] != '"' || s.pos-start < 2 {
			return
		}
		key := s.keyAt(start)
		s.ws()
		if s.pos >= len(data) || data[s.pos] != ':' {
			return
		}
		s.pos++
		s.ws()
		vstart := s.pos
		var raw []byte
		skipped := false
		value := func() []byte {
			if !skipped {
				s.skip()
				raw = data[vstart:min(s.pos, len(data))]
				skipped = true
			}
			return raw
		}
		if !fn(key, value) {
			return
		}
		value()
	}
}

package jsonfile

import "bytes"

// MarshalLastWorkers is MarshalLast with a given number of workers.
func MarshalLastWorkers[E any](v any, elems []E, sizeHint, workers int) ([]byte, error) {
	var buf bytes.Buffer
	if _, err := writeLast(&buf, v, elems, sizeHint, workers); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

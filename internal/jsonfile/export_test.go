package jsonfile

// MarshalLastWorkers is MarshalLast with a given number of workers.
func MarshalLastWorkers[E any](v any, elems []E, sizeHint, workers int) ([]byte, error) {
	return marshalLast(v, elems, sizeHint, workers)
}

package trace

import (
	"errors"
	"runtime"
	"sync"

	"github.com/go-json-experiment/json/jsontext"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/jsonfile"
)

// parallelSize is the size of document from which Parse decodes its runs
// in parallel (see decodeParallel). A merged trace of a thousand runs is
// some 19 MB; a trace the hook writes, of one run, some 40 KB.
var parallelSize = 1 << 20

// decodeParallel is jsonfile.Unmarshal(data, f) for a document with many
// runs, as a merged trace has: the decoder reads the text of each run in
// order, checking its syntax as it must anyway to find where it ends, and
// workers decode the runs from their text meanwhile, one per CPU.
// Decoding the 1,000 runs of a merged trace (19 MB) one after the other
// was the largest part of compiling it: 160 ms on the 2-CPU machine of
// the benchmarks, 120 ms this way.
//
// It succeeds only where Unmarshal succeeds, with the same result: the
// document, and each run on its own, go through jsonfile.Unmarshal with
// its rules. Its errors say nothing: on any error the caller decodes data
// with Unmarshal, which reports the first problem in document order as
// it always does. That also covers a run that both breaks a rule and has
// a syntax error further on, which Unmarshal reports in that order and a
// check of the syntax first would not.
func decodeParallel(data []byte, f *file) error {
	var pf struct {
		Version  *int       `json:"version"`
		Syscalls *[]Syscall `json:"syscalls"`
		Runs     *runsText  `json:"runs"`
	}
	// A runs member that is null sets the pointer to nil, as for file.
	// One that is absent leaves it as it is, so the method says it ran.
	pf.Runs = &runsText{data: data}
	if err := jsonfile.Unmarshal(data, &pf); err != nil {
		return err
	}
	*f = file{Version: pf.Version, Syscalls: pf.Syscalls}
	if pf.Runs != nil && pf.Runs.decoded {
		f.Runs = &pf.Runs.runs
	}
	return nil
}

// runsText decodes an array of runs in parallel from the text of the
// document, data.
type runsText struct {
	data    []byte
	runs    []Run
	decoded bool
}

// errSequential stops decodeParallel where only the sequential decoder
// can say what is wrong.
var errSequential = errors.New("decode sequentially")

// UnmarshalJSONFrom reads the array's elements as text, checked by dec
// for syntax and repeated keys, and hands them in batches to workers that
// decode them with jsonfile.Unmarshal. Anything but an array, and any
// error, is errSequential.
func (rt *runsText) UnmarshalJSONFrom(dec *jsontext.Decoder) error {
	rt.decoded = true
	if dec.PeekKind() != '[' {
		return errSequential
	}
	if _, err := dec.ReadToken(); err != nil {
		return errSequential
	}
	// A batch of runs: waking a worker for each run took as long as
	// decoding some of them.
	type batch struct {
		text [][]byte // each run's
		runs []Run
		err  error
	}
	const batchSize = 16
	work := make(chan *batch, 2*runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for b := range work {
				b.runs = make([]Run, len(b.text))
				for i, text := range b.text {
					if b.err = jsonfile.Unmarshal(text, &b.runs[i]); b.err != nil {
						break
					}
				}
			}
		}()
	}
	var batches []*batch
	cur := &batch{}
	var err error
	for dec.PeekKind() != ']' {
		var raw jsontext.Value
		if raw, err = dec.ReadValue(); err != nil {
			break
		}
		// The text in data itself: raw is only valid until the next read.
		end := int(dec.InputOffset())
		cur.text = append(cur.text, rt.data[end-len(raw):end:end])
		if len(cur.text) == batchSize {
			batches = append(batches, cur)
			work <- cur
			cur = &batch{}
		}
	}
	if len(cur.text) > 0 {
		batches = append(batches, cur)
		work <- cur
	}
	close(work)
	wg.Wait()
	if err != nil {
		return errSequential
	}
	rt.runs = []Run{}
	for _, b := range batches {
		if b.err != nil {
			return errSequential
		}
		rt.runs = append(rt.runs, b.runs...)
	}
	if _, err := dec.ReadToken(); err != nil {
		return errSequential
	}
	return nil
}

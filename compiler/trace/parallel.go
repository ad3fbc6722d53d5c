package trace

import (
	"runtime"
	"sync"
)

// minParallel is the fewest runs eachRun and summariseParallel give a
// worker of their own: from twice as many runs on they work in parallel.
// A trace the hook writes has one run; a merge, hundreds or thousands.
var minParallel = 64

// eachRun calls fn for i from 0 to n-1 with a runChecker for it to use,
// in parallel when n is large: the checks, normal forms and copies of
// runs are independent, and for a thousand runs they took 20 to 30 ms on
// one CPU while the other waited. Each worker takes a range of i and has
// a runChecker of its own; fn must only write what belongs to its i.
func eachRun(n int, fn func(c *runChecker, i int)) {
	workers := min(runtime.GOMAXPROCS(0), n/minParallel)
	if workers < 2 {
		var c runChecker
		for i := range n {
			fn(&c, i)
		}
		return
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var c runChecker
			for i := w * n / workers; i < (w+1)*n/workers; i++ {
				fn(&c, i)
			}
		}()
	}
	wg.Wait()
}

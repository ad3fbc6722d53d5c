// Command gothreads is a multi-threaded Go workload for the system tests
// (test/12-programs.bats): goroutines on several threads hash, sleep,
// pass values through a channel and talk over loopback TCP, so that Go's
// runtime preempts, parks and wakes threads as a real server does. Its
// output is the same in every run.
package main

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"sync"
	"time"
)

func main() {
	runtime.GOMAXPROCS(4)
	digests := make([]string, 8)
	var wg sync.WaitGroup
	for i := range digests {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := sha256.New()
			for j := range 20000 {
				fmt.Fprintf(h, "%d-%d", i, j)
			}
			digests[i] = hex.EncodeToString(h.Sum(nil))[:8]
		}()
	}

	values := make(chan int)
	go func() {
		for i := range 100 {
			values <- i
			if i%10 == 0 {
				time.Sleep(time.Millisecond)
			}
		}
		close(values)
	}()
	sum := 0
	for v := range values {
		sum += v
	}

	echo, err := loopback("ping")
	if err != nil {
		fmt.Fprintln(os.Stderr, "gothreads:", err)
		os.Exit(1)
	}
	wg.Wait()
	fmt.Println(digests, sum, echo)
}

// loopback sends msg to an echo server on 127.0.0.1 and returns the
// answer.
func loopback(msg string) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		_, _ = io.CopyN(c, c, int64(len(msg)))
	}()
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		return "", err
	}
	defer c.Close()
	if _, err := io.WriteString(c, msg); err != nil {
		return "", err
	}
	buf := make([]byte, len(msg))
	if _, err := io.ReadFull(c, buf); err != nil {
		return "", err
	}
	return string(buf), nil
}

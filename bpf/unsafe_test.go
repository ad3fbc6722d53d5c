//go:build linux

package bpf

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

func unsafePointer(p *unix.SockFprog) unsafe.Pointer { return unsafe.Pointer(p) }

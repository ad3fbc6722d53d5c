//go:build linux

package bpf

import (
	"fmt"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/link"
)

// The recorder is two programs. sched_switch records, for each CPU, the
// task it switches to and the inode of its PID namespace in `running`;
// sys_enter reads them from there instead of calling
// bpf_get_current_task_btf() and walking to the namespace at each
// syscall: the helper call was the most expensive thing it did (on this
// kind of CPU every return from a kernel function goes through a return
// thunk), and a task's namespace never changes. An entry is
// right only while sched_switch has seen every switch on its CPU since
// the entry was written, so sched_switch is attached first and detached
// last.

// attachSwitch attaches sched_switch.
func attachSwitch(objs *recorderObjects) (link.Link, error) {
	l, err := link.AttachRawTracepoint(link.RawTracepointOptions{Name: "sched_switch", Program: objs.SchedSwitch})
	if err != nil {
		return nil, fmt.Errorf("attach raw tracepoint sched_switch: %w", err)
	}
	return l, nil
}

// attachEnter clears what an earlier attachment left in `running`, which
// sched_switch may not have kept up to date since, and attaches sys_enter.
// sched_switch must be attached already: from then on an entry is either
// 0, which makes sys_enter call the helper, or the running task.
func attachEnter(objs *recorderObjects) (link.Link, error) {
	if err := clearRunning(objs.Running); err != nil {
		return nil, err
	}
	l, err := link.AttachRawTracepoint(link.RawTracepointOptions{Name: "sys_enter", Program: objs.SysEnter})
	if err != nil {
		return nil, fmt.Errorf("attach raw tracepoint sys_enter: %w", err)
	}
	return l, nil
}

// running mirrors struct running in recorder.bpf.c.
type running struct {
	Task  uint64
	PIDNS uint32
	_     uint32
}

func clearRunning(m *ebpf.Map) error {
	ncpu, err := ebpf.PossibleCPU()
	if err != nil {
		return fmt.Errorf("possible cpus: %w", err)
	}
	if err := m.Update(uint32(0), make([]running, ncpu), ebpf.UpdateAny); err != nil {
		return fmt.Errorf("clear running: %w", err)
	}
	return nil
}

package args

import (
	"slices"

	"golang.org/x/sys/unix"
)

// Kind is how an argument is recorded and restricted.
type Kind uint8

const (
	// Values records each distinct value (up to a bound; past it the call
	// is allowed with any value and the trace says so) and allows each
	// with an SCMP_CMP_EQ condition.
	Values Kind = 1
	// NamespaceFlags records the OR of the namespace bits (NamespaceMask)
	// seen in a flags argument, and allows calls whose namespace bits are
	// among those, whatever their other bits: one SCMP_CMP_MASKED_EQ
	// condition.
	NamespaceFlags Kind = 2
)

// String names the kind as the trace format does.
func (k Kind) String() string {
	switch k {
	case Values:
		return "values"
	case NamespaceFlags:
		return "nsflags"
	}
	return "unknown"
}

// NamespaceMask is every CLONE_NEW* bit of clone, clone3 and unshare:
// mount, cgroup, UTS, IPC, user, PID, network and time namespaces.
const NamespaceMask uint64 = unix.CLONE_NEWNS | unix.CLONE_NEWCGROUP | unix.CLONE_NEWUTS |
	unix.CLONE_NEWIPC | unix.CLONE_NEWUSER | unix.CLONE_NEWPID | unix.CLONE_NEWNET | unix.CLONE_NEWTIME

// Row is one recorded argument.
type Row struct {
	// Syscall is the call's libseccomp name.
	Syscall string
	// Index is the argument's position, from 0.
	Index uint8
	// Kind is how it is recorded and restricted.
	Kind Kind
	// Why it is restricted, for documentation and rule comments.
	Why string
}

// table is in the order the recorder numbers its rows; at most 16 (the
// recorder's NR_ARG_ROWS).
var table = []Row{
	{"socket", 0, Values, "the address family: AF_NETLINK, AF_PACKET, AF_VSOCK, AF_ALG and others reach kernel code most workloads never use"},
	{"clone", 0, NamespaceFlags, "new namespaces (a user namespace above all) open kernel attack surface; threads and forks set none"},
	{"unshare", 0, NamespaceFlags, "new namespaces (a user namespace above all) open kernel attack surface"},
	{"personality", 0, Values, "READ_IMPLIES_EXEC and other personalities weaken memory protections; Docker's default allows only a few values"},
	{"ioctl", 1, Values, "the request: TIOCSTI injects terminal input, and each driver's requests are their own attack surface"},
	{"prctl", 0, Values, "the option: some change privileges or security state (PR_SET_MM, PR_SET_SECUREBITS, ...)"},
}

// Table returns the rows, in the recorder's order.
func Table() []Row { return slices.Clone(table) }

// Lookup returns the row of the argument index of syscall, if recorded.
func Lookup(syscall string, index uint8) (Row, bool) {
	i := slices.IndexFunc(table, func(r Row) bool { return r.Syscall == syscall && r.Index == index })
	if i < 0 {
		return Row{}, false
	}
	return table[i], true
}

// Restricted reports whether any argument of syscall is in the table.
func Restricted(syscall string) bool {
	return slices.ContainsFunc(table, func(r Row) bool { return r.Syscall == syscall })
}

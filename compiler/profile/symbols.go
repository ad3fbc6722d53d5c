package profile

import (
	"fmt"
	"slices"
	"strings"

	"github.com/containers/common/pkg/seccomp"

	"github.com/oci-hooks/oci-seccomp-bpf-hook/internal/args"
)

// The symbolic names rule comments and diff give argument values, so that
// a reader sees "AF_INET (0x2)" rather than a bare 2. The values are the
// Linux ABI's, written out rather than taken from golang.org/x/sys/unix:
// they name what a recorded value meant on the host that recorded it, the
// package must build on every GOOS, and the numbers are the same on every
// architecture this table serves (ioctl requests are not: see
// genericTTYArches).

// argNames names each recorded argument, by syscall, in comments.
var argNames = map[string]string{
	"socket":      "family",
	"clone":       "flags",
	"unshare":     "flags",
	"personality": "persona",
	"ioctl":       "request",
	"prctl":       "option",
}

// addressFamilies are socket(2)'s AF_* values.
var addressFamilies = map[uint64]string{
	0: "AF_UNSPEC", 1: "AF_UNIX", 2: "AF_INET", 3: "AF_AX25", 4: "AF_IPX",
	5: "AF_APPLETALK", 6: "AF_NETROM", 7: "AF_BRIDGE", 8: "AF_ATMPVC", 9: "AF_X25",
	10: "AF_INET6", 11: "AF_ROSE", 12: "AF_DECnet", 13: "AF_NETBEUI", 14: "AF_SECURITY",
	15: "AF_KEY", 16: "AF_NETLINK", 17: "AF_PACKET", 18: "AF_ASH", 19: "AF_ECONET",
	20: "AF_ATMSVC", 21: "AF_RDS", 22: "AF_SNA", 23: "AF_IRDA", 24: "AF_PPPOX",
	25: "AF_WANPIPE", 26: "AF_LLC", 27: "AF_IB", 28: "AF_MPLS", 29: "AF_CAN",
	30: "AF_TIPC", 31: "AF_BLUETOOTH", 32: "AF_IUCV", 33: "AF_RXRPC", 34: "AF_ISDN",
	35: "AF_PHONET", 36: "AF_IEEE802154", 37: "AF_CAIF", 38: "AF_ALG", 39: "AF_NFC",
	40: "AF_VSOCK", 41: "AF_KCM", 42: "AF_QIPCRTR", 43: "AF_SMC", 44: "AF_XDP",
	45: "AF_MCTP",
}

// personalities are the personality(2) values programs pass: the query
// and the common personas (the ones Docker's default profile allows, and
// the dangerous flags).
var personalities = map[uint64]string{
	0x0:        "PER_LINUX",
	0x8:        "PER_LINUX32",
	0x20000:    "UNAME26",
	0x20008:    "PER_LINUX32|UNAME26",
	0x40000:    "ADDR_NO_RANDOMIZE",
	0x400000:   "READ_IMPLIES_EXEC",
	0x0800000:  "ADDR_LIMIT_32BIT",
	0xffffffff: "query (0xffffffff)",
}

// prctlOptions are prctl(2)'s PR_* options.
var prctlOptions = map[uint64]string{
	1: "PR_SET_PDEATHSIG", 2: "PR_GET_PDEATHSIG", 3: "PR_GET_DUMPABLE", 4: "PR_SET_DUMPABLE",
	5: "PR_GET_UNALIGN", 6: "PR_SET_UNALIGN", 7: "PR_GET_KEEPCAPS", 8: "PR_SET_KEEPCAPS",
	9: "PR_GET_FPEMU", 10: "PR_SET_FPEMU", 11: "PR_GET_FPEXC", 12: "PR_SET_FPEXC",
	13: "PR_GET_TIMING", 14: "PR_SET_TIMING", 15: "PR_SET_NAME", 16: "PR_GET_NAME",
	19: "PR_GET_ENDIAN", 20: "PR_SET_ENDIAN", 21: "PR_GET_SECCOMP", 22: "PR_SET_SECCOMP",
	23: "PR_CAPBSET_READ", 24: "PR_CAPBSET_DROP", 25: "PR_GET_TSC", 26: "PR_SET_TSC",
	27: "PR_GET_SECUREBITS", 28: "PR_SET_SECUREBITS", 29: "PR_SET_TIMERSLACK", 30: "PR_GET_TIMERSLACK",
	31: "PR_TASK_PERF_EVENTS_DISABLE", 32: "PR_TASK_PERF_EVENTS_ENABLE", 33: "PR_MCE_KILL",
	34: "PR_MCE_KILL_GET", 35: "PR_SET_MM", 36: "PR_SET_CHILD_SUBREAPER", 37: "PR_GET_CHILD_SUBREAPER",
	38: "PR_SET_NO_NEW_PRIVS", 39: "PR_GET_NO_NEW_PRIVS", 40: "PR_GET_TID_ADDRESS",
	41: "PR_SET_THP_DISABLE", 42: "PR_GET_THP_DISABLE", 45: "PR_SET_FP_MODE", 46: "PR_GET_FP_MODE",
	47: "PR_CAP_AMBIENT", 50: "PR_SVE_SET_VL", 51: "PR_SVE_GET_VL", 52: "PR_GET_SPECULATION_CTRL",
	53: "PR_SET_SPECULATION_CTRL", 54: "PR_PAC_RESET_KEYS", 55: "PR_SET_TAGGED_ADDR_CTRL",
	56: "PR_GET_TAGGED_ADDR_CTRL", 57: "PR_SET_IO_FLUSHER", 58: "PR_GET_IO_FLUSHER",
	59: "PR_SET_SYSCALL_USER_DISPATCH", 60: "PR_PAC_SET_ENABLED_KEYS", 61: "PR_PAC_GET_ENABLED_KEYS",
	62: "PR_SCHED_CORE", 63: "PR_SME_SET_VL", 64: "PR_SME_GET_VL", 65: "PR_SET_MDWE", 66: "PR_GET_MDWE",
	0x53564d41: "PR_SET_VMA", 0x41555856: "PR_GET_AUXV",
}

// ioctlRequests are common ioctl(2) requests in their asm-generic
// numbering: terminals (see ttyRequests), file and socket requests.
var ioctlRequests = map[uint64]string{
	0x5401: "TCGETS", 0x5402: "TCSETS", 0x5403: "TCSETSW", 0x5404: "TCSETSF",
	0x5405: "TCGETA", 0x5406: "TCSETA", 0x5407: "TCSETAW", 0x5408: "TCSETAF",
	0x5409: "TCSBRK", 0x540a: "TCXONC", 0x540b: "TCFLSH", 0x540c: "TIOCEXCL",
	0x540d: "TIOCNXCL", 0x540e: "TIOCSCTTY", 0x540f: "TIOCGPGRP", 0x5410: "TIOCSPGRP",
	0x5411: "TIOCOUTQ", 0x5412: "TIOCSTI", 0x5413: "TIOCGWINSZ", 0x5414: "TIOCSWINSZ",
	0x5415: "TIOCMGET", 0x5416: "TIOCMBIS", 0x5417: "TIOCMBIC", 0x5418: "TIOCMSET",
	0x541b: "FIONREAD", 0x541c: "TIOCLINUX", 0x541d: "TIOCCONS", 0x5421: "FIONBIO",
	0x5422: "TIOCNOTTY", 0x5429: "TIOCGSID", 0x5450: "FIONCLEX", 0x5451: "FIOCLEX",
	0x5452: "FIOASYNC", 0x5460: "FIOQSIZE", 0x802c542a: "TCGETS2", 0x402c542b: "TCSETS2",
	0x402c542c: "TCSETSW2", 0x402c542d: "TCSETSF2", 0x80045430: "TIOCGPTN", 0x40045431: "TIOCSPTLCK",
	0x5441: "TIOCGPTPEER", 0x8906: "SIOCGSTAMP", 0x8910: "SIOCGIFNAME", 0x8912: "SIOCGIFCONF",
	0x8913: "SIOCGIFFLAGS", 0x8915: "SIOCGIFADDR", 0x8921: "SIOCGIFMTU", 0x8927: "SIOCGIFHWADDR",
	0x8933: "SIOCGIFINDEX", 0x80086601: "FS_IOC_GETFLAGS", 0x40086602: "FS_IOC_SETFLAGS",
	0x94: "FICLONE", 0xc020660b: "FS_IOC_FIEMAP", 0x40049409: "BTRFS_IOC_CLONE",
}

// ttyRequests is the terminal group: requests a program makes on its
// standard streams when they are a terminal (podman run -t) and not
// otherwise, so that whether a trace sees them depends on how the
// container was started rather than on the workload. Whenever a profile
// restricts ioctl's request, it allows these too (see ttyRules). They
// read and set terminal attributes, window size, foreground process group
// and session, and flush or drain output. Never TIOCSTI (pushes input into
// the terminal, the classic container escape), TIOCLINUX (console
// selection and more) or TIOCCONS (redirects the console): a program
// that made one still gets it from its own trace, with its own rule.
var ttyRequests = []uint64{
	0x5401, 0x5402, 0x5403, 0x5404, // TCGETS, TCSETS, TCSETSW, TCSETSF
	0x5409, 0x540a, 0x540b, // TCSBRK (tcdrain), TCXONC (tcflow), TCFLSH (tcflush)
	0x540f, 0x5410, 0x5411, // TIOCGPGRP, TIOCSPGRP, TIOCOUTQ
	0x5413, 0x5414, 0x5422, 0x5429, // TIOCGWINSZ, TIOCSWINSZ, TIOCNOTTY, TIOCGSID
	0x802c542a, 0x402c542b, 0x402c542c, 0x402c542d, // TCGETS2, TCSETS2, TCSETSW2, TCSETSF2
}

// genericTTYArches are the native architectures whose terminal ioctls
// have the asm-generic numbers of ttyRequests. PowerPC, MIPS, PA-RISC,
// SPARC and Alpha number them otherwise and get no terminal group.
var genericTTYArches = []seccomp.Arch{
	seccomp.ArchX86_64, seccomp.ArchX86, seccomp.ArchX32, seccomp.ArchAARCH64, seccomp.ArchARM,
	seccomp.ArchS390X, seccomp.ArchS390, seccomp.ArchRISCV64,
}

// namespaceFlags names the CLONE_NEW* bits of args.NamespaceMask.
var namespaceFlags = []struct {
	bit  uint64
	name string
}{
	{0x80, "CLONE_NEWTIME"}, {0x20000, "CLONE_NEWNS"}, {0x2000000, "CLONE_NEWCGROUP"},
	{0x4000000, "CLONE_NEWUTS"}, {0x8000000, "CLONE_NEWIPC"}, {0x10000000, "CLONE_NEWUSER"},
	{0x20000000, "CLONE_NEWPID"}, {0x40000000, "CLONE_NEWNET"},
}

// argName names argument index of syscall in comments: "family",
// "request", or "arg1" for an argument this table does not know.
func argName(syscall string, index int) string {
	if row, ok := args.Lookup(syscall, uint8(index)); ok {
		if n, ok := argNames[row.Syscall]; ok {
			return n
		}
	}
	return fmt.Sprintf("arg%d", index)
}

// valueName renders a value of a syscall's argument as "AF_INET (0x2)"
// where a name is known, else "0x2". Only the argument the table records
// is named: the same number means something else elsewhere.
func valueName(syscall string, index int, v uint64) string {
	var names map[uint64]string
	if row, ok := args.Lookup(syscall, uint8(index)); ok {
		switch row.Syscall {
		case "socket":
			names = addressFamilies
		case "personality":
			names = personalities
		case "prctl":
			names = prctlOptions
		case "ioctl":
			names = ioctlRequests
		}
	}
	n, ok := names[v]
	switch {
	case !ok:
		return fmt.Sprintf("%#x", v)
	case strings.HasSuffix(n, ")"):
		return n
	}
	return fmt.Sprintf("%s (%#x)", n, v)
}

// namespaceNames renders namespace bits as "CLONE_NEWNS|CLONE_NEWUSER",
// or "none".
func namespaceNames(flags uint64) string {
	var out []string
	for _, f := range namespaceFlags {
		if flags&f.bit != 0 {
			out = append(out, f.name)
			flags &^= f.bit
		}
	}
	if flags != 0 {
		out = append(out, fmt.Sprintf("%#x", flags))
	}
	if len(out) == 0 {
		return "none"
	}
	slices.Sort(out)
	return strings.Join(out, "|")
}

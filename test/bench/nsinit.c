// nsinit: a stand-in for a container's init, for timing the prestart hook
// without podman. Run as the init of a new PID namespace
// (`unshare -p -f nsinit FIFO`), it blocks until a line arrives on FIFO,
// then does what runc does between the hook and the workload, without
// an execve (the recorder starts at a prctl made before the first execve):
// prctl(PR_SET_NO_NEW_PRIVS), one getppid() as the "workload", and exits.
// The tracer then writes a profile allowing prctl and getppid.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char c;

	if (argc != 2) {
		fprintf(stderr, "usage: %s FIFO\n", argv[0]);
		return 2;
	}
	int fd = open(argv[1], O_RDONLY);
	if (fd < 0 || read(fd, &c, 1) != 1) {
		perror(argv[1]);
		return 1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
		perror("prctl");
		return 1;
	}
	syscall(SYS_getppid);
	return 0;
}

// loop: the benchmarks' syscall-heavy workload, the loop of
// `test/progs/syscalls -b` timed two ways. `loop -n COUNT` makes COUNT
// getppid() calls on one thread and prints the cost per call in ns, first
// as CPU time of the thread (user + system, so it includes what an eBPF
// program on sys_enter costs, but not the time the thread waited for a
// CPU), then as wall-clock time. On a busy machine the CPU time is the
// stable one; the wall time is what a user would see on an idle one.
// Built static, it runs in any image.
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double ns(clockid_t clock)
{
	struct timespec ts;
	clock_gettime(clock, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long count = 1000000;
	int opt;

	while ((opt = getopt(argc, argv, "n:")) != -1) {
		if (opt != 'n') {
			fprintf(stderr, "usage: %s [-n count]\n", argv[0]);
			return 2;
		}
		count = atol(optarg);
	}
	if (count < 1) {
		fprintf(stderr, "%s: bad -n\n", argv[0]);
		return 2;
	}
	double cpu = ns(CLOCK_THREAD_CPUTIME_ID), wall = ns(CLOCK_MONOTONIC);
	for (long i = 0; i < count; i++)
		syscall(SYS_getppid);
	wall = ns(CLOCK_MONOTONIC) - wall;
	cpu = ns(CLOCK_THREAD_CPUTIME_ID) - cpu;
	printf("%.1f %.1f\n", cpu / count, wall / count);
	return 0;
}

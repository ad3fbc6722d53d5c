// pingpong: a context-switch-bound workload for the benchmarks. Two
// processes pinned to the same CPU pass a byte back and forth through two
// pipes; `pingpong -n COUNT` makes COUNT round trips, each costing two
// context switches and four syscalls, and prints the wall-clock ns per
// round trip twice (the benchmarks read loop.c's "CPU wall" format; with
// two processes on one CPU, wall-clock time is the CPU time of both).
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void die(const char *what)
{
	perror(what);
	exit(1);
}

int main(int argc, char **argv)
{
	long count = 100000;
	int opt, ping[2], pong[2];
	char c = 0;
	cpu_set_t cpus;

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
	/* Both processes on the CPU this one runs on now. */
	CPU_ZERO(&cpus);
	CPU_SET(sched_getcpu(), &cpus);
	if (sched_setaffinity(0, sizeof(cpus), &cpus))
		die("sched_setaffinity");
	if (pipe(ping) || pipe(pong))
		die("pipe");
	pid_t child = fork();
	if (child < 0)
		die("fork");
	if (child == 0) {
		for (long i = 0; i < count; i++)
			if (read(ping[0], &c, 1) != 1 || write(pong[1], &c, 1) != 1)
				_exit(1);
		_exit(0);
	}
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (long i = 0; i < count; i++)
		if (write(ping[1], &c, 1) != 1 || read(pong[0], &c, 1) != 1)
			die("ping");
	clock_gettime(CLOCK_MONOTONIC, &t1);
	int status;
	if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die("pong");
	double ns = ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / count;
	printf("%.1f %.1f\n", ns, ns);
	return 0;
}

// syscalls: a workload that makes an exactly known number of system calls,
// for the load test and the benchmarks. Built static, it runs in any image.
//
//   syscalls -t THREADS -n COUNT -m MASK
//       each of THREADS threads makes COUNT calls of every marker syscall
//       selected by the bits of MASK (see markers[]), then prints the totals.
//   syscalls -b -n COUNT
//       times COUNT getppid() calls on one thread and prints ns per call.
//
// The markers are syscalls that neither runc, crun nor this program's libc
// start-up make, so a trace's count for each is exactly THREADS * COUNT.
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <time.h>
#include <unistd.h>

static const struct {
	const char *name;
	long nr;
	long arg;
} markers[] = {
	{"getsid", SYS_getsid, 0},
	{"getpriority", SYS_getpriority, PRIO_PROCESS},
	{"sched_get_priority_max", SYS_sched_get_priority_max, SCHED_OTHER},
	{"sched_get_priority_min", SYS_sched_get_priority_min, SCHED_OTHER},
	{"sysinfo", SYS_sysinfo, 0},
};
#define NMARKERS (sizeof(markers) / sizeof(markers[0]))

static long count;
static unsigned mask;

static void *work(void *unused)
{
	struct sysinfo si;
	(void)unused;
	for (unsigned m = 0; m < NMARKERS; m++) {
		if (!(mask & (1u << m)))
			continue;
		for (long i = 0; i < count; i++)
			syscall(markers[m].nr, markers[m].nr == SYS_sysinfo ? (long)&si : markers[m].arg, 0);
	}
	return NULL;
}

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(int argc, char **argv)
{
	long threads = 1;
	int bench = 0, opt;

	count = 1000;
	mask = (1u << NMARKERS) - 1;
	while ((opt = getopt(argc, argv, "t:n:m:b")) != -1) {
		switch (opt) {
		case 't': threads = atol(optarg); break;
		case 'n': count = atol(optarg); break;
		case 'm': mask = (unsigned)strtoul(optarg, NULL, 0); break;
		case 'b': bench = 1; break;
		default:
			fprintf(stderr, "usage: %s [-t threads] [-n count] [-m mask] | -b [-n count]\n", argv[0]);
			return 2;
		}
	}
	if (bench) {
		double start = now_ns();
		for (long i = 0; i < count; i++)
			syscall(SYS_getppid);
		printf("%.1f\n", (now_ns() - start) / count);
		return 0;
	}
	if (threads < 1 || threads > 1024 || count < 0) {
		fprintf(stderr, "%s: bad -t or -n\n", argv[0]);
		return 2;
	}
	pthread_t tid[1024];
	for (long t = 0; t < threads; t++)
		if (pthread_create(&tid[t], NULL, work, NULL) != 0) {
			perror("pthread_create");
			return 1;
		}
	for (long t = 0; t < threads; t++)
		pthread_join(tid[t], NULL);
	for (unsigned m = 0; m < NMARKERS; m++)
		if (mask & (1u << m))
			printf("%s %ld\n", markers[m].name, threads * count);
	return 0;
}

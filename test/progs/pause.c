// pause: the pod sandbox ("pause") container's process in the containerd
// test's sandbox image, like Kubernetes' own pause: it holds the pod's
// namespaces and does nothing until told to stop. As PID 1 of its
// namespace it would ignore SIGTERM without a handler.
#include <signal.h>
#include <unistd.h>

static void stop(int sig) { _exit(0); }

int main(void) {
	signal(SIGTERM, stop);
	signal(SIGINT, stop);
	for (;;)
		pause();
}

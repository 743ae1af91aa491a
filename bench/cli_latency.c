/* cli_latency.c - start-to-exit wall time of a command, run N times.
 * usage: cli_latency N COMMAND [ARGS...]   (stdout goes to /dev/null)
 * Prints the median, the 90th percentile and the minimum in milliseconds. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int n = argc > 2 ? atoi(argv[1]) : 0;
	double *ms;

	if (n <= 0) {
		fprintf(stderr, "usage: cli_latency N COMMAND [ARGS...]\n");
		return 2;
	}
	ms = calloc((size_t)n, sizeof(*ms));
	if (!ms)
		return 2;
	for (int i = 0; i < n; i++) {
		struct timespec t0, t1;
		int status;
		pid_t pid;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		pid = fork();
		if (pid == 0) {
			int devnull = open("/dev/null", O_WRONLY);
			dup2(devnull, 1);
			dup2(devnull, 2);
			execvp(argv[2], argv + 2);
			_exit(127);
		}
		waitpid(pid, &status, 0);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (!WIFEXITED(status) || WEXITSTATUS(status) == 127) {
			fprintf(stderr, "cli_latency: '%s' did not run\n", argv[2]);
			return 1;
		}
		ms[i] = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	}
	qsort(ms, (size_t)n, sizeof(*ms), cmp_double);
	printf("median %.2f ms  p90 %.2f ms  min %.2f ms  (n=%d)\n", ms[n / 2], ms[n * 9 / 10], ms[0],
	       n);
	free(ms);
	return 0;
}

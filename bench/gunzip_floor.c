/* gunzip_floor.c - the floor for a CloudTrail scan: read and decompress only.
 *
 * Usage: gunzip_floor [-t THREADS] PATH...
 *
 * Does what bench/trail_scan does before parsing: discovers the files
 * (largest first), and has each thread claim the next one, read it and
 * decompress it with libdeflate (kh_trail_read_file), with the same
 * read-ahead. Nothing is parsed. Prints one line of key=value figures.
 */
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "keyhole/trail.h"

struct shared {
	const struct kh_trail_files *files;
	atomic_size_t next;
	atomic_ullong bytes;
	size_t threads;
	int errors;
};

static void *work(void *arg)
{
	struct shared *sh = arg;
	unsigned long long bytes = 0;
	for (;;) {
		size_t i = atomic_fetch_add(&sh->next, 1);
		if (i >= sh->files->n)
			break;
		if (i + sh->threads < sh->files->n) {
			int fd = open(sh->files->items[i + sh->threads].path, O_RDONLY | O_CLOEXEC);
			if (fd >= 0) {
				posix_fadvise(fd, 0, 0, POSIX_FADV_WILLNEED);
				close(fd);
			}
		}
		unsigned char *data;
		size_t len;
		struct kh_error err = {0};
		if (kh_trail_read_file(sh->files->items[i].path, (size_t)1 << 31, &data, &len, &err)) {
			fprintf(stderr, "gunzip_floor: %s\n", err.msg);
			sh->errors = 1;
			continue;
		}
		bytes += len;
		free(data);
	}
	atomic_fetch_add(&sh->bytes, bytes);
	return NULL;
}

int main(int argc, char **argv)
{
	int threads = 1, a = 1;
	if (a + 1 < argc && strcmp(argv[a], "-t") == 0) {
		threads = atoi(argv[a + 1]);
		a += 2;
	}
	if (a >= argc || threads < 1 || threads > 256) {
		fprintf(stderr, "usage: gunzip_floor [-t THREADS] PATH...\n");
		return 2;
	}
	/* As in trail_scan: reuse freed buffers rather than unmap them. */
	mallopt(M_MMAP_THRESHOLD, 1 << 30);
	mallopt(M_TRIM_THRESHOLD, 1 << 30);
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	struct kh_trail_files fs;
	struct kh_error err = {0};
	if (kh_trail_discover((const char *const *)argv + a, (size_t)(argc - a), NULL, &fs, &err)) {
		fprintf(stderr, "gunzip_floor: %s\n", err.msg);
		return 1;
	}
	struct shared sh = {.files = &fs, .threads = (size_t)threads};
	atomic_init(&sh.next, 0);
	atomic_init(&sh.bytes, 0);
	pthread_t tids[256];
	for (int i = 0; i < threads; i++)
		pthread_create(&tids[i], NULL, work, &sh);
	for (int i = 0; i < threads; i++)
		pthread_join(tids[i], NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	unsigned long long bytes = atomic_load(&sh.bytes);
	printf("threads=%d files=%zu bytes=%llu seconds=%.3f mb_s=%.1f rss_mb=%.1f\n", threads, fs.n,
	       bytes, secs, (double)bytes / 1e6 / secs, (double)ru.ru_maxrss / 1024.0);
	kh_trail_files_release(&fs);
	return sh.errors;
}

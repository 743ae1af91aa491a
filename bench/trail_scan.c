/* trail_scan.c - benchmark driver: scan CloudTrail files with N threads.
 *
 * Usage: trail_scan [-t THREADS] [-q] PATH...
 *
 * Discovers the files (largest first), and has each thread claim the next
 * file from a shared counter, read and decompress it, iterate every record
 * and count (principal, eventSource, eventName) in its own hash table; the
 * tables are merged at the end. Before reading a file, a thread asks the
 * kernel to read ahead the file it will probably claim next
 * (posix_fadvise WILLNEED). Prints one line of key=value figures.
 *
 * A stand-in for `keyhole scan` until that command exists.
 */
#include <fcntl.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "keyhole/trail.h"

#define FILE_MAX ((size_t)1 << 31)

/* Open-addressing table of (principal, source, name) keys with counts.
 * Keys are stored as "principal\0source\0name" in a growing pool. */
struct entry {
	uint64_t hash;
	size_t off; /* into pool; SIZE_MAX = empty */
	uint32_t len;
	uint64_t count;
};

struct table {
	struct entry *slots;
	size_t mask, used;
	char *pool;
	size_t pool_len, pool_cap;
};

/* Mixes n bytes into h, eight at a time. */
static uint64_t hash_bytes(uint64_t h, const char *p, size_t n)
{
	for (; n >= 8; p += 8, n -= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
		h ^= h >> 29;
	}
	uint64_t w = n;
	memcpy(&w, p, n);
	h = (h ^ w ^ (uint64_t)n << 56) * 0x9E3779B97F4A7C15ULL;
	return h ^ (h >> 32);
}

static void table_init(struct table *t, size_t slots)
{
	t->slots = malloc(slots * sizeof *t->slots);
	for (size_t i = 0; i < slots; i++)
		t->slots[i].off = SIZE_MAX;
	t->mask = slots - 1;
	t->used = 0;
	t->pool = NULL;
	t->pool_len = t->pool_cap = 0;
}

static void table_grow(struct table *t);

/* Adds count to the key (key bytes kb of length kl, with hash h). */
static void table_add(struct table *t, uint64_t h, const char *kb, size_t kl, uint64_t count)
{
	size_t i = h & t->mask;
	for (;; i = (i + 1) & t->mask) {
		struct entry *e = &t->slots[i];
		if (e->off == SIZE_MAX)
			break;
		if (e->hash == h && e->len == kl && memcmp(t->pool + e->off, kb, kl) == 0) {
			e->count += count;
			return;
		}
	}
	if (t->pool_len + kl > t->pool_cap) {
		t->pool_cap = (t->pool_len + kl) * 2 + 4096;
		t->pool = realloc(t->pool, t->pool_cap);
	}
	memcpy(t->pool + t->pool_len, kb, kl);
	t->slots[i] = (struct entry){h, t->pool_len, (uint32_t)kl, count};
	t->pool_len += kl;
	if (++t->used * 2 > t->mask)
		table_grow(t);
}

static void table_grow(struct table *t)
{
	struct table n;
	table_init(&n, (t->mask + 1) * 2);
	n.pool = t->pool;
	n.pool_len = t->pool_len;
	n.pool_cap = t->pool_cap;
	for (size_t i = 0; i <= t->mask; i++) {
		struct entry *e = &t->slots[i];
		if (e->off == SIZE_MAX)
			continue;
		size_t j = e->hash & n.mask;
		while (n.slots[j].off != SIZE_MAX)
			j = (j + 1) & n.mask;
		n.slots[j] = *e;
		n.used++;
	}
	free(t->slots);
	*t = n;
}

static void count_event(struct table *t, const struct kh_event *ev)
{
	char key[1024];
	const struct kh_sv *parts[3] = {&ev->principal_arn, &ev->event_source, &ev->event_name};
	if (!ev->principal_arn.len)
		parts[0] = ev->invoked_by.len ? &ev->invoked_by : &ev->identity_type;
	size_t kl = 0;
	uint64_t h = 0xcbf29ce484222325ULL;
	for (int i = 0; i < 3; i++) {
		size_t n = parts[i]->len < 300 ? parts[i]->len : 300;
		memcpy(key + kl, parts[i]->ptr, n);
		kl += n;
		key[kl++] = '\0';
		h = hash_bytes(h, parts[i]->ptr, n);
	}
	table_add(t, h, key, kl, 1);
}

struct shared {
	const struct kh_trail_files *files;
	atomic_size_t next;
	int threads;
};

struct worker {
	pthread_t tid;
	struct shared *sh;
	struct table table;
	unsigned long long bytes, records, errors;
};

static void advise(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		posix_fadvise(fd, 0, 0, POSIX_FADV_WILLNEED);
		close(fd);
	}
}

static void *work(void *arg)
{
	struct worker *w = arg;
	const struct kh_trail_files *fs = w->sh->files;
	struct kh_trail_reader *r = kh_trail_reader_new();
	for (;;) {
		size_t i = atomic_fetch_add(&w->sh->next, 1);
		if (i >= fs->n)
			break;
		if (i + (size_t)w->sh->threads < fs->n)
			advise(fs->items[i + (size_t)w->sh->threads].path);
		unsigned char *data;
		size_t len;
		struct kh_error err = {0};
		if (kh_trail_read_file(fs->items[i].path, FILE_MAX, &data, &len, &err) ||
		    kh_trail_reader_open(r, (const char *)data, len, fs->items[i].path, &err)) {
			fprintf(stderr, "trail_scan: %s\n", err.msg);
			w->errors++;
			free(data);
			continue;
		}
		free(data);
		w->bytes += len;
		struct kh_event ev;
		int rc;
		while ((rc = kh_trail_next(r, &ev, &err)) == 1) {
			count_event(&w->table, &ev);
			w->records++;
		}
		if (rc < 0) {
			fprintf(stderr, "trail_scan: %s\n", err.msg);
			w->errors++;
		}
	}
	kh_trail_reader_free(r);
	return NULL;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	int threads = 1, quiet = 0, a = 1;
	for (; a < argc && argv[a][0] == '-'; a++) {
		if (strcmp(argv[a], "-t") == 0 && a + 1 < argc)
			threads = atoi(argv[++a]);
		else if (strcmp(argv[a], "-q") == 0)
			quiet = 1;
	}
	if (a >= argc || threads < 1 || threads > 256) {
		fprintf(stderr, "usage: trail_scan [-t THREADS] [-q] PATH...\n");
		return 2;
	}
	/* Keep freed file buffers in the heap for reuse instead of unmapping
	 * them after every file (and faulting fresh pages in for the next). */
	mallopt(M_MMAP_THRESHOLD, 1 << 30);
	mallopt(M_TRIM_THRESHOLD, 1 << 30);
	double t0 = now();
	struct kh_trail_files fs;
	struct kh_error err = {0};
	if (kh_trail_discover((const char *const *)argv + a, (size_t)(argc - a), NULL, &fs, &err)) {
		fprintf(stderr, "trail_scan: %s\n", err.msg);
		return 1;
	}
	struct shared sh = {.files = &fs, .threads = threads};
	atomic_init(&sh.next, 0);
	struct worker *ws = calloc((size_t)threads, sizeof *ws);
	for (int i = 0; i < threads; i++) {
		ws[i].sh = &sh;
		table_init(&ws[i].table, 1 << 12);
		pthread_create(&ws[i].tid, NULL, work, &ws[i]);
	}
	unsigned long long bytes = 0, records = 0, errors = 0;
	for (int i = 0; i < threads; i++) {
		pthread_join(ws[i].tid, NULL);
		bytes += ws[i].bytes;
		records += ws[i].records;
		errors += ws[i].errors;
	}
	/* Merge the per-thread tables into the first. */
	for (int i = 1; i < threads; i++) {
		struct table *t = &ws[i].table;
		for (size_t j = 0; j <= t->mask; j++)
			if (t->slots[j].off != SIZE_MAX)
				table_add(&ws[0].table, t->slots[j].hash, t->pool + t->slots[j].off,
					  t->slots[j].len, t->slots[j].count);
	}
	double secs = now() - t0;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("threads=%d files=%zu records=%llu bytes=%llu keys=%zu errors=%llu seconds=%.3f "
	       "mb_s=%.1f rec_s=%.0f rss_mb=%.1f\n",
	       threads, fs.n, records, bytes, ws[0].table.used, errors, secs,
	       (double)bytes / 1e6 / secs, (double)records / secs, (double)ru.ru_maxrss / 1024.0);
	if (!quiet && getenv("TRAIL_SCAN_TOP")) {
		for (size_t j = 0; j <= ws[0].table.mask; j++) {
			struct entry *e = &ws[0].table.slots[j];
			if (e->off != SIZE_MAX && e->count > 1000) {
				const char *k = ws[0].table.pool + e->off;
				printf("%llu %s %s %s\n", (unsigned long long)e->count, k,
				       k + strlen(k) + 1, k + strlen(k) + 1 + strlen(k + strlen(k) + 1) + 1);
			}
		}
	}
	for (int i = 0; i < threads; i++) {
		free(ws[i].table.slots);
		free(ws[i].table.pool);
	}
	free(ws);
	kh_trail_files_release(&fs);
	return errors ? 1 : 0;
}

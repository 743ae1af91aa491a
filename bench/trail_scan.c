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

/* Counting is two-level: each distinct string (principal, eventSource,
 * eventName) is interned once per thread and numbered, and the counts are
 * kept per (principal, source, name) triple of numbers. Real trails have
 * few distinct strings and many more triples, so this stays small. */
static uint64_t hash_bytes(const char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL ^ n;
	for (; n >= 8; p += 8, n -= 8) {
		uint64_t w;
		memcpy(&w, p, 8);
		h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
		h ^= h >> 29;
	}
	uint64_t w = 0;
	memcpy(&w, p, n);
	h = (h ^ w) * 0x9E3779B97F4A7C15ULL;
	return h ^ (h >> 32);
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	return x ^ (x >> 33);
}

/* Interned strings: slots hold 1-based ids into offs[]/lens[]. */
struct strings {
	uint32_t *slots;
	size_t mask, n;
	uint32_t *offs, *lens;
	char *pool;
	size_t pool_len, pool_cap, cap;
};

/* Counts per triple of string ids; key 0 marks an empty slot. */
struct triples {
	struct {
		uint64_t key;
		uint64_t count;
	} *slots;
	size_t mask, n;
};

struct table {
	struct strings str;
	struct triples tri;
};

static void *xrealloc(void *p, size_t n)
{
	p = realloc(p, n);
	if (!p) {
		fprintf(stderr, "trail_scan: out of memory\n");
		exit(1);
	}
	return p;
}

static void strings_rehash(struct strings *s, size_t slots)
{
	free(s->slots);
	s->slots = calloc(slots, sizeof *s->slots);
	s->mask = slots - 1;
	for (size_t id = 1; id <= s->n; id++) {
		size_t i = hash_bytes(s->pool + s->offs[id], s->lens[id]) & s->mask;
		while (s->slots[i])
			i = (i + 1) & s->mask;
		s->slots[i] = (uint32_t)id;
	}
}

/* Returns the id (1-based) of p[0, n), adding it when new. */
static uint32_t intern(struct strings *s, const char *p, size_t n)
{
	size_t i = hash_bytes(p, n) & s->mask;
	for (; s->slots[i]; i = (i + 1) & s->mask) {
		uint32_t id = s->slots[i];
		if (s->lens[id] == n && memcmp(s->pool + s->offs[id], p, n) == 0)
			return id;
	}
	if (s->n + 2 > s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1024;
		s->offs = xrealloc(s->offs, s->cap * sizeof *s->offs);
		s->lens = xrealloc(s->lens, s->cap * sizeof *s->lens);
	}
	if (s->pool_len + n > s->pool_cap) {
		s->pool_cap = (s->pool_len + n) * 2 + 4096;
		s->pool = xrealloc(s->pool, s->pool_cap);
	}
	uint32_t id = (uint32_t)++s->n;
	memcpy(s->pool + s->pool_len, p, n);
	s->offs[id] = (uint32_t)s->pool_len;
	s->lens[id] = (uint32_t)n;
	s->pool_len += n;
	s->slots[i] = id;
	if (s->n * 4 > s->mask * 3)
		strings_rehash(s, (s->mask + 1) * 2);
	return id;
}

static void triples_add(struct triples *t, uint64_t key, uint64_t count);

static void triples_grow(struct triples *t)
{
	struct triples n = {calloc((t->mask + 1) * 2, sizeof *t->slots), t->mask * 2 + 1, 0};
	for (size_t i = 0; i <= t->mask; i++)
		if (t->slots[i].key)
			triples_add(&n, t->slots[i].key, t->slots[i].count);
	free(t->slots);
	*t = n;
}

static void triples_add(struct triples *t, uint64_t key, uint64_t count)
{
	size_t i = mix(key) & t->mask;
	for (; t->slots[i].key; i = (i + 1) & t->mask)
		if (t->slots[i].key == key) {
			t->slots[i].count += count;
			return;
		}
	t->slots[i].key = key;
	t->slots[i].count = count;
	if (++t->n * 4 > t->mask * 3)
		triples_grow(t);
}

static void table_init(struct table *t)
{
	memset(t, 0, sizeof *t);
	strings_rehash(&t->str, 1024);
	t->tri.slots = calloc(4096, sizeof *t->tri.slots);
	t->tri.mask = 4095;
}

static void table_release(struct table *t)
{
	free(t->str.slots);
	free(t->str.offs);
	free(t->str.lens);
	free(t->str.pool);
	free(t->tri.slots);
}

/* Ids are below 2^21 (two million distinct strings) in a key. */
static uint64_t triple(uint32_t a, uint32_t b, uint32_t c)
{
	return (uint64_t)a << 42 | (uint64_t)b << 21 | c;
}

static void count_event(struct table *t, const struct kh_event *ev)
{
	const struct kh_sv *who = &ev->principal_arn;
	if (!who->len)
		who = ev->invoked_by.len ? &ev->invoked_by : &ev->identity_type;
	uint32_t a = intern(&t->str, who->ptr, who->len);
	uint32_t b = intern(&t->str, ev->event_source.ptr, ev->event_source.len);
	uint32_t c = intern(&t->str, ev->event_name.ptr, ev->event_name.len);
	triples_add(&t->tri, triple(a, b, c), 1);
}

/* Adds the counts of src into dst, re-interning src's strings. */
static void table_merge(struct table *dst, const struct table *src)
{
	const struct strings *s = &src->str;
	uint32_t *map = calloc(s->n + 1, sizeof *map);
	for (size_t id = 1; id <= s->n; id++)
		map[id] = intern(&dst->str, s->pool + s->offs[id], s->lens[id]);
	for (size_t i = 0; i <= src->tri.mask; i++) {
		uint64_t k = src->tri.slots[i].key;
		if (k)
			triples_add(&dst->tri, triple(map[k >> 42], map[(k >> 21) & 0x1fffff], map[k & 0x1fffff]),
				    src->tri.slots[i].count);
	}
	free(map);
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
		table_init(&ws[i].table);
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
	for (int i = 1; i < threads; i++)
		table_merge(&ws[0].table, &ws[i].table);
	double secs = now() - t0;
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	printf("threads=%d files=%zu records=%llu bytes=%llu keys=%zu errors=%llu seconds=%.3f "
	       "mb_s=%.1f rec_s=%.0f rss_mb=%.1f\n",
	       threads, fs.n, records, bytes, ws[0].table.tri.n, errors, secs,
	       (double)bytes / 1e6 / secs, (double)records / secs, (double)ru.ru_maxrss / 1024.0);
	if (!quiet) {
		/* The most frequent keys, as a check that counting works. */
		const struct table *t = &ws[0].table;
		for (size_t j = 0; j <= t->tri.mask; j++) {
			uint64_t k = t->tri.slots[j].key;
			if (!k || t->tri.slots[j].count * 2000 < records)
				continue;
			uint32_t id[3] = {(uint32_t)(k >> 42), (uint32_t)(k >> 21) & 0x1fffff,
					  (uint32_t)k & 0x1fffff};
			printf("%8llu", (unsigned long long)t->tri.slots[j].count);
			for (int f = 0; f < 3; f++)
				printf(" %.*s", (int)t->str.lens[id[f]], t->str.pool + t->str.offs[id[f]]);
			printf("\n");
		}
	}
	for (int i = 0; i < threads; i++)
		table_release(&ws[i].table);
	free(ws);
	kh_trail_files_release(&fs);
	return errors ? 1 : 0;
}

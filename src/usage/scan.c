/* scan.c - parallel CloudTrail scanning into a usage summary (scan.h).
 *
 * Sources are listed first (local files through kh_trail_discover, S3 keys
 * through ListObjectsV2, both pruned by date and region before anything is
 * read), sorted largest first, then handed out to worker threads one at a
 * time. Each worker has its own record reader and its own summary; the
 * summaries are merged at the end, so workers share nothing but the next
 * file index and the problem list.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keyhole/s3.h"
#include "keyhole/scan.h"
#include "usage/scan_int.h"

#define MAX_FILE_BYTES ((size_t)2 << 30)

enum source_kind { SRC_LOCAL, SRC_S3, SRC_STDIN };

struct source {
	enum source_kind kind;
	char *name;   /* local path, or the S3 key */
	char *bucket; /* S3 only */
	unsigned long long size;
};

struct scan {
	const struct kh_catalog *cat;
	const struct kh_scan_options *opts;
	struct kh_scan_ctx ctx;
	struct source *sources;
	size_t n_sources;
	atomic_size_t next;
	atomic_int stop;
	pthread_mutex_t lock; /* problems, progress, first error */
	struct kh_scan_problems *problems;
	struct kh_scan_progress progress;
	struct kh_error first_error;
	int failed;
};

struct worker {
	struct scan *scan;
	struct kh_usage *usage;
	struct kh_trail_reader *reader;
	struct kh_trail_buf files; /* local files, read and inflated in place */
	struct kh_s3 *s3;
	struct kh_usage_scan stats;
	struct kh_scan_state state; /* per-event scratch */
};

static int add_problem(struct scan *s, const char *file, const char *message)
{
	struct kh_scan_problems *p = s->problems;
	struct kh_scan_problem *items = realloc(p->items, (p->n + 1) * sizeof(*items));
	if (!items)
		return KH_ENOMEM;
	p->items = items;
	items[p->n].file = strdup(file);
	items[p->n].message = strdup(message);
	p->n++;
	return KH_OK;
}

/* Records a bad file; with strict, the first one stops the scan. */
static void file_failed(struct worker *w, const char *file, const struct kh_error *err)
{
	struct scan *s = w->scan;
	pthread_mutex_lock(&s->lock);
	add_problem(s, file, err->msg);
	w->stats.files_skipped++;
	if (s->opts->strict && !s->failed) {
		s->failed = 1;
		s->first_error = *err;
		snprintf(s->first_error.path, sizeof(s->first_error.path), "%s", file);
		atomic_store(&s->stop, 1);
	}
	pthread_mutex_unlock(&s->lock);
}

static int read_stdin(unsigned char **out, size_t *len, struct kh_error *err)
{
	struct kh_buf b;
	char chunk[65536];
	size_t n;

	kh_buf_init(&b, MAX_FILE_BYTES);
	while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0)
		if (kh_buf_add(&b, chunk, n))
			break;
	if (kh_buf_error(&b) || ferror(stdin)) {
		kh_buf_release(&b);
		return kh_error_set(err, KH_EIO, "cannot read standard input");
	}
	*out = (unsigned char *)kh_buf_detach(&b, len);
	return *out ? KH_OK : kh_error_set(err, KH_ENOMEM, "out of memory");
}

/* Loads one source's bytes, decompressed. */
static int load_source(struct worker *w, const struct source *src, unsigned char **data,
		       size_t *len, struct kh_error *err)
{
	unsigned char *raw;
	size_t raw_len;
	int rc;

	if (src->kind == SRC_STDIN)
		rc = read_stdin(&raw, &raw_len, err);
	else
		rc = kh_s3_get(w->s3, src->bucket, src->name, MAX_FILE_BYTES, &raw, &raw_len, err);
	if (rc)
		return rc;
	if (raw_len >= 2 && raw[0] == 0x1f && raw[1] == 0x8b) {
		rc = kh_gunzip(raw, raw_len, MAX_FILE_BYTES, data, len, err);
		free(raw);
		return rc;
	}
	*data = raw;
	*len = raw_len;
	return KH_OK;
}

static void scan_source(struct worker *w, const struct source *src)
{
	struct scan *s = w->scan;
	struct kh_error err = {0};
	unsigned char *data = NULL;
	size_t len = 0;
	struct kh_event ev;
	unsigned long long events = 0;
	int rc;

	if (src->kind == SRC_LOCAL) {
		/* Parsed where it was inflated: no copy, no allocation per file. */
		rc = kh_trail_load_file(src->name, MAX_FILE_BYTES, &w->files, &err);
		len = w->files.len;
		if (rc == KH_OK)
			rc = kh_trail_reader_open_padded(w->reader, (const char *)w->files.out, len,
							 src->name, &err);
	} else {
		rc = load_source(w, src, &data, &len, &err);
		if (rc == KH_OK)
			rc = kh_trail_reader_open(w->reader, (const char *)data, len, src->name,
						  &err);
		free(data);
	}
	while (rc == KH_OK && (rc = kh_trail_next(w->reader, &ev, &err)) == 1) {
		events++;
		if ((rc = kh__scan_event(&s->ctx, &w->state, &ev, w->usage, &w->stats)) != KH_OK) {
			kh_error_set(&err, rc, "out of memory");
			break;
		}
	}
	if (rc < 0) {
		file_failed(w, src->name, &err);
		return;
	}
	w->stats.files++;
	w->stats.bytes += len;
	pthread_mutex_lock(&s->lock);
	s->progress.files_done++;
	s->progress.bytes += len;
	s->progress.events += events;
	if (s->opts->progress && s->opts->progress(s->opts->progress_ctx, &s->progress))
		atomic_store(&s->stop, 1);
	pthread_mutex_unlock(&s->lock);
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct scan *s = w->scan;
	size_t i;

	while (!atomic_load(&s->stop) && (i = atomic_fetch_add(&s->next, 1)) < s->n_sources) {
		/* Read ahead: ask the kernel for the file after this one. */
		if (i + 1 < s->n_sources && s->sources[i + 1].kind == SRC_LOCAL) {
			int fd = open(s->sources[i + 1].name, O_RDONLY);
			if (fd >= 0) {
				posix_fadvise(fd, 0, 0, POSIX_FADV_WILLNEED);
				close(fd);
			}
		}
		scan_source(w, &s->sources[i]);
	}
	return NULL;
}

/* ---- listing sources ---------------------------------------------------- */

static int push_source(struct scan *s, size_t *cap, enum source_kind kind, const char *name,
		       const char *bucket, unsigned long long size)
{
	struct source *src;
	if (s->n_sources == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct source *p = realloc(s->sources, ncap * sizeof(*p));
		if (!p)
			return KH_ENOMEM;
		s->sources = p;
		*cap = ncap;
	}
	src = &s->sources[s->n_sources];
	src->kind = kind;
	src->name = strdup(name);
	src->bucket = bucket ? strdup(bucket) : NULL;
	src->size = size;
	if (!src->name || (bucket && !src->bucket))
		return KH_ENOMEM;
	s->n_sources++;
	return KH_OK;
}

static int list_s3(struct scan *s, size_t *cap, const char *url, struct kh_error *err)
{
	const struct kh_scan_options *o = s->opts;
	struct kh_s3_options so = {o->s3_endpoint_url, o->s3_region, o->s3_profile, 0};
	struct kh_s3 *s3 = NULL;
	struct kh_s3_listing l = {0};
	char *bucket = NULL, *prefix = NULL;
	int rc = kh_s3_parse_url(url, &bucket, &prefix, err);

	if (rc == KH_OK)
		rc = kh_s3_new(&so, &s3, err);
	if (rc == KH_OK)
		rc = kh_s3_list(s3, bucket, prefix, &l, err);
	for (size_t i = 0; rc == KH_OK && i < l.n_objects; i++)
		if (kh__trail_key_wanted(l.objects[i].key, &o->filter))
			rc = push_source(s, cap, SRC_S3, l.objects[i].key, bucket, l.objects[i].size);
	kh_s3_listing_release(&l);
	kh_s3_free(s3);
	free(bucket);
	free(prefix);
	return rc;
}

static int cmp_source_size(const void *a, const void *b)
{
	const struct source *x = a, *y = b;
	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int list_sources(struct scan *s, struct kh_error *err)
{
	const struct kh_scan_options *o = s->opts;
	const char **local = calloc(o->n_paths + 1, sizeof(*local));
	size_t n_local = 0, cap = 0;
	int rc = KH_OK;

	if (!local)
		return kh_error_set(err, KH_ENOMEM, "out of memory");
	for (size_t i = 0; i < o->n_paths && rc == KH_OK; i++) {
		if (strcmp(o->paths[i], "-") == 0)
			rc = push_source(s, &cap, SRC_STDIN, "-", NULL, 0);
		else if (strncmp(o->paths[i], "s3://", 5) == 0)
			rc = list_s3(s, &cap, o->paths[i], err);
		else
			local[n_local++] = o->paths[i];
	}
	if (rc == KH_OK && n_local) {
		struct kh_trail_files files = {0};
		rc = kh_trail_discover(local, n_local, &o->filter, &files, err);
		for (size_t i = 0; rc == KH_OK && i < files.n; i++)
			rc = push_source(s, &cap, SRC_LOCAL, files.items[i].path, NULL,
					 files.items[i].size);
		kh_trail_files_release(&files);
	}
	free(local);
	if (rc == KH_ENOMEM)
		kh_error_set(err, rc, "out of memory");
	/* Largest first balances the threads; names break ties stably. */
	if (rc == KH_OK && s->n_sources > 1)
		qsort(s->sources, s->n_sources, sizeof(*s->sources), cmp_source_size);
	return rc;
}

/* ---- the scan ------------------------------------------------------------ */

static int run_workers(struct scan *s, struct worker *ws, int n, struct kh_error *err)
{
	pthread_t *tids = calloc((size_t)n, sizeof(*tids));
	int started = 0, rc = KH_OK;

	if (!tids)
		return kh_error_set(err, KH_ENOMEM, "out of memory");
	for (int i = 0; i < n; i++) {
		ws[i].scan = s;
		kh__scan_state_init(&ws[i].state);
		ws[i].usage = kh_usage_new(s->opts->max_resources);
		ws[i].reader = kh_trail_reader_new();
		if (!ws[i].usage || !ws[i].reader) {
			rc = kh_error_set(err, KH_ENOMEM, "out of memory");
			break;
		}
		if (s->n_sources && s->sources[0].kind == SRC_S3) {
			struct kh_s3_options so = {s->opts->s3_endpoint_url, s->opts->s3_region,
						   s->opts->s3_profile, 0};
			if ((rc = kh_s3_new(&so, &ws[i].s3, err)))
				break;
		}
	}
	for (int i = 0; rc == KH_OK && i < n; i++) {
		if (pthread_create(&tids[i], NULL, worker_main, &ws[i]) != 0) {
			rc = kh_error_set(err, KH_EINTERNAL, "cannot start a scan thread");
			atomic_store(&s->stop, 1);
			break;
		}
		started++;
	}
	for (int i = 0; i < started; i++)
		pthread_join(tids[i], NULL);
	free(tids);
	return rc;
}

static void release_scan(struct scan *s, struct worker *ws, int n)
{
	for (int i = 0; ws && i < n; i++) {
		kh_usage_free(ws[i].usage);
		kh_trail_reader_free(ws[i].reader);
		kh_trail_buf_release(&ws[i].files);
		kh_s3_free(ws[i].s3);
		kh__scan_state_release(&ws[i].state);
	}
	free(ws);
	for (size_t i = 0; i < s->n_sources; i++) {
		free(s->sources[i].name);
		free(s->sources[i].bucket);
	}
	free(s->sources);
	pthread_mutex_destroy(&s->lock);
}

/* Merges the workers' summaries into the first and hands it over. */
static int merge_workers(struct worker *ws, int n, struct kh_usage **out)
{
	for (int i = 0; i < n; i++)
		kh_usage_add_scan(ws[i].usage, &ws[i].stats);
	for (int i = 1; i < n; i++)
		if (kh_usage_merge(ws[0].usage, ws[i].usage))
			return KH_ENOMEM;
	*out = ws[0].usage;
	ws[0].usage = NULL;
	return KH_OK;
}

static int cmp_problem(const void *a, const void *b)
{
	const struct kh_scan_problem *x = a, *y = b;
	int c = strcmp(x->file ? x->file : "", y->file ? y->file : "");
	return c ? c : strcmp(x->message ? x->message : "", y->message ? y->message : "");
}

int kh_scan(const struct kh_catalog *cat, const struct kh_scan_options *opts, struct kh_usage **out,
	    struct kh_scan_problems *problems, struct kh_error *err)
{
	struct scan s = {.cat = cat, .opts = opts, .problems = problems};
	long cores = sysconf(_SC_NPROCESSORS_ONLN);
	int n = opts->threads > 0 ? opts->threads : (cores > 0 ? (int)cores : 1);
	struct worker *ws = NULL;
	struct kh_mapper *mapper = NULL;
	struct kh_principal_spec only;
	int rc;

	*out = NULL;
	memset(problems, 0, sizeof(*problems));
	pthread_mutex_init(&s.lock, NULL);
	atomic_init(&s.next, 0);
	atomic_init(&s.stop, 0);
	s.ctx.filter = &opts->filter;
	rc = kh_mapper_new(cat, &mapper, err);
	s.ctx.mapper = mapper;
	if (rc == KH_OK && opts->only_principal) {
		rc = kh_principal_spec_parse(opts->only_principal, strlen(opts->only_principal),
					     &only, err);
		s.ctx.only = &only;
	}
	if (rc == KH_OK)
		rc = list_sources(&s, err);
	if (rc == KH_OK) {
		s.progress.files_total = s.n_sources;
		if ((size_t)n > s.n_sources)
			n = s.n_sources ? (int)s.n_sources : 1;
		ws = calloc((size_t)n, sizeof(*ws));
		rc = ws ? run_workers(&s, ws, n, err) : kh_error_set(err, KH_ENOMEM, "out of memory");
	}
	if (rc == KH_OK && s.failed) {
		if (err)
			*err = s.first_error;
		rc = s.first_error.code ? s.first_error.code : KH_EINPUT;
	} else if (rc == KH_OK && atomic_load(&s.stop)) {
		rc = kh_error_set(err, KH_EINTERNAL, "scan canceled");
	}
	if (rc == KH_OK && merge_workers(ws, n, out))
		rc = kh_error_set(err, KH_ENOMEM, "out of memory");
	release_scan(&s, ws, n);
	kh_mapper_free(mapper);
	/* Threads finish in any order; report bad files in name order. */
	if (problems->n > 1)
		qsort(problems->items, problems->n, sizeof(*problems->items), cmp_problem);
	return rc;
}

void kh_scan_problems_release(struct kh_scan_problems *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->items[i].file);
		free(p->items[i].message);
	}
	free(p->items);
	memset(p, 0, sizeof(*p));
}

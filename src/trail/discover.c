/* discover.c - finding the CloudTrail files to read (kh_trail_discover).
 *
 * Directories are walked recursively in sorted order; symbolic links to
 * directories are not followed. Inside the S3 delivery layout
 *   AWSLogs/[o-<org>/]<account>/CloudTrail/<region>/YYYY/MM/DD/
 * region and date directories outside the filter are pruned before any
 * file in them is opened. Dates in the path are UTC delivery dates, so the
 * date window is widened by a day on each side. us-east-1 is always kept
 * under a region filter: global services (IAM, STS, CloudFront, Route 53,
 * Organizations) log there whatever region the caller used, and the
 * event-level filter decides later. CloudTrail-Digest folders, hidden files
 * and files that are not .json/.jsonl/.ndjson (optionally .gz) are skipped
 * and counted.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "keyhole/buf.h"
#include "keyhole/trail.h"

#define DAY_SECONDS 86400LL

/* Where a directory sits in the S3 delivery layout. */
enum layout {
	L_NONE,
	L_AWSLOGS,
	L_ORG,
	L_ACCOUNT,
	L_CLOUDTRAIL,
	L_REGION,
	L_YEAR,
	L_MONTH,
	L_DAY
};

struct walk {
	const struct kh_trail_filter *f;
	long long day_lo, day_hi; /* kept days: [day_lo, day_hi), in days since 1970 */
	struct kh_trail_files *out;
	size_t cap;
	struct kh_buf path;
	struct kh_error *err;
};

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static long long days_from_civil(long long y, long long m, long long d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	long long yoe = y - era * 400;
	long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int all_digits(const char *s, size_t n)
{
	if (strlen(s) != n)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static long long num(const char *s)
{
	long long v = 0;
	for (; *s; s++)
		v = v * 10 + (*s - '0');
	return v;
}

/* Whether [first, end) days overlaps the filter's window. */
static int days_overlap(const struct walk *w, long long first, long long end)
{
	return end > w->day_lo && first < w->day_hi;
}

static int region_wanted(const struct kh_trail_filter *f, const char *region)
{
	if (!f || !f->regions || strcmp(region, "us-east-1") == 0)
		return 1;
	for (const char *const *r = f->regions; *r; r++)
		if (strcmp(*r, region) == 0)
			return 1;
	return 0;
}

/* The layout level of directory `name` inside a directory at level `at`,
 * with dates carried in ymd[]. Sets *prune when the filter excludes it. */
static enum layout descend(const struct walk *w, enum layout at, const char *name, long long ymd[3],
			   int *prune)
{
	*prune = 0;
	switch (at) {
	case L_AWSLOGS:
		if (strncmp(name, "o-", 2) == 0)
			return L_ORG;
		return all_digits(name, 12) ? L_ACCOUNT : L_NONE;
	case L_ORG:
		return all_digits(name, 12) ? L_ACCOUNT : L_NONE;
	case L_ACCOUNT:
		return strcmp(name, "CloudTrail") == 0 ? L_CLOUDTRAIL : L_NONE;
	case L_CLOUDTRAIL:
		*prune = !region_wanted(w->f, name);
		return L_REGION;
	case L_REGION:
		if (!all_digits(name, 4))
			return L_NONE;
		ymd[0] = num(name);
		*prune = !days_overlap(w, days_from_civil(ymd[0], 1, 1),
				       days_from_civil(ymd[0] + 1, 1, 1));
		return L_YEAR;
	case L_YEAR:
		if (!all_digits(name, 2) || num(name) < 1 || num(name) > 12)
			return L_NONE;
		ymd[1] = num(name);
		*prune = !days_overlap(w, days_from_civil(ymd[0], ymd[1], 1),
				       days_from_civil(ymd[0] + (ymd[1] == 12), ymd[1] % 12 + 1, 1));
		return L_MONTH;
	case L_MONTH:
		if (!all_digits(name, 2) || num(name) < 1 || num(name) > 31)
			return L_NONE;
		ymd[2] = num(name);
		long long day = days_from_civil(ymd[0], ymd[1], ymd[2]);
		*prune = !days_overlap(w, day, day + 1);
		return L_DAY;
	default:
		return strcmp(name, "AWSLogs") == 0 ? L_AWSLOGS : L_NONE;
	}
}

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int is_log_name(const char *name)
{
	static const char *const suffixes[] = {".json", ".jsonl", ".ndjson", ".json.gz",
					       ".jsonl.gz", ".ndjson.gz"};
	if (name[0] == '.')
		return 0;
	for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++)
		if (ends_with(name, suffixes[i]))
			return 1;
	return 0;
}

static int add_file(struct walk *w, const char *path, unsigned long long size)
{
	struct kh_trail_files *o = w->out;
	if (o->n == w->cap) {
		size_t cap = w->cap ? w->cap * 2 : 64;
		struct kh_trail_file *p = realloc(o->items, cap * sizeof *p);
		if (!p)
			return kh_error_set(w->err, KH_ENOMEM, "no memory for the file list");
		o->items = p;
		w->cap = cap;
	}
	char *copy = strdup(path);
	if (!copy)
		return kh_error_set(w->err, KH_ENOMEM, "no memory for the file list");
	o->items[o->n].path = copy;
	o->items[o->n].size = size;
	o->n++;
	return KH_OK;
}

static int cmp_names(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

static int walk_dir(struct walk *w, enum layout at, long long ymd[3]);

/* Handles one directory entry; w->path holds its full path. */
static int visit(struct walk *w, enum layout at, long long ymd[3], const char *name)
{
	struct stat st;
	if (lstat(w->path.data, &st) != 0)
		return KH_OK; /* vanished since the listing */
	if (S_ISLNK(st.st_mode) && (stat(w->path.data, &st) != 0 || S_ISDIR(st.st_mode))) {
		w->out->skipped++; /* dangling, or a link to a directory */
		return KH_OK;
	}
	if (S_ISDIR(st.st_mode)) {
		if (strcmp(name, "CloudTrail-Digest") == 0) {
			w->out->skipped++;
			return KH_OK;
		}
		int prune;
		long long sub[3] = {ymd[0], ymd[1], ymd[2]};
		enum layout next = descend(w, at, name, sub, &prune);
		if (prune) {
			w->out->pruned_dirs++;
			return KH_OK;
		}
		return walk_dir(w, next, sub);
	}
	if (!S_ISREG(st.st_mode) || !is_log_name(name)) {
		w->out->skipped++;
		return KH_OK;
	}
	return add_file(w, w->path.data, (unsigned long long)st.st_size);
}

/* Walks the directory in w->path, in sorted order. */
static int walk_dir(struct walk *w, enum layout at, long long ymd[3])
{
	struct dirent **list;
	int n = scandir(w->path.data, &list, NULL, cmp_names);
	if (n < 0)
		return kh_error_set(w->err, KH_EIO, "cannot read directory '%s': %s", w->path.data,
				    strerror(errno));
	size_t base = w->path.len;
	int rc = KH_OK;
	for (int i = 0; i < n; i++) {
		const char *name = list[i]->d_name;
		if (rc == KH_OK && strcmp(name, ".") != 0 && strcmp(name, "..") != 0) {
			if (base && w->path.data[base - 1] != '/')
				kh_buf_putc(&w->path, '/');
			kh_buf_puts(&w->path, name);
			rc = kh_buf_error(&w->path) ? kh_error_set(w->err, KH_ENOMEM,
								   "path too long under '%.*s'",
								   (int)base, w->path.data)
						    : visit(w, at, ymd, name);
			kh_buf_truncate(&w->path, base);
		}
		free(list[i]);
	}
	free(list);
	return rc;
}

/* The layout level of a directory given on the command line, guessed from
 * its last components (so that AWSLogs/123/CloudTrail/eu-west-1 prunes). */
static enum layout level_of(const struct walk *w, const char *path, long long ymd[3])
{
	enum layout at = L_NONE;
	const char *p = path;
	char part[256];
	while (*p) {
		while (*p == '/')
			p++;
		size_t n = strcspn(p, "/");
		if (!n)
			break;
		if (n < sizeof part) {
			memcpy(part, p, n);
			part[n] = '\0';
			int prune;
			at = descend(w, at, part, ymd, &prune);
		} else {
			at = L_NONE;
		}
		p += n;
	}
	return at;
}

static int cmp_files(const void *a, const void *b)
{
	const struct kh_trail_file *x = a, *y = b;
	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return strcmp(x->path, y->path);
}

static void window(struct walk *w, const struct kh_trail_filter *f)
{
	w->day_lo = -(1LL << 40);
	w->day_hi = 1LL << 40;
	if (f && f->since)
		w->day_lo = f->since / DAY_SECONDS - (f->since % DAY_SECONDS < 0) - 1;
	if (f && f->until)
		w->day_hi = (f->until + DAY_SECONDS - 1) / DAY_SECONDS + 1;
}

int kh_trail_discover(const char *const *paths, size_t n_paths, const struct kh_trail_filter *f,
		      struct kh_trail_files *out, struct kh_error *err)
{
	memset(out, 0, sizeof *out);
	struct walk w = {.f = f, .out = out, .err = err};
	window(&w, f);
	kh_buf_init(&w.path, 1 << 16);
	int rc = KH_OK;
	for (size_t i = 0; i < n_paths && rc == KH_OK; i++) {
		struct stat st;
		if (stat(paths[i], &st) != 0) {
			rc = kh_error_set(err, errno == ENOENT ? KH_ENOTFOUND : KH_EIO,
					  "cannot open '%s': %s", paths[i], strerror(errno));
		} else if (S_ISDIR(st.st_mode)) {
			long long ymd[3] = {0, 0, 0};
			enum layout at = level_of(&w, paths[i], ymd);
			kh_buf_reset(&w.path);
			kh_buf_puts(&w.path, paths[i]);
			rc = kh_buf_error(&w.path) ? KH_ENOMEM : walk_dir(&w, at, ymd);
		} else {
			/* A file named explicitly is always read. */
			rc = add_file(&w, paths[i], (unsigned long long)st.st_size);
		}
	}
	kh_buf_release(&w.path);
	if (rc) {
		kh_trail_files_release(out);
		return rc;
	}
	if (out->n > 1)
		qsort(out->items, out->n, sizeof *out->items, cmp_files);
	return KH_OK;
}

void kh_trail_files_release(struct kh_trail_files *files)
{
	if (!files)
		return;
	for (size_t i = 0; i < files->n; i++)
		free(files->items[i].path);
	free(files->items);
	memset(files, 0, sizeof *files);
}

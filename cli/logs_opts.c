/* logs_opts.c - shared log-source options of scan, usage and rightsize. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "keyhole/rightsize.h"
#include "logs_opts.h"

const char logs_opts_help[] =
	"log sources (at least one):\n"
	"  --logs PATH...         CloudTrail files or directories (the S3 delivery layout\n"
	"                         AWSLogs/ACCOUNT/CloudTrail/REGION/YYYY/MM/DD is pruned by\n"
	"                         date and region), lookup-events output, JSON Lines, '-'\n"
	"                         for standard input, or s3://bucket/prefix\n"
	"  --usage FILE.khu...    usage summaries written by 'keyhole scan' (merged)\n"
	"window and filters (with --logs):\n"
	"  --since WHEN           start: 90d, 12h, 2026-10-01 or a timestamp (default 90d)\n"
	"  --until WHEN           end, exclusive (default: now)\n"
	"  --region R             only this region (repeatable); global services are kept\n"
	"reading:\n"
	"  --threads N            worker threads (default: one per core)\n"
	"  --strict               a malformed or unreadable file is fatal (default: skip it)\n"
	"  --quiet                no progress line on standard error\n"
	"  --endpoint-url URL     S3-compatible endpoint for s3:// sources\n"
	"  --profile NAME         credentials profile for s3:// sources\n"
	"  --s3-region R          region for s3:// sources\n";

static int push(const char ***list, size_t *n, const char *v)
{
	const char **grown = realloc(*list, (*n + 2) * sizeof(*grown));
	if (!grown)
		return -1;
	grown[(*n)++] = v;
	grown[*n] = NULL;
	*list = grown;
	return 0;
}

/* Takes every following argument that is not an option. */
static int take_values(const char ***list, size_t *n, int argc, char **argv, int *i,
		       const char *opt)
{
	int start = *i;
	while (*i + 1 < argc && (argv[*i + 1][0] != '-' || strcmp(argv[*i + 1], "-") == 0))
		if (push(list, n, argv[++*i]))
			return -1;
	if (*i == start) {
		cli_error("%s needs a value", opt);
		return -1;
	}
	return 1;
}

static int take_one(const char **dst, int argc, char **argv, int *i)
{
	if (*i + 1 >= argc) {
		cli_error("%s needs a value", argv[*i]);
		return -1;
	}
	*dst = argv[++*i];
	return 1;
}

static int take_number(long *dst, int argc, char **argv, int *i)
{
	const char *v;
	char *end;
	if (take_one(&v, argc, argv, i) < 0)
		return -1;
	*dst = strtol(v, &end, 10);
	if (*end || *dst <= 0 || *dst > 100000) {
		cli_error("%s takes a positive number, not '%s'", argv[*i - 1], v);
		return -1;
	}
	return 1;
}

int logs_opts_parse(struct logs_opts *o, int argc, char **argv, int *i)
{
	const char *a = argv[*i];
	long n;
	int rc;

	if (strcmp(a, "--logs") == 0)
		return take_values(&o->logs, &o->n_logs, argc, argv, i, a);
	if (strcmp(a, "--usage") == 0)
		return take_values(&o->usages, &o->n_usages, argc, argv, i, a);
	if (strcmp(a, "--region") == 0) {
		const char *r;
		if (take_one(&r, argc, argv, i) < 0 || push(&o->regions, &o->n_regions, r))
			return -1;
		return 1;
	}
	if (strcmp(a, "--since") == 0)
		return take_one(&o->since, argc, argv, i);
	if (strcmp(a, "--until") == 0)
		return take_one(&o->until, argc, argv, i);
	if (strcmp(a, "--principal") == 0)
		return take_one(&o->principal, argc, argv, i);
	if (strcmp(a, "--access-key") == 0)
		return take_one(&o->access_key, argc, argv, i);
	if (strcmp(a, "--endpoint-url") == 0)
		return take_one(&o->endpoint_url, argc, argv, i);
	if (strcmp(a, "--profile") == 0)
		return take_one(&o->profile, argc, argv, i);
	if (strcmp(a, "--s3-region") == 0)
		return take_one(&o->s3_region, argc, argv, i);
	if (strcmp(a, "--strict") == 0)
		return o->strict = 1;
	if (strcmp(a, "--quiet") == 0)
		return o->quiet = 1;
	if (strcmp(a, "--threads") == 0) {
		if ((rc = take_number(&n, argc, argv, i)) > 0)
			o->threads = (int)n;
		return rc;
	}
	if (strcmp(a, "--keep-resources") == 0) {
		if ((rc = take_number(&n, argc, argv, i)) > 0)
			o->keep_resources = (size_t)n;
		return rc;
	}
	return 0;
}

void logs_opts_release(struct logs_opts *o)
{
	free(o->logs);
	free(o->usages);
	free(o->regions);
	memset(o, 0, sizeof(*o));
}

struct progress_state {
	struct timespec start;
	int shown;
};

static double seconds_since(const struct timespec *t0)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - t0->tv_sec) + (double)(now.tv_nsec - t0->tv_nsec) / 1e9;
}

/* A progress line on a terminal: files, MB, events/s and an estimate. */
static int show_progress(void *ctx, const struct kh_scan_progress *p)
{
	struct progress_state *ps = ctx;
	double secs = seconds_since(&ps->start);
	double eta = p->files_done && secs > 0
			     ? secs * (double)(p->files_total - p->files_done) / (double)p->files_done
			     : 0;
	fprintf(stderr, "\r  %zu/%zu files  %.1f MB  %.0f events/s  ETA %.0fs   ", p->files_done,
		p->files_total, (double)p->bytes / 1e6, secs > 0 ? (double)p->events / secs : 0.0,
		eta);
	ps->shown = 1;
	return 0;
}

static int parse_window(const struct logs_opts *o, struct kh_trail_filter *f)
{
	long long now = (long long)time(NULL);
	f->since = kh_parse_time_spec(o->since ? o->since : "90d", now);
	f->until = o->until ? kh_parse_time_spec(o->until, now) : 0;
	if (f->since < 0 || f->until < 0) {
		cli_error("cannot read the time '%s'; use 90d, 12h, 2026-10-01 or "
			  "2026-10-01T12:00:00Z",
			  f->since < 0 ? o->since : o->until);
		return -1;
	}
	f->regions = o->regions;
	return 0;
}

static int scan_logs(const struct logs_opts *o, const struct kh_catalog *cat, int with_principal,
		     struct kh_usage **out)
{
	struct kh_scan_options so = {0};
	struct kh_scan_problems problems;
	struct progress_state ps = {{0, 0}, 0};
	struct kh_error err = {0};
	int rc;

	if (parse_window(o, &so.filter))
		return KH_EXIT_USAGE;
	so.paths = o->logs;
	so.n_paths = o->n_logs;
	so.threads = o->threads;
	so.strict = o->strict;
	so.max_resources = o->keep_resources;
	so.s3_endpoint_url = o->endpoint_url;
	so.s3_profile = o->profile;
	so.s3_region = o->s3_region;
	if (with_principal)
		so.only_principal = o->access_key ? o->access_key : o->principal;
	clock_gettime(CLOCK_MONOTONIC, &ps.start);
	if (!o->quiet && isatty(2)) {
		so.progress = show_progress;
		so.progress_ctx = &ps;
	}
	rc = kh_scan(cat, &so, out, &problems, &err);
	if (ps.shown)
		fputc('\n', stderr);
	if (rc != KH_OK) {
		/* With --strict the first bad file is the error itself. */
		cli_error("%s", err.msg);
		kh_scan_problems_release(&problems);
		return KH_EXIT_USAGE;
	}
	for (size_t i = 0; i < problems.n; i++) {
		const struct kh_scan_problem *p = &problems.items[i];
		if (strstr(p->message, p->file))
			fprintf(stderr, "keyhole: skipped: %s\n", p->message);
		else
			fprintf(stderr, "keyhole: skipped %s: %s\n", p->file, p->message);
	}
	kh_scan_problems_release(&problems);
	return KH_EXIT_OK;
}

static int read_usages(const struct logs_opts *o, struct kh_usage **out)
{
	struct kh_usage *all = NULL;

	for (size_t i = 0; i < o->n_usages; i++) {
		struct kh_error err = {0};
		struct kh_usage *u;
		size_t len;
		char *text = cli_read_file(o->usages[i], (size_t)1 << 31, &len);
		if (!text)
			goto fail;
		if (kh_usage_read(text, len, &u, &err) != KH_OK) {
			free(text);
			cli_print_error(o->usages[i], &err);
			goto fail;
		}
		free(text);
		if (!all) {
			all = u;
			continue;
		}
		if (kh_usage_merge(all, u) != KH_OK) {
			kh_usage_free(u);
			cli_error("out of memory merging %s", o->usages[i]);
			goto fail;
		}
		kh_usage_free(u);
	}
	*out = all;
	return KH_EXIT_OK;
fail:
	kh_usage_free(all);
	return KH_EXIT_USAGE;
}

int logs_opts_load(const struct logs_opts *o, const struct kh_catalog *cat, int with_principal,
		   struct kh_usage **out)
{
	*out = NULL;
	if (!o->n_logs == !o->n_usages) {
		cli_error("give log sources with --logs or usage summaries with --usage (one of them)");
		return KH_EXIT_USAGE;
	}
	if (o->n_usages && (o->since || o->until || o->n_regions)) {
		cli_error("--since, --until and --region apply when scanning --logs; a usage summary "
			  "keeps the window it was scanned with");
		return KH_EXIT_USAGE;
	}
	return o->n_logs ? scan_logs(o, cat, with_principal, out) : read_usages(o, out);
}

const char *logs_opts_principal(const struct logs_opts *o, struct kh_usage *u)
{
	struct kh_error err = {0};
	const char *key;
	const char *spec = o->access_key ? o->access_key : o->principal;

	if (!spec) {
		cli_error("--principal ARN (or --access-key) is required");
		return NULL;
	}
	if (kh_usage_resolve_principal(u, spec, &key, &err) != KH_OK) {
		cli_error("%s%s", err.msg,
			  err.code == KH_ENOTFOUND ? " (see 'keyhole usage')" : "");
		return NULL;
	}
	return key;
}

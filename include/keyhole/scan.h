/* scan.h - scanning CloudTrail logs into a usage summary.
 *
 * kh_scan reads every log file under the given paths (files, directories
 * in the S3 delivery layout, "-" for standard input, or s3://bucket/prefix
 * URLs), in parallel, maps each event to the IAM actions it needed, and
 * aggregates them per principal into a struct kh_usage (usage.h).
 * Unreadable, malformed or non-CloudTrail files are skipped and listed, not
 * fatal (unless strict); the summary counts them.
 *
 * Ownership: the caller owns the returned summary (kh_usage_free) and the
 * problem list (kh_scan_problems_release). Nothing here prints.
 */
#ifndef KEYHOLE_SCAN_H
#define KEYHOLE_SCAN_H

#include <stddef.h>

#include "keyhole/catalog.h"
#include "keyhole/error.h"
#include "keyhole/trail.h"
#include "keyhole/usage.h"

struct kh_scan_progress {
	size_t files_done, files_total;
	unsigned long long bytes, events;
};

struct kh_scan_options {
	const char *const *paths;
	size_t n_paths;
	struct kh_trail_filter filter; /* also applied to each event */
	int threads;                   /* 0: one per core */
	int strict;                    /* a bad file fails the scan */
	size_t max_resources;          /* kept per action; 0: 64 */
	/* Only events of this principal or access key (mapping.h's spec
	 * syntax); NULL: every principal. */
	const char *only_principal;
	const char *s3_endpoint_url;   /* for s3:// paths; NULL: AWS */
	const char *s3_region, *s3_profile;
	/* Called from worker threads after each file (serialised); return
	 * non-zero to cancel the scan (KH_EINTERNAL with "canceled"). */
	int (*progress)(void *ctx, const struct kh_scan_progress *p);
	void *progress_ctx;
};

struct kh_scan_problem {
	char *file;
	char *message;
};

struct kh_scan_problems {
	struct kh_scan_problem *items;
	size_t n;
};

int kh_scan(const struct kh_catalog *cat, const struct kh_scan_options *opts, struct kh_usage **out,
	    struct kh_scan_problems *problems, struct kh_error *err);
void kh_scan_problems_release(struct kh_scan_problems *p);

/* Parses a CloudTrail eventTime ("2026-10-01T08:10:00Z", fractions
 * allowed) into unix seconds; -1 when malformed. */
long long kh_parse_event_time(const char *s, size_t len);

/* Parses a --since/--until value: "90d" (days before now), "12h", a date
 * "2026-10-01" or a full timestamp. Returns unix seconds, or -1. */
long long kh_parse_time_spec(const char *s, long long now);

#endif

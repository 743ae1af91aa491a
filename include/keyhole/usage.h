/* usage.h - usage summaries: what each principal called, mergeable.
 *
 * A summary aggregates mapped CloudTrail events per principal: each IAM
 * action with its count, first and last time seen, the regions, and the
 * resources seen (the max_resources smallest distinct ARNs, so that merging
 * shards gives exactly what one scan over all of them would); plus the
 * denied calls, the calls that mapped to no catalog action, and the calls
 * that need no permission. Summaries written with kh_usage_write and read
 * back with kh_usage_read merge with kh_usage_merge; the written form (a
 * versioned JSON document, format "keyhole-usage" version 1, see
 * docs/usage-format.md) is byte-identical for the same content.
 *
 * Ownership: a struct kh_usage owns every string and entry reachable from
 * it; pointers returned by accessors stay valid until the summary changes
 * or is freed. Not thread-safe: use one summary per thread, then merge.
 */
#ifndef KEYHOLE_USAGE_H
#define KEYHOLE_USAGE_H

#include <stddef.h>

#include "keyhole/buf.h"
#include "keyhole/error.h"

enum kh_usage_class {
	KH_USAGE_USED = 0,       /* authorized: the call passed IAM */
	KH_USAGE_DENIED,         /* AccessDenied and the like: needed, not granted */
	KH_USAGE_UNMAPPED,       /* maps to no catalog action; name is "source:event" */
	KH_USAGE_NO_PERMISSION,  /* needs no IAM permission (sts:GetCallerIdentity) */
	KH_USAGE_CLASSES
};

struct kh_usage_entry {
	const char *name; /* "s3:GetObject", or "source:EventName" when unmapped */
	enum kh_usage_class cls;
	unsigned long long count;
	long long first, last;   /* unix seconds */
	const char **resources;  /* sorted, distinct; at most max_resources */
	size_t n_resources;
	int resources_truncated; /* more distinct resources were seen */
	unsigned long long unknown_resource; /* calls with no derivable resource */
};

struct kh_usage_principal {
	const char *arn; /* role ARN for assumed-role sessions, user ARN, ... */
	unsigned long long calls, errors;
	long long first, last;
	const char **regions; /* sorted, distinct */
	size_t n_regions;
	const struct kh_usage_entry **entries; /* sorted by class, then name */
	size_t n_entries;
};

struct kh_usage_scan {
	unsigned long long files, files_skipped, events, events_skipped, bytes;
	long long first, last; /* event time range seen; 0 when none */
};

struct kh_usage;

/* max_resources bounds the distinct resources kept per action (0: 64). */
struct kh_usage *kh_usage_new(size_t max_resources);
void kh_usage_free(struct kh_usage *u);

/* Counts one event of principal (calls, errors, time range, region). */
int kh_usage_event(struct kh_usage *u, const char *principal, long long time, const char *region,
		   int is_error);
/* Records one action (or unmapped name) needed by one event. resource may
 * be NULL when it cannot be derived. */
int kh_usage_record(struct kh_usage *u, const char *principal, enum kh_usage_class cls,
		    const char *name, const char *resource, long long time);
/* Notes that the logs hold data events (eventCategory "Data") of service
 * prefix, so an unseen data-plane action of it is evidence of disuse. */
int kh_usage_note_data_events(struct kh_usage *u, const char *service);
int kh_usage_has_data_events(const struct kh_usage *u, const char *service);

/* Adds scan statistics (files, bytes, ...). */
void kh_usage_add_scan(struct kh_usage *u, const struct kh_usage_scan *s);
const struct kh_usage_scan *kh_usage_scan_stats(const struct kh_usage *u);

/* Adds everything in from to into. */
int kh_usage_merge(struct kh_usage *into, const struct kh_usage *from);

/* Principals sorted by ARN. The snapshot is rebuilt when the summary has
 * changed since the last call. */
int kh_usage_principals(struct kh_usage *u, const struct kh_usage_principal ***out, size_t *n);

int kh_usage_write(struct kh_usage *u, struct kh_buf *out);
int kh_usage_read(const char *text, size_t len, struct kh_usage **out, struct kh_error *err);

const char *kh_usage_class_name(enum kh_usage_class cls);

/* Writes unix seconds t as ISO 8601 UTC ("2026-10-01T08:10:00Z") into buf
 * and returns it; returns "-" (static) when t is 0 or out of range. */
const char *kh_usage_time_text(long long t, char buf[32]);

#endif

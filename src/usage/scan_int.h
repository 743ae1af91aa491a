/* scan_int.h - per-event work of a scan, shared by scan.c and event.c. */
#ifndef KEYHOLE_SCAN_INT_H
#define KEYHOLE_SCAN_INT_H

#include "keyhole/buf.h"
#include "keyhole/catalog.h"
#include "keyhole/mapping.h"
#include "keyhole/trail.h"
#include "keyhole/usage.h"

/* What every worker shares, read-only. */
struct kh_scan_ctx {
	const struct kh_mapper *mapper;
	const struct kh_trail_filter *filter;
	const struct kh_principal_spec *only; /* NULL: every principal */
};

/* Per-worker scratch, so the per-event path does not allocate. */
struct kh_scan_state {
	struct kh_mapping map;
	struct kh_buf principal, text;
	char last_data_prefix[64]; /* last service noted for data events */
};

void kh__scan_state_init(struct kh_scan_state *st);
void kh__scan_state_release(struct kh_scan_state *st);

/* Filters, maps and records one event into u; counts it in stats. */
int kh__scan_event(const struct kh_scan_ctx *ctx, struct kh_scan_state *st,
		   const struct kh_event *ev, struct kh_usage *u, struct kh_usage_scan *stats);

/* Does an S3 key in the delivery layout pass the date and region filter
 * (and is it a log, not a digest)? Keys outside the layout pass when they
 * look like log files. */
int kh__trail_key_wanted(const char *key, const struct kh_trail_filter *f);

#endif

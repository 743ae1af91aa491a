/* event.c - one CloudTrail event into the usage summary: filter by time,
 * region and principal, map to IAM actions, record. */
#include <string.h>

#include "keyhole/scan.h"
#include "usage/scan_int.h"

void kh__scan_state_init(struct kh_scan_state *st)
{
	kh_mapping_init(&st->map);
	kh_buf_init(&st->principal, 4096);
	kh_buf_init(&st->text, 8192);
	st->last_data_prefix[0] = '\0';
}

void kh__scan_state_release(struct kh_scan_state *st)
{
	kh_mapping_release(&st->map);
	kh_buf_release(&st->principal);
	kh_buf_release(&st->text);
}

static void widen(struct kh_usage_scan *s, long long t)
{
	if (!s->first || t < s->first)
		s->first = t;
	if (t > s->last)
		s->last = t;
}

static int sv_equals(struct kh_sv v, const char *s)
{
	return v.len == strlen(s) && memcmp(v.ptr, s, v.len) == 0;
}

static int region_wanted(const struct kh_trail_filter *f, struct kh_sv region, const char *prefix)
{
	if (!f->regions || kh_service_is_global(prefix))
		return 1;
	for (const char *const *r = f->regions; *r; r++)
		if (sv_equals(region, *r))
			return 1;
	return 0;
}

/* A NUL-terminated copy of a view, in scratch. */
static const char *cstr(struct kh_buf *b, struct kh_sv v)
{
	kh_buf_reset(b);
	kh_buf_add(b, v.ptr ? v.ptr : "", v.len);
	return b->data;
}

static enum kh_usage_class usage_class(enum kh_map_class c)
{
	switch (c) {
	case KH_MAP_DENIED: return KH_USAGE_DENIED;
	case KH_MAP_NO_PERMISSION: return KH_USAGE_NO_PERMISSION;
	case KH_MAP_UNMAPPED: return KH_USAGE_UNMAPPED;
	default: return KH_USAGE_USED;
	}
}

/* Notes data events of a service, skipping the lookup when the same
 * service comes again. */
static int note_data_event(struct kh_scan_state *st, struct kh_usage *u, const char *prefix)
{
	if (strcmp(st->last_data_prefix, prefix) == 0)
		return KH_OK;
	if (strlen(prefix) < sizeof(st->last_data_prefix))
		strncpy(st->last_data_prefix, prefix, sizeof(st->last_data_prefix));
	return kh_usage_note_data_events(u, prefix);
}

static int record_actions(struct kh_scan_state *st, struct kh_usage *u, const char *who,
			  long long t)
{
	const struct kh_mapping *m = &st->map;
	enum kh_usage_class cls = usage_class(m->cls);
	int rc = KH_OK;

	if (m->cls == KH_MAP_NO_PERMISSION || m->cls == KH_MAP_UNMAPPED)
		return kh_usage_record(u, who, cls, m->candidate, NULL, t);
	for (size_t i = 0; i < m->n_actions && rc == KH_OK; i++) {
		const struct kh_mapped_action *a = &m->actions[i];
		const char *res = a->res_kind == KH_RES_ARN || a->res_kind == KH_RES_PATTERN
					  ? a->resource
					  : NULL;
		rc = kh_usage_record(u, who, cls, a->action->full_name, res, t);
	}
	return rc;
}

int kh__scan_event(const struct kh_scan_ctx *ctx, struct kh_scan_state *st,
		   const struct kh_event *ev, struct kh_usage *u, struct kh_usage_scan *stats)
{
	const struct kh_trail_filter *f = ctx->filter;
	long long t = kh_parse_event_time(ev->event_time.ptr ? ev->event_time.ptr : "",
					  ev->event_time.len);
	const char *who;
	int rc;

	stats->events++;
	if (t < 0) {
		stats->events_skipped++; /* no usable time: cannot be placed in the window */
		return KH_OK;
	}
	if ((f->since && t < f->since) || (f->until && t >= f->until))
		return KH_OK;
	kh_map_event(ctx->mapper, ev, &st->map);
	if (!region_wanted(f, ev->aws_region, st->map.prefix))
		return KH_OK;
	if (st->map.cls == KH_MAP_SKIPPED) {
		stats->events_skipped++;
		return KH_OK;
	}
	/* After the skip count, so a scan for one principal reports the same
	 * totals as a scan of everyone. */
	if (ctx->only && !kh_principal_matches(ctx->only, ev))
		return KH_OK;
	if (kh_event_principal_key(ev, &st->principal) != KH_OK) {
		stats->events_skipped++;
		return KH_OK;
	}
	widen(stats, t);
	who = st->principal.data;
	rc = kh_usage_event(u, who, t, cstr(&st->text, ev->aws_region), ev->error_code.len > 0);
	if (rc == KH_OK && sv_equals(ev->event_category, "Data") && st->map.prefix[0])
		rc = note_data_event(st, u, st->map.prefix);
	return rc ? rc : record_actions(st, u, who, t);
}

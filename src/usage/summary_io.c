/* summary_io.c - the written form of a usage summary (docs/usage-format.md).
 *
 * A JSON document, format "keyhole-usage", version 1. Principals, entries,
 * regions and resources are sorted and times are ISO 8601 UTC, so the same
 * content always gives the same bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "usage/summary_int.h"
#include "util/jsonpos.h"

#define USAGE_FORMAT "keyhole-usage"
#define USAGE_VERSION 1

static void put_time(struct kh_buf *b, const char *key, long long t)
{
	char iso[32];
	const char *text = kh_usage_time_text(t, iso);

	kh_buf_puts(b, ",\"");
	kh_buf_puts(b, key);
	kh_buf_puts(b, "\":");
	if (text == iso)
		kh_buf_put_json_string(b, text);
	else
		kh_buf_puts(b, "null");
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Writes a string set as a sorted array. */
static void put_set(struct kh_buf *b, const struct kh_strmap *set)
{
	const char **keys = malloc((set->count + 1) * sizeof(*keys));
	size_t n = 0;

	if (!keys) {
		b->err = KH_ENOMEM;
		return;
	}
	for (size_t i = 0; i < set->cap; i++)
		if (set->slots[i].key)
			keys[n++] = set->slots[i].key;
	qsort(keys, n, sizeof(*keys), cmp_str);
	kh_buf_put_json_strings(b, keys, n);
	free(keys);
}

static void put_entry(struct kh_buf *b, const struct kh_usage_entry *e, int first)
{
	kh_buf_puts(b, first ? "\n    {\"name\":" : ",\n    {\"name\":");
	kh_buf_put_json_string(b, e->name);
	kh_buf_puts(b, ",\"class\":\"");
	kh_buf_puts(b, kh_usage_class_name(e->cls));
	kh_buf_puts(b, "\",\"count\":");
	kh_buf_put_uint(b, e->count);
	put_time(b, "first", e->first);
	put_time(b, "last", e->last);
	kh_buf_puts(b, ",\"resources\":");
	kh_buf_put_json_strings(b, e->resources, e->n_resources);
	kh_buf_puts(b, e->resources_truncated ? ",\"resources_truncated\":true"
					      : ",\"resources_truncated\":false");
	kh_buf_puts(b, ",\"unknown_resource\":");
	kh_buf_put_uint(b, e->unknown_resource);
	kh_buf_putc(b, '}');
}

int kh_usage_write(struct kh_usage *u, struct kh_buf *b)
{
	const struct kh_usage_principal **ps;
	const struct kh_usage_scan *s = &u->scan;
	size_t n;
	int rc = kh_usage_principals(u, &ps, &n);

	if (rc)
		return rc;
	kh_buf_printf(b, "{\"format\":\"%s\",\"version\":%d,\"max_resources\":%zu,\n", USAGE_FORMAT,
		      USAGE_VERSION, u->max_resources);
	kh_buf_printf(b,
		      "\"scan\":{\"files\":%llu,\"files_skipped\":%llu,\"events\":%llu,"
		      "\"events_skipped\":%llu,\"bytes\":%llu",
		      s->files, s->files_skipped, s->events, s->events_skipped, s->bytes);
	put_time(b, "first", s->first);
	put_time(b, "last", s->last);
	kh_buf_puts(b, ",\"data_event_services\":");
	put_set(b, &u->data_services);
	kh_buf_puts(b, "},\n\"principals\":[");
	for (size_t i = 0; i < n; i++) {
		const struct kh_usage_principal *p = ps[i];
		kh_buf_puts(b, i ? ",\n  {\"arn\":" : "\n  {\"arn\":");
		kh_buf_put_json_string(b, p->arn);
		kh_buf_printf(b, ",\"calls\":%llu,\"errors\":%llu", p->calls, p->errors);
		put_time(b, "first", p->first);
		put_time(b, "last", p->last);
		kh_buf_puts(b, ",\"regions\":");
		kh_buf_put_json_strings(b, p->regions, p->n_regions);
		kh_buf_puts(b, ",\"actions\":[");
		for (size_t j = 0; j < p->n_entries; j++)
			put_entry(b, p->entries[j], j == 0);
		kh_buf_puts(b, p->n_entries ? "\n  ]}" : "]}");
	}
	kh_buf_puts(b, n ? "\n]}\n" : "]}\n");
	return kh_buf_error(b);
}

/* ---- reading ---------------------------------------------------------- */

static int read_time(const json_t *obj, const char *key, long long *out)
{
	const json_t *v = json_object_get(obj, key);
	struct tm tm = {0};
	const char *s, *end;

	*out = 0;
	if (!v || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return -1;
	s = json_string_value(v);
	end = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (!end || *end)
		return -1;
	*out = (long long)timegm(&tm);
	return 0;
}

static int read_count(const json_t *obj, const char *key, unsigned long long *out)
{
	const json_t *v = json_object_get(obj, key);
	if (!json_is_integer(v) || json_integer_value(v) < 0)
		return -1;
	*out = (unsigned long long)json_integer_value(v);
	return 0;
}

static int bad(struct kh_error *err, const char *path, const char *what)
{
	return kh_error_at(err, KH_EINPUT, 0, 0, path, "usage summary: %s", what);
}

static int read_entry(struct kh_usage *u, struct kh__usage_principal *p, const json_t *je,
		      const char *path, struct kh_error *err)
{
	const json_t *name = json_object_get(je, "name"), *cls = json_object_get(je, "class");
	const json_t *res = json_object_get(je, "resources");
	struct kh__usage_entry *e;
	int c;
	size_t k;
	json_t *r;

	if (!json_is_string(name) || !json_is_string(cls) || !json_is_array(res))
		return bad(err, path, "an action needs name, class and resources");
	if ((c = kh__usage_class_parse(json_string_value(cls))) < 0)
		return bad(err, path, "unknown class");
	if (!(e = kh__usage_entry_get(p, (enum kh_usage_class)c, json_string_value(name))))
		return KH_ENOMEM;
	if (read_count(je, "count", &e->pub.count) ||
	    read_count(je, "unknown_resource", &e->pub.unknown_resource) ||
	    read_time(je, "first", &e->pub.first) || read_time(je, "last", &e->pub.last))
		return bad(err, path, "bad count or time");
	e->pub.resources_truncated = json_is_true(json_object_get(je, "resources_truncated"));
	json_array_foreach(res, k, r) {
		if (!json_is_string(r))
			return bad(err, path, "resources must be strings");
		if (kh__usage_entry_add_resource(e, json_string_value(r), u->max_resources))
			return KH_ENOMEM;
	}
	return KH_OK;
}

static int read_principal(struct kh_usage *u, const json_t *jp, size_t i, struct kh_error *err)
{
	const json_t *arn = json_object_get(jp, "arn"), *acts = json_object_get(jp, "actions");
	const json_t *regions = json_object_get(jp, "regions");
	struct kh__usage_principal *p;
	char path[64];
	size_t k;
	json_t *v;
	int created, rc;

	snprintf(path, sizeof(path), "principals[%zu]", i);
	if (!json_is_string(arn) || !json_is_array(acts) || !json_is_array(regions))
		return bad(err, path, "a principal needs arn, regions and actions");
	if (!(p = kh__usage_principal_get(u, json_string_value(arn))))
		return KH_ENOMEM;
	if (read_count(jp, "calls", &p->pub.calls) || read_count(jp, "errors", &p->pub.errors) ||
	    read_time(jp, "first", &p->pub.first) || read_time(jp, "last", &p->pub.last))
		return bad(err, path, "bad count or time");
	json_array_foreach(regions, k, v) {
		if (!json_is_string(v))
			return bad(err, path, "regions must be strings");
		if (!kh_strmap_put(&p->regions, json_string_value(v), &created))
			return KH_ENOMEM;
	}
	json_array_foreach(acts, k, v) {
		char epath[96];
		snprintf(epath, sizeof(epath), "%s.actions[%zu]", path, k);
		if ((rc = read_entry(u, p, v, epath, err)))
			return rc;
	}
	return KH_OK;
}

static int read_document(struct kh_usage *u, const json_t *root, struct kh_error *err)
{
	const json_t *fmt = json_object_get(root, "format"), *ver = json_object_get(root, "version");
	const json_t *scan = json_object_get(root, "scan"), *ps = json_object_get(root, "principals");
	size_t i;
	json_t *p;
	int rc;

	if (!json_is_string(fmt) || strcmp(json_string_value(fmt), USAGE_FORMAT) != 0)
		return bad(err, "format", "not a keyhole usage summary");
	if (!json_is_integer(ver) || json_integer_value(ver) != USAGE_VERSION)
		return bad(err, "version", "unsupported version (this keyhole reads version 1)");
	if (!json_is_object(scan) || !json_is_array(ps))
		return bad(err, "", "missing scan or principals");
	if (read_count(scan, "files", &u->scan.files) ||
	    read_count(scan, "files_skipped", &u->scan.files_skipped) ||
	    read_count(scan, "events", &u->scan.events) ||
	    read_count(scan, "events_skipped", &u->scan.events_skipped) ||
	    read_count(scan, "bytes", &u->scan.bytes) || read_time(scan, "first", &u->scan.first) ||
	    read_time(scan, "last", &u->scan.last))
		return bad(err, "scan", "bad count or time");
	if (!json_is_array(json_object_get(scan, "data_event_services")))
		return bad(err, "scan.data_event_services", "must be an array of service prefixes");
	json_array_foreach(json_object_get(scan, "data_event_services"), i, p) {
		if (!json_is_string(p))
			return bad(err, "scan.data_event_services", "must hold strings");
		if (kh_usage_note_data_events(u, json_string_value(p)))
			return KH_ENOMEM;
	}
	json_array_foreach(ps, i, p)
		if ((rc = read_principal(u, p, i, err)))
			return rc;
	return KH_OK;
}

int kh_usage_read(const char *text, size_t len, struct kh_usage **out, struct kh_error *err)
{
	json_error_t jerr;
	json_t *root = kh_json_load(text, len, JSON_REJECT_DUPLICATES, &jerr);
	const json_t *max;
	struct kh_usage *u;
	int rc;

	*out = NULL;
	if (!root)
		return kh_error_at(err, KH_EINPUT, jerr.line, jerr.column, NULL,
				   "usage summary: invalid JSON: %s", jerr.text);
	max = json_object_get(root, "max_resources");
	if (!json_is_integer(max) || json_integer_value(max) <= 0 ||
	    json_integer_value(max) > 1000000) {
		json_decref(root);
		return bad(err, "max_resources", "max_resources must be a positive number");
	}
	u = kh_usage_new((size_t)json_integer_value(max));
	if (!u) {
		json_decref(root);
		return KH_ENOMEM;
	}
	rc = read_document(u, root, err);
	json_decref(root);
	if (rc) {
		kh_usage_free(u);
		return rc == KH_ENOMEM ? kh_error_set(err, rc, "out of memory") : rc;
	}
	*out = u;
	return KH_OK;
}

/* Civil date of a day count since 1970-01-01 (proleptic Gregorian). */
static void civil_from_days(long long z, long long *y, int *m, int *d)
{
	long long era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

const char *kh_usage_time_text(long long t, char buf[32])
{
	long long days, secs, year;
	int f[5];
	char *o = buf;

	if (!t)
		return "-";
	days = t >= 0 ? t / 86400 : -((-t + 86399) / 86400);
	secs = t - days * 86400;
	civil_from_days(days, &year, &f[0], &f[1]);
	if (year < 0 || year > 9999)
		return "-";
	f[2] = (int)(secs / 3600);
	f[3] = (int)(secs / 60 % 60);
	f[4] = (int)(secs % 60);
	/* YYYY-MM-DDTHH:MM:SSZ by hand: this runs twice per written entry. */
	*o++ = (char)('0' + year / 1000);
	*o++ = (char)('0' + year / 100 % 10);
	*o++ = (char)('0' + year / 10 % 10);
	*o++ = (char)('0' + year % 10);
	for (int i = 0; i < 5; i++) {
		*o++ = "--T::"[i]; /* the separator before each field */
		*o++ = (char)('0' + f[i] / 10);
		*o++ = (char)('0' + f[i] % 10);
	}
	*o++ = 'Z';
	*o = '\0';
	return buf;
}

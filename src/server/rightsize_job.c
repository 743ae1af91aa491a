/* rightsize_job.c - the right-sizing job runner of `keyhole serve`: the
 * same scan, right-size and emitters as `keyhole rightsize`, driven by the
 * resolved job JSON (see kh_job_run_fn in keyhole/server.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "keyhole/emit.h"
#include "keyhole/rightsize.h"
#include "keyhole/scan.h"
#include "keyhole/server.h"

struct job {
	const char **paths;
	size_t n_paths;
	const char **regions; /* NULL-terminated, or NULL */
	struct kh_trail_filter filter;
	const char *principal;
	enum kh_format format;
	struct kh_policy *current;
};

static void job_release(struct job *j)
{
	free(j->paths);
	free(j->regions);
	kh_policy_free(j->current);
}

static int progress_cb(void *ctx, const struct kh_scan_progress *p)
{
	struct kh_job_progress *jp = ctx;
	atomic_store(&jp->files_done, (long long)p->files_done);
	atomic_store(&jp->files_total, (long long)p->files_total);
	atomic_store(&jp->events, (long long)p->events);
	atomic_store(&jp->bytes, (long long)p->bytes);
	return kh_job_should_stop(jp);
}

static int read_time(const json_t *job, const char *key, const char *dflt, long long *out,
		     struct kh_error *err)
{
	const json_t *v = json_object_get(job, key);
	const char *s = json_is_string(v) ? json_string_value(v) : dflt;

	*out = 0;
	if (!s)
		return KH_OK;
	*out = kh_parse_time_spec(s, (long long)time(NULL));
	return *out < 0 ? kh_error_set(err, KH_EINPUT, "%s: cannot read the time '%s'", key, s)
			: KH_OK;
}

static int read_current(const json_t *job, struct job *j, struct kh_error *err)
{
	const json_t *cur = json_object_get(job, "current_policy");
	char *text;
	int rc;

	if (!cur || json_is_null(cur))
		return KH_OK;
	text = json_is_string(cur) ? strdup(json_string_value(cur))
				   : json_dumps(cur, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!text)
		return kh_error_set(err, KH_ENOMEM, "out of memory");
	rc = kh_policy_parse(text, strlen(text), &j->current, err);
	free(text);
	if (rc != KH_OK)
		snprintf(err->path, sizeof(err->path), "current_policy");
	return rc;
}

static int read_job(const json_t *job, struct job *j, struct kh_error *err)
{
	const json_t *sources = json_object_get(job, "sources"), *regions, *s;
	const char *fmt = json_string_value(json_object_get(job, "format"));
	size_t i;
	int rc;

	j->principal = json_string_value(json_object_get(job, "principal_arn"));
	if (!j->principal || !json_is_array(sources))
		return kh_error_set(err, KH_EINPUT, "a job needs principal_arn and sources");
	j->paths = calloc(json_array_size(sources) + 1, sizeof(*j->paths));
	if (!j->paths)
		return kh_error_set(err, KH_ENOMEM, "out of memory");
	json_array_foreach(sources, i, s) {
		const char *p = json_string_value(json_object_get(s, "path"));
		if (!p)
			p = json_string_value(json_object_get(s, "url"));
		if (!p)
			return kh_error_set(err, KH_EINPUT, "sources[%zu] has no path or url", i);
		j->paths[j->n_paths++] = p;
	}
	regions = json_object_get(job, "regions");
	if (json_is_array(regions) && json_array_size(regions)) {
		j->regions = calloc(json_array_size(regions) + 1, sizeof(*j->regions));
		if (!j->regions)
			return kh_error_set(err, KH_ENOMEM, "out of memory");
		json_array_foreach(regions, i, s) {
			if (!json_is_string(s))
				return kh_error_set(err, KH_EINPUT, "regions[%zu] must be a string", i);
			j->regions[i] = json_string_value(s);
		}
	}
	j->filter.regions = j->regions;
	if (fmt && kh_format_parse(fmt, &j->format))
		return kh_error_set(err, KH_EINPUT, "unknown format '%s'", fmt);
	if ((rc = read_time(job, "since", "90d", &j->filter.since, err)) ||
	    (rc = read_time(job, "until", NULL, &j->filter.until, err)))
		return rc;
	return read_current(job, j, err);
}

/* {"policy": {...}, "format": "...", "rendered": "...",
 *  "renderings": {"json": "...", "terraform": "...", "cloudformation": "..."},
 *  "report": {...}}: every format at once, so a client switching views
 * never runs the scan again. */
static int write_result(const struct kh_rightsize_result *res, enum kh_format f,
			struct kh_buf *out)
{
	static const enum kh_format all[] = {KH_FORMAT_JSON, KH_FORMAT_TERRAFORM,
					     KH_FORMAT_CLOUDFORMATION};
	struct kh_buf rendered;
	int rc = KH_OK;

	kh_buf_init(&rendered, 0);
	kh_buf_puts(out, "{\"policy\":");
	kh_policy_write(res->gen.policy, out, 1);
	kh_buf_printf(out, ",\"format\":\"%s\",\"rendered\":", kh_format_name(f));
	rc = kh_emit(&res->gen, f, 0, &rendered);
	if (rc == KH_OK)
		kh_buf_put_json_string(out, rendered.data);
	kh_buf_puts(out, ",\"renderings\":{");
	for (size_t i = 0; rc == KH_OK && i < sizeof(all) / sizeof(all[0]); i++) {
		kh_buf_reset(&rendered);
		if ((rc = kh_emit(&res->gen, all[i], 0, &rendered)) != KH_OK)
			break;
		kh_buf_printf(out, "%s\"%s\":", i ? "," : "", kh_format_name(all[i]));
		kh_buf_put_json_string(out, rendered.data);
	}
	kh_buf_puts(out, "},\"report\":");
	if (rc == KH_OK)
		rc = kh_rightsize_report(res, KH_REPORT_JSON, out);
	kh_buf_truncate(out, out->len && out->data[out->len - 1] == '\n' ? out->len - 1 : out->len);
	kh_buf_putc(out, '}');
	kh_buf_release(&rendered);
	return rc ? rc : kh_buf_error(out);
}

static const char *short_name(const char *arn)
{
	const char *slash = strrchr(arn, '/');
	return slash ? slash + 1 : arn;
}

int kh_job_run_rightsize(void *ctx, const char *job_json, struct kh_job_progress *progress,
			 struct kh_buf *result_json, struct kh_error *err)
{
	const struct kh_catalog *cat = ctx;
	json_t *job = json_loads(job_json, 0, NULL);
	struct job j = {0};
	struct kh_scan_options so = {0};
	struct kh_scan_problems problems = {0};
	struct kh_usage *u = NULL;
	struct kh_rightsize_result res;
	struct kh_rightsize_options ro = {0};
	const char *key = NULL;
	int rc;

	if (!job)
		return kh_error_set(err, KH_EINPUT, "the job is not JSON");
	rc = read_job(job, &j, err);
	if (rc == KH_OK) {
		so.paths = j.paths;
		so.n_paths = j.n_paths;
		so.filter = j.filter;
		so.only_principal = j.principal;
		so.progress = progress_cb;
		so.progress_ctx = progress;
		rc = kh_scan(cat, &so, &u, &problems, err);
	}
	if (rc == KH_OK)
		rc = kh_usage_resolve_principal(u, j.principal, &key, err);
	if (rc == KH_OK) {
		ro.principal = key;
		ro.name = short_name(key);
		ro.current = j.current;
		rc = kh_rightsize(cat, u, &ro, &res, err);
		if (rc == KH_OK) {
			res.gen.format = j.format;
			rc = write_result(&res, j.format, result_json);
			kh_rightsize_result_release(&res);
		}
	}
	/* Errors reach the client: never show a server-side path. */
	for (size_t i = 0; rc != KH_OK && err && i < j.n_paths; i++)
		if (strncmp(j.paths[i], "s3://", 5) != 0 && strstr(err->msg, j.paths[i]))
			kh_error_set(err, rc, "a log source could not be read");
	kh_scan_problems_release(&problems);
	kh_usage_free(u);
	job_release(&j);
	json_decref(job);
	return rc;
}

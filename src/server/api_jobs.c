/* api_jobs.c - uploads, right-sizing jobs and feedback. */
#include <stdlib.h>
#include <string.h>

#include "keyhole/trail.h"
#include "server/server_int.h"

/* ---- uploads ------------------------------------------------------- */

/* Counts the CloudTrail events in an upload (gzip'd or not); returns the
 * count, or -1 with the reader's message in err. */
static long long count_events(const char *data, size_t len, size_t max, struct kh_error *err)
{
	struct kh_trail_reader *r;
	struct kh_event ev;
	unsigned char *plain = NULL;
	size_t plain_len = 0;
	long long n = 0;
	int rc;

	if (len >= 2 && (unsigned char)data[0] == 0x1f && (unsigned char)data[1] == 0x8b) {
		if (kh_gunzip((const unsigned char *)data, len, max, &plain, &plain_len, err) != KH_OK)
			return -1;
		data = (const char *)plain;
		len = plain_len;
	}
	r = kh_trail_reader_new();
	rc = r ? kh_trail_reader_open(r, data, len, "upload", err)
	       : kh_error_set(err, KH_ENOMEM, "out of memory");
	if (rc == KH_OK)
		while ((rc = kh_trail_next(r, &ev, err)) == 1)
			n++;
	kh_trail_reader_free(r);
	free(plain);
	return rc < 0 ? -1 : n;
}

void kh__api_upload(struct kh__req *req, struct kh__resp *resp)
{
	struct kh_server *srv = req->srv;
	struct kh_upload up;
	struct kh_error err = {0};
	long long events;

	if (req->body.len == 0) {
		kh__resp_error(resp, 400, "bad_request", "the upload is empty");
		return;
	}
	events = count_events(req->body.data, req->body.len, 16 * srv->cfg.max_upload, &err);
	if (events < 0) {
		if (err.code == KH_ENOMEM)
			kh__resp_error(resp, 503, "unavailable", "out of memory");
		else
			kh__resp_error(resp, 400, "bad_request", "not a CloudTrail file: %s", err.msg);
		return;
	}
	if (kh_store_upload_put(srv->cfg.store, req->body.data, req->body.len, events,
				srv->cfg.upload_ttl, &up, &err) != KH_OK) {
		kh__resp_error(resp, 503, "unavailable", "the upload could not be stored");
		return;
	}
	kh__metrics_add_scan_bytes(srv, up.bytes);
	kh__resp_json(resp, 201, json_pack("{s:s, s:I, s:I, s:I}", "upload_id", up.id, "events",
					   (json_int_t)up.events, "bytes", (json_int_t)up.bytes,
					   "expires_at", (json_int_t)up.expires_at));
}

/* ---- right-sizing -------------------------------------------------- */

static int name_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64 || strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.'))
			return 0;
	}
	return 1;
}

/* Resolves one source string; returns NULL with a 400 in resp. */
static json_t *resolve_source(struct kh__req *req, const char *src, size_t i,
			      struct kh__resp *resp)
{
	struct kh_server *srv = req->srv;
	struct kh_upload up;

	if (strncmp(src, "s3://", 5) == 0 && src[5])
		return json_pack("{s:s, s:s}", "kind", "s3", "url", src);
	if (strncmp(src, "up_", 3) == 0) {
		char *path;
		json_t *v;
		if (kh_store_upload_get(srv->cfg.store, src, &up, NULL) != KH_OK) {
			kh__resp_error(resp, 400, "bad_request",
				       "sources[%zu]: unknown or expired upload", i);
			return NULL;
		}
		path = kh_store_upload_path(srv->cfg.store, up.id);
		v = path ? json_pack("{s:s, s:s, s:s}", "kind", "upload", "id", up.id, "path", path)
			 : NULL;
		free(path);
		return v;
	}
	if (name_ok(src))
		for (size_t r = 0; r < srv->cfg.n_log_roots; r++)
			if (strcmp(srv->cfg.log_roots[r].name, src) == 0)
				return json_pack("{s:s, s:s, s:s}", "kind", "log_root", "name", src,
						 "path", srv->cfg.log_roots[r].path);
	kh__resp_error(resp, 400, "bad_request",
		       "sources[%zu]: not an upload id, an s3:// URL or the name of a log root"
		       " configured on the server (log roots are named, never paths)", i);
	return NULL;
}

static int check_fields(json_t *body, struct kh__resp *resp)
{
	static const char *const known[] = {"principal_arn", "sources", "since", "until",
					    "regions", "current_policy", "format", NULL};
	const char *key, *arn, *fmt;
	json_t *v;
	size_t i;

	json_object_foreach(body, key, v) {
		for (i = 0; known[i] && strcmp(known[i], key) != 0; i++)
			;
		if (!known[i]) {
			kh__resp_error(resp, 400, "bad_request", "unknown field '%.64s'", key);
			return -1;
		}
	}
	arn = json_string_value(json_object_get(body, "principal_arn"));
	if (!arn || strncmp(arn, "arn:", 4) != 0) {
		kh__resp_error(resp, 400, "bad_request", "principal_arn must be an ARN string");
		return -1;
	}
	for (const char *const *k = (const char *const[]){"since", "until", NULL}; *k; k++)
		if ((v = json_object_get(body, *k)) && !json_is_string(v)) {
			kh__resp_error(resp, 400, "bad_request", "%s must be a date string", *k);
			return -1;
		}
	json_array_foreach(json_object_get(body, "regions"), i, v) if (!json_is_string(v)) {
		kh__resp_error(resp, 400, "bad_request", "regions[%zu] must be a string", i);
		return -1;
	}
	if ((v = json_object_get(body, "regions")) && !json_is_array(v)) {
		kh__resp_error(resp, 400, "bad_request", "regions must be an array of strings");
		return -1;
	}
	fmt = json_string_value(json_object_get(body, "format"));
	if (json_object_get(body, "format") &&
	    (!fmt || (strcmp(fmt, "json") && strcmp(fmt, "terraform") &&
		      strcmp(fmt, "cloudformation")))) {
		kh__resp_error(resp, 400, "bad_request",
			       "format must be \"json\", \"terraform\" or \"cloudformation\"");
		return -1;
	}
	return 0;
}

/* Builds the job the runner sees: the request with sources resolved. */
static json_t *build_job(struct kh__req *req, json_t *body, struct kh__resp *resp)
{
	json_t *sources = json_object_get(body, "sources"), *resolved, *job, *s;
	size_t i;

	if (!json_is_array(sources) || json_array_size(sources) == 0 ||
	    json_array_size(sources) > 1000) {
		kh__resp_error(resp, 400, "bad_request",
			       "sources must be an array of 1 to 1000 strings");
		return NULL;
	}
	resolved = json_array();
	json_array_foreach(sources, i, s) {
		json_t *r = json_is_string(s) ? resolve_source(req, json_string_value(s), i, resp)
					      : NULL;
		if (!r) {
			if (!resp->status)
				kh__resp_error(resp, 400, "bad_request",
					       "sources[%zu] must be a string", i);
			json_decref(resolved);
			return NULL;
		}
		json_array_append_new(resolved, r);
	}
	job = json_deep_copy(body);
	json_object_set_new(job, "sources", resolved);
	if (!json_object_get(job, "format"))
		json_object_set_new(job, "format", json_string("json"));
	return job;
}

void kh__api_rightsize_start(struct kh__req *req, struct kh__resp *resp)
{
	json_t *body = kh__body_object(req, resp), *job;
	char id[KH_STORE_ID_MAX];
	char *text;

	if (!body || check_fields(body, resp) != 0 || !(job = build_job(req, body, resp))) {
		json_decref(body);
		return;
	}
	json_decref(body);
	text = json_dumps(job, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(job);
	if (!text || kh_store_job_enqueue(req->srv->cfg.store, text, id, NULL) != KH_OK) {
		free(text);
		kh__resp_error(resp, 503, "unavailable", "the job could not be queued");
		return;
	}
	free(text);
	kh__jobs_wake(req->srv);
	kh__resp_json(resp, 202, json_pack("{s:s, s:s}", "job_id", id, "status", "queued"));
}

void kh__api_rightsize_get(struct kh__req *req, struct kh__resp *resp)
{
	struct kh_job job;
	struct kh_job_counts live;
	json_t *out;

	if (kh_store_job_get(req->srv->cfg.store, req->route_arg, &job, NULL) != KH_OK) {
		kh__resp_error(resp, 404, "not_found", "no such job");
		return;
	}
	if (job.status == KH_JOB_RUNNING && kh__jobs_live_progress(req->srv, job.id, &live))
		job.progress = live;
	out = json_pack("{s:s, s:s, s:{s:I, s:I, s:I}}", "job_id", job.id, "status",
			kh_job_status_name(job.status), "progress", "files_done",
			(json_int_t)job.progress.files_done, "files_total",
			(json_int_t)job.progress.files_total, "events",
			(json_int_t)job.progress.events);
	if (out && job.result_json) {
		json_t *r = json_loads(job.result_json, JSON_DECODE_ANY, NULL);
		json_object_set_new(out, "result", r ? r : json_string(job.result_json));
	}
	if (out && job.error)
		json_object_set_new(out, "error", json_string(job.error));
	kh_job_release(&job);
	kh__resp_json(resp, 200, out);
}

void kh__api_rightsize_cancel(struct kh__req *req, struct kh__resp *resp)
{
	int rc = kh_store_job_cancel(req->srv->cfg.store, req->route_arg, NULL);

	if (rc == KH_ENOTFOUND) {
		kh__resp_error(resp, 404, "not_found", "no such job");
	} else if (rc < 0) {
		kh__resp_error(resp, 503, "unavailable", "the job store is unavailable");
	} else if (rc == 0) {
		kh__resp_error(resp, 409, "conflict", "the job has already finished");
	} else {
		kh__jobs_signal_cancel(req->srv, req->route_arg);
		kh__resp_json(resp, 200, json_pack("{s:s, s:s}", "job_id", req->route_arg,
						   "status", "canceled"));
	}
}

/* ---- feedback ------------------------------------------------------ */

void kh__api_feedback(struct kh__req *req, struct kh__resp *resp)
{
	json_t *body = kh__body_object(req, resp), *intent, *output;
	struct kh_feedback fb = {0};
	char *intent_text = NULL, *output_text = NULL;
	long long id;

	if (!body)
		return;
	fb.rating = json_string_value(json_object_get(body, "rating"));
	fb.comment = json_string_value(json_object_get(body, "comment"));
	if ((intent = json_object_get(body, "intent")))
		fb.intent = intent_text = json_dumps(intent, JSON_ENCODE_ANY | JSON_SORT_KEYS |
							     JSON_COMPACT);
	if ((output = json_object_get(body, "output")))
		fb.output = output_text = json_dumps(output, JSON_ENCODE_ANY | JSON_SORT_KEYS |
							     JSON_COMPACT);
	if (json_object_get(body, "comment") && !fb.comment)
		kh__resp_error(resp, 400, "bad_request", "comment must be a string");
	else if (!fb.rating || (strcmp(fb.rating, "up") && strcmp(fb.rating, "down")))
		kh__resp_error(resp, 400, "bad_request", "rating must be \"up\" or \"down\"");
	else if (kh_store_feedback_add(req->srv->cfg.store, &fb, &id, NULL) != KH_OK)
		kh__resp_error(resp, 503, "unavailable", "the feedback could not be stored");
	else
		kh__resp_json(resp, 201, json_pack("{s:I}", "id", (json_int_t)id));
	free(intent_text);
	free(output_text);
	json_decref(body);
}

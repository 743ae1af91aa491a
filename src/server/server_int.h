/* server_int.h - internals shared by the HTTP server's files.
 *
 * server.c: the daemon, request lifecycle, limits, access log.
 * routes.c: the route table and dispatch; small handlers (health,
 *           catalog, openapi, docs, metrics).
 * api_policy.c: generate and validate.  api_jobs.c: uploads, rightsize,
 *           feedback.  jobs.c: the worker pool.  auth.c: tokens and the
 *           rate limit.  metrics.c: counters and the Prometheus text.
 *           docs.c: the HTML page from the OpenAPI document.
 *           assets.c: the embedded web UI (web/, linked in by assets_data.S).
 */
#ifndef KEYHOLE_SERVER_INT_H
#define KEYHOLE_SERVER_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include <jansson.h>

#include "keyhole/buf.h"
#include "keyhole/server.h"

struct kh__route;

/* One HTTP request, from its first byte to the access-log line. */
struct kh__req {
	struct kh_server *srv;
	const struct kh__route *route; /* NULL: no route has this path */
	const char *method;            /* MHD's, valid for the request */
	char path[256];                /* truncated copy for the log */
	char id[20];                   /* request id, also X-Request-Id */
	char route_arg[72];            /* the {id} or {prefix} segment */
	char if_none_match[72];        /* the If-None-Match header, truncated */
	struct kh_buf body;
	int too_large;                 /* body exceeded its limit */
	int responded;                 /* a response is queued */
	int status;
	long long token_id;            /* 0: no token */
	uint64_t start_ns;
};

/* What a handler produces. */
struct kh__resp {
	int status;
	const char *content_type;      /* static; JSON when NULL */
	struct kh_buf body;
	char retry_after[16];          /* set for 429 */
	const char *allow;             /* set for 405 */
	int bearer_challenge;          /* 401: send WWW-Authenticate */
	const char *cache_control;     /* static; "no-store" when NULL */
	char etag[24];                 /* sent when set */
	int web_page;                  /* the web UI: send its security headers */
};

typedef void (*kh__handler)(struct kh__req *req, struct kh__resp *resp);

enum kh__route_flag {
	KH_ROUTE_AUTH = 1 << 0,   /* needs a token when any exists */
	KH_ROUTE_UPLOAD = 1 << 1, /* body limit is max_upload */
	KH_ROUTE_ARG = 1 << 2     /* pattern ends with one {arg} segment */
};

struct kh__route {
	const char *method;
	const char *pattern; /* "/v1/rightsize/{id}"; also the metrics label */
	kh__handler handler;
	unsigned flags;
};

#define KH_RUNNING_MAX 64

/* A job a worker is running, visible to DELETE and to progress saving. */
struct kh__running {
	char id[KH_STORE_ID_MAX]; /* "" when the slot is free */
	struct kh_job_progress progress;
};

struct kh__metrics;

struct kh_server {
	struct kh_server_config cfg;
	struct MHD_Daemon *daemon;
	unsigned port;
	atomic_int active_requests;
	atomic_ullong request_seq;
	uint64_t id_salt;
	struct kh__metrics *metrics;
	/* jobs */
	pthread_t *workers;
	unsigned n_workers;
	pthread_t janitor;
	int janitor_started;
	pthread_mutex_t jobs_lock;
	pthread_cond_t jobs_cond;
	atomic_int stopping;
	struct kh__running running[KH_RUNNING_MAX];
	/* rate limiting */
	pthread_mutex_t rate_lock;
	struct kh__bucket *buckets;
	/* cached documents */
	struct kh_buf services_json;
	struct kh_buf docs_html;
	pthread_mutex_t services_lock; /* builds services_json once */
	/* the free-text parser's model, from KEYHOLE_LLM_* at start (NULL: offline) */
	const char *llm_url, *llm_model, *llm_api_key;
};

/* routes.c */
const struct kh__route *kh__route_match(const char *method, const char *path,
					char *arg, size_t arg_size, const char **allow);
size_t kh__route_count(void);
const struct kh__route *kh__route_at(size_t i);
size_t kh__route_index(const struct kh__route *r); /* kh__route_count() for NULL */

/* Responses. */
void kh__resp_error(struct kh__resp *resp, int status, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Sets a JSON body from a jansson value (consumed), with sorted keys. */
void kh__resp_json(struct kh__resp *resp, int status, json_t *v);
/* Parses the request body as a JSON object; on failure fills resp with a
 * 400 whose message has line:column, and returns NULL. */
json_t *kh__body_object(struct kh__req *req, struct kh__resp *resp);

/* api_policy.c, api_jobs.c */
void kh__api_generate(struct kh__req *req, struct kh__resp *resp);
void kh__api_validate(struct kh__req *req, struct kh__resp *resp);
void kh__api_upload(struct kh__req *req, struct kh__resp *resp);
void kh__api_rightsize_start(struct kh__req *req, struct kh__resp *resp);
void kh__api_rightsize_get(struct kh__req *req, struct kh__resp *resp);
void kh__api_rightsize_cancel(struct kh__req *req, struct kh__resp *resp);
void kh__api_feedback(struct kh__req *req, struct kh__resp *resp);
void kh__api_describe(struct kh__req *req, struct kh__resp *resp);
void kh__api_log_roots(struct kh__req *req, struct kh__resp *resp);

/* assets.c: the web UI embedded from web/ (GET / and /assets/{name}). */
void kh__web_index(struct kh__req *req, struct kh__resp *resp);
void kh__web_asset(struct kh__req *req, struct kh__resp *resp);

/* jobs.c */
int kh__jobs_start(struct kh_server *srv, struct kh_error *err);
void kh__jobs_stop(struct kh_server *srv);
void kh__jobs_wake(struct kh_server *srv);
/* Copies a running job's live progress; 0 when it is not running here. */
int kh__jobs_live_progress(struct kh_server *srv, const char *id, struct kh_job_counts *out);
/* Raises cancel on a job running here (no-op otherwise). */
void kh__jobs_signal_cancel(struct kh_server *srv, const char *id);

/* auth.c: returns 0 to go on, or fills resp (401/429) and returns -1. */
int kh__auth_check(struct kh__req *req, const char *authorization, struct kh__resp *resp);
void kh__auth_release(struct kh_server *srv);

/* metrics.c */
int kh__metrics_init(struct kh_server *srv);
void kh__metrics_free(struct kh_server *srv);
void kh__metrics_record(struct kh_server *srv, const struct kh__route *route, int status,
			double seconds);
void kh__metrics_add_scan_bytes(struct kh_server *srv, long long bytes);
void kh__metrics_render(struct kh_server *srv, struct kh_buf *out);

/* docs.c: the embedded OpenAPI document and the HTML page made from it. */
const char *kh__openapi_text(size_t *len);
int kh__docs_render(struct kh_buf *out);

uint64_t kh__now_ns(void);

#endif

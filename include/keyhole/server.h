/* server.h - the HTTP service behind `keyhole serve`.
 *
 * A JSON API under /v1 on libmicrohttpd's thread pool, plus /healthz,
 * /metrics, /openapi.json, /docs and the embedded web UI (/ and /assets/).
 * The free-text parser behind "describe" uses the model named by
 * KEYHOLE_LLM_URL, KEYHOLE_LLM_MODEL and KEYHOLE_LLM_API_KEY when they are
 * set at kh_server_start, and works offline otherwise. The server owns no storage of its own:
 * jobs, uploads, tokens and feedback go through a struct kh_store
 * (keyhole/store.h). It never prints: every finished request is reported
 * as one JSON access-log line through the config's log callback.
 *
 * Right-sizing jobs run on a pool of worker threads that take jobs from the
 * store's queue and call the config's `run` function. The server persists
 * progress about once a second and raises `cancel` in the progress struct
 * when a job is canceled or the server stops; a runner checks it between
 * files. On stop, running jobs stay "running" in the store and are queued
 * again at the next start (kh_store_job_requeue_stale).
 *
 * Ownership: the config and everything it points to (store, catalog, log
 * roots) are borrowed and must outlive the server.
 */
#ifndef KEYHOLE_SERVER_H
#define KEYHOLE_SERVER_H

#include <stdatomic.h>
#include <stddef.h>

#include "keyhole/buf.h"
#include "keyhole/catalog.h"
#include "keyhole/error.h"
#include "keyhole/store.h"

/* Why a job should stop early. */
enum kh_job_stop { KH_JOB_GO = 0, KH_JOB_STOP_CANCELED = 1, KH_JOB_STOP_SHUTDOWN = 2 };

/* Shared between a running job's runner and the server. The runner writes
 * the counters; the server reads them and writes `cancel`. */
struct kh_job_progress {
	atomic_llong files_done, files_total, events, bytes;
	atomic_int cancel; /* enum kh_job_stop */
};

/* Returns non-zero when the runner should stop (canceled or shutting down). */
static inline int kh_job_should_stop(struct kh_job_progress *p)
{
	return atomic_load(&p->cancel) != KH_JOB_GO;
}

/* A job runner. job_json is the job as the server resolved it:
 *   {"principal_arn": "...", "sources": [{"kind": "upload", "id": "...",
 *    "path": "/data/uploads/up_..."} | {"kind": "log_root", "name": "...",
 *    "path": "/var/log/ct"} | {"kind": "s3", "url": "s3://..."}],
 *    "since"?, "until"?, "regions"?, "current_policy"?, "format"}
 * On success it appends a JSON value to result_json and returns KH_OK;
 * otherwise a negative kh_err with a message in err (shown to the client,
 * so no paths). After a stop request it may return anything. */
typedef int (*kh_job_run_fn)(void *ctx, const char *job_json, struct kh_job_progress *progress,
			     struct kh_buf *result_json, struct kh_error *err);

/* The default runner: fails every job with "right-sizing not available in
 * this build". */
int kh_job_run_unavailable(void *ctx, const char *job_json, struct kh_job_progress *progress,
			   struct kh_buf *result_json, struct kh_error *err);
/* The right-sizing runner; ctx is the struct kh_catalog. It scans the
 * sources, right-sizes for principal_arn and appends {"policy", "format",
 * "rendered", "report"} (the report as `rightsize --report json` writes it). */
int kh_job_run_rightsize(void *ctx, const char *job_json, struct kh_job_progress *progress,
			 struct kh_buf *result_json, struct kh_error *err);
/* Test hook (selected by `keyhole serve` when KEYHOLE_TEST_SLOW_JOBS=1): a
 * runner that walks ten pretend files in about three seconds, honouring
 * cancellation, so tests can catch a job mid-flight. */
int kh_job_run_test_slow(void *ctx, const char *job_json, struct kh_job_progress *progress,
			 struct kh_buf *result_json, struct kh_error *err);

/* A named server-side CloudTrail directory. Requests name it, never the path. */
struct kh_log_root {
	const char *name; /* [A-Za-z0-9_.-]{1,64} */
	const char *path;
};

/* Receives one access-log line (JSON, no newline). Called from HTTP
 * threads, concurrently. */
typedef void (*kh_server_log_fn)(void *ctx, const char *line);

struct kh_server_config {
	const char *host;            /* IPv4 or IPv6 literal; "127.0.0.1" when NULL */
	unsigned port;               /* 0: pick a free port (see kh_server_port) */
	struct kh_store *store;      /* required */
	const struct kh_catalog *catalog; /* required */
	const struct kh_log_root *log_roots;
	size_t n_log_roots;
	unsigned http_threads;       /* 0: the number of CPUs */
	unsigned job_workers;        /* 0: 2 */
	unsigned connection_limit;   /* 0: 1024 */
	unsigned timeout_seconds;    /* idle connection timeout; 0: 30 */
	size_t max_body;             /* 0: 1 MB */
	size_t max_upload;           /* 0: 64 MB */
	long long upload_ttl;        /* seconds; 0: one day */
	double rate_per_sec;         /* per token; 0: 50 */
	double rate_burst;           /* 0: 2 * rate_per_sec */
	int insecure_no_auth;        /* allow a non-loopback bind without tokens */
	kh_job_run_fn run;           /* NULL: kh_job_run_unavailable */
	void *run_ctx;               /* passed to run */
	kh_server_log_fn log;        /* may be NULL */
	void *log_ctx;
};

struct kh_server;

/* Starts listening and the job workers. Refuses (KH_EUSAGE) to bind a
 * non-loopback address while the store has no token, unless
 * insecure_no_auth. Running jobs left by a previous process are queued
 * again first. */
int kh_server_start(const struct kh_server_config *cfg, struct kh_server **out,
		    struct kh_error *err);
/* The port actually bound. */
unsigned kh_server_port(const struct kh_server *srv);
/* Graceful stop: stops accepting, lets requests in flight finish (up to
 * grace_seconds), asks running jobs to stop and leaves them re-runnable,
 * then frees the server. */
void kh_server_stop(struct kh_server *srv, unsigned grace_seconds);

#endif

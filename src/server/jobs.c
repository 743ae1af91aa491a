/* jobs.c - the right-sizing worker pool.
 *
 * Workers claim jobs from the store's queue and call the configured runner.
 * A janitor thread saves each running job's progress about twice a second,
 * notices cancellation made through the store, and expires old uploads.
 * On shutdown, runners are asked to stop and their jobs stay "running" in
 * the store, to be queued again when the server next starts. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "server/server_int.h"

/* ---- runners ------------------------------------------------------- */

int kh_job_run_unavailable(void *ctx, const char *job_json, struct kh_job_progress *progress,
			   struct kh_buf *result_json, struct kh_error *err)
{
	return kh_error_set(err, KH_EUSAGE, "right-sizing not available in this build");
}

int kh_job_run_test_slow(void *ctx, const char *job_json, struct kh_job_progress *progress,
			 struct kh_buf *result_json, struct kh_error *err)
{
	json_t *job = json_loads(job_json, 0, NULL);
	const char *arn = json_string_value(json_object_get(job, "principal_arn"));
	const int files = 10;

	atomic_store(&progress->files_total, files);
	for (int f = 0; f < files; f++) {
		for (int tick = 0; tick < 30; tick++) {
			if (kh_job_should_stop(progress)) {
				json_decref(job);
				return kh_error_set(err, KH_EUSAGE, "stopped");
			}
			usleep(10000);
		}
		atomic_fetch_add(&progress->files_done, 1);
		atomic_fetch_add(&progress->events, 100);
		atomic_fetch_add(&progress->bytes, 1000);
	}
	kh_buf_puts(result_json, "{\"events\":1000,\"files\":10,\"principal_arn\":");
	kh_buf_put_json_string(result_json, arn ? arn : "");
	kh_buf_puts(result_json, ",\"runner\":\"test-slow\"}");
	json_decref(job);
	return kh_buf_error(result_json);
}

/* ---- running slots ------------------------------------------------- */

static struct kh__running *slot_take(struct kh_server *srv, const char *id)
{
	struct kh__running *r = NULL;
	pthread_mutex_lock(&srv->jobs_lock);
	for (size_t i = 0; i < KH_RUNNING_MAX && !r; i++)
		if (!srv->running[i].id[0])
			r = &srv->running[i];
	if (r) {
		memcpy(r->id, id, sizeof(r->id));
		atomic_store(&r->progress.files_done, 0);
		atomic_store(&r->progress.files_total, 0);
		atomic_store(&r->progress.events, 0);
		atomic_store(&r->progress.bytes, 0);
		atomic_store(&r->progress.cancel,
			     atomic_load(&srv->stopping) ? KH_JOB_STOP_SHUTDOWN : KH_JOB_GO);
	}
	pthread_mutex_unlock(&srv->jobs_lock);
	return r;
}

static void slot_free(struct kh_server *srv, struct kh__running *r)
{
	pthread_mutex_lock(&srv->jobs_lock);
	r->id[0] = '\0';
	pthread_mutex_unlock(&srv->jobs_lock);
}

static void counts_of(struct kh_job_progress *p, struct kh_job_counts *c)
{
	c->files_done = atomic_load(&p->files_done);
	c->files_total = atomic_load(&p->files_total);
	c->events = atomic_load(&p->events);
	c->bytes = atomic_load(&p->bytes);
}

int kh__jobs_live_progress(struct kh_server *srv, const char *id, struct kh_job_counts *out)
{
	int found = 0;
	pthread_mutex_lock(&srv->jobs_lock);
	for (size_t i = 0; i < KH_RUNNING_MAX && !found; i++)
		if (strcmp(srv->running[i].id, id) == 0) {
			counts_of(&srv->running[i].progress, out);
			found = 1;
		}
	pthread_mutex_unlock(&srv->jobs_lock);
	return found;
}

void kh__jobs_signal_cancel(struct kh_server *srv, const char *id)
{
	pthread_mutex_lock(&srv->jobs_lock);
	for (size_t i = 0; i < KH_RUNNING_MAX; i++)
		if (strcmp(srv->running[i].id, id) == 0)
			atomic_store(&srv->running[i].progress.cancel, KH_JOB_STOP_CANCELED);
	pthread_mutex_unlock(&srv->jobs_lock);
}

/* ---- workers ------------------------------------------------------- */

static void wait_for_work(struct kh_server *srv, unsigned ms)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_nsec += (long)ms * 1000000L;
	ts.tv_sec += ts.tv_nsec / 1000000000L;
	ts.tv_nsec %= 1000000000L;
	pthread_mutex_lock(&srv->jobs_lock);
	if (!atomic_load(&srv->stopping))
		pthread_cond_timedwait(&srv->jobs_cond, &srv->jobs_lock, &ts);
	pthread_mutex_unlock(&srv->jobs_lock);
}

void kh__jobs_wake(struct kh_server *srv)
{
	pthread_mutex_lock(&srv->jobs_lock);
	pthread_cond_signal(&srv->jobs_cond);
	pthread_mutex_unlock(&srv->jobs_lock);
}

/* Records how a run ended, unless the server is stopping (then the job
 * stays running in the store and is requeued at the next start). */
static void settle(struct kh_server *srv, const struct kh_job *job, struct kh__running *slot,
		   int rc, struct kh_buf *result, struct kh_error *err)
{
	struct kh_store *st = srv->cfg.store;
	struct kh_job_counts c;
	int stop = atomic_load(&slot->progress.cancel);

	counts_of(&slot->progress, &c);
	kh__metrics_add_scan_bytes(srv, c.bytes);
	if (stop == KH_JOB_STOP_SHUTDOWN)
		return;
	kh_store_job_progress(st, job->id, &c, NULL);
	if (stop == KH_JOB_STOP_CANCELED)
		return;
	if (rc == KH_OK && !kh_buf_error(result) && result->len)
		kh_store_job_finish(st, job->id, result->data, NULL);
	else
		kh_store_job_fail(st, job->id,
				  rc != KH_OK && err->msg[0] ? err->msg
							     : "the job produced no result",
				  NULL);
}

static void *worker_main(void *arg)
{
	struct kh_server *srv = arg;
	struct kh_job job;
	struct kh_buf result;
	struct kh_error err;

	kh_buf_init(&result, (size_t)256 << 20);
	while (!atomic_load(&srv->stopping)) {
		struct kh__running *slot;
		int rc = kh_store_job_claim(srv->cfg.store, &job, NULL);
		if (rc <= 0) {
			wait_for_work(srv, rc < 0 ? 1000 : 500);
			continue;
		}
		slot = slot_take(srv, job.id);
		if (!slot) { /* more workers than slots cannot happen; be safe */
			kh_job_release(&job);
			continue;
		}
		memset(&err, 0, sizeof(err));
		kh_buf_reset(&result);
		rc = srv->cfg.run(srv->cfg.run_ctx, job.request_json, &slot->progress, &result, &err);
		settle(srv, &job, slot, rc, &result, &err);
		slot_free(srv, slot);
		kh_job_release(&job);
	}
	kh_buf_release(&result);
	return NULL;
}

/* Saves progress; a job no longer running in the store was canceled. */
static void save_progress(struct kh_server *srv)
{
	for (size_t i = 0; i < KH_RUNNING_MAX; i++) {
		struct kh__running *r = &srv->running[i];
		struct kh_job_counts c;
		char id[KH_STORE_ID_MAX];

		pthread_mutex_lock(&srv->jobs_lock);
		memcpy(id, r->id, sizeof(id));
		counts_of(&r->progress, &c);
		pthread_mutex_unlock(&srv->jobs_lock);
		if (id[0] && kh_store_job_progress(srv->cfg.store, id, &c, NULL) == 0)
			kh__jobs_signal_cancel(srv, id);
	}
}

static void *janitor_main(void *arg)
{
	struct kh_server *srv = arg;
	unsigned ticks = 0;

	while (!atomic_load(&srv->stopping)) {
		usleep(100000);
		if (++ticks % 5 == 0 && !atomic_load(&srv->stopping))
			save_progress(srv);
		if (ticks % 600 == 1)
			kh_store_upload_expire(srv->cfg.store, NULL);
	}
	return NULL;
}

int kh__jobs_start(struct kh_server *srv, struct kh_error *err)
{
	unsigned n = srv->cfg.job_workers < KH_RUNNING_MAX ? srv->cfg.job_workers : KH_RUNNING_MAX;

	srv->workers = calloc(n, sizeof(*srv->workers));
	if (!srv->workers)
		return kh_error_set(err, KH_ENOMEM, "out of memory");
	for (; srv->n_workers < n; srv->n_workers++)
		if (pthread_create(&srv->workers[srv->n_workers], NULL, worker_main, srv) != 0)
			break;
	if (srv->n_workers == n && pthread_create(&srv->janitor, NULL, janitor_main, srv) == 0)
		srv->janitor_started = 1;
	if (!srv->janitor_started) {
		kh__jobs_stop(srv);
		return kh_error_set(err, KH_EINTERNAL, "cannot start job workers");
	}
	return KH_OK;
}

void kh__jobs_stop(struct kh_server *srv)
{
	atomic_store(&srv->stopping, 1);
	pthread_mutex_lock(&srv->jobs_lock);
	for (size_t i = 0; i < KH_RUNNING_MAX; i++)
		if (srv->running[i].id[0])
			atomic_store(&srv->running[i].progress.cancel, KH_JOB_STOP_SHUTDOWN);
	pthread_cond_broadcast(&srv->jobs_cond);
	pthread_mutex_unlock(&srv->jobs_lock);
	for (unsigned i = 0; i < srv->n_workers; i++)
		pthread_join(srv->workers[i], NULL);
	if (srv->janitor_started)
		pthread_join(srv->janitor, NULL);
	srv->janitor_started = 0;
	srv->n_workers = 0;
	free(srv->workers);
	srv->workers = NULL;
}

/* test_store.c - the SQLite store: migrations, the job lifecycle, uploads,
 * tokens and feedback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "keyhole/store.h"

struct fixture {
	char dir[64];
	char db[96];
	struct kh_store *s;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	struct kh_error err = {0};

	snprintf(f->dir, sizeof(f->dir), "/tmp/kh-store-XXXXXX");
	if (!f || !mkdtemp(f->dir))
		return -1;
	snprintf(f->db, sizeof(f->db), "%s/keyhole.db", f->dir);
	if (kh_store_open_sqlite(f->db, NULL, &f->s, &err) != KH_OK) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	char cmd[128];
	kh_store_close(f->s);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		return -1;
	free(f);
	return 0;
}

static void test_schema_version(void **state)
{
	struct fixture *f = *state;
	struct kh_store *again;
	struct kh_error err = {0};

	assert_int_equal(kh_store_sqlite_schema_version(f->s), 1);
	/* Reopening an up-to-date store migrates nothing and keeps the version. */
	assert_int_equal(kh_store_open_sqlite(f->db, NULL, &again, &err), KH_OK);
	assert_int_equal(kh_store_sqlite_schema_version(again), 1);
	kh_store_close(again);
}

static void test_job_lifecycle(void **state)
{
	struct fixture *f = *state;
	char a[KH_STORE_ID_MAX], b[KH_STORE_ID_MAX];
	struct kh_job j;
	struct kh_job_counts c = {1, 3, 42, 1000};
	long long counts[KH_JOB_NSTATUS];

	assert_int_equal(kh_store_job_enqueue(f->s, "{\"n\":1}", a, NULL), KH_OK);
	assert_int_equal(kh_store_job_enqueue(f->s, "{\"n\":2}", b, NULL), KH_OK);
	assert_memory_equal(a, "job_", 4);
	assert_string_not_equal(a, b);

	/* Oldest first. */
	assert_int_equal(kh_store_job_claim(f->s, &j, NULL), 1);
	assert_string_equal(j.id, a);
	assert_int_equal(j.status, KH_JOB_RUNNING);
	assert_string_equal(j.request_json, "{\"n\":1}");
	assert_int_equal(j.attempts, 1);
	kh_job_release(&j);

	assert_int_equal(kh_store_job_progress(f->s, a, &c, NULL), 1);
	assert_int_equal(kh_store_job_finish(f->s, a, "{\"ok\":true}", NULL), 1);
	assert_int_equal(kh_store_job_get(f->s, a, &j, NULL), KH_OK);
	assert_int_equal(j.status, KH_JOB_DONE);
	assert_string_equal(j.result_json, "{\"ok\":true}");
	assert_int_equal(j.progress.events, 42);
	assert_int_equal(j.progress.files_total, 3);
	kh_job_release(&j);
	/* A finished job cannot be canceled or finished again. */
	assert_int_equal(kh_store_job_cancel(f->s, a, NULL), 0);
	assert_int_equal(kh_store_job_finish(f->s, a, "{}", NULL), 0);

	/* Cancel while running: progress reports it, finish does not undo it. */
	assert_int_equal(kh_store_job_claim(f->s, &j, NULL), 1);
	kh_job_release(&j);
	assert_int_equal(kh_store_job_cancel(f->s, b, NULL), 1);
	assert_int_equal(kh_store_job_progress(f->s, b, &c, NULL), 0);
	assert_int_equal(kh_store_job_finish(f->s, b, "{}", NULL), 0);
	assert_int_equal(kh_store_job_get(f->s, b, &j, NULL), KH_OK);
	assert_int_equal(j.status, KH_JOB_CANCELED);
	kh_job_release(&j);

	assert_int_equal(kh_store_job_claim(f->s, &j, NULL), 0);
	assert_int_equal(kh_store_job_cancel(f->s, "job_nope", NULL), KH_ENOTFOUND);
	assert_int_equal(kh_store_job_get(f->s, "job_nope", &j, NULL), KH_ENOTFOUND);

	assert_int_equal(kh_store_job_counts(f->s, counts, NULL), KH_OK);
	assert_int_equal(counts[KH_JOB_DONE], 1);
	assert_int_equal(counts[KH_JOB_CANCELED], 1);
	assert_int_equal(counts[KH_JOB_QUEUED], 0);
}

static int count_job(void *ctx, const struct kh_job *job)
{
	(*(int *)ctx)++;
	return 0;
}

static void test_requeue_after_crash(void **state)
{
	struct fixture *f = *state;
	char id[KH_STORE_ID_MAX];
	struct kh_store *again;
	struct kh_job j;
	int n = 0;

	assert_int_equal(kh_store_job_enqueue(f->s, "{}", id, NULL), KH_OK);
	assert_int_equal(kh_store_job_claim(f->s, &j, NULL), 1);
	kh_job_release(&j);
	/* A second handle, as a restarted server would open. */
	assert_int_equal(kh_store_open_sqlite(f->db, NULL, &again, NULL), KH_OK);
	assert_int_equal(kh_store_job_list(again, KH_JOB_RUNNING, count_job, &n, NULL), KH_OK);
	assert_int_equal(n, 1);
	/* Recently updated jobs are not stale; a startup requeue takes all. */
	assert_int_equal(kh_store_job_requeue_stale(again, 3600, NULL), 0);
	assert_int_equal(kh_store_job_requeue_stale(again, 0, NULL), 1);
	assert_int_equal(kh_store_job_claim(again, &j, NULL), 1);
	assert_string_equal(j.id, id);
	assert_int_equal(j.attempts, 2);
	kh_job_release(&j);
	kh_store_close(again);
}

static void test_uploads(void **state)
{
	struct fixture *f = *state;
	struct kh_upload u, got;
	struct stat st;
	char *path;

	assert_int_equal(kh_store_upload_put(f->s, "{\"Records\":[]}", 14, 0, 3600, &u, NULL),
			 KH_OK);
	assert_memory_equal(u.id, "up_", 3);
	assert_int_equal(kh_store_upload_get(f->s, u.id, &got, NULL), KH_OK);
	assert_int_equal(got.bytes, 14);
	path = kh_store_upload_path(f->s, u.id);
	assert_non_null(path);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 14);

	/* Ids that could name another path are refused. */
	assert_null(kh_store_upload_path(f->s, "../keyhole.db"));
	assert_int_equal(kh_store_upload_get(f->s, "../x", &got, NULL), KH_ENOTFOUND);
	assert_int_equal(kh_store_upload_get(f->s, "up_missing", &got, NULL), KH_ENOTFOUND);

	/* Nothing has expired yet; a zero-second TTL expires at once. */
	assert_int_equal(kh_store_upload_expire(f->s, NULL), 0);
	free(path);
}

static void test_upload_expiry(void **state)
{
	struct fixture *f = *state;
	struct kh_upload u, got;
	char *path;

	assert_int_equal(kh_store_upload_put(f->s, "x", 1, 0, 1, &u, NULL), KH_OK);
	path = kh_store_upload_path(f->s, u.id);
	sleep(2);
	assert_int_equal(kh_store_upload_get(f->s, u.id, &got, NULL), KH_ENOTFOUND);
	assert_int_equal(kh_store_upload_expire(f->s, NULL), 1);
	assert_int_equal(access(path, F_OK), -1);
	free(path);
}

static int collect_token(void *ctx, const struct kh_token_info *t)
{
	struct kh_token_info *out = ctx;
	out[t->id - 1] = *t;
	return 0;
}

static void test_tokens(void **state)
{
	struct fixture *f = *state;
	char t1[KH_TOKEN_MAX], t2[KH_TOKEN_MAX], bad[KH_TOKEN_MAX];
	struct kh_token_info list[2];
	long long id1, id2, who;

	assert_int_equal(kh_store_token_active_count(f->s, NULL), 0);
	assert_int_equal(kh_store_token_create(f->s, "ci", t1, &id1, NULL), KH_OK);
	assert_int_equal(kh_store_token_create(f->s, "ops", t2, &id2, NULL), KH_OK);
	assert_int_equal(kh_store_token_create(f->s, "", bad, &who, NULL), KH_EUSAGE);
	assert_int_equal(kh_store_token_active_count(f->s, NULL), 2);
	assert_memory_equal(t1, "kh_1_", 5);

	assert_int_equal(kh_store_token_verify(f->s, t1, &who, NULL), KH_OK);
	assert_int_equal(who, id1);
	assert_int_equal(kh_store_token_verify(f->s, t2, &who, NULL), KH_OK);
	assert_int_equal(who, id2);

	/* A changed secret, another token's secret under this id, garbage. */
	memcpy(bad, t1, sizeof(bad));
	bad[strlen(bad) - 1] ^= 1;
	assert_int_equal(kh_store_token_verify(f->s, bad, &who, NULL), KH_ENOTFOUND);
	snprintf(bad, sizeof(bad), "kh_1_%s", strchr(t2 + 3, '_') + 1);
	assert_int_equal(kh_store_token_verify(f->s, bad, &who, NULL), KH_ENOTFOUND);
	assert_int_equal(kh_store_token_verify(f->s, "kh_", &who, NULL), KH_ENOTFOUND);
	assert_int_equal(kh_store_token_verify(f->s, "Bearer x", &who, NULL), KH_ENOTFOUND);

	assert_int_equal(kh_store_token_revoke(f->s, id1, NULL), KH_OK);
	assert_int_equal(kh_store_token_revoke(f->s, id1, NULL), KH_ENOTFOUND);
	assert_int_equal(kh_store_token_verify(f->s, t1, &who, NULL), KH_ENOTFOUND);
	assert_int_equal(kh_store_token_active_count(f->s, NULL), 1);

	assert_int_equal(kh_store_token_list(f->s, collect_token, list, NULL), KH_OK);
	assert_string_equal(list[0].name, "ci");
	assert_true(list[0].revoked);
	assert_string_equal(list[1].name, "ops");
	assert_false(list[1].revoked);
}

static int collect_feedback(void *ctx, const struct kh_feedback *fb)
{
	int *n = ctx;
	if (*n == 0) {
		assert_string_equal(fb->rating, "up");
		assert_string_equal(fb->comment, "great");
		assert_null(fb->output);
	} else {
		assert_string_equal(fb->rating, "down");
	}
	(*n)++;
	return 0;
}

static void test_feedback(void **state)
{
	struct fixture *f = *state;
	struct kh_feedback up = {.rating = "up", .comment = "great", .intent = "{}"};
	struct kh_feedback down = {.rating = "down"};
	struct kh_feedback meh = {.rating = "meh"};
	long long id;
	int n = 0;

	assert_int_equal(kh_store_feedback_add(f->s, &up, &id, NULL), KH_OK);
	assert_int_equal(id, 1);
	assert_int_equal(kh_store_feedback_add(f->s, &down, &id, NULL), KH_OK);
	assert_int_equal(kh_store_feedback_add(f->s, &meh, &id, NULL), KH_EINPUT);
	assert_int_equal(kh_store_feedback_list(f->s, collect_feedback, &n, NULL), KH_OK);
	assert_int_equal(n, 2);
}

static void test_open_errors(void **state)
{
	struct kh_store *s;
	struct kh_error err = {0};
	assert_int_not_equal(kh_store_open_sqlite("/nonexistent/dir/x.db", "/nonexistent/dir", &s,
						  &err), KH_OK);
	assert_null(s);
	assert_true(err.msg[0] != '\0');
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_schema_version, setup, teardown),
		cmocka_unit_test_setup_teardown(test_job_lifecycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_requeue_after_crash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uploads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_upload_expiry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tokens, setup, teardown),
		cmocka_unit_test_setup_teardown(test_feedback, setup, teardown),
		cmocka_unit_test(test_open_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

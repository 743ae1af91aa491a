/* sqlite.c - the embedded SQLite store backend (see keyhole/store.h).
 *
 * One connection in WAL mode, serialized by a mutex, with synchronous=FULL
 * so that a finished job survives a crash of the process or the machine.
 * The schema is created and upgraded by the numbered migrations below;
 * schema_version holds the number of the last one applied. This file holds
 * the connection, migrations and jobs; sqlite_misc.c the rest.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "keyhole/buf.h"
#include "store/sqlite_int.h"

/* Migrations: never edit one that has shipped; append a new one. */
static const char *const migrations[] = {
	/* 1: the first schema */
	"CREATE TABLE jobs ("
	" id TEXT PRIMARY KEY, status TEXT NOT NULL, request TEXT NOT NULL,"
	" result TEXT, error TEXT,"
	" files_done INTEGER NOT NULL DEFAULT 0, files_total INTEGER NOT NULL DEFAULT 0,"
	" events INTEGER NOT NULL DEFAULT 0, bytes INTEGER NOT NULL DEFAULT 0,"
	" attempts INTEGER NOT NULL DEFAULT 0,"
	" created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
	"CREATE INDEX jobs_by_status ON jobs(status);"
	"CREATE TABLE uploads ("
	" id TEXT PRIMARY KEY, bytes INTEGER NOT NULL, events INTEGER NOT NULL,"
	" created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL);"
	"CREATE INDEX uploads_by_expiry ON uploads(expires_at);"
	"CREATE TABLE tokens ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL,"
	" salt BLOB NOT NULL, hash BLOB NOT NULL, created_at INTEGER NOT NULL,"
	" last_used_at INTEGER NOT NULL DEFAULT 0, revoked_at INTEGER NOT NULL DEFAULT 0);"
	"CREATE TABLE feedback ("
	" id INTEGER PRIMARY KEY AUTOINCREMENT, created_at INTEGER NOT NULL,"
	" rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),"
	" comment TEXT, intent TEXT, output TEXT);",
};
#define N_MIGRATIONS ((int)(sizeof(migrations) / sizeof(migrations[0])))

int kh__sql_fail(struct kh_sqlite *db, struct kh_error *err)
{
	return kh_error_set(err, KH_EIO, "store: %s", sqlite3_errmsg(db->db));
}

int kh__sql_prepare(struct kh_sqlite *db, const char *sql, sqlite3_stmt **st,
		    struct kh_error *err)
{
	if (sqlite3_prepare_v2(db->db, sql, -1, st, NULL) != SQLITE_OK)
		return kh__sql_fail(db, err);
	return KH_OK;
}

/* Runs a statement that returns no rows; finalizes it. */
int kh__sql_done(struct kh_sqlite *db, sqlite3_stmt *st, struct kh_error *err)
{
	int rc = sqlite3_step(st);
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? KH_OK : kh__sql_fail(db, err);
}

char *kh__sql_strdup(sqlite3_stmt *st, int col)
{
	const unsigned char *s = sqlite3_column_text(st, col);
	return s ? strdup((const char *)s) : NULL;
}

static int exec(struct kh_sqlite *db, const char *sql, struct kh_error *err)
{
	char *msg = NULL;
	if (sqlite3_exec(db->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
		int rc = kh_error_set(err, KH_EIO, "store: %s", msg ? msg : "sql error");
		sqlite3_free(msg);
		return rc;
	}
	return KH_OK;
}

static int read_version(struct kh_sqlite *db, int *version, struct kh_error *err)
{
	sqlite3_stmt *st;
	int rc = kh__sql_prepare(db, "SELECT MAX(version) FROM schema_version", &st, err);
	if (rc != KH_OK)
		return rc;
	*version = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
	sqlite3_finalize(st);
	return KH_OK;
}

static int migrate(struct kh_sqlite *db, struct kh_error *err)
{
	struct kh_buf sql;
	int version, rc;

	rc = exec(db, "CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)", err);
	if (rc == KH_OK)
		rc = exec(db, "BEGIN IMMEDIATE", err);
	if (rc == KH_OK)
		rc = read_version(db, &version, err);
	if (rc == KH_OK && version > N_MIGRATIONS)
		rc = kh_error_set(err, KH_EINPUT,
				  "store: schema version %d is newer than this keyhole (%d)",
				  version, N_MIGRATIONS);
	kh_buf_init(&sql, 0);
	for (; rc == KH_OK && version < N_MIGRATIONS; version++) {
		kh_buf_reset(&sql);
		kh_buf_printf(&sql, "%s; INSERT INTO schema_version VALUES (%d);",
			      migrations[version], version + 1);
		rc = kh_buf_error(&sql) ? kh_error_set(err, KH_ENOMEM, "out of memory")
					: exec(db, sql.data, err);
	}
	kh_buf_release(&sql);
	exec(db, rc == KH_OK ? "COMMIT" : "ROLLBACK", NULL);
	return rc;
}

int kh_store_sqlite_schema_version(struct kh_store *s)
{
	struct kh_sqlite *db = (struct kh_sqlite *)s;
	int v = 0;
	pthread_mutex_lock(&db->lock);
	read_version(db, &v, NULL);
	pthread_mutex_unlock(&db->lock);
	return v;
}

static void sqlite_close(struct kh_store *s)
{
	struct kh_sqlite *db = (struct kh_sqlite *)s;
	sqlite3_close(db->db);
	pthread_mutex_destroy(&db->lock);
	free(db->base.data_dir);
	free(db);
}

static char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return strdup(".");
	if (slash == path)
		return strdup("/");
	return strndup(path, (size_t)(slash - path));
}

static int make_dirs(const char *data_dir, struct kh_error *err)
{
	struct kh_buf b;
	int rc = KH_OK;

	if (mkdir(data_dir, 0700) != 0 && errno != EEXIST)
		return kh_error_set(err, KH_EIO, "cannot create data directory '%s': %s", data_dir,
				    strerror(errno));
	kh_buf_init(&b, 0);
	kh_buf_printf(&b, "%s/uploads", data_dir);
	if (kh_buf_error(&b))
		rc = kh_error_set(err, KH_ENOMEM, "out of memory");
	else if (mkdir(b.data, 0700) != 0 && errno != EEXIST)
		rc = kh_error_set(err, KH_EIO, "cannot create '%s': %s", b.data, strerror(errno));
	kh_buf_release(&b);
	return rc;
}

int kh_store_open_sqlite(const char *db_path, const char *data_dir, struct kh_store **out,
			 struct kh_error *err)
{
	struct kh_sqlite *db;
	int rc;

	*out = NULL;
	if (sodium_init() < 0)
		return kh_error_set(err, KH_EINTERNAL, "cannot initialise libsodium");
	db = calloc(1, sizeof(*db));
	if (!db)
		return kh_error_set(err, KH_ENOMEM, "out of memory");
	db->base.ops = &kh__sqlite_ops;
	db->base.data_dir = data_dir ? strdup(data_dir) : dir_of(db_path);
	pthread_mutex_init(&db->lock, NULL);
	if (!db->base.data_dir) {
		sqlite_close(&db->base);
		return kh_error_set(err, KH_ENOMEM, "out of memory");
	}
	rc = make_dirs(db->base.data_dir, err);
	if (rc == KH_OK &&
	    sqlite3_open_v2(db_path, &db->db,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
			    NULL) != SQLITE_OK)
		rc = kh_error_set(err, KH_EIO, "cannot open store '%s': %s", db_path,
				  db->db ? sqlite3_errmsg(db->db) : "out of memory");
	if (rc == KH_OK) {
		sqlite3_busy_timeout(db->db, 10000);
		rc = exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			      " PRAGMA foreign_keys=ON;", err);
	}
	if (rc == KH_OK)
		rc = migrate(db, err);
	if (rc != KH_OK) {
		sqlite_close(&db->base);
		return rc;
	}
	*out = &db->base;
	return KH_OK;
}

/* ---- jobs ---------------------------------------------------------- */

#define JOB_COLUMNS                                                                   \
	"id, status, request, result, error, files_done, files_total, events, bytes," \
	" attempts, created_at, updated_at"

static int status_of(const char *s)
{
	for (int i = 0; i < KH_JOB_NSTATUS; i++)
		if (s && strcmp(s, kh_job_status_name(i)) == 0)
			return i;
	return KH_JOB_FAILED;
}

static void job_from_row(sqlite3_stmt *st, struct kh_job *j)
{
	const unsigned char *id = sqlite3_column_text(st, 0);
	memset(j, 0, sizeof(*j));
	snprintf(j->id, sizeof(j->id), "%s", id ? (const char *)id : "");
	j->status = status_of((const char *)sqlite3_column_text(st, 1));
	j->request_json = kh__sql_strdup(st, 2);
	j->result_json = kh__sql_strdup(st, 3);
	j->error = kh__sql_strdup(st, 4);
	j->progress.files_done = sqlite3_column_int64(st, 5);
	j->progress.files_total = sqlite3_column_int64(st, 6);
	j->progress.events = sqlite3_column_int64(st, 7);
	j->progress.bytes = sqlite3_column_int64(st, 8);
	j->attempts = sqlite3_column_int(st, 9);
	j->created_at = sqlite3_column_int64(st, 10);
	j->updated_at = sqlite3_column_int64(st, 11);
}

static int job_enqueue(struct kh_store *s, const char *id, const char *request_json,
		       long long now, struct kh_error *err)
{
	struct kh_sqlite *db = (struct kh_sqlite *)s;
	sqlite3_stmt *st;
	int rc;

	KH_SQL_LOCK(db);
	rc = kh__sql_prepare(db, "INSERT INTO jobs (id, status, request, created_at, updated_at)"
				 " VALUES (?, 'queued', ?, ?, ?)", &st, err);
	if (rc == KH_OK) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, request_json, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 3, now);
		sqlite3_bind_int64(st, 4, now);
		rc = kh__sql_done(db, st, err);
	}
	KH_SQL_UNLOCK(db);
	return rc;
}

static int job_claim(struct kh_store *s, long long now, struct kh_job *out,
		     struct kh_error *err)
{
	struct kh_sqlite *db = (struct kh_sqlite *)s;
	sqlite3_stmt *st;
	int rc, found = 0;

	KH_SQL_LOCK(db);
	rc = kh__sql_prepare(db, "UPDATE jobs SET status = 'running', attempts = attempts + 1,"
				 " updated_at = ?1 WHERE rowid = (SELECT rowid FROM jobs"
				 " WHERE status = 'queued' ORDER BY rowid LIMIT 1)"
				 " RETURNING " JOB_COLUMNS, &st, err);
	if (rc == KH_OK) {
		sqlite3_bind_int64(st, 1, now);
		int step = sqlite3_step(st);
		if (step == SQLITE_ROW) {
			job_from_row(st, out);
			found = 1;
			step = sqlite3_step(st);
		}
		if (step != SQLITE_DONE)
			rc = kh__sql_fail(db, err);
		sqlite3_finalize(st);
	}
	KH_SQL_UNLOCK(db);
	return rc == KH_OK ? found : rc;
}

/* Runs an UPDATE on one job and returns how many rows changed. */
static int job_update(struct kh_sqlite *db, const char *sql, const char *id, const char *text,
		      long long now, const struct kh_job_counts *c, struct kh_error *err)
{
	sqlite3_stmt *st;
	int rc;

	KH_SQL_LOCK(db);
	rc = kh__sql_prepare(db, sql, &st, err);
	if (rc == KH_OK) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, now);
		if (text)
			sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
		if (c) {
			sqlite3_bind_int64(st, 4, c->files_done);
			sqlite3_bind_int64(st, 5, c->files_total);
			sqlite3_bind_int64(st, 6, c->events);
			sqlite3_bind_int64(st, 7, c->bytes);
		}
		rc = kh__sql_done(db, st, err);
		if (rc == KH_OK)
			rc = sqlite3_changes(db->db);
	}
	KH_SQL_UNLOCK(db);
	return rc;
}

static int job_progress(struct kh_store *s, const char *id, const struct kh_job_counts *c,
			long long now, struct kh_error *err)
{
	return job_update((struct kh_sqlite *)s,
			  "UPDATE jobs SET updated_at = ?2, files_done = ?4, files_total = ?5,"
			  " events = ?6, bytes = ?7 WHERE id = ?1 AND status = 'running'",
			  id, NULL, now, c, err);
}

static int job_finish(struct kh_store *s, const char *id, const char *result_json,
		      long long now, struct kh_error *err)
{
	return job_update((struct kh_sqlite *)s,
			  "UPDATE jobs SET status = 'done', result = ?3, updated_at = ?2"
			  " WHERE id = ?1 AND status = 'running'",
			  id, result_json, now, NULL, err);
}

static int job_fail(struct kh_store *s, const char *id, const char *message, long long now,
		    struct kh_error *err)
{
	return job_update((struct kh_sqlite *)s,
			  "UPDATE jobs SET status = 'failed', error = ?3, updated_at = ?2"
			  " WHERE id = ?1 AND status = 'running'",
			  id, message, now, NULL, err);
}

static int job_get(struct kh_store *s, const char *id, struct kh_job *out,
		   struct kh_error *err)
{
	struct kh_sqlite *db = (struct kh_sqlite *)s;
	sqlite3_stmt *st;
	int rc;

	KH_SQL_LOCK(db);
	rc = kh__sql_prepare(db, "SELECT " JOB_COLUMNS " FROM jobs WHERE id = ?", &st, err);
	if (rc == KH_OK) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		int step = sqlite3_step(st);
		if (step == SQLITE_ROW)
			job_from_row(st, out);
		else if (step == SQLITE_DONE)
			rc = kh_error_set(err, KH_ENOTFOUND, "unknown job '%s'", id);
		else
			rc = kh__sql_fail(db, err);
		sqlite3_finalize(st);
	}
	KH_SQL_UNLOCK(db);
	return rc;
}

static int job_cancel(struct kh_store *s, const char *id, long long now, struct kh_error *err)
{
	struct kh_job j;
	int rc = job_update((struct kh_sqlite *)s,
			    "UPDATE jobs SET status = 'canceled', error = ?3, updated_at = ?2"
			    " WHERE id = ?1 AND status IN ('queued', 'running')",
			    id, "canceled", now, NULL, err);
	if (rc != 0)
		return rc;
	rc = job_get(s, id, &j, err);
	if (rc != KH_OK)
		return rc;
	kh_job_release(&j);
	return 0;
}

static int job_list(struct kh_store *s, enum kh_job_status status,
		    int (*fn)(void *ctx, const struct kh_job *job), void *ctx,
		    struct kh_error *err)
{
	struct kh_sqlite *db = (struct kh_sqlite *)s;
	sqlite3_stmt *st;
	struct kh_job j;
	int rc, step;

	KH_SQL_LOCK(db);
	rc = kh__sql_prepare(db, "SELECT " JOB_COLUMNS " FROM jobs WHERE status = ?"
				 " ORDER BY rowid", &st, err);
	if (rc == KH_OK) {
		sqlite3_bind_text(st, 1, kh_job_status_name(status), -1, SQLITE_STATIC);
		while ((step = sqlite3_step(st)) == SQLITE_ROW) {
			job_from_row(st, &j);
			int stop = fn(ctx, &j);
			kh_job_release(&j);
			if (stop)
				break;
		}
		if (step != SQLITE_ROW && step != SQLITE_DONE)
			rc = kh__sql_fail(db, err);
		sqlite3_finalize(st);
	}
	KH_SQL_UNLOCK(db);
	return rc;
}

static int job_requeue_stale(struct kh_store *s, long long before, long long now,
			     struct kh_error *err)
{
	struct kh_sqlite *db = (struct kh_sqlite *)s;
	sqlite3_stmt *st;
	int rc;

	KH_SQL_LOCK(db);
	rc = kh__sql_prepare(db, "UPDATE jobs SET status = 'queued', updated_at = ?2"
				 " WHERE status = 'running' AND updated_at < ?1", &st, err);
	if (rc == KH_OK) {
		sqlite3_bind_int64(st, 1, before);
		sqlite3_bind_int64(st, 2, now);
		rc = kh__sql_done(db, st, err);
		if (rc == KH_OK)
			rc = sqlite3_changes(db->db);
	}
	KH_SQL_UNLOCK(db);
	return rc;
}

static int job_counts(struct kh_store *s, long long counts[KH_JOB_NSTATUS],
		      struct kh_error *err)
{
	struct kh_sqlite *db = (struct kh_sqlite *)s;
	sqlite3_stmt *st;
	int rc;

	memset(counts, 0, sizeof(long long) * KH_JOB_NSTATUS);
	KH_SQL_LOCK(db);
	rc = kh__sql_prepare(db, "SELECT status, COUNT(*) FROM jobs GROUP BY status", &st, err);
	if (rc == KH_OK) {
		while (sqlite3_step(st) == SQLITE_ROW)
			counts[status_of((const char *)sqlite3_column_text(st, 0))] +=
				sqlite3_column_int64(st, 1);
		sqlite3_finalize(st);
	}
	KH_SQL_UNLOCK(db);
	return rc;
}

const struct kh_store_ops kh__sqlite_ops = {
	.name = "sqlite",
	.close = sqlite_close,
	.job_enqueue = job_enqueue,
	.job_claim = job_claim,
	.job_progress = job_progress,
	.job_finish = job_finish,
	.job_fail = job_fail,
	.job_cancel = job_cancel,
	.job_get = job_get,
	.job_list = job_list,
	.job_requeue_stale = job_requeue_stale,
	.job_counts = job_counts,
	.upload_insert = kh__sqlite_upload_insert,
	.upload_get = kh__sqlite_upload_get,
	.upload_expire = kh__sqlite_upload_expire,
	.token_insert = kh__sqlite_token_insert,
	.token_secret = kh__sqlite_token_secret,
	.token_touch = kh__sqlite_token_touch,
	.token_list = kh__sqlite_token_list,
	.token_revoke = kh__sqlite_token_revoke,
	.token_active_count = kh__sqlite_token_active_count,
	.feedback_insert = kh__sqlite_feedback_insert,
	.feedback_list = kh__sqlite_feedback_list,
};

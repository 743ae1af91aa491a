/* sqlite_misc.c - uploads, tokens and feedback in the SQLite store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/sqlite_int.h"

/* ---- uploads ------------------------------------------------------- */

int kh__sqlite_upload_insert(struct kh_store *s, const struct kh_upload *u, struct kh_error *err)
{
	struct kh_sqlite *db = (struct kh_sqlite *)s;
	sqlite3_stmt *st;
	int rc;

	KH_SQL_LOCK(db);
	rc = kh__sql_prepare(db, "INSERT INTO uploads (id, bytes, events, created_at, expires_at)"
				 " VALUES (?, ?, ?, ?, ?)", &st, err);
	if (rc == KH_OK) {
		sqlite3_bind_text(st, 1, u->id, -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 2, u->bytes);
		sqlite3_bind_int64(st, 3, u->events);
		sqlite3_bind_int64(st, 4, u->created_at);
		sqlite3_bind_int64(st, 5, u->expires_at);
		rc = kh__sql_done(db, st, err);
	}
	KH_SQL_UNLOCK(db);
	return rc;
}

int kh__sqlite_upload_get(struct kh_store *s, const char *id, struct kh_upload *out,
			  struct kh_error *err)
{
	struct kh_sqlite *db = (struct kh_sqlite *)s;
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof(*out));
	KH_SQL_LOCK(db);
	rc = kh__sql_prepare(db, "SELECT bytes, events, created_at, expires_at FROM uploads"
				 " WHERE id = ?", &st, err);
	if (rc == KH_OK) {
		sqlite3_bind_text(st, 1, id, -1, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW) {
			snprintf(out->id, sizeof(out->id), "%s", id);
			out->bytes = sqlite3_column_int64(st, 0);
			out->events = sqlite3_column_int64(st, 1);
			out->created_at = sqlite3_column_int64(st, 2);
			out->expires_at = sqlite3_column_int64(st, 3);
		} else {
			rc = kh_error_set(err, KH_ENOTFOUND, "unknown upload '%s'", id);
		}
		sqlite3_finalize(st);
	}
	KH_SQL_UNLOCK(db);
	return rc;
}

int kh__sqlite_upload_expire(struct kh_store *s, long long now,
			     void (*fn)(void *ctx, const char *id), void *ctx,
			     struct kh_error *err)
{
	struct kh_sqlite *db = (struct kh_sqlite *)s;
	sqlite3_stmt *st;
	int rc, n = 0;

	KH_SQL_LOCK(db);
	rc = kh__sql_prepare(db, "DELETE FROM uploads WHERE expires_at <= ? RETURNING id", &st,
			     err);
	if (rc == KH_OK) {
		sqlite3_bind_int64(st, 1, now);
		while (sqlite3_step(st) == SQLITE_ROW) {
			const unsigned char *id = sqlite3_column_text(st, 0);
			if (id && fn)
				fn(ctx, (const char *)id);
			n++;
		}
		if (sqlite3_finalize(st) != SQLITE_OK)
			rc = kh__sql_fail(db, err);
	}
	KH_SQL_UNLOCK(db);
	return rc == KH_OK ? n : rc;
}

/* ---- tokens -------------------------------------------------------- */

int kh__sqlite_token_insert(struct kh_store *s, const char *name,
			    const unsigned char salt[KH_TOKEN_SALT_LEN],
			    const unsigned char hash[KH_TOKEN_HASH_LEN], long long now,
			    long long *id, struct kh_error *err)
{
	struct kh_sqlite *db = (struct kh_sqlite *)s;
	sqlite3_stmt *st;
	int rc;

	KH_SQL_LOCK(db);
	rc = kh__sql_prepare(db, "INSERT INTO tokens (name, salt, hash, created_at)"
				 " VALUES (?, ?, ?, ?)", &st, err);
	if (rc == KH_OK) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		sqlite3_bind_blob(st, 2, salt, KH_TOKEN_SALT_LEN, SQLITE_STATIC);
		sqlite3_bind_blob(st, 3, hash, KH_TOKEN_HASH_LEN, SQLITE_STATIC);
		sqlite3_bind_int64(st, 4, now);
		rc = kh__sql_done(db, st, err);
		if (rc == KH_OK)
			*id = sqlite3_last_insert_rowid(db->db);
	}
	KH_SQL_UNLOCK(db);
	return rc;
}

int kh__sqlite_token_secret(struct kh_store *s, long long id,
			    unsigned char salt[KH_TOKEN_SALT_LEN],
			    unsigned char hash[KH_TOKEN_HASH_LEN], struct kh_error *err)
{
	struct kh_sqlite *db = (struct kh_sqlite *)s;
	sqlite3_stmt *st;
	int rc;

	KH_SQL_LOCK(db);
	rc = kh__sql_prepare(db, "SELECT salt, hash FROM tokens WHERE id = ? AND revoked_at = 0",
			     &st, err);
	if (rc == KH_OK) {
		sqlite3_bind_int64(st, 1, id);
		if (sqlite3_step(st) == SQLITE_ROW &&
		    sqlite3_column_bytes(st, 0) == KH_TOKEN_SALT_LEN &&
		    sqlite3_column_bytes(st, 1) == KH_TOKEN_HASH_LEN) {
			memcpy(salt, sqlite3_column_blob(st, 0), KH_TOKEN_SALT_LEN);
			memcpy(hash, sqlite3_column_blob(st, 1), KH_TOKEN_HASH_LEN);
		} else {
			rc = kh_error_set(err, KH_ENOTFOUND, "unknown token");
		}
		sqlite3_finalize(st);
	}
	KH_SQL_UNLOCK(db);
	return rc;
}

/* Records use at most once a minute, so verifying stays read-mostly. */
int kh__sqlite_token_touch(struct kh_store *s, long long id, long long now,
			   struct kh_error *err)
{
	struct kh_sqlite *db = (struct kh_sqlite *)s;
	sqlite3_stmt *st;
	int rc;

	KH_SQL_LOCK(db);
	rc = kh__sql_prepare(db, "SELECT last_used_at FROM tokens WHERE id = ?", &st, err);
	if (rc == KH_OK) {
		sqlite3_bind_int64(st, 1, id);
		long long last = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : now;
		sqlite3_finalize(st);
		if (last + 60 <= now &&
		    (rc = kh__sql_prepare(db, "UPDATE tokens SET last_used_at = ? WHERE id = ?",
					  &st, err)) == KH_OK) {
			sqlite3_bind_int64(st, 1, now);
			sqlite3_bind_int64(st, 2, id);
			rc = kh__sql_done(db, st, err);
		}
	}
	KH_SQL_UNLOCK(db);
	return rc;
}

int kh__sqlite_token_list(struct kh_store *s,
			  int (*fn)(void *ctx, const struct kh_token_info *t), void *ctx,
			  struct kh_error *err)
{
	struct kh_sqlite *db = (struct kh_sqlite *)s;
	struct kh_token_info t;
	sqlite3_stmt *st;
	int rc;

	KH_SQL_LOCK(db);
	rc = kh__sql_prepare(db, "SELECT id, name, created_at, last_used_at, revoked_at"
				 " FROM tokens ORDER BY id", &st, err);
	if (rc == KH_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			const unsigned char *name = sqlite3_column_text(st, 1);
			memset(&t, 0, sizeof(t));
			t.id = sqlite3_column_int64(st, 0);
			snprintf(t.name, sizeof(t.name), "%s", name ? (const char *)name : "");
			t.created_at = sqlite3_column_int64(st, 2);
			t.last_used_at = sqlite3_column_int64(st, 3);
			t.revoked = sqlite3_column_int64(st, 4) != 0;
			if (fn(ctx, &t))
				break;
		}
		sqlite3_finalize(st);
	}
	KH_SQL_UNLOCK(db);
	return rc;
}

int kh__sqlite_token_revoke(struct kh_store *s, long long id, long long now,
			    struct kh_error *err)
{
	struct kh_sqlite *db = (struct kh_sqlite *)s;
	sqlite3_stmt *st;
	int rc;

	KH_SQL_LOCK(db);
	rc = kh__sql_prepare(db, "UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at = 0",
			     &st, err);
	if (rc == KH_OK) {
		sqlite3_bind_int64(st, 1, now);
		sqlite3_bind_int64(st, 2, id);
		rc = kh__sql_done(db, st, err);
		if (rc == KH_OK && sqlite3_changes(db->db) == 0)
			rc = kh_error_set(err, KH_ENOTFOUND, "no active token with id %lld", id);
	}
	KH_SQL_UNLOCK(db);
	return rc;
}

int kh__sqlite_token_active_count(struct kh_store *s, struct kh_error *err)
{
	struct kh_sqlite *db = (struct kh_sqlite *)s;
	sqlite3_stmt *st;
	int rc;

	KH_SQL_LOCK(db);
	rc = kh__sql_prepare(db, "SELECT COUNT(*) FROM tokens WHERE revoked_at = 0", &st, err);
	if (rc == KH_OK) {
		rc = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0)
						     : kh__sql_fail(db, err);
		sqlite3_finalize(st);
	}
	KH_SQL_UNLOCK(db);
	return rc;
}

/* ---- feedback ------------------------------------------------------ */

static void bind_opt(sqlite3_stmt *st, int i, const char *s)
{
	if (s)
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

int kh__sqlite_feedback_insert(struct kh_store *s, const struct kh_feedback *f, long long *id,
			       struct kh_error *err)
{
	struct kh_sqlite *db = (struct kh_sqlite *)s;
	sqlite3_stmt *st;
	int rc;

	KH_SQL_LOCK(db);
	rc = kh__sql_prepare(db, "INSERT INTO feedback (created_at, rating, comment, intent, output)"
				 " VALUES (?, ?, ?, ?, ?)", &st, err);
	if (rc == KH_OK) {
		sqlite3_bind_int64(st, 1, f->created_at);
		bind_opt(st, 2, f->rating);
		bind_opt(st, 3, f->comment);
		bind_opt(st, 4, f->intent);
		bind_opt(st, 5, f->output);
		rc = kh__sql_done(db, st, err);
		if (rc == KH_OK && id)
			*id = sqlite3_last_insert_rowid(db->db);
	}
	KH_SQL_UNLOCK(db);
	return rc;
}

int kh__sqlite_feedback_list(struct kh_store *s,
			     int (*fn)(void *ctx, const struct kh_feedback *f), void *ctx,
			     struct kh_error *err)
{
	struct kh_sqlite *db = (struct kh_sqlite *)s;
	struct kh_feedback f;
	sqlite3_stmt *st;
	int rc;

	KH_SQL_LOCK(db);
	rc = kh__sql_prepare(db, "SELECT id, created_at, rating, comment, intent, output"
				 " FROM feedback ORDER BY id", &st, err);
	if (rc == KH_OK) {
		while (sqlite3_step(st) == SQLITE_ROW) {
			f.id = sqlite3_column_int64(st, 0);
			f.created_at = sqlite3_column_int64(st, 1);
			f.rating = (const char *)sqlite3_column_text(st, 2);
			f.comment = (const char *)sqlite3_column_text(st, 3);
			f.intent = (const char *)sqlite3_column_text(st, 4);
			f.output = (const char *)sqlite3_column_text(st, 5);
			if (fn(ctx, &f))
				break;
		}
		sqlite3_finalize(st);
	}
	KH_SQL_UNLOCK(db);
	return rc;
}

/* sqlite_int.h - internals shared by the SQLite store's files. */
#ifndef KEYHOLE_STORE_SQLITE_INT_H
#define KEYHOLE_STORE_SQLITE_INT_H

#include <pthread.h>

#include <sqlite3.h>

#include "keyhole/store.h"

struct kh_sqlite {
	struct kh_store base; /* first: a struct kh_store * casts to this */
	sqlite3 *db;
	pthread_mutex_t lock; /* one connection, one statement at a time */
};

#define KH_SQL_LOCK(db) pthread_mutex_lock(&(db)->lock)
#define KH_SQL_UNLOCK(db) pthread_mutex_unlock(&(db)->lock)

extern const struct kh_store_ops kh__sqlite_ops;

/* Helpers; call with the lock held. */
int kh__sql_fail(struct kh_sqlite *db, struct kh_error *err);
int kh__sql_prepare(struct kh_sqlite *db, const char *sql, sqlite3_stmt **st,
		    struct kh_error *err);
int kh__sql_done(struct kh_sqlite *db, sqlite3_stmt *st, struct kh_error *err);
char *kh__sql_strdup(sqlite3_stmt *st, int col);

int kh__sqlite_upload_insert(struct kh_store *s, const struct kh_upload *u, struct kh_error *err);
int kh__sqlite_upload_get(struct kh_store *s, const char *id, struct kh_upload *out,
			  struct kh_error *err);
int kh__sqlite_upload_expire(struct kh_store *s, long long now,
			     void (*fn)(void *ctx, const char *id), void *ctx,
			     struct kh_error *err);
int kh__sqlite_token_insert(struct kh_store *s, const char *name,
			    const unsigned char salt[KH_TOKEN_SALT_LEN],
			    const unsigned char hash[KH_TOKEN_HASH_LEN], long long now,
			    long long *id, struct kh_error *err);
int kh__sqlite_token_secret(struct kh_store *s, long long id,
			    unsigned char salt[KH_TOKEN_SALT_LEN],
			    unsigned char hash[KH_TOKEN_HASH_LEN], struct kh_error *err);
int kh__sqlite_token_touch(struct kh_store *s, long long id, long long now,
			   struct kh_error *err);
int kh__sqlite_token_list(struct kh_store *s,
			  int (*fn)(void *ctx, const struct kh_token_info *t), void *ctx,
			  struct kh_error *err);
int kh__sqlite_token_revoke(struct kh_store *s, long long id, long long now,
			    struct kh_error *err);
int kh__sqlite_token_active_count(struct kh_store *s, struct kh_error *err);
int kh__sqlite_feedback_insert(struct kh_store *s, const struct kh_feedback *f, long long *id,
			       struct kh_error *err);
int kh__sqlite_feedback_list(struct kh_store *s,
			     int (*fn)(void *ctx, const struct kh_feedback *f), void *ctx,
			     struct kh_error *err);

#endif

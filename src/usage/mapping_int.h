/* mapping_int.h - the parsed CloudTrail mapping table, shared by the files
 * of the mapper (table.c, map.c, resources.c). Internal. */
#ifndef KEYHOLE_MAPPING_INT_H
#define KEYHOLE_MAPPING_INT_H

#include "keyhole/mapping.h"
#include "util/util.h"

/* Every table entry starts with its lookup key, so one key function serves
 * all the maps. Keys compare case-insensitively. */

enum kh__res_rule {
	KH__RES_DERIVE = 0,
	KH__RES_PARAM,       /* arg: the requestParameters key holding the resource */
	KH__RES_COPYSOURCE,  /* S3 copy source "bucket/key" */
	KH__RES_PROFILE_ROLE,/* role of an instance profile: the account's roles */
	KH__RES_NONE,        /* never derived */
	KH__RES_TMPL         /* arg: '|'-separated ARN templates */
};

struct kh__map_act {       /* an A record */
	const char *key;       /* "prefix:EventName" */
	const char *action;    /* "s3:GetObject" */
	enum kh__res_rule rule;
	const char *rule_arg;
	const char *when;      /* '|'-separated param keys, or NULL */
	const char *reason;    /* NULL for the call's own action */
	size_t n_group;        /* on a group's first record: its record count */
	size_t index;          /* position in the table's act array */
};

struct kh__map_ph {        /* a P record */
	const char *key;       /* "prefix:Placeholder" */
	const char *params;    /* comma-separated */
	const char *transform;
	size_t n_group;
};

struct kh__map_named {     /* S, G, D, N, X, E and K records */
	const char *key;
	const char *value;     /* S: prefix; E: "denied" or "skip"; K, X, E: reason */
	const char *reason;
};

struct kh__map_table {
	char *text;            /* the table, split in place */
	struct kh_arena arena;
	struct kh__map_act *acts;
	size_t n_acts;
	struct kh__map_ph *phs;
	size_t n_phs;
	const struct kh__map_ph **builders; /* the P records that build whole ARNs */
	size_t n_builders;                   /* (lambdafn, sqsurl) */
	struct kh__map_named *named;
	size_t n_named;
	struct kh_ptrmap sources, global, data_plane, data_services, act_map, noperm, skip_names,
		errors, skip_kinds, ph_map;
};

int kh__map_table_parse(const char *text, size_t len, struct kh__map_table *t,
			struct kh_error *err);
void kh__map_table_release(struct kh__map_table *t);
/* The built-in table, parsed once per process; NULL when that failed. */
const struct kh__map_table *kh__map_table_builtin(void);

const char *kh__map_key_of(const void *v);
/* Looks up "a:b" (built on the stack) in map; NULL when absent or too long. */
const void *kh__map_get2(const struct kh_ptrmap *m, const char *a, size_t alen, const char *b,
			 size_t blen);

/* P records found lately, by the addresses of the service prefix and the
 * placeholder text (both stable: catalog strings). Direct-mapped. */
#define KH__PH_CACHE 256
struct kh__ph_cache {
	struct {
		const char *prefix, *ph;
		const struct kh__map_ph *rec; /* NULL: no P record */
	} slot[KH__PH_CACHE];
};

/* The record's context for building ARNs. */
struct kh__res_ctx {
	const struct kh_event *ev;
	const struct kh__map_table *t;
	struct kh__ph_cache *phc; /* or NULL */
	const char *partition;
	struct kh_sv region, account;
};

void kh__res_ctx_init(struct kh__res_ctx *c, const struct kh__map_table *t,
		      const struct kh_event *ev);

/* Derives the resource of action a (rec: its table record, or NULL) and
 * appends it NUL-terminated to text; *off is where it starts. Returns the
 * kind; KH_RES_ARN and KH_RES_PATTERN mean text holds it. *nomem is set
 * when the buffer failed. */
enum kh_map_resource kh__resolve_resource(const struct kh__res_ctx *c, const struct kh_action *a,
					  const struct kh__map_act *rec, struct kh_buf *text,
					  size_t *off, int *nomem);

/* requestParameters lookup by case-insensitive key (the table's keys are
 * written as CloudTrail writes them; case differences are tolerated). */
struct kh_sv kh__param_ci(const struct kh_event *ev, const char *key, size_t len);

#endif

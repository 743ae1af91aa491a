/* conditions.c - checks on Condition blocks: the operator (every IAM
 * family, with the IfExists suffix and the ForAllValues:/ForAnyValue:
 * set prefixes), the key (known to its service or among the global keys),
 * the operator's type against the key's, ForAllValues on a key that holds
 * one value, a key repeated in another case, and each value against its
 * operator (IP ranges, numbers, dates, booleans, base64). */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/util.h"
#include "validate/validate_int.h"

enum op_family { FAM_STRING, FAM_NUMERIC, FAM_DATE, FAM_BOOL, FAM_BINARY, FAM_IP, FAM_ARN, FAM_NULL };

static const struct {
	const char *name;
	enum op_family family;
} operators[] = {
	{"StringEquals", FAM_STRING},
	{"StringNotEquals", FAM_STRING},
	{"StringEqualsIgnoreCase", FAM_STRING},
	{"StringNotEqualsIgnoreCase", FAM_STRING},
	{"StringLike", FAM_STRING},
	{"StringNotLike", FAM_STRING},
	{"NumericEquals", FAM_NUMERIC},
	{"NumericNotEquals", FAM_NUMERIC},
	{"NumericLessThan", FAM_NUMERIC},
	{"NumericLessThanEquals", FAM_NUMERIC},
	{"NumericGreaterThan", FAM_NUMERIC},
	{"NumericGreaterThanEquals", FAM_NUMERIC},
	{"DateEquals", FAM_DATE},
	{"DateNotEquals", FAM_DATE},
	{"DateLessThan", FAM_DATE},
	{"DateLessThanEquals", FAM_DATE},
	{"DateGreaterThan", FAM_DATE},
	{"DateGreaterThanEquals", FAM_DATE},
	{"Bool", FAM_BOOL},
	{"BinaryEquals", FAM_BINARY},
	{"IpAddress", FAM_IP},
	{"NotIpAddress", FAM_IP},
	{"ArnEquals", FAM_ARN},
	{"ArnLike", FAM_ARN},
	{"ArnNotEquals", FAM_ARN},
	{"ArnNotLike", FAM_ARN},
	{"Null", FAM_NULL},
};
#define N_OPERATORS (sizeof(operators) / sizeof(operators[0]))

static const char *const family_names[] = {"String", "Numeric", "Date", "Bool",
					   "Binary", "IpAddress", "Arn", "Null"};

struct parsed_op {
	int base;      /* index into operators, -1 when unknown */
	int if_exists; /* ends in IfExists */
	int set;       /* 0 none, 1 ForAllValues:, 2 ForAnyValue: */
	int near;      /* closest operator when unknown, -1 when none */
};

static struct parsed_op parse_op(const char *op)
{
	struct parsed_op r = {-1, 0, 0, -1};
	size_t n, best = (size_t)-1;

	if (strncmp(op, "ForAllValues:", 13) == 0) {
		r.set = 1;
		op += 13;
	} else if (strncmp(op, "ForAnyValue:", 12) == 0) {
		r.set = 2;
		op += 12;
	}
	n = strlen(op);
	if (n > 8 && strcmp(op + n - 8, "IfExists") == 0) {
		r.if_exists = 1;
		n -= 8;
	}
	for (size_t i = 0; i < N_OPERATORS; i++) {
		const char *name = operators[i].name;
		size_t d;
		if (strlen(name) == n && memcmp(name, op, n) == 0) {
			r.base = (int)i;
			return r;
		}
		d = kh_edit_distance(op, n, name, strlen(name), 3);
		if (d <= 3 && d < best) {
			best = d;
			r.near = (int)i;
		}
	}
	return r;
}

static void check_operator(struct vctx *vc, const struct kh_condition *c, const char *path,
			   struct parsed_op *po)
{
	char fix[160];

	*po = parse_op(c->op);
	if (po->base >= 0) {
		if (operators[po->base].family == FAM_NULL && po->if_exists)
			vc_add(vc, KH_SEV_ERROR, "NULL_WITH_IF_EXISTS", path, c->op_pos,
			       "use 'Null' without 'IfExists'",
			       "the operator 'Null' cannot take the 'IfExists' suffix");
		if (operators[po->base].family == FAM_NULL && po->set)
			vc_add(vc, KH_SEV_SUGGESTION, "NULL_WITH_QUALIFIER", path, c->op_pos,
			       "use 'Null' without the prefix",
			       "'%s' tests each value of a set, but 'Null' only asks whether the "
			       "key is present: with the prefix the test is %s",
			       c->op,
			       po->set == 1 ? "true whenever the key is absent"
					    : "false whenever the key is absent");
		return;
	}
	if (po->near >= 0)
		snprintf(fix, sizeof(fix), "use '%s%s%s'",
			 po->set == 1 ? "ForAllValues:" : po->set == 2 ? "ForAnyValue:" : "",
			 operators[po->near].name, po->if_exists ? "IfExists" : "");
	vc_add(vc, KH_SEV_ERROR, "INVALID_CONDITION_OPERATOR", path, c->op_pos,
	       po->near >= 0 ? fix : NULL,
	       "the condition operator '%s' does not exist (operators are case-sensitive)", c->op);
}

/* Keys of identity providers (accounts.google.com:aud) and SAML are not in
 * the service catalog. */
static int provider_key(const char *key, size_t prefix_len)
{
	return memchr(key, '.', prefix_len) ||
	       (prefix_len == 4 && strncasecmp(key, "saml", 4) == 0);
}

/* The catalog writes some tag keys literally ("secretsmanager:ResourceTag/
 * tag-key"): a key "svc:Name/anything" matches a key of svc written
 * "svc:Name/..." whatever follows the slash. */
static const struct kh_condition_key *slash_key(const struct kh_catalog *cat, const char *key,
						size_t plen)
{
	const char *slash = strchr(key, '/');
	const struct kh_service *svc = kh_catalog_service(cat, key, plen);
	size_t n;

	if (!slash || !svc || !slash[1])
		return NULL;
	n = (size_t)(slash - key) + 1;
	for (size_t i = 0; i < svc->n_condition_keys; i++)
		if (strncasecmp(svc->condition_keys[i].name, key, n) == 0 &&
		    svc->condition_keys[i].name[n])
			return &svc->condition_keys[i];
	return NULL;
}

/* Is "svc:NameTag" (or "svc:NameTag/") a key that takes "/TagKey"? */
static int tag_key_without_name(const struct kh_catalog *cat, const char *key, size_t plen)
{
	char probe[256];
	size_t n = strlen(key);
	int slash = n && key[n - 1] == '/';

	if ((!slash && strchr(key, '/')) || n + 3 > sizeof(probe) ||
	    !strcasestr(key + plen, "tag"))
		return 0;
	snprintf(probe, sizeof(probe), "%s%sk", key, slash ? "" : "/");
	return kh_catalog_condition_key(cat, probe) || slash_key(cat, probe, plen);
}

const struct kh_condition_key *vc_check_key(struct vctx *vc, const char *key, const char *path,
					    struct kh_pos pos, const char *where)
{
	const char *colon = strchr(key, ':');
	const struct kh_condition_key *k;
	size_t plen;

	if (!colon || colon == key || !colon[1]) {
		vc_add(vc, KH_SEV_ERROR, "INVALID_CONDITION_KEY_FORMAT", path, pos,
		       "write the key as service:KeyName", "the condition key '%s'%s is not of the "
		       "form service:KeyName", key, where);
		return NULL;
	}
	plen = (size_t)(colon - key);
	if (strcasecmp(key, "aws:ARN") == 0) {
		vc_add(vc, KH_SEV_WARNING, "DEPRECATED_GLOBAL_CONDITION_KEY", path, pos,
		       "use aws:PrincipalArn for the caller, or aws:SourceArn for the resource "
		       "a service acts for",
		       "the global condition key '%s'%s is deprecated", key, where);
		return NULL;
	}
	if ((k = kh_catalog_condition_key(vc->cat, key)) ||
	    (k = slash_key(vc->cat, key, plen)) || provider_key(key, plen))
		return k;
	if (tag_key_without_name(vc->cat, key, plen))
		vc_add(vc, KH_SEV_ERROR, "MISSING_TAG_KEY_IN_CONDITION", path, pos,
		       "name the tag after a slash, as in aws:ResourceTag/team",
		       "the condition key '%s'%s names no tag: the tag's key must follow a "
		       "'/', and no request holds the key without one",
		       key, where);
	else if (plen == 3 && strncasecmp(key, "aws", 3) == 0)
		vc_add(vc, KH_SEV_ERROR, "INVALID_GLOBAL_CONDITION_KEY", path, pos,
		       "use a global key such as aws:PrincipalOrgID or aws:SourceIp",
		       "the global condition key '%s'%s does not exist", key, where);
	else if (!kh_catalog_service(vc->cat, key, plen))
		vc_add(vc, KH_SEV_ERROR, "INVALID_SERVICE_CONDITION_KEY", path, pos, NULL,
		       "the condition key '%s'%s names the service '%.*s', which does not exist",
		       key, where, (int)plen, key);
	else
		vc_add(vc, KH_SEV_ERROR, "INVALID_SERVICE_CONDITION_KEY", path, pos,
		       "see 'keyhole catalog show SERVICE' for the service's keys",
		       "the condition key '%s'%s does not exist in the service '%.*s'", key, where,
		       (int)plen, key);
	return NULL;
}

/* The operator family that suits a key type, or -1 when any does. */
static int family_of_type(enum kh_key_type t)
{
	switch (t) {
	case KH_KEY_NUMERIC: return FAM_NUMERIC;
	case KH_KEY_DATE: return FAM_DATE;
	case KH_KEY_BOOL:
	case KH_KEY_ARRAY_OF_BOOL: return FAM_BOOL;
	case KH_KEY_IP: return FAM_IP;
	case KH_KEY_STRING:
	case KH_KEY_ARRAY_OF_STRING: return FAM_STRING;
	default: return -1; /* ARN keys take Arn and String operators */
	}
}

static void check_types(struct vctx *vc, const struct kh_condition *c, const char *path,
			const struct parsed_op *po, const struct kh_condition_key *k)
{
	enum op_family fam = operators[po->base].family;
	int want = family_of_type(k->type);
	int is_array = k->type == KH_KEY_ARRAY_OF_STRING || k->type == KH_KEY_ARRAY_OF_ARN ||
		       k->type == KH_KEY_ARRAY_OF_BOOL;
	char fix[256];

	if (fam == FAM_NULL || fam == FAM_BINARY)
		return;
	if (fam == FAM_ARN && (k->type == KH_KEY_STRING || k->type == KH_KEY_ARRAY_OF_STRING))
		want = FAM_ARN; /* Arn operators on a plain string key */
	if (want >= 0 && want != (int)fam && !(fam == FAM_STRING && want == FAM_ARN))
		vc_add(vc, KH_SEV_WARNING, "TYPE_MISMATCH", path, c->op_pos, NULL,
		       "the key '%s' holds %s values; use an operator of the %s family instead of '%s'", c->key,
		       want == FAM_ARN ? "string" : family_names[want],
		       want == FAM_ARN ? "String" : family_names[want], c->op);
	if (!po->set && is_array && fam != FAM_NULL) {
		snprintf(fix, sizeof(fix),
			 "write 'ForAnyValue:%s' (some value matches) or 'ForAllValues:%s' (every "
			 "value matches)",
			 c->op, c->op);
		vc_add(vc, KH_SEV_ERROR, "MISSING_QUALIFIER", path, c->op_pos, fix,
		       "the key '%s' holds a set of values, so '%s' needs 'ForAnyValue:' or "
		       "'ForAllValues:' to say how the set is compared",
		       c->key, c->op);
	}
	if (po->set == 1 && !is_array)
		vc_add(vc, KH_SEV_SECURITY_WARNING, "FORALLVALUES_WITH_SINGLE_VALUED_KEY", path,
		       c->op_pos, "use the operator without the 'ForAllValues:' prefix",
		       "'ForAllValues:' with the single-valued key '%s' is also true when the "
		       "key is absent from the request",
		       c->key);
}

static int all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return n > 0;
}

int vc_parse_ip(const char *v, unsigned char bin[16], int *width, int *prefix)
{
	const char *slash = strchr(v, '/');
	size_t n = slash ? (size_t)(slash - v) : strlen(v);
	char addr[64];

	if (n == 0 || n >= sizeof(addr))
		return 0;
	memcpy(addr, v, n);
	addr[n] = '\0';
	if (inet_pton(AF_INET, addr, bin) == 1)
		*width = 32;
	else if (inet_pton(AF_INET6, addr, bin) == 1)
		*width = 128;
	else
		return 0;
	*prefix = *width;
	if (!slash)
		return 1;
	n = strlen(slash + 1);
	if (n < 1 || n > 3 || !all_digits(slash + 1, n) || atoi(slash + 1) > *width)
		return 0;
	*prefix = atoi(slash + 1);
	return 1;
}

static int valid_ip(const char *v)
{
	unsigned char bin[16];
	int width, prefix;
	return vc_parse_ip(v, bin, &width, &prefix);
}

/* -?digits(.digits)? */
static int valid_number(const char *v)
{
	const char *dot;
	if (*v == '-')
		v++;
	dot = strchr(v, '.');
	if (!dot)
		return all_digits(v, strlen(v));
	return all_digits(v, (size_t)(dot - v)) && all_digits(dot + 1, strlen(dot + 1));
}

/* Digits d..d of s as a number within [lo, hi], or -1. */
static int field(const char *s, size_t n, int lo, int hi)
{
	int x = 0;
	if (!all_digits(s, n))
		return -1;
	for (size_t i = 0; i < n; i++)
		x = x * 10 + (s[i] - '0');
	return x >= lo && x <= hi ? x : -1;
}

/* Epoch seconds, or ISO 8601: YYYY-MM-DD[Thh:mm[:ss[.fff]][Z|+hh:mm|-hh:mm]]. */
static int valid_date(const char *v)
{
	size_t n = strlen(v);
	const char *t;

	if (all_digits(v, n))
		return 1;
	if (n < 10 || field(v, 4, 0, 9999) < 0 || v[4] != '-' || field(v + 5, 2, 1, 12) < 0 ||
	    v[7] != '-' || field(v + 8, 2, 1, 31) < 0)
		return 0;
	if (n == 10)
		return 1;
	t = v + 10;
	if (*t++ != 'T' || field(t, 2, 0, 23) < 0 || t[2] != ':' || field(t + 3, 2, 0, 59) < 0)
		return 0;
	t += 5;
	if (*t == ':') {
		if (field(t + 1, 2, 0, 60) < 0)
			return 0;
		t += 3;
		if (*t == '.') {
			size_t d = strspn(t + 1, "0123456789");
			if (!d)
				return 0;
			t += 1 + d;
		}
	}
	if (*t == 'Z')
		return t[1] == '\0';
	if (*t == '+' || *t == '-')
		return field(t + 1, 2, 0, 23) >= 0 && t[3] == ':' && field(t + 4, 2, 0, 59) >= 0 &&
		       t[6] == '\0';
	return *t == '\0';
}

static int valid_base64(const char *v)
{
	size_t n = strlen(v), pad = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i] == '=')
			pad++;
		else if (pad || !(isalnum((unsigned char)v[i]) || v[i] == '+' || v[i] == '/'))
			return 0;
	}
	return n > 0 && n % 4 == 0 && pad <= 2;
}

/* What a value of family fam must look like, or NULL when it is fine. */
static const char *value_problem(enum op_family fam, const char *v, enum kh_value_type type)
{
	if (strstr(v, "${"))
		return NULL; /* a policy variable: known only at request time */
	switch (fam) {
	case FAM_IP: return valid_ip(v) ? NULL : "an IPv4 or IPv6 address or CIDR range";
	case FAM_NUMERIC:
		return type == KH_VALUE_NUMBER || valid_number(v) ? NULL : "a number";
	case FAM_DATE:
		return type == KH_VALUE_NUMBER || valid_date(v)
			       ? NULL
			       : "an ISO 8601 date (2026-11-22 or 2026-11-22T12:00:00Z) or epoch seconds";
	case FAM_BOOL:
	case FAM_NULL:
		return type == KH_VALUE_BOOL || strcasecmp(v, "true") == 0 ||
				       strcasecmp(v, "false") == 0
			       ? NULL
			       : "true or false";
	case FAM_BINARY: return valid_base64(v) ? NULL : "base64-encoded bytes";
	default: return NULL;
	}
}

static void check_values(struct vctx *vc, const struct kh_condition *c, const char *path,
			 const struct parsed_op *po)
{
	enum op_family fam = operators[po->base].family;

	for (size_t i = 0; i < c->n_values; i++) {
		const char *want = value_problem(fam, c->values[i], c->types[i]);
		if (want)
			vc_add(vc, KH_SEV_ERROR, "INVALID_CONDITION_VALUE", path, c->value_pos[i],
			       NULL,
			       "'%s' is not a valid value for '%s': it takes %s, so this "
			       "condition can never match as intended",
			       c->values[i], c->op, want);
		else if (fam == FAM_DATE && !strstr(c->values[i], "${") &&
			 strcasecmp(c->key, "aws:EpochTime") != 0 &&
			 (c->types[i] == KH_VALUE_NUMBER ||
			  all_digits(c->values[i], strlen(c->values[i]))))
			/* A date that parses, but as a count of seconds. */
			vc_add(vc, KH_SEV_WARNING, "INVALID_DATE_VALUE", path, c->value_pos[i],
			       "write the date as YYYY-MM-DD, or in full as 2026-11-22T12:00:00Z",
			       "'%s' is read as seconds since 1970-01-01 UTC, not as a calendar "
			       "date, and may not be the moment intended",
			       c->values[i]);
	}
}

/* Keys are not case-sensitive: "aws:SourceVpc" and "aws:sourcevpc" in one
 * operator block are the same key twice (JSON only rejects exact repeats). */
static void check_case_duplicate(struct vctx *vc, const struct kh_statement *st, size_t i,
				 const char *path)
{
	const struct kh_condition *c = &st->conditions[i];
	for (size_t j = 0; j < i; j++) {
		const struct kh_condition *o = &st->conditions[j];
		if (strcmp(o->op, c->op) != 0 || strcasecmp(o->key, c->key) != 0)
			continue;
		vc_add(vc, KH_SEV_ERROR, "DUPLICATE_KEYS_WITH_DIFFERENT_CASE", path, c->key_pos,
		       "merge them into one key that lists every value",
		       "condition keys ignore case, so '%s' repeats the key '%s' (line %d) in "
		       "the same '%s' block",
		       c->key, o->key, o->key_pos.line, c->op);
		return;
	}
}

/* An empty array of values: with ForAllValues: or IfExists the condition
 * holds only when the key is absent, with ForAnyValue: never. */
static void report_empty_values(struct vctx *vc, const struct kh_condition *c,
				const char *path, const struct parsed_op *po)
{
	if (po->set == 1)
		vc_add(vc, KH_SEV_SUGGESTION, "EMPTY_ARRAY_CONDITION_FORALLVALUES", path,
		       c->key_pos, "to ask that the key be absent, write \"Null\": {\"KEY\": \"true\"}",
		       "'ForAllValues:' with no values for '%s' holds only when the key is "
		       "absent from the request",
		       c->key);
	else if (po->set == 2)
		vc_add(vc, KH_SEV_SUGGESTION, "EMPTY_ARRAY_CONDITION_FORANYVALUE", path, c->key_pos,
		       "give the key at least one value, or remove it",
		       "'ForAnyValue:' with no values for '%s' never holds, so the statement "
		       "never applies",
		       c->key);
	else if (po->if_exists)
		vc_add(vc, KH_SEV_SUGGESTION, "EMPTY_ARRAY_CONDITION_IFEXISTS", path, c->key_pos,
		       "to ask that the key be absent, write \"Null\": {\"KEY\": \"true\"}",
		       "'IfExists' with no values for '%s' holds only when the key is absent "
		       "from the request",
		       c->key);
	else
		vc_add(vc, KH_SEV_SUGGESTION, "EMPTY_ARRAY_CONDITION", path, c->key_pos,
		       "give the key at least one value, or remove it",
		       "the condition key '%s' has an empty array of values", c->key);
}

void vc_check_conditions(struct vctx *vc, const struct kh_statement *st)
{
	char path[400];
	for (size_t i = 0; i < st->n_conditions; i++) {
		const struct kh_condition *c = &st->conditions[i];
		const struct kh_condition_key *k;
		struct parsed_op po;

		snprintf(path, sizeof(path), "%s.Condition.%s.%s", st->path, c->op, c->key);
		check_operator(vc, c, path, &po);
		k = vc_check_key(vc, c->key, path, c->key_pos, "");
		if (k && po.base >= 0)
			check_types(vc, c, path, &po, k);
		/* IfExists and Null pass or test an absent key on purpose. */
		if (k && po.base >= 0 && !po.if_exists && operators[po.base].family != FAM_NULL)
			vc_check_key_actions(vc, st, c, k, path);
		if (po.base >= 0) {
			check_values(vc, c, path, &po);
			vc_check_value_meaning(vc, c, path, operators[po.base].name, po.set);
		}
		check_case_duplicate(vc, st, i, path);
		if (c->values_is_array && c->n_values == 0)
			report_empty_values(vc, c, path, &po);
	}
}

/* resources.c - rebuilding the resource ARN an action acted on from a
 * CloudTrail record.
 *
 * The catalog says which resource types an action takes and gives their
 * ARN templates; the table's P records say which requestParameters fill a
 * template's placeholders. Candidates come, in order, from the action's own
 * rule (copy source, instance profile, a named parameter, a template), from
 * filling the catalog templates, from the record's resources[].ARN, and from
 * any parameter whose value is an ARN. A candidate is kept only when it
 * matches one of the action's resource types, so a wrong guess is dropped
 * rather than reported.
 */
#include <stdint.h>
#include <string.h>
#include <strings.h>

#include "usage/mapping_int.h"

struct kh_sv kh__param_ci(const struct kh_event *ev, const char *key, size_t len)
{
	struct kh_sv none = {NULL, 0};
	for (size_t i = 0; i < ev->n_params && i < KH_EVENT_MAX_PARAMS; i++)
		if (ev->params[i].key.len == len && strncasecmp(ev->params[i].key.ptr, key, len) == 0)
			return ev->params[i].value;
	return none;
}

static int sv_starts(struct kh_sv v, const char *p)
{
	size_t n = strlen(p);
	return v.len >= n && memcmp(v.ptr, p, n) == 0;
}

static int sv_has(struct kh_sv v, char c)
{
	return v.len && memchr(v.ptr, c, v.len) != NULL;
}

void kh__res_ctx_init(struct kh__res_ctx *c, const struct kh__map_table *t,
		      const struct kh_event *ev)
{
	struct kh_sv arn = ev->principal_arn;

	c->ev = ev;
	c->t = t;
	c->phc = NULL;
	c->region = ev->aws_region;
	c->account = ev->recipient_account.len ? ev->recipient_account : ev->account_id;
	c->partition = "aws";
	if (sv_starts(arn, "arn:aws-cn:"))
		c->partition = "aws-cn";
	else if (sv_starts(arn, "arn:aws-us-gov:"))
		c->partition = "aws-us-gov";
	else if (!arn.len && sv_starts(c->region, "cn-"))
		c->partition = "aws-cn";
	else if (!arn.len && sv_starts(c->region, "us-gov-"))
		c->partition = "aws-us-gov";
}

/* Does the ARN at text+off match one of a's resource types? */
static int fits(const struct kh_action *a, const struct kh_buf *text, size_t off)
{
	for (size_t i = 0; i < a->n_resources; i++)
		if (kh_arn_matches_resource_type(text->data + off, a->resources[i].type))
			return 1;
	return 0;
}

/* Appends v as a candidate and keeps it when it fits a. */
static int try_arn(const struct kh_action *a, struct kh_sv v, struct kh_buf *text, size_t off)
{
	if (!v.len || sv_has(v, '\\') || !sv_starts(v, "arn:"))
		return 0;
	kh_buf_truncate(text, off);
	if (kh_buf_add(text, v.ptr, v.len) == 0 && fits(a, text, off))
		return 1;
	kh_buf_truncate(text, off);
	return 0;
}

/* A Lambda function given as a name, "name:qualifier", an ARN (maybe
 * qualified) or "account:function:name": the unqualified function ARN. */
static int lambda_function(const struct kh__res_ctx *c, struct kh_sv v, struct kh_buf *b)
{
	const char *p = v.ptr, *e = v.ptr + v.len;
	size_t colons = 0;
	const char *cut = e;

	if (sv_starts(v, "arn:")) {
		for (const char *q = p; q < e; q++)
			if (*q == ':' && ++colons == 7)
				cut = q;
		return kh_buf_add(b, p, (size_t)(cut - p));
	}
	kh_buf_printf(b, "arn:%s:lambda:%.*s:", c->partition, (int)c->region.len, c->region.ptr);
	{
		const char *f = memmem(p, v.len, ":function:", 10);
		if (f) { /* account:function:name[:qualifier] */
			kh_buf_add(b, p, (size_t)(f - p));
			p = f + 10;
		} else {
			kh_buf_add(b, c->account.ptr, c->account.len);
		}
	}
	{
		const char *q = memchr(p, ':', (size_t)(e - p));
		kh_buf_puts(b, ":function:");
		return kh_buf_add(b, p, (size_t)((q ? q : e) - p));
	}
}

/* https://sqs.REGION.amazonaws.com/ACCOUNT/NAME -> the queue ARN. */
static int sqs_url(const struct kh__res_ctx *c, struct kh_sv v, struct kh_buf *b)
{
	const char *p = v.ptr, *e = v.ptr + v.len, *host, *slash, *acct, *name;
	struct kh_sv region = c->region;

	host = memmem(p, v.len, "://", 3);
	host = host ? host + 3 : p;
	if (!(slash = memchr(host, '/', (size_t)(e - host))))
		return -1;
	if ((size_t)(slash - host) > 4 && strncmp(host, "sqs.", 4) == 0) {
		const char *dot = memchr(host + 4, '.', (size_t)(slash - host - 4));
		if (dot && dot > host + 4 && strncmp(dot, ".amazonaws.com", 14) == 0) {
			region.ptr = host + 4;
			region.len = (size_t)(dot - host - 4);
		}
	}
	acct = slash + 1;
	if (!(name = memchr(acct, '/', (size_t)(e - acct))) || name == acct || name + 1 >= e)
		return -1;
	return kh_buf_printf(b, "arn:%s:sqs:%.*s:%.*s:%.*s", c->partition, (int)region.len,
			     region.ptr, (int)(name - acct), acct, (int)(e - name - 1), name + 1);
}

/* Appends value v through transform tr. Returns 1 when appended, 0 when the
 * transform rejects v, -1 on buffer failure. *pattern is set when the
 * result holds wildcards. */
static int apply(const char *tr, struct kh_sv v, struct kh_buf *b, int *pattern)
{
	size_t n;

	if (!tr || strcmp(tr, "raw") == 0)
		return kh_buf_add(b, v.ptr, v.len) ? -1 : 1;
	if (strcmp(tr, "last") == 0) {
		size_t i = v.len;
		while (i > 0 && v.ptr[i - 1] != '/' && v.ptr[i - 1] != ':')
			i--;
		if (i == v.len)
			return 0;
		return kh_buf_add(b, v.ptr + i, v.len - i) ? -1 : 1;
	}
	if (strncmp(tr, "not:", 4) == 0) {
		if (sv_starts(v, tr + 4))
			return 0;
		return kh_buf_add(b, v.ptr, v.len) ? -1 : 1;
	}
	if (strncmp(tr, "strip:", 6) == 0) {
		n = strlen(tr + 6);
		if (sv_starts(v, tr + 6)) {
			v.ptr += n;
			v.len -= n;
		}
		return v.len ? (kh_buf_add(b, v.ptr, v.len) ? -1 : 1) : 0;
	}
	if (strncmp(tr, "lstrip:", 7) == 0) {
		while (v.len && v.ptr[0] == tr[7]) {
			v.ptr++;
			v.len--;
		}
		return v.len ? (kh_buf_add(b, v.ptr, v.len) ? -1 : 1) : 0;
	}
	if (strncmp(tr, "prefix:", 7) == 0) {
		if (strpbrk(tr + 7, "*?"))
			*pattern = 1;
		return kh_buf_puts(b, tr + 7) || kh_buf_add(b, v.ptr, v.len) ? -1 : 1;
	}
	if (strncmp(tr, "suffix:", 7) == 0) {
		if (strpbrk(tr + 7, "*?"))
			*pattern = 1;
		return kh_buf_add(b, v.ptr, v.len) || kh_buf_puts(b, tr + 7) ? -1 : 1;
	}
	return 0;
}

/* Looks for a value of placeholder ph (of service prefix) and appends it.
 * override: a value that replaces the P records' parameters. Returns 1, 0
 * (no value) or -1 (buffer). A value that is a whole ARN fitting a is
 * reported through *whole (the caller then takes it instead). */
/* The P record of placeholder ph (phlen bytes) of service prefix, or NULL. */
static const struct kh__map_ph *ph_record(const struct kh__res_ctx *c, const char *prefix,
					  const char *ph, size_t phlen)
{
	size_t i = ((uintptr_t)ph >> 2) % KH__PH_CACHE;
	const struct kh__map_ph *rec;

	if (c->phc && c->phc->slot[i].ph == ph && c->phc->slot[i].prefix == prefix)
		return c->phc->slot[i].rec;
	rec = kh__map_get2(&c->t->ph_map, prefix, strlen(prefix), ph, phlen);
	if (c->phc) {
		c->phc->slot[i].prefix = prefix;
		c->phc->slot[i].ph = ph;
		c->phc->slot[i].rec = rec;
	}
	return rec;
}

static int fill_placeholder(const struct kh__res_ctx *c, const struct kh_action *a,
			    const char *prefix, const char *ph, size_t phlen, struct kh_sv override,
			    struct kh_buf *b, int *pattern, struct kh_sv *whole)
{
	const struct kh__map_ph *p = ph_record(c, prefix, ph, phlen);
	size_t mark = b->len;

	if (!p) { /* no record: a parameter named like the placeholder */
		struct kh_sv v = override.len ? override : kh__param_ci(c->ev, ph, phlen);
		if (!v.len || sv_has(v, '\\'))
			return 0;
		if (sv_starts(v, "arn:")) {
			*whole = v;
			return 0;
		}
		return kh_buf_add(b, v.ptr, v.len) ? -1 : 1;
	}
	for (size_t g = 0; g < p->n_group; g++) {
		const struct kh__map_ph *r = p + g;
		const char *k = r->params;
		while (*k) {
			const char *comma = strchr(k, ',');
			size_t klen = comma ? (size_t)(comma - k) : strlen(k);
			struct kh_sv v = override.len ? override : kh__param_ci(c->ev, k, klen);
			int rc;

			k += klen + (comma ? 1 : 0);
			if (!v.len || sv_has(v, '\\'))
				continue;
			if (sv_starts(v, "arn:") && strcmp(r->transform, "last") != 0) {
				*whole = v;
				return 0;
			}
			if (strcmp(r->transform, "lambdafn") == 0 || strcmp(r->transform, "sqsurl") == 0) {
				continue; /* try_builders makes the whole ARN */
			}
			rc = apply(r->transform, v, b, pattern);
			if (rc != 0)
				return rc;
			kh_buf_truncate(b, mark);
			if (override.len)
				return 0;
		}
	}
	return 0;
}

/* Fills template tmpl (len bytes) at the end of b. Returns 1 when every
 * placeholder was filled, 0 when not, -1 on buffer failure. */
static int fill_template(const struct kh__res_ctx *c, const struct kh_action *a,
			 const char *prefix, const char *tmpl, size_t len, struct kh_sv override,
			 struct kh_buf *b, int *pattern, struct kh_sv *whole)
{
	const char *p = tmpl, *e = tmpl + len;

	while (p < e) {
		const char *open = p, *close;
		/* the next "${" (memchr for '$' is much cheaper than memmem) */
		while ((open = memchr(open, '$', (size_t)(e - open))) && open + 1 < e && open[1] != '{')
			open++;
		if (open && open + 1 >= e)
			open = NULL;
		size_t plen;
		int rc;

		if (!open)
			return kh_buf_add(b, p, (size_t)(e - p)) ? -1 : 1;
		if (kh_buf_add(b, p, (size_t)(open - p)))
			return -1;
		if (!(close = memchr(open, '}', (size_t)(e - open))))
			return 0;
		plen = (size_t)(close - open - 2);
		p = close + 1;
		if (plen == 9 && strncmp(open + 2, "Partition", 9) == 0) {
			rc = kh_buf_puts(b, c->partition) ? -1 : 1;
		} else if (plen == 6 && strncmp(open + 2, "Region", 6) == 0) {
			rc = c->region.len ? (kh_buf_add(b, c->region.ptr, c->region.len) ? -1 : 1) : 0;
		} else if (plen == 7 && strncmp(open + 2, "Account", 7) == 0) {
			rc = c->account.len ? (kh_buf_add(b, c->account.ptr, c->account.len) ? -1 : 1)
					    : 0;
		} else {
			rc = fill_placeholder(c, a, prefix, open + 2, plen, override, b, pattern, whole);
		}
		if (rc <= 0)
			return rc;
	}
	return 1;
}

/* Tries each '|'-separated template of tmpls. */
static int try_templates(const struct kh__res_ctx *c, const struct kh_action *a,
			 const char *prefix, const char *tmpls, struct kh_sv override,
			 struct kh_buf *b, size_t off, int *pattern)
{
	const char *t = tmpls;

	while (*t) {
		const char *bar = strchr(t, '|');
		size_t len = bar ? (size_t)(bar - t) : strlen(t);
		struct kh_sv whole = {NULL, 0};
		int rc;

		*pattern = 0;
		kh_buf_truncate(b, off);
		rc = fill_template(c, a, prefix, t, len, override, b, pattern, &whole);
		if (rc < 0)
			return -1;
		if (rc == 1 && fits(a, b, off))
			return 1;
		if (whole.len && try_arn(a, whole, b, off)) {
			*pattern = 0;
			return 1;
		}
		t += len + (bar ? 1 : 0);
	}
	kh_buf_truncate(b, off);
	return 0;
}

/* The whole-ARN builders of P records (lambdafn, sqsurl) for a's types. */
static int try_builders(const struct kh__res_ctx *c, const struct kh_action *a,
			struct kh_sv override, struct kh_buf *b, size_t off)
{
	const char *prefix = a->service->prefix;
	size_t pl = strlen(prefix);

	for (size_t i = 0; i < c->t->n_builders; i++) {
		const struct kh__map_ph *r = c->t->builders[i];
		const char *k;
		int is_lambda;

		if (strncasecmp(r->key, prefix, pl) != 0 || r->key[pl] != ':')
			continue;
		is_lambda = strcmp(r->transform, "lambdafn") == 0;
		for (k = r->params; *k;) {
			const char *comma = strchr(k, ',');
			size_t klen = comma ? (size_t)(comma - k) : strlen(k);
			struct kh_sv v = override.len ? override : kh__param_ci(c->ev, k, klen);
			k += klen + (comma ? 1 : 0);
			if (!v.len || sv_has(v, '\\'))
				continue;
			kh_buf_truncate(b, off);
			if ((is_lambda ? lambda_function(c, v, b) : sqs_url(c, v, b)) == 0 &&
			    !kh_buf_error(b) && fits(a, b, off))
				return 1;
			kh_buf_truncate(b, off);
		}
	}
	return 0;
}

/* Percent-decodes an S3 copy source into b; returns 0 or -1. */
static int add_copy_source(struct kh_sv v, struct kh_buf *b)
{
	const char *p = v.ptr, *e = v.ptr + v.len, *q = memchr(p, '?', v.len);
	if (q)
		e = q;
	while (p < e && *p == '/')
		p++;
	for (; p < e; p++) {
		char ch = *p;
		if (ch == '%' && e - p >= 3) {
			int hi = p[1], lo = p[2];
			hi = hi >= 'a' ? hi - 'a' + 10 : hi >= 'A' ? hi - 'A' + 10 : hi - '0';
			lo = lo >= 'a' ? lo - 'a' + 10 : lo >= 'A' ? lo - 'A' + 10 : lo - '0';
			if (hi >= 0 && hi < 16 && lo >= 0 && lo < 16) {
				ch = (char)(hi * 16 + lo);
				p += 2;
			}
		}
		if (kh_buf_putc(b, ch))
			return -1;
	}
	return 0;
}

enum kh_map_resource kh__resolve_resource(const struct kh__res_ctx *c, const struct kh_action *a,
					  const struct kh__map_act *rec, struct kh_buf *text,
					  size_t *off, int *nomem)
{
	const struct kh_event *ev = c->ev;
	struct kh_sv none = {NULL, 0}, override = {NULL, 0};
	size_t required = 0;
	int pattern = 0;

	*off = text->len;
	if (a->n_resources == 0)
		return KH_RES_ANY;
	for (size_t i = 0; i < a->n_resources; i++)
		required += a->resources[i].required != 0;
	if (required > 1)
		return KH_RES_SEVERAL;

	if (rec) {
		switch (rec->rule) {
		case KH__RES_NONE:
			return KH_RES_UNKNOWN;
		case KH__RES_COPYSOURCE: {
			struct kh_sv v = kh__param_ci(ev, "CopySource", 10);
			if (!v.len)
				v = kh__param_ci(ev, "x-amz-copy-source", 17);
			if (!v.len || sv_has(v, '\\'))
				return KH_RES_UNKNOWN;
			if (sv_starts(v, "arn:"))
				return try_arn(a, v, text, *off) ? KH_RES_ARN : KH_RES_UNKNOWN;
			kh_buf_printf(text, "arn:%s:s3:::", c->partition);
			if (add_copy_source(v, text) == 0 && fits(a, text, *off))
				return KH_RES_ARN;
			*nomem |= kh_buf_error(text) != 0;
			kh_buf_truncate(text, *off);
			return KH_RES_UNKNOWN;
		}
		case KH__RES_PROFILE_ROLE: {
			struct kh_sv v = kh__param_ci(ev, "iamInstanceProfile.arn", 22);
			struct kh_sv acct = c->account;
			if (sv_starts(v, "arn:")) { /* arn:P:iam::ACCOUNT:instance-profile/... */
				const char *p = v.ptr, *e = v.ptr + v.len;
				int colons = 0;
				const char *s = NULL;
				for (; p < e; p++) {
					if (*p != ':')
						continue;
					if (++colons == 4)
						s = p + 1;
					else if (colons == 5 && s) {
						acct.ptr = s;
						acct.len = (size_t)(p - s);
						break;
					}
				}
			}
			if (!acct.len)
				return KH_RES_UNKNOWN;
			kh_buf_printf(text, "arn:%s:iam::%.*s:role/*", c->partition, (int)acct.len,
				      acct.ptr);
			if (kh_buf_error(text)) {
				*nomem = 1;
				return KH_RES_UNKNOWN;
			}
			return fits(a, text, *off) ? KH_RES_PATTERN : KH_RES_UNKNOWN;
		}
		case KH__RES_PARAM:
			override = kh__param_ci(ev, rec->rule_arg, strlen(rec->rule_arg));
			if (!override.len)
				return KH_RES_UNKNOWN;
			if (sv_starts(override, "arn:"))
				return try_arn(a, override, text, *off) ? KH_RES_ARN : KH_RES_UNKNOWN;
			break;
		case KH__RES_TMPL: {
			int r = try_templates(c, a, a->service->prefix, rec->rule_arg, none, text,
					      *off, &pattern);
			if (r < 0)
				*nomem = 1;
			if (r > 0)
				return pattern ? KH_RES_PATTERN : KH_RES_ARN;
			break;
		}
		case KH__RES_DERIVE:
			break;
		}
	}

	if (try_builders(c, a, override, text, *off))
		return KH_RES_ARN;
	for (size_t i = 0; i < a->n_resources; i++) {
		const struct kh_resource_type *rt = a->resources[i].type;
		int r;
		if (!rt || !rt->arn)
			continue;
		r = try_templates(c, a, rt->service->prefix, rt->arn, override, text, *off, &pattern);
		if (r < 0) {
			*nomem = 1;
			return KH_RES_UNKNOWN;
		}
		if (r > 0)
			return pattern ? KH_RES_PATTERN : KH_RES_ARN;
	}
	if (override.len) /* the named parameter did not give the resource */
		return KH_RES_UNKNOWN;
	for (size_t i = 0; i < ev->n_resources && i < KH_EVENT_MAX_RESOURCES; i++)
		if (try_arn(a, ev->resource_arns[i], text, *off))
			return KH_RES_ARN;
	for (size_t i = 0; i < ev->n_params && i < KH_EVENT_MAX_PARAMS; i++)
		if (try_arn(a, ev->params[i].value, text, *off))
			return KH_RES_ARN;
	if (kh_buf_error(text))
		*nomem = 1;
	return KH_RES_UNKNOWN;
}

/* public.c - the no-public-access check on resource policies.
 *
 * A statement is public when it allows "*" (or {"AWS": "*"}, or uses
 * NotPrincipal) and none of its conditions pins the caller down: a
 * positive operator (not negated, not ...IfExists) on a key that
 * identifies the caller, its account, organization or network, with no
 * value that is a bare wildcard or an all-addresses range.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "eval/eval_int.h"

static const char *const restricting_keys[] = {
	"aws:SourceArn", "aws:SourceAccount", "aws:SourceOwner", "aws:SourceOrgID",
	"aws:SourceOrgPaths", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths",
	"aws:PrincipalAccount", "aws:PrincipalArn", "aws:SourceVpc", "aws:SourceVpce",
	"aws:SourceIp", "aws:VpceAccount", "aws:VpceOrgID", "aws:VpceOrgPaths", "aws:userid",
	"aws:username", "aws:PrincipalServiceName", "kms:CallerAccount",
	"s3:DataAccessPointAccount", "s3:DataAccessPointArn", "lambda:EventSourceToken",
};

static const char *const known_types[] = {
	"s3", "sqs", "sns", "kms", "lambda", "secretsmanager", "ecr", "efs", "glacier",
	"opensearch", "es", "iam", "backup", "events", "logs", "apigateway", "s3express",
	"codeartifact", "glue", "ses", "serverlessrepo", "dynamodb", "kinesis", "other",
};

static int restricting_key(const char *key)
{
	for (size_t i = 0; i < sizeof(restricting_keys) / sizeof(*restricting_keys); i++)
		if (strcasecmp(key, restricting_keys[i]) == 0)
			return 1;
	return 0;
}

static int wide_value(const char *v)
{
	return strcmp(v, "*") == 0 || strcmp(v, "0.0.0.0/0") == 0 || strcmp(v, "::/0") == 0 ||
	       strcmp(v, "arn:*") == 0 || strcmp(v, "arn:aws:*") == 0;
}

/* Does this condition restrict who can call? */
static int restricting(const struct kh_condition *c)
{
	size_t n = strlen(c->op);
	const char *base = c->op;

	if (n > 8 && strcasecmp(c->op + n - 8, "IfExists") == 0)
		return 0;
	if (strncasecmp(base, "ForAllValues:", 13) == 0)
		return 0; /* true when the key is missing */
	if (strncasecmp(base, "ForAnyValue:", 12) == 0)
		base += 12;
	if (strcasestr(base, "Not") || strcasecmp(base, "Null") == 0 || !restricting_key(c->key))
		return 0;
	for (size_t i = 0; i < c->n_values; i++)
		if (wide_value(c->values[i]))
			return 0;
	return c->n_values > 0;
}

static int principal_public(const struct kh_statement *st)
{
	const struct kh_principal *p = &st->principal;
	if (st->not_principal.present)
		return 1;
	if (!p->present)
		return 0;
	if (p->is_star)
		return 1;
	for (size_t i = 0; i < p->n_entries; i++) {
		if (strcmp(p->entries[i].type, "AWS") != 0)
			continue;
		for (size_t j = 0; j < p->entries[i].values.n; j++)
			if (strcmp(p->entries[i].values.items[j], "*") == 0)
				return 1;
	}
	return 0;
}

int kh_check_no_public_access(const struct kh_policy *p, const char *type,
			      struct kh_check_result *out, struct kh_error *err)
{
	int known = !type;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; type && i < sizeof(known_types) / sizeof(*known_types); i++)
		if (strcasecmp(type, known_types[i]) == 0)
			known = 1;
	if (!known)
		return kh_error_set(err, KH_EUSAGE, "unknown resource type '%s'", type);
	if (p->n_problems)
		return kh_error_at(err, KH_EINPUT, p->problems[0].pos.line, p->problems[0].pos.col,
				   p->problems[0].path, "%s", p->problems[0].message);
	for (size_t i = 0; i < p->n_statements; i++) {
		const struct kh_statement *st = &p->statements[i];
		int restricted = 0;
		struct kh_check_finding *f;
		if (st->effect != KH_EFFECT_ALLOW || !principal_public(st))
			continue;
		for (size_t c = 0; c < st->n_conditions && !restricted; c++)
			restricted = restricting(&st->conditions[c]);
		if (restricted)
			continue;
		f = realloc(out->items, (out->n + 1) * sizeof(*f));
		if (!f)
			goto nomem;
		out->items = f;
		f = &f[out->n];
		memset(f, 0, sizeof(*f));
		f->stmt = (struct kh_eval_ref){KH_EVAL_RESOURCE, 0, (int)i};
		{
			struct kh_buf b;
			kh_buf_init(&b, 4096);
			kh_buf_printf(&b, "%s allows %s%s", st->path,
				      st->not_principal.present ? "every principal but those in NotPrincipal"
								: "any principal (\"*\")",
				      st->n_conditions ? " and none of its conditions restricts the caller"
						       : " with no condition");
			f->reason = kh_buf_detach(&b, NULL);
		}
		if (!f->reason)
			goto nomem;
		out->n++;
	}
	return KH_OK;
nomem:
	kh_check_result_release(out);
	return kh_error_set(err, KH_ENOMEM, "out of memory");
}

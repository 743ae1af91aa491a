/* resources.c - checks on Resource and NotResource: the ARN's shape
 * (prefix, field count, partition, service case, Region, account, and the
 * Region and account fields the catalog's ARN templates of the service
 * rule out or require), Allow with NotResource, entries another entry
 * already covers, and actions that support none of the statement's
 * resources (a resource type mismatch). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/util.h"
#include "validate/validate_int.h"

static const char *const partitions[] = {"aws", "aws-cn", "aws-us-gov", "aws-iso",
					 "aws-iso-b", "aws-iso-e", "aws-iso-f", "aws-eusc"};

/* A field written with a wildcard or a policy variable can be anything. */
static int is_open(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] == '*' || s[i] == '?' || (s[i] == '$' && i + 1 < n && s[i + 1] == '{'))
			return 1;
	return 0;
}

static int is_partition(const char *s, size_t n)
{
	for (size_t i = 0; i < sizeof(partitions) / sizeof(partitions[0]); i++)
		if (strlen(partitions[i]) == n && memcmp(partitions[i], s, n) == 0)
			return 1;
	return 0;
}

int vc_is_region(const char *s, size_t n)
{
	size_t i = 0, dashes = 0;
	while (i < n && s[i] >= 'a' && s[i] <= 'z')
		i++;
	if (i < 2 || i == n || s[i] != '-')
		return 0;
	for (; i < n && !(s[i] >= '0' && s[i] <= '9'); i++) {
		if (s[i] == '-')
			dashes++;
		else if (s[i] < 'a' || s[i] > 'z')
			return 0;
	}
	if (dashes < 2 || s[i - 1] != '-' || i == n)
		return 0;
	for (; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int is_account(const char *s, size_t n)
{
	if (n == 3 && memcmp(s, "aws", 3) == 0)
		return 1;
	if (n != 12)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* Splits an ARN at its first five colons into at most six fields; the
 * number of fields. */
static size_t split_arn(const char *s, const char **f, size_t *len)
{
	size_t nf = 0;
	while (nf < 6) {
		const char *colon = nf < 5 ? strchr(s, ':') : NULL;
		f[nf] = s;
		len[nf] = colon ? (size_t)(colon - s) : strlen(s);
		nf++;
		if (!colon)
			break;
		s = colon + 1;
	}
	return nf;
}

/* Adds one ARN template to af when it is of the ARN service svc. */
static void template_fields(const char *t, size_t tn, const char *svc, size_t sn,
			    struct vc_arn_service *af)
{
	const char *f[6];
	size_t len[6];
	char one[512];

	if (tn >= sizeof(one))
		return;
	memcpy(one, t, tn);
	one[tn] = '\0';
	if (split_arn(one, f, len) < 6 || len[2] != sn || memcmp(f[2], svc, sn) != 0)
		return;
	af->n++;
	af->some_region |= len[3] > 0;
	af->all_region &= len[3] > 0;
	af->some_account |= len[4] > 0;
}

/* The ARN templates of the ARN service svc ("iam"), whichever catalog
 * services write them (sts and ec2 write iam ARNs too); looked up once per
 * run while the cache has room. */
static struct vc_arn_service arn_service_fields(struct vctx *vc, const char *svc, size_t sn)
{
	struct vc_arn_service af = {"", 0, 0, 1, 0};

	for (size_t i = 0; i < vc->n_arn_services; i++)
		if (strlen(vc->arn_services[i].name) == sn &&
		    memcmp(vc->arn_services[i].name, svc, sn) == 0)
			return vc->arn_services[i];
	for (size_t i = 0; i < kh_catalog_service_count(vc->cat); i++) {
		const struct kh_service *s = kh_catalog_service_at(vc->cat, i);
		for (size_t k = 0; k < s->n_resource_types; k++) {
			const char *t = s->resource_types[k].arn, *bar;
			for (; (bar = strchr(t, '|')); t = bar + 1)
				template_fields(t, (size_t)(bar - t), svc, sn, &af);
			template_fields(t, strlen(t), svc, sn, &af);
		}
	}
	if (sn < sizeof(af.name) && vc->n_arn_services < sizeof(vc->arn_services) /
							      sizeof(vc->arn_services[0])) {
		memcpy(af.name, svc, sn);
		af.name[sn] = '\0';
		vc->arn_services[vc->n_arn_services++] = af;
	}
	return af;
}

/* Region and account fields the service's ARNs never have, or a Region
 * all of them have (fields with a wildcard or a variable can be
 * anything). Reports at most one finding. */
static void check_arn_catalog(struct vctx *vc, const char *arn, const char **f,
			      const size_t *len, const char *path, struct kh_pos pos)
{
	struct vc_arn_service af;

	if (is_open(f[2], len[2]))
		return;
	af = arn_service_fields(vc, f[2], len[2]);
	if (af.n == 0)
		return;
	if (len[3] && !af.some_region && !is_open(f[3], len[3]))
		vc_add(vc, KH_SEV_ERROR, "ARN_REGION_NOT_ALLOWED", path, pos,
		       "leave the Region empty",
		       "the ARNs of the service '%.*s' have no Region, so '%s' matches "
		       "no resource",
		       (int)len[2], f[2], arn);
	else if (len[3] == 0 && af.all_region)
		vc_add(vc, KH_SEV_ERROR, "MISSING_ARN_REGION", path, pos,
		       "add a Region code, or '*' for every Region",
		       "every ARN of the service '%.*s' has a Region, so '%s' with none "
		       "matches no resource",
		       (int)len[2], f[2], arn);
	else if (len[4] && !af.some_account && !is_open(f[4], len[4]))
		vc_add(vc, KH_SEV_ERROR, "ARN_ACCOUNT_NOT_ALLOWED", path, pos,
		       "leave the account empty",
		       "the ARNs of the service '%.*s' have no account, so '%s' matches "
		       "no resource",
		       (int)len[2], f[2], arn);
}

/* Checks one ARN; reports at most one finding, the first problem. */
static void check_arn(struct vctx *vc, const char *arn, const char *path, struct kh_pos pos)
{
	const char *f[6];
	size_t len[6], nf;

	if (strcmp(arn, "*") == 0)
		return;
	if (strncmp(arn, "arn:", 4) != 0) {
		vc_add(vc, KH_SEV_ERROR, "INVALID_ARN_PREFIX", path, pos,
		       "write an ARN (arn:partition:service:region:account:resource) or \"*\"",
		       "the resource '%s' is not an ARN: it must start with 'arn:'", arn);
		return;
	}
	nf = split_arn(arn, f, len);
	if (nf < 6) {
		if (!is_open(f[nf - 1], len[nf - 1]))
			vc_add(vc, KH_SEV_ERROR, "MISSING_ARN_FIELD", path, pos,
			       "use the form arn:partition:service:region:account:resource",
			       "the ARN '%s' has %zu of the 6 fields "
			       "arn:partition:service:region:account:resource",
			       arn, nf);
		return;
	}
	if (!is_open(f[1], len[1]) && !is_partition(f[1], len[1]))
		vc_add(vc, KH_SEV_ERROR, "INVALID_PARTITION", path, pos, "use 'aws' (or aws-cn, aws-us-gov)",
		       "the partition '%.*s' of '%s' does not exist", (int)len[1], f[1], arn);
	else if (len[2] == 0)
		vc_add(vc, KH_SEV_ERROR, "MISSING_ARN_FIELD", path, pos, NULL,
		       "the ARN '%s' has no service", arn);
	else if (!is_open(f[2], len[2]) && strcspn(f[2], "ABCDEFGHIJKLMNOPQRSTUVWXYZ") < len[2])
		vc_add(vc, KH_SEV_ERROR, "INVALID_ARN_SERVICE_CASE", path, pos,
		       "write the service in lower case",
		       "the service '%.*s' in '%s' must be lower case", (int)len[2], f[2], arn);
	else if (len[3] && !is_open(f[3], len[3]) && !vc_is_region(f[3], len[3]))
		vc_add(vc, KH_SEV_ERROR, "INVALID_ARN_REGION", path, pos,
		       "use a Region code such as us-east-1, or '*'",
		       "the Region '%.*s' in '%s' is not a Region code", (int)len[3], f[3], arn);
	else if (len[4] && !is_open(f[4], len[4]) && !is_account(f[4], len[4]))
		vc_add(vc, KH_SEV_ERROR, "INVALID_ARN_ACCOUNT", path, pos,
		       "use a 12-digit account ID, or '*'",
		       "the account '%.*s' in '%s' is not a 12-digit account ID", (int)len[4], f[4],
		       arn);
	else if (len[5] == 0)
		vc_add(vc, KH_SEV_ERROR, "INVALID_ARN_RESOURCE", path, pos, NULL,
		       "the ARN '%s' has an empty resource part", arn);
	else
		check_arn_catalog(vc, arn, f, len, path, pos);
}


/* Does every text the pattern `narrow` (nn bytes) matches also match
 * `wide` (wn bytes)? Matching narrow as text against wide is sound as long
 * as no '?' of wide can take a '*' of narrow; that case is left out. */
static int pattern_covers(const char *wide, size_t wn, const char *narrow, size_t nn)
{
	if (memchr(wide, '?', wn) && memchr(narrow, '*', nn))
		return 0;
	return kh_glob_match(wide, wn, narrow, nn, 0);
}

int vc_resource_covers(const char *wide, const char *narrow)
{
	const char *wf[6], *nf[6];
	size_t wl[6], nl[6];

	if (strcmp(wide, "*") == 0)
		return 1;
	if (!strpbrk(wide, "*?"))
		return strcmp(wide, narrow) == 0;
	if (split_arn(wide, wf, wl) < 6)
		return pattern_covers(wide, strlen(wide), narrow, strlen(narrow));
	if (split_arn(narrow, nf, nl) < 6)
		return 0;
	for (int k = 0; k < 6; k++)
		if (!pattern_covers(wf[k], wl[k], nf[k], nl[k]))
			return 0;
	return 1;
}

/* An entry is redundant when another entry of the list covers it (the
 * earlier one of two equal entries stays). Entries with a policy variable
 * and those the ARN checks reported (bad) are left out. */
static void check_redundant(struct vctx *vc, const struct kh_statement *st, const char *key,
			    const struct kh_strlist *l, const char *bad)
{
	char path[96], other[96];

	for (size_t i = 0; i < l->n; i++) {
		const char *s = l->items[i];
		if (bad[i] || strstr(s, "${"))
			continue;
		for (size_t j = 0; j < l->n; j++) {
			const char *w = l->items[j];
			if (j == i || bad[j] || strstr(w, "${") || !vc_resource_covers(w, s) ||
			    (j > i && vc_resource_covers(s, w)))
				continue;
			vc_item_path(path, sizeof(path), st, key, l, i);
			vc_item_path(other, sizeof(other), st, key, l, j);
			if (strcmp(s, w) == 0)
				vc_add(vc, KH_SEV_SUGGESTION, "REDUNDANT_RESOURCE", path, l->pos[i],
				       "remove it", "'%s' repeats the entry at %s", s, other);
			else
				vc_add(vc, KH_SEV_SUGGESTION, "REDUNDANT_RESOURCE", path, l->pos[i],
				       "remove it",
				       "'%s' is redundant: '%s' at %s already matches every "
				       "resource it does",
				       s, w, other);
			break;
		}
	}
}

static void check_arns(struct vctx *vc, const struct kh_statement *st, const char *key,
		       const struct kh_strlist *l)
{
	char path[96], *bad = calloc(l->n + 1, 1);

	if (!bad) {
		vc->rc = KH_ENOMEM;
		return;
	}
	for (size_t i = 0; i < l->n; i++) {
		size_t before = vc->out->n;
		vc_item_path(path, sizeof(path), st, key, l, i);
		check_arn(vc, l->items[i], path, l->pos[i]);
		bad[i] = vc->out->n > before;
	}
	check_redundant(vc, st, key, l, bad);
	free(bad);
}

/* Does action a apply to at least one of the statement's resources? An
 * action without resource types is only authorized against "*". */
static int supports_some(const struct kh_action *a, const struct kh_strlist *res)
{
	for (size_t r = 0; r < res->n; r++) {
		const char *arn = res->items[r];
		if (a->n_resources == 0) {
			if (kh_glob_match(arn, strlen(arn), "*", 1, 0))
				return 1;
			continue;
		}
		for (size_t k = 0; k < a->n_resources; k++)
			if (kh_arn_matches_resource_type(arn, a->resources[k].type))
				return 1;
	}
	return 0;
}

static void describe_types(struct kh_buf *b, const struct kh_action *a)
{
	if (a->n_resources == 0) {
		kh_buf_printf(b, "'%s' supports only \"Resource\": \"*\"", a->full_name);
		return;
	}
	kh_buf_printf(b, "'%s' applies to ", a->full_name);
	for (size_t k = 0; k < a->n_resources && k < 4; k++)
		kh_buf_printf(b, "%s%s (%s)", k ? ", " : "", a->resources[k].type->name,
			      a->resources[k].type->arn);
	if (a->n_resources > 4)
		kh_buf_printf(b, " and %zu more types", a->n_resources - 4);
}

static void check_mismatch_one(struct vctx *vc, const struct kh_statement *st, size_t i)
{
	const char *s = st->action.items[i];
	const struct kh_action **acts = NULL;
	size_t n = 0, ok = 0;
	char path[96];
	struct kh_buf msg;

	if (strcmp(s, "*") == 0 || vc_action_kind_code(vc_classify_action(vc->cat, s)))
		return;
	if (kh_catalog_expand(vc->cat, s, &acts, &n) != KH_OK) {
		vc->rc = KH_ENOMEM;
		return;
	}
	for (size_t k = 0; k < n && !ok; k++)
		ok = supports_some(acts[k], &st->resource);
	if (!ok && n) {
		kh_buf_init(&msg, 1 << 14);
		if (n == 1)
			describe_types(&msg, acts[0]);
		else
			kh_buf_printf(&msg, "none of the %zu actions that '%s' matches", n, s);
		kh_buf_puts(&msg, "; no resource of the statement is of ");
		kh_buf_puts(&msg, n == 1 ? "that type, so it grants nothing here"
					 : "a type they apply to, so it grants nothing here");
		vc_item_path(path, sizeof(path), st, "Action", &st->action, i);
		vc_add(vc, KH_SEV_WARNING, "ACTION_RESOURCE_MISMATCH", path, st->action.pos[i],
		       "move the action to a statement with matching resources, or remove it",
		       "%s", msg.data);
		kh_buf_release(&msg);
	}
	free(acts);
}

void vc_check_resources(struct vctx *vc, const struct kh_statement *st)
{
	char path[64];

	check_arns(vc, st, "Resource", &st->resource);
	check_arns(vc, st, "NotResource", &st->not_resource);
	if (st->effect == KH_EFFECT_ALLOW && st->not_resource.present && vc_grants(vc)) {
		snprintf(path, sizeof(path), "%s.NotResource", st->path);
		vc_add(vc, KH_SEV_SECURITY_WARNING, "ALLOW_WITH_NOT_RESOURCE", path,
		       st->not_resource.key_pos, "list the allowed resources in 'Resource' instead",
		       "'Allow' with 'NotResource' allows every resource not listed, including "
		       "resources created later");
	}
	if (st->resource.n == 0)
		return;
	for (size_t i = 0; i < st->action.n; i++)
		check_mismatch_one(vc, st, i);
}

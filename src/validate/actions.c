/* actions.c - checks on Action and NotAction: names that do not exist
 * (with the close names that do), wildcards that match nothing, wildcards
 * in the service name, "*" and "service:*", redundant entries, Allow with
 * NotAction, and iam:PassRole or iam:CreateServiceLinkedRole granted on
 * every resource. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/util.h"
#include "validate/validate_int.h"

int vc_has_wildcard(const char *s)
{
	return strpbrk(s, "*?") != NULL;
}

int vc_action_matches(const char *pattern, const char *full_name)
{
	return kh_glob_match(pattern, strlen(pattern), full_name, strlen(full_name), 1);
}

static int valid_name_chars(const char *s, size_t n, int allow_dash)
{
	if (n == 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '*' || c == '?' || (allow_dash && (c == '-' || c == '_' || c == '.'))))
			return 0;
	}
	return 1;
}

enum action_kind vc_classify_action(const struct kh_catalog *cat, const char *s)
{
	const char *colon = strchr(s, ':');
	const struct kh_action **acts = NULL;
	size_t n = 0, svc_len;

	if (strcmp(s, "*") == 0)
		return ACTION_STAR;
	if (!colon || strchr(colon + 1, ':') || !valid_name_chars(s, (size_t)(colon - s), 1) ||
	    !valid_name_chars(colon + 1, strlen(colon + 1), 1))
		return ACTION_BAD_FORMAT;
	svc_len = (size_t)(colon - s);
	if (!vc_has_wildcard(s)) {
		const struct kh_service *svc = kh_catalog_service(cat, s, svc_len);
		if (!svc)
			return ACTION_UNKNOWN_SERVICE;
		return kh_service_action(svc, colon + 1, strlen(colon + 1)) ? ACTION_KNOWN
									      : ACTION_UNKNOWN;
	}
	if (strcspn(s, "*?") > svc_len && !kh_catalog_service(cat, s, svc_len))
		return ACTION_UNKNOWN_SERVICE;
	if (kh_catalog_expand(cat, s, &acts, &n) != KH_OK)
		return ACTION_WILDCARD; /* out of memory: claim nothing */
	free(acts);
	return n ? ACTION_WILDCARD : ACTION_WILDCARD_NONE;
}

const char *vc_action_kind_code(enum action_kind k)
{
	switch (k) {
	case ACTION_BAD_FORMAT:
	case ACTION_UNKNOWN: return "INVALID_ACTION";
	case ACTION_UNKNOWN_SERVICE: return "INVALID_SERVICE_IN_ACTION";
	case ACTION_WILDCARD_NONE: return "UNMATCHED_ACTION_WILDCARD";
	default: return NULL;
	}
}

/* "close names: 's3:GetObject', 's3:GetObjectAcl'" into b; the first is
 * also written as a fix into fix. */
static void close_names(const struct kh_catalog *cat, const char *s, struct kh_buf *b,
			struct kh_buf *fix)
{
	const struct kh_action *near[3];
	size_t n = kh_catalog_suggest(cat, s, near, 3);

	if (!n) {
		kh_buf_puts(b, "; no catalog action has a close name");
		kh_buf_puts(fix, "remove it (keyhole validate --fix does)");
		return;
	}
	kh_buf_puts(b, "; close names: ");
	for (size_t i = 0; i < n; i++)
		kh_buf_printf(b, "%s'%s'", i ? ", " : "", near[i]->full_name);
	kh_buf_printf(fix, "replace with '%s' if that was meant, or remove it", near[0]->full_name);
}

/* For an unknown service, the closest service prefix (by edit distance),
 * and in *action the same action name there when it exists, as
 * "s3:PutObject" for "s4:PutObject". */
static const struct kh_service *close_service(const struct kh_catalog *cat, const char *s,
					      const struct kh_action **action)
{
	const char *colon = strchr(s, ':');
	size_t plen = (size_t)(colon - s), best = 3;
	const struct kh_service *found = NULL;

	*action = NULL;
	for (size_t i = 0; i < kh_catalog_service_count(cat); i++) {
		const char *prefix = kh_catalog_service_at(cat, i)->prefix;
		size_t d = kh_edit_distance(s, plen, prefix, strlen(prefix), 2);
		const struct kh_service *svc;
		const struct kh_action *a;
		if (d > plen / 2 || (d >= best && !(d == best && found && !*action)))
			continue;
		svc = kh_catalog_service(cat, prefix, strlen(prefix));
		a = svc ? kh_service_action(svc, colon + 1, strlen(colon + 1)) : NULL;
		if (d < best || a) {
			found = svc;
			*action = a;
			best = d;
		}
	}
	return found;
}

static void unknown_service(const struct kh_catalog *cat, const char *s, struct kh_buf *msg,
			    struct kh_buf *fix)
{
	const char *colon = strchr(s, ':');
	const struct kh_action *near;
	const struct kh_service *svc;

	kh_buf_printf(msg, "the service '%.*s' in '%s' does not exist", (int)(colon - s), s, s);
	svc = close_service(cat, s, &near);
	if (near) {
		kh_buf_printf(msg, "; did you mean '%s'?", near->full_name);
		kh_buf_printf(fix, "replace with '%s' if that was meant, or remove it",
			      near->full_name);
	} else if (svc) {
		kh_buf_printf(msg, "; a close service is '%s' (%s)", svc->prefix, svc->name);
		kh_buf_puts(fix, "correct the service prefix, or remove the action");
	} else {
		kh_buf_puts(fix, "remove it (keyhole validate --fix does)");
	}
}

static void report_bad_action(struct vctx *vc, enum action_kind kind, const char *s,
			      const char *path, struct kh_pos pos)
{
	struct kh_buf msg, fix;
	kh_buf_init(&msg, 4096);
	kh_buf_init(&fix, 1024);
	switch (kind) {
	case ACTION_BAD_FORMAT:
		kh_buf_printf(&msg, "'%s' is not an action: write 'service:ActionName'", s);
		kh_buf_puts(&fix, "correct the action name, or remove it");
		break;
	case ACTION_UNKNOWN_SERVICE:
		unknown_service(vc->cat, s, &msg, &fix);
		break;
	case ACTION_UNKNOWN:
		kh_buf_printf(&msg, "the action '%s' does not exist", s);
		close_names(vc->cat, s, &msg, &fix);
		break;
	default:
		kh_buf_printf(&msg, "the wildcard '%s' matches no action", s);
		kh_buf_puts(&fix, "correct the pattern, or remove it (keyhole validate --fix does)");
		break;
	}
	if (kh_buf_error(&msg) || kh_buf_error(&fix))
		vc->rc = KH_ENOMEM;
	else
		vc_add(vc, KH_SEV_ERROR, vc_action_kind_code(kind), path, pos, fix.data, "%s",
		       msg.data);
	kh_buf_release(&msg);
	kh_buf_release(&fix);
}

static void report_broad_action(struct vctx *vc, const struct kh_statement *st, const char *s,
				const char *path, struct kh_pos pos)
{
	const char *colon = strchr(s, ':');
	const struct kh_service *svc;

	if (strcmp(s, "*") == 0) {
		vc_add(vc, KH_SEV_SECURITY_WARNING, "STAR_ACTION", path, pos,
		       "list the actions the workload needs (keyhole generate)",
		       "'*' allows every action of every service%s",
		       st->resource.n == 1 && strcmp(st->resource.items[0], "*") == 0
			       ? " on every resource: full administrator access"
			       : "");
		return;
	}
	if (!colon || strcmp(colon + 1, "*") != 0)
		return;
	svc = kh_catalog_service(vc->cat, s, (size_t)(colon - s));
	if (svc)
		vc_add(vc, KH_SEV_WARNING, "SERVICE_WILDCARD_ACTION", path, pos,
		       "list the actions the workload needs, or narrow the wildcard",
		       "'%s' allows all %zu actions of %s, including any that manage permissions",
		       s, svc->n_actions, svc->prefix);
}

/* Can entries a and b name actions of the same service? */
static int same_service_possible(const char *a, const char *b)
{
	const char *ca = strchr(a, ':'), *cb = strchr(b, ':');
	if (!ca || !cb || strcspn(a, "*?") < (size_t)(ca - a) || strcspn(b, "*?") < (size_t)(cb - b))
		return 1;
	return ca - a == cb - b && strncasecmp(a, b, (size_t)(ca - a)) == 0;
}

/* Does entry `wide` make entry `narrow` redundant? Exact duplicates make the
 * later one redundant; a wildcard covers a plain action it matches and a
 * narrower wildcard whose every match (exp, n) it also matches. */
static int covers(const char *wide, const char *narrow, int wide_first,
		  const struct kh_action *const *exp, size_t n)
{
	int all = 1;

	if (strcasecmp(wide, narrow) == 0)
		return wide_first;
	if (!vc_has_wildcard(wide) || !same_service_possible(wide, narrow))
		return 0;
	if (!vc_has_wildcard(narrow))
		return vc_action_matches(wide, narrow);
	for (size_t k = 0; k < n && all; k++)
		all = vc_action_matches(wide, exp[k]->full_name);
	return all && n > 0;
}

static void check_redundant(struct vctx *vc, const struct kh_statement *st, const char *key,
			    const struct kh_strlist *l, const enum action_kind *kinds)
{
	char path[96], other[96];
	for (size_t i = 0; i < l->n; i++) {
		const struct kh_action **exp = NULL;
		size_t n = 0;
		if (vc_action_kind_code(kinds[i]) || kinds[i] == ACTION_STAR)
			continue;
		if (kinds[i] == ACTION_WILDCARD &&
		    kh_catalog_expand(vc->cat, l->items[i], &exp, &n) != KH_OK) {
			vc->rc = KH_ENOMEM;
			return;
		}
		for (size_t j = 0; j < l->n; j++) {
			if (j == i || vc_action_kind_code(kinds[j]) ||
			    !covers(l->items[j], l->items[i], j < i, exp, n))
				continue;
			vc_item_path(path, sizeof(path), st, key, l, i);
			vc_item_path(other, sizeof(other), st, key, l, j);
			vc_add(vc, KH_SEV_SUGGESTION, "REDUNDANT_ACTION", path, l->pos[i],
			       "remove it",
			       "'%s' is redundant: '%s' at %s already covers it", l->items[i],
			       l->items[j], other);
			break;
		}
		free(exp);
	}
}

static void check_list(struct vctx *vc, const struct kh_statement *st, const char *key,
		       const struct kh_strlist *l)
{
	enum action_kind *kinds = calloc(l->n + 1, sizeof(*kinds));
	char path[96];

	if (!kinds) {
		vc->rc = KH_ENOMEM;
		return;
	}
	for (size_t i = 0; i < l->n; i++) {
		const char *s = l->items[i];
		const char *colon = strchr(s, ':');
		kinds[i] = vc_classify_action(vc->cat, s);
		vc_item_path(path, sizeof(path), st, key, l, i);
		if (vc_action_kind_code(kinds[i])) {
			report_bad_action(vc, kinds[i], s, path, l->pos[i]);
			continue;
		}
		if (colon && strcspn(s, "*?") < (size_t)(colon - s))
			vc_add(vc, KH_SEV_SUGGESTION, "WILDCARD_IN_SERVICE_NAME", path, l->pos[i],
			       "name the service in full",
			       "the wildcard in the service name of '%s' may match services "
			       "added later",
			       s);
		if (st->effect == KH_EFFECT_ALLOW && l == &st->action && vc_grants(vc))
			report_broad_action(vc, st, s, path, l->pos[i]);
	}
	check_redundant(vc, st, key, l, kinds);
	free(kinds);
}

/* How a statement grants the action full_name: 0 not at all, 1 by name,
 * 2 through a wildcard, 3 through NotAction. *at receives the entry's
 * index. */
static int grant_of(const struct kh_statement *st, const char *full_name, size_t *at)
{
	if (st->not_action.present) {
		for (size_t i = 0; i < st->not_action.n; i++)
			if (vc_action_matches(st->not_action.items[i], full_name))
				return 0;
		return 3;
	}
	for (size_t i = 0; i < st->action.n; i++)
		if (vc_action_matches(st->action.items[i], full_name)) {
			*at = i;
			return vc_has_wildcard(st->action.items[i]) ? 2 : 1;
		}
	return 0;
}

/* An action granted on every resource ("*", or a pattern that broad_resource
 * accepts) or with NotResource. codes[how - 1] names the finding on "*",
 * codes[how + 2] the one with NotResource. */
struct broad_grant {
	const char *action;
	const char *codes[6];
	enum kh_severity sev;
	const char *fix, *harm;
	const char *on_star, *on_not; /* what "every resource" is, in words */
	int (*broad_resource)(const char *arn);
};

static void check_broad_grant(struct vctx *vc, const struct kh_statement *st,
			      const struct broad_grant *g)
{
	size_t at = 0;
	int how, star = 0;
	char path[96];
	struct kh_pos pos;

	if (st->effect != KH_EFFECT_ALLOW || !vc_grants(vc) || !(how = grant_of(st, g->action, &at)))
		return;
	for (size_t i = 0; i < st->resource.n; i++)
		star |= strcmp(st->resource.items[i], "*") == 0 ||
			(g->broad_resource && g->broad_resource(st->resource.items[i]));
	if (!star && !st->not_resource.present)
		return;
	if (how == 3) {
		snprintf(path, sizeof(path), "%s.NotAction", st->path);
		pos = st->not_action.key_pos;
	} else {
		vc_item_path(path, sizeof(path), st, "Action", &st->action, at);
		pos = st->action.pos[at];
	}
	vc_add(vc, g->sev, g->codes[star ? how - 1 : how + 2], path, pos, g->fix,
	       "the statement allows %s on %s, so %s", g->action, star ? g->on_star : g->on_not,
	       g->harm);
}

/* Does a role ARN pattern match the service-linked roles of more than one
 * service, as "arn:aws:iam::*:role/aws-service-role/" and a '*' does? */
static int any_slr(const char *arn)
{
	static const char *const partitions[] = {"aws", "aws-cn", "aws-us-gov"};
	char a[160], b[160];

	if (!strpbrk(arn, "*?"))
		return 0;
	for (size_t i = 0; i < sizeof(partitions) / sizeof(partitions[0]); i++) {
		snprintf(a, sizeof(a), "arn:%s:iam::111122223333:role/aws-service-role/"
			 "one.amazonaws.com/AWSServiceRoleForOne", partitions[i]);
		snprintf(b, sizeof(b), "arn:%s:iam::111122223333:role/aws-service-role/"
			 "two.amazonaws.com/AWSServiceRoleForTwo", partitions[i]);
		if (vc_resource_covers(arn, a) && vc_resource_covers(arn, b))
			return 1;
	}
	return 0;
}

static const struct broad_grant pass_role = {
	"iam:PassRole",
	{"PASS_ROLE_WITH_STAR_IN_RESOURCE", "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE",
	 "PASS_ROLE_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION", "PASS_ROLE_WITH_NOT_RESOURCE",
	 "PASS_ROLE_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE",
	 "PASS_ROLE_WITH_NOT_ACTION_AND_NOT_RESOURCE"},
	KH_SEV_SECURITY_WARNING,
	"name the roles in 'Resource' (arn:aws:iam::ACCOUNT:role/NAME) and add an "
	"iam:PassedToService condition",
	"whoever holds it can hand any role, however privileged, to a service",
	"every role ('Resource': '*')",
	"every role not in 'NotResource'",
	NULL,
};

static const struct broad_grant create_slr = {
	"iam:CreateServiceLinkedRole",
	{"CREATE_SLR_WITH_STAR_IN_RESOURCE", "CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE",
	 "CREATE_SLR_WITH_STAR_IN_RESOURCE_AND_NOT_ACTION", "CREATE_SLR_WITH_NOT_RESOURCE",
	 "CREATE_SLR_WITH_STAR_IN_ACTION_AND_NOT_RESOURCE",
	 "CREATE_SLR_WITH_NOT_ACTION_AND_NOT_RESOURCE"},
	KH_SEV_WARNING,
	"name the service in 'Resource' (arn:aws:iam::*:role/aws-service-role/"
	"SERVICE.amazonaws.com/*) or add an iam:AWSServiceName condition",
	"whoever holds it can create service-linked roles for services the workload "
	"does not use",
	"the service-linked roles of every service",
	"every role not in 'NotResource'",
	any_slr,
};

void vc_check_actions(struct vctx *vc, const struct kh_statement *st)
{
	char path[64];

	check_list(vc, st, "Action", &st->action);
	check_list(vc, st, "NotAction", &st->not_action);
	if (st->effect == KH_EFFECT_ALLOW && st->not_action.present && vc_grants(vc)) {
		snprintf(path, sizeof(path), "%s.NotAction", st->path);
		vc_add(vc, KH_SEV_SECURITY_WARNING, "ALLOW_WITH_NOT_ACTION", path,
		       st->not_action.key_pos, "list the allowed actions in 'Action' instead",
		       "'Allow' with 'NotAction' allows every action not listed, including "
		       "actions that services add later");
	}
	check_broad_grant(vc, st, &pass_role);
	check_broad_grant(vc, st, &create_slr);
}

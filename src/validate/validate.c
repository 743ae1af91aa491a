/* validate.c - the validator's entry points and its structural checks:
 * parser problems (an element written in another case among them),
 * Version, Statement, Effect, the presence of Action and Resource,
 * Principal for the policy type, Sids and the size quota. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "validate/validate_int.h"

/* Which element an unknown key spells in another case ("action"), and
 * whether the statement (or the policy, for st == NULL) has it too. */
static const char *case_twin(const struct kh_policy *p, const struct kh_statement *st,
			     const char *key, int *present)
{
	const struct {
		const char *name;
		int present;
	} top[] = {
		{"Version", p->version || p->version_pos.line},
		{"Id", p->id != NULL},
		{"Statement", p->has_statement},
	}, stmt[] = {
		{"Sid", st && (st->sid || st->sid_pos.line)},
		{"Effect", st && (st->effect != KH_EFFECT_MISSING || st->effect_pos.line)},
		{"Principal", st && st->principal.present},
		{"NotPrincipal", st && st->not_principal.present},
		{"Action", st && st->action.present},
		{"NotAction", st && st->not_action.present},
		{"Resource", st && st->resource.present},
		{"NotResource", st && st->not_resource.present},
		{"Condition", st && st->has_condition},
	};
	size_t n = st ? sizeof(stmt) / sizeof(stmt[0]) : sizeof(top) / sizeof(top[0]);

	for (size_t i = 0; i < n; i++) {
		const char *name = st ? stmt[i].name : top[i].name;
		if (strcasecmp(name, key) == 0) {
			*present = st ? stmt[i].present : top[i].present;
			return name;
		}
	}
	return NULL;
}

/* An unknown key that is a known element in another case: a duplicate
 * when the element is there too, a misspelling otherwise. */
static void report_unknown_key(struct vctx *vc, const struct kh_policy_problem *pr)
{
	const struct kh_policy *p = vc->policy;
	const struct kh_statement *st = NULL;
	const char *key = pr->path, *twin;
	char fix[96];
	int present = 0;

	for (size_t i = 0; i < p->n_statements && !st; i++) {
		size_t n = strlen(p->statements[i].path);
		if (strncmp(pr->path, p->statements[i].path, n) == 0 && pr->path[n] == '.') {
			st = &p->statements[i];
			key = pr->path + n + 1;
		}
	}
	if (!st && strchr(key, '.'))
		twin = NULL; /* not a key of the policy or of a statement */
	else
		twin = case_twin(p, st, key, &present);
	if (twin && present) {
		snprintf(fix, sizeof(fix), "keep one '%s' that holds everything both have", twin);
		vc_add(vc, KH_SEV_ERROR, "DUPLICATE_KEYS_WITH_DIFFERENT_CASE", pr->path, pr->pos, fix,
		       "'%s' repeats the element '%s' in another case; element names are "
		       "case-sensitive, so it is not read as '%s'",
		       key, twin, twin);
		return;
	}
	if (twin)
		snprintf(fix, sizeof(fix), "write it '%s' (keys are case-sensitive)", twin);
	vc_add(vc, KH_SEV_ERROR, "INVALID_POLICY_ELEMENT", pr->path, pr->pos,
	       twin ? fix : "remove the key or correct its spelling (keys are case-sensitive)",
	       "%s", pr->message);
}

/* The parser's problem codes, as Access Analyzer names them. */
static void check_problems(struct vctx *vc)
{
	const struct kh_policy *p = vc->policy;
	for (size_t i = 0; i < p->n_problems; i++) {
		const struct kh_policy_problem *pr = &p->problems[i];
		const char *code = pr->code;
		if (strcmp(code, "UNKNOWN_KEY") == 0) {
			report_unknown_key(vc, pr);
			continue;
		}
		if (strcmp(code, "INVALID_TYPE") == 0)
			code = "DATA_TYPE_MISMATCH";
		vc_add(vc, KH_SEV_ERROR, code, pr->path, pr->pos, NULL, "%s", pr->message);
	}
}

static void check_version(struct vctx *vc, const char *text, size_t len)
{
	const struct kh_policy *p = vc->policy;
	struct kh_pos top = {1, 1};
	if (!p->version) {
		/* A Version that is not a string is already a DATA_TYPE_MISMATCH. */
		if (p->version_pos.line)
			return;
		if (!text)
			top.line = top.col = 0;
		vc_add(vc, KH_SEV_WARNING, "MISSING_VERSION", "", top,
		       "add \"Version\": \"2012-10-17\"",
		       "the policy has no 'Version'; without it IAM uses 2008-10-17, "
		       "which does not support policy variables");
		return;
	}
	if (strcmp(p->version, "2012-10-17") == 0)
		return;
	if (strcmp(p->version, "2008-10-17") == 0) {
		if (text && memmem(text, len, "${", 2))
			vc_add(vc, KH_SEV_ERROR, "VARIABLE_UNSUPPORTED_IN_VERSION", "Version",
			       p->version_pos, "use \"Version\": \"2012-10-17\"",
			       "policy variables such as ${aws:username} need version "
			       "'2012-10-17', not '2008-10-17'");
		return;
	}
	vc_add(vc, KH_SEV_ERROR, "INVALID_VERSION", "Version", p->version_pos,
	       "use \"Version\": \"2012-10-17\"",
	       "the version '%s' is not valid; use '2012-10-17' or '2008-10-17'", p->version);
}

static void check_effect(struct vctx *vc, const struct kh_statement *st)
{
	char path[64];
	snprintf(path, sizeof(path), "%s.Effect", st->path);
	if (st->effect == KH_EFFECT_MISSING)
		vc_add(vc, KH_SEV_ERROR, "MISSING_EFFECT", st->path, st->pos,
		       "add \"Effect\": \"Allow\" or \"Effect\": \"Deny\"",
		       "the statement has no 'Effect'");
	else if (st->effect == KH_EFFECT_INVALID && st->effect_raw)
		vc_add(vc, KH_SEV_ERROR, "INVALID_EFFECT", path, st->effect_pos,
		       strcasecmp(st->effect_raw, "deny") == 0    ? "write \"Deny\""
		       : strcasecmp(st->effect_raw, "allow") == 0 ? "write \"Allow\""
								  : "use \"Allow\" or \"Deny\"",
		       "the effect '%s' is not valid; it must be \"Allow\" or \"Deny\" "
		       "(case-sensitive)",
		       st->effect_raw);
}

/* Action/NotAction or Resource/NotResource: one, not both, not neither. */
static void check_pair(struct vctx *vc, const struct kh_statement *st,
		       const struct kh_strlist *a, const struct kh_strlist *nota, const char *name,
		       int required)
{
	char path[64];
	int is_action = strcmp(name, "Action") == 0;

	if (!a->present && !nota->present) {
		if (required)
			vc_add(vc, KH_SEV_ERROR, is_action ? "MISSING_ACTION" : "MISSING_RESOURCE",
			       st->path, st->pos, NULL,
			       "the statement has neither '%s' nor 'Not%s'", name, name);
		return;
	}
	if (a->present && nota->present) {
		snprintf(path, sizeof(path), "%s.Not%s", st->path, name);
		vc_add(vc, KH_SEV_ERROR, "UNSUPPORTED_ELEMENT_COMBINATION", path, nota->key_pos,
		       NULL, "'%s' and 'Not%s' cannot be used in the same statement", name, name);
	}
	for (int k = 0; k < 2; k++) {
		const struct kh_strlist *l = k ? nota : a;
		if (l->present && l->is_array && l->n == 0) {
			snprintf(path, sizeof(path), "%s.%s%s", st->path, k ? "Not" : "", name);
			vc_add(vc, KH_SEV_SUGGESTION,
			       is_action ? "EMPTY_ARRAY_ACTION" : "EMPTY_ARRAY_RESOURCE", path,
			       l->key_pos, "remove the element or the statement",
			       "'%s%s' is an empty array, so the statement matches nothing",
			       k ? "Not" : "", name);
		}
	}
}

static void report_unsupported_principal(struct vctx *vc, const struct kh_statement *st,
					 const struct kh_principal *pr, const char *name)
{
	char path[64];
	snprintf(path, sizeof(path), "%s.%s", st->path, name);
	if (vc->opts.policy_type == KH_POLICY_TYPE_SCP)
		vc_add(vc, KH_SEV_ERROR, "SCP_SYNTAX_ERROR_PRINCIPAL", path, pr->pos,
		       "remove it: an SCP applies to the identities of the accounts it is "
		       "attached to",
		       "a service control policy does not support the '%s' element", name);
	else if (vc->opts.policy_type == KH_POLICY_TYPE_TRUST)
		vc_add(vc, KH_SEV_ERROR, "ROLE_TRUST_POLICY_SYNTAX_ERROR_NOTPRINCIPAL", path,
		       pr->pos, "name who may assume the role in 'Principal'",
		       "a role trust policy does not support 'NotPrincipal'");
	else
		vc_add(vc, KH_SEV_ERROR, "UNSUPPORTED_PRINCIPAL", path, pr->pos,
		       "remove it, or validate with --policy-type resource",
		       "a %s policy does not support the '%s' element",
		       kh_policy_type_name(vc->opts.policy_type), name);
}

static void check_principal(struct vctx *vc, const struct kh_statement *st)
{
	char path[64];
	int trust = vc->opts.policy_type == KH_POLICY_TYPE_TRUST;

	if (!vc_takes_principal(vc)) {
		const struct kh_principal *pr = st->principal.present ? &st->principal
									: &st->not_principal;
		if (pr->present)
			report_unsupported_principal(vc, st, pr,
						     pr == &st->principal ? "Principal"
									  : "NotPrincipal");
		return;
	}
	if (!st->principal.present && (trust || !st->not_principal.present))
		vc_add(vc, KH_SEV_ERROR, "MISSING_PRINCIPAL", st->path, st->pos, NULL,
		       trust ? "a statement of a role trust policy needs 'Principal'"
			     : "a statement of a resource policy needs 'Principal' or "
			       "'NotPrincipal'");
	if (trust && st->not_principal.present) {
		report_unsupported_principal(vc, st, &st->not_principal, "NotPrincipal");
	} else if (st->not_principal.present && st->effect == KH_EFFECT_ALLOW) {
		snprintf(path, sizeof(path), "%s.NotPrincipal", st->path);
		vc_add(vc, KH_SEV_SECURITY_WARNING, "ALLOW_WITH_NOT_PRINCIPAL", path,
		       st->not_principal.pos, "name the principals in 'Principal' instead",
		       "'Allow' with 'NotPrincipal' grants access to every principal not listed, "
		       "including anonymous users");
	}
}

static int sid_is_alnum(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9')))
			return 0;
	return 1;
}

static void check_sid(struct vctx *vc, size_t index)
{
	const struct kh_statement *st = &vc->policy->statements[index];
	char path[64];

	if (!st->sid)
		return;
	snprintf(path, sizeof(path), "%s.Sid", st->path);
	if (!st->sid[0]) {
		vc_add(vc, KH_SEV_SUGGESTION, "EMPTY_SID_VALUE", path, st->sid_pos,
		       "remove the Sid or give it a value", "the 'Sid' is empty");
		return;
	}
	if (!vc_takes_principal(vc) && !sid_is_alnum(st->sid))
		vc_add(vc, KH_SEV_ERROR, "UNSUPPORTED_SID", path, st->sid_pos,
		       "use only the characters A-Z, a-z and 0-9",
		       "the Sid '%s' holds characters that identity policies do not accept",
		       st->sid);
	for (size_t j = 0; j < index; j++) {
		const char *other = vc->policy->statements[j].sid;
		if (!other || strcmp(other, st->sid) != 0)
			continue;
		if (!vc_takes_principal(vc))
			vc_add(vc, KH_SEV_WARNING, "UNIQUE_SIDS_RECOMMENDED", path, st->sid_pos,
			       "give each statement its own Sid",
			       "the Sid '%s' is also used by %s", st->sid,
			       vc->policy->statements[j].path);
		else
			vc_add(vc, KH_SEV_ERROR, "UNIQUE_SIDS_REQUIRED", path, st->sid_pos,
			       "give each statement its own Sid",
			       "the Sid '%s' is also used by %s; resource policies require "
			       "unique Sids",
			       st->sid, vc->policy->statements[j].path);
		break;
	}
}

/* Characters of UTF-8 text (bytes that do not continue a sequence). */
static size_t utf8_chars(const char *text, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)text[i] & 0xc0) != 0x80;
	return n;
}

static void check_size(struct vctx *vc, const char *text, size_t len)
{
	enum kh_policy_type type = vc->opts.policy_type;
	size_t limit = kh_policy_type_limit(type), size;
	struct kh_pos top = {1, 1};
	struct kh_buf b;
	const char *code = "POLICY_SIZE_EXCEEDS_IDENTITY_POLICY_QUOTA", *counted = "without whitespace";
	enum kh_severity sev = KH_SEV_ERROR;

	if (text) {
		size = type == KH_POLICY_TYPE_SCP ? utf8_chars(text, len)
						  : kh_policy_text_size(text, len);
	} else {
		kh_buf_init(&b, 0);
		if (kh_policy_write(vc->policy, &b, 1) != KH_OK) {
			kh_buf_release(&b);
			vc->rc = KH_ENOMEM;
			return;
		}
		size = b.len;
		kh_buf_release(&b);
		top.line = top.col = 0;
	}
	if (size <= limit)
		return;
	if (type == KH_POLICY_TYPE_RESOURCE) {
		code = "POLICY_SIZE_EXCEEDS_RESOURCE_POLICY_QUOTA";
	} else if (type == KH_POLICY_TYPE_SCP) {
		code = "POLICY_SIZE_EXCEEDS_SCP_QUOTA";
		counted = "(whitespace counts in an SCP)";
	} else if (type == KH_POLICY_TYPE_TRUST) {
		/* The account's quota may have been raised, up to 4,096. */
		code = "POLICY_SIZE_EXCEEDS_ROLE_TRUST_POLICY_QUOTA";
		sev = KH_SEV_WARNING;
	}
	vc_add(vc, sev, code, "", top,
	       type == KH_POLICY_TYPE_TRUST
		       ? "shorten the policy, or ask for a higher role trust policy quota "
			 "(Service Quotas)"
		       : "split the policy, or merge actions into narrower wildcards",
	       "the policy has %zu characters %s, over the %zu allowed for policy type %s",
	       size, counted, limit, kh_policy_type_name(type));
}

void vc_check_structure(struct vctx *vc, const char *text, size_t len)
{
	const struct kh_policy *p = vc->policy;
	struct kh_pos top = {text ? 1 : 0, text ? 1 : 0};

	check_problems(vc);
	check_version(vc, text, len);
	if (!p->has_statement)
		vc_add(vc, KH_SEV_ERROR, "MISSING_STATEMENT", "", top, NULL,
		       "the policy has no 'Statement'");
	for (size_t i = 0; i < p->n_statements; i++) {
		const struct kh_statement *st = &p->statements[i];
		check_effect(vc, st);
		check_pair(vc, st, &st->action, &st->not_action, "Action", 1);
		check_pair(vc, st, &st->resource, &st->not_resource, "Resource",
			   vc_is_identity(vc));
		check_principal(vc, st);
		vc_check_principals(vc, st);
		vc_check_trust(vc, st);
		check_sid(vc, i);
	}
	check_size(vc, text, len);
}

int kh_validate(const struct kh_catalog *cat, const struct kh_policy *policy, const char *text,
		size_t len, const struct kh_validate_opts *opts, struct kh_findings *out)
{
	struct vctx vc = {.cat = cat, .policy = policy, .opts = {KH_POLICY_TYPE_MANAGED}, .out = out};

	if (opts)
		vc.opts = *opts;
	vc_check_structure(&vc, text, len);
	vc_check_empty_blocks(&vc, text, len);
	for (size_t i = 0; i < policy->n_statements; i++) {
		vc_check_actions(&vc, &policy->statements[i]);
		vc_check_resources(&vc, &policy->statements[i]);
		vc_check_conditions(&vc, &policy->statements[i]);
		vc_check_variables(&vc, &policy->statements[i]);
	}
	vc_check_privesc(&vc);
	vc_check_statements(&vc);
	kh_findings_sort(out);
	return vc.rc;
}

int kh_validate_text(const struct kh_catalog *cat, const char *text, size_t len,
		     const struct kh_validate_opts *opts, struct kh_findings *out,
		     struct kh_policy **policy_out, struct kh_error *err)
{
	struct kh_policy *p = NULL;
	struct kh_error local = {0};
	int rc;

	if (policy_out)
		*policy_out = NULL;
	if (!err)
		err = &local;
	rc = kh_policy_parse(text, len, &p, err);
	if (rc == KH_EINPUT) {
		struct vctx vc = {.cat = cat, .opts = {KH_POLICY_TYPE_MANAGED}, .out = out};
		struct kh_pos pos = {err->line, err->col};
		vc_add(&vc, KH_SEV_ERROR, "JSON_SYNTAX_ERROR", err->path, pos, NULL, "%s",
		       err->msg);
		return vc.rc != KH_OK ? vc.rc : KH_EINPUT;
	}
	if (rc != KH_OK)
		return rc;
	rc = kh_validate(cat, p, text, len, opts, out);
	if (rc == KH_OK && policy_out)
		*policy_out = p;
	else
		kh_policy_free(p);
	return rc;
}

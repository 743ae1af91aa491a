/* principals.c - what a Principal holds in resource and trust policies
 * (its keys, empty lists, wildcards, the form of service principals, a
 * service granted access with no condition on the source), and what a
 * role trust policy may say: no Resource, no "Principal": "*", only the
 * STS actions that act on a role, a condition on the identity provider of
 * an OIDC principal, and no session ARN beside its own role's ARN. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "keyhole/buf.h"
#include "validate/validate_int.h"

static const char *const principal_keys[] = {"AWS", "Service", "Federated", "CanonicalUser"};

static const char *known_key(const char *key, int ignore_case)
{
	for (size_t i = 0; i < sizeof(principal_keys) / sizeof(principal_keys[0]); i++)
		if ((ignore_case ? strcasecmp : strcmp)(key, principal_keys[i]) == 0)
			return principal_keys[i];
	return NULL;
}

static int has_suffix(const char *s, size_t n, const char *suffix)
{
	size_t k = strlen(suffix);
	return n > k && memcmp(s + n - k, suffix, k) == 0;
}

/* name.amazonaws.com, with an optional Region label before the domain
 * (logs.us-east-1.amazonaws.com), or the domains of the China and isolated
 * partitions, and a few services of amazon.com. Lower-case letters,
 * digits, '-' and '.' only. */
static int valid_service_principal(const char *v)
{
	static const char *const domains[] = {".amazonaws.com", ".amazonaws.com.cn",
					      ".amazon.com", ".c2s.ic.gov", ".sc2s.sgov.gov"};
	size_t n = strlen(v);

	if (!n || v[0] == '.' || v[0] == '-' || strstr(v, ".."))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= '0' && v[i] <= '9') || v[i] == '-' ||
		      v[i] == '.'))
			return 0;
	for (size_t i = 0; i < sizeof(domains) / sizeof(domains[0]); i++)
		if (has_suffix(v, n, domains[i]))
			return 1;
	return 0;
}

/* "role" for an IAM role's unique ID (AROA...), "user" for a user's
 * (AIDA...), NULL otherwise. IAM shows a principal so once the role or
 * user it named was deleted. */
static const char *unique_id_kind(const char *v)
{
	size_t n = strlen(v);

	if (n < 16 || n > 32)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!((v[i] >= 'A' && v[i] <= 'Z') || (v[i] >= '0' && v[i] <= '9')))
			return NULL;
	return strncmp(v, "AROA", 4) == 0 ? "role" : strncmp(v, "AIDA", 4) == 0 ? "user" : NULL;
}

static void check_values(struct vctx *vc, const struct kh_principal_entry *e, const char *key,
			 const char *path)
{
	const char *kind;

	char ipath[400];

	for (size_t i = 0; i < e->values.n; i++) {
		const char *v = e->values.items[i];
		snprintf(ipath, sizeof(ipath), e->values.is_array ? "%s[%zu]" : "%s", path, i);
		if (strpbrk(v, "*?") && !(strcmp(key, "AWS") == 0 && strcmp(v, "*") == 0))
			vc_add(vc, KH_SEV_ERROR, "UNSUPPORTED_WILDCARD_IN_PRINCIPAL", ipath,
			       e->values.pos[i],
			       strcmp(key, "AWS") == 0
				       ? "name the principal in full, or use \"*\" with a condition "
					 "such as aws:PrincipalOrgID"
				       : "name the principal in full",
			       "'%s' holds a wildcard, which the principal key '%s' does not "
			       "support: the principal matches nothing",
			       v, key);
		else if (strcmp(key, "Service") == 0 && !valid_service_principal(v))
			vc_add(vc, KH_SEV_ERROR, "INVALID_SERVICE_PRINCIPAL_FORMAT", ipath,
			       e->values.pos[i], "write the service's principal, such as "
			       "'lambda.amazonaws.com'",
			       "'%s' is not a service principal: they are written in lower case "
			       "as NAME.amazonaws.com",
			       v);
		else if (strcmp(key, "AWS") == 0 && (kind = unique_id_kind(v)))
			vc_add(vc, KH_SEV_WARNING,
			       kind[0] == 'r' ? "INVALID_ROLE_REFERENCE" : "INVALID_USER_REFERENCE",
			       ipath, e->values.pos[i],
			       kind[0] == 'r' ? "name the role by its ARN, "
						"arn:aws:iam::ACCOUNT:role/NAME"
					      : "name the user by its ARN, "
						"arn:aws:iam::ACCOUNT:user/NAME",
			       "'%s' is the unique ID of an IAM %s, not its ARN: IAM shows one when "
			       "the %s was deleted, and a %s created again with the same name does "
			       "not match it",
			       v, kind, kind, kind);
	}
}

static void check_entries(struct vctx *vc, const struct kh_statement *st,
			  const struct kh_principal *pr, const char *name)
{
	char path[300], fix[96];

	/* entries is NULL when the element was not an object (a type error). */
	if (!pr->present || pr->is_star || !pr->entries)
		return;
	snprintf(path, sizeof(path), "%s.%s", st->path, name);
	if (pr->n_entries == 0)
		vc_add(vc, KH_SEV_SUGGESTION, "EMPTY_OBJECT_PRINCIPAL", path, pr->pos,
		       "name the principals, or remove the statement",
		       "'%s' is an empty object, so the statement applies to no one", name);
	for (size_t i = 0; i < pr->n_entries; i++) {
		const struct kh_principal_entry *e = &pr->entries[i];
		const char *right = known_key(e->type, 0);
		snprintf(path, sizeof(path), "%s.%s.%s", st->path, name, e->type);
		if (!right) {
			right = known_key(e->type, 1);
			if (right)
				snprintf(fix, sizeof(fix), "write it '%s' (keys are case-sensitive)",
					 right);
			vc_add(vc, KH_SEV_ERROR, "INVALID_PRINCIPAL_KEY", path, e->values.key_pos,
			       right ? fix : "use AWS, Service, Federated or CanonicalUser",
			       "'%s' is not a principal key", e->type);
			continue;
		}
		if (strcmp(right, "Federated") == 0 && e->values.n &&
		    vc->opts.policy_type == KH_POLICY_TYPE_RESOURCE) {
			vc_add(vc, KH_SEV_ERROR, "FEDERATED_PRINCIPAL_NOT_SUPPORTED", path,
			       e->values.key_pos,
			       "name an account, role, user or service; identity providers are "
			       "trusted in a role trust policy",
			       "a resource policy takes no Federated principal: identity providers "
			       "act by assuming a role");
			continue;
		}
		if (e->values.present && e->values.is_array && e->values.n == 0)
			vc_add(vc, KH_SEV_SUGGESTION, "EMPTY_ARRAY_PRINCIPAL", path,
			       e->values.key_pos, "name the principals, or remove the key",
			       "'%s' is an empty array, so it names no principal", e->type);
		check_values(vc, e, e->type, path);
	}
}

static const struct kh_principal_entry *entry(const struct kh_principal *pr, const char *type)
{
	for (size_t i = 0; pr->entries && i < pr->n_entries; i++)
		if (strcmp(pr->entries[i].type, type) == 0)
			return &pr->entries[i];
	return NULL;
}

/* The first condition whose key starts with the n bytes of prefix (any
 * case), or NULL. */
static const struct kh_condition *condition_with(const struct kh_statement *st,
						 const char *prefix, size_t n)
{
	for (size_t i = 0; i < st->n_conditions; i++)
		if (strncasecmp(st->conditions[i].key, prefix, n) == 0)
			return &st->conditions[i];
	return NULL;
}

/* A service granted access in a resource policy acts for every account
 * that uses the service unless a condition names the source. */
static void check_service_source(struct vctx *vc, const struct kh_statement *st)
{
	static const char *const source_keys[] = {"aws:SourceArn", "aws:SourceAccount",
						  "aws:SourceOrgID", "aws:SourceOrgPaths"};
	const struct kh_principal_entry *e = entry(&st->principal, "Service");
	char path[96];

	if (vc->opts.policy_type != KH_POLICY_TYPE_RESOURCE || st->effect != KH_EFFECT_ALLOW ||
	    !e || !e->values.n)
		return;
	for (size_t i = 0; i < st->n_conditions; i++)
		for (size_t k = 0; k < sizeof(source_keys) / sizeof(source_keys[0]); k++)
			if (strcasecmp(st->conditions[i].key, source_keys[k]) == 0)
				return;
	snprintf(path, sizeof(path), "%s.Principal.Service", st->path);
	vc_add(vc, KH_SEV_SECURITY_WARNING, "RESTRICT_ACCESS_TO_SERVICE_PRINCIPAL", path,
	       e->values.key_pos,
	       "add a condition on aws:SourceArn or aws:SourceAccount (or aws:SourceOrgID, "
	       "aws:SourceOrgPaths)",
	       "the statement grants '%s' access with no condition on the source, so the "
	       "service may use it on behalf of any account (the confused deputy problem)",
	       e->values.items[0]);
}

void vc_check_principals(struct vctx *vc, const struct kh_statement *st)
{
	if (!vc_takes_principal(vc))
		return;
	check_entries(vc, st, &st->principal, "Principal");
	check_entries(vc, st, &st->not_principal, "NotPrincipal");
	check_service_source(vc, st);
}

/* ---- role trust policies ---- */

/* The actions a trust policy grants act on the role: the STS actions of
 * the catalog whose resource types include the role. */
static int acts_on_role(const struct kh_action *a)
{
	if (strncmp(a->full_name, "sts:", 4) != 0)
		return 0;
	for (size_t k = 0; k < a->n_resources; k++)
		if (strcmp(a->resources[k].type->name, "role") == 0)
			return 1;
	return 0;
}

static void check_trust_actions(struct vctx *vc, const struct kh_statement *st)
{
	char path[96];

	for (size_t i = 0; i < st->action.n; i++) {
		const char *s = st->action.items[i];
		const struct kh_action **acts = NULL;
		size_t n = 0;
		int ok = 0;
		if (strcmp(s, "*") == 0 || vc_action_kind_code(vc_classify_action(vc->cat, s)))
			continue; /* names nothing: reported as such */
		if (kh_catalog_expand(vc->cat, s, &acts, &n) != KH_OK) {
			vc->rc = KH_ENOMEM;
			return;
		}
		for (size_t k = 0; k < n && !ok; k++)
			ok = acts_on_role(acts[k]);
		free(acts);
		if (ok || !n)
			continue;
		vc_item_path(path, sizeof(path), st, "Action", &st->action, i);
		vc_add(vc, KH_SEV_ERROR, "UNSUPPORTED_ACTION_IN_POLICY", path, st->action.pos[i],
		       "use sts:AssumeRole, sts:AssumeRoleWithSAML or "
		       "sts:AssumeRoleWithWebIdentity, with sts:TagSession, "
		       "sts:SetSourceIdentity or sts:SetContext as needed",
		       "'%s' is not an action on a role: a role trust policy only grants the "
		       "STS actions that assume the role or set its session's tags, source "
		       "identity or context",
		       s);
	}
}

/* The provider of a Federated principal that is an OIDC provider: the
 * part after "oidc-provider/" of its ARN, or the domain itself
 * (accounts.google.com). NULL for a SAML provider or anything else. */
static const char *oidc_provider(const char *v)
{
	const char *p;
	if (strncmp(v, "arn:", 4) != 0)
		return strchr(v, '.') && !strchr(v, ':') ? v : NULL;
	p = strstr(v, ":oidc-provider/");
	return p && p[15] ? p + 15 : NULL;
}

static int is_github(const char *url)
{
	return strcasecmp(url, "token.actions.githubusercontent.com") == 0;
}

static void check_github_sub(struct vctx *vc, const struct kh_statement *st, const char *url,
			     const char *path, struct kh_pos pos)
{
	char key[128];
	const struct kh_condition *c;

	snprintf(key, sizeof(key), "%s:sub", url);
	/* Comparing the terminating NUL too asks for the key exactly. */
	if (!(c = condition_with(st, key, strlen(key) + 1))) {
		vc_add(vc, KH_SEV_SECURITY_WARNING, "MISSING_GITHUB_REPO_CONDITION_KEY", path, pos,
		       "add a condition on token.actions.githubusercontent.com:sub naming the "
		       "repository and branch, as repo:ORG/REPO:ref:refs/heads/main",
		       "without a condition on '%s', a workflow of any GitHub repository may "
		       "assume the role",
		       key);
		return;
	}
	for (size_t i = 0; i < c->n_values; i++)
		if (strpbrk(c->values[i], "*?"))
			vc_add(vc, KH_SEV_WARNING, "SPECIFIC_GITHUB_REPO_AND_BRANCH_RECOMMENDED",
			       path, c->value_pos[i],
			       "name the repository and branch in full, as "
			       "repo:ORG/REPO:ref:refs/heads/main",
			       "'%s' holds a wildcard, so workflows of more repositories or "
			       "branches than intended may assume the role",
			       c->values[i]);
}

static int is_saml_provider(const char *v)
{
	const char *p = strncmp(v, "arn:", 4) == 0 ? strstr(v, ":saml-provider/") : NULL;
	return p && p[15];
}

/* A domain name: labels of letters, digits and '-' between dots. */
static int is_domain(const char *v)
{
	size_t n = strlen(v);

	if (!n || v[0] == '.' || v[n - 1] == '.' || !strchr(v, '.') || strstr(v, ".."))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((v[i] >= 'a' && v[i] <= 'z') || (v[i] >= 'A' && v[i] <= 'Z') ||
		      (v[i] >= '0' && v[i] <= '9') || v[i] == '-' || v[i] == '.'))
			return 0;
	return 1;
}

/* A Federated principal is a SAML provider's ARN, an OIDC provider's ARN
 * or the domain of a web identity provider (accounts.google.com). Values
 * with a wildcard are reported as such. */
static void check_federated_syntax(struct vctx *vc, const struct kh_statement *st,
				   const struct kh_principal_entry *e)
{
	char path[96];

	for (size_t i = 0; i < e->values.n; i++) {
		const char *v = e->values.items[i];
		if (strpbrk(v, "*?") || is_saml_provider(v) ||
		    (strncmp(v, "arn:", 4) == 0 ? oidc_provider(v) != NULL : is_domain(v)))
			continue;
		vc_item_path(path, sizeof(path), st, "Principal.Federated", &e->values, i);
		vc_add(vc, KH_SEV_ERROR, "INVALID_FEDERATED_PRINCIPAL_SYNTAX_IN_ROLE_TRUST_POLICY",
		       path, e->values.pos[i],
		       "write the provider's domain (accounts.google.com) or the ARN of an IAM "
		       "identity provider (arn:aws:iam::ACCOUNT:saml-provider/NAME or "
		       ":oidc-provider/URL)",
		       "'%s' is neither a domain name nor the ARN of a SAML or OIDC provider, "
		       "so it names no identity provider",
		       v);
	}
}

static void check_federated(struct vctx *vc, const struct kh_statement *st)
{
	const struct kh_principal_entry *e = entry(&st->principal, "Federated");
	char path[96], prefix[400];

	if (e)
		check_federated_syntax(vc, st, e);
	if (!e || st->effect != KH_EFFECT_ALLOW)
		return;
	snprintf(path, sizeof(path), "%s.Principal.Federated", st->path);
	for (size_t i = 0; i < e->values.n; i++) {
		const char *url = oidc_provider(e->values.items[i]);
		if (!url)
			continue;
		if (is_github(url)) {
			check_github_sub(vc, st, url, path, e->values.pos[i]);
			continue;
		}
		snprintf(prefix, sizeof(prefix), "%s:", url);
		if (!condition_with(st, prefix, strlen(prefix)))
			vc_add(vc, KH_SEV_SECURITY_WARNING, "MISSING_CONDITION_KEY_FOR_OIDC_PRINCIPAL",
			       path, e->values.pos[i],
			       "add a condition on the provider's claims, such as its :aud and "
			       ":sub keys",
			       "no condition key of the provider '%s' (such as '%saud'), so any "
			       "identity the provider issues tokens to may assume the role",
			       url, prefix);
	}
}

/* sts:AssumeRoleWithSAML is for SAML providers, and
 * sts:AssumeRoleWithWebIdentity for OIDC and web identity providers: the
 * other principals of a statement that names one cannot use it. */
static void check_action_principals(struct vctx *vc, const struct kh_statement *st)
{
	char path[96];

	if (!st->principal.entries)
		return;
	for (size_t i = 0; i < st->action.n; i++) {
		const char *a = st->action.items[i];
		int saml = strcasecmp(a, "sts:AssumeRoleWithSAML") == 0;
		size_t bad = 0;
		struct kh_buf list;

		if (!saml && strcasecmp(a, "sts:AssumeRoleWithWebIdentity") != 0)
			continue;
		kh_buf_init(&list, 1 << 14);
		for (size_t k = 0; k < st->principal.n_entries; k++) {
			const struct kh_principal_entry *e = &st->principal.entries[k];
			int fed = strcmp(e->type, "Federated") == 0;
			for (size_t j = 0; j < e->values.n; j++) {
				const char *v = e->values.items[j];
				if (fed && (saml ? is_saml_provider(v) : oidc_provider(v) != NULL))
					continue;
				if (bad++ < 4)
					kh_buf_printf(&list, "%s'%s'", bad > 1 ? ", " : "", v);
			}
		}
		if (bad > 4)
			kh_buf_printf(&list, " and %zu more", bad - 4);
		vc_item_path(path, sizeof(path), st, "Action", &st->action, i);
		if (kh_buf_error(&list))
			vc->rc = KH_ENOMEM;
		else if (bad)
			vc_add(vc, KH_SEV_ERROR, "MISMATCHED_ACTION_FOR_PRINCIPAL", path,
			       st->action.pos[i],
			       saml ? "give sts:AssumeRoleWithSAML to a Federated SAML provider "
				      "(arn:aws:iam::ACCOUNT:saml-provider/NAME), and the other "
				      "principals the action they use (sts:AssumeRole) in a "
				      "statement of their own"
				    : "give sts:AssumeRoleWithWebIdentity to a Federated OIDC "
				      "provider, and the other principals the action they use "
				      "(sts:AssumeRole) in a statement of their own",
			       "'%s' is only for %s, so %s cannot use it: %s",
			       a, saml ? "a Federated SAML provider" : "a Federated OIDC or web "
			       "identity provider", bad == 1 ? "this principal" : "these principals",
			       list.data);
		kh_buf_release(&list);
	}
}

/* IAM Roles Anywhere needs sts:AssumeRole, sts:SetSourceIdentity and
 * sts:TagSession to hand out a session of the role. */
static void check_roles_anywhere(struct vctx *vc, const struct kh_statement *st)
{
	static const char *const needed[] = {"sts:AssumeRole", "sts:SetSourceIdentity",
					     "sts:TagSession"};
	const struct kh_principal_entry *e = entry(&st->principal, "Service");
	char path[96], missing[96] = "";
	int found = 0;

	for (size_t i = 0; e && i < e->values.n; i++)
		found |= strcmp(e->values.items[i], "rolesanywhere.amazonaws.com") == 0;
	if (!found || st->effect != KH_EFFECT_ALLOW || !st->action.n)
		return;
	for (size_t k = 0; k < sizeof(needed) / sizeof(needed[0]); k++) {
		int covered = 0;
		for (size_t i = 0; i < st->action.n && !covered; i++)
			covered = vc_action_matches(st->action.items[i], needed[k]);
		if (!covered)
			snprintf(missing + strlen(missing), sizeof(missing) - strlen(missing),
				 "%s%s", missing[0] ? ", " : "", needed[k]);
	}
	if (!missing[0])
		return;
	snprintf(path, sizeof(path), "%s.Action", st->path);
	vc_add(vc, KH_SEV_ERROR, "MISSING_ACTION_FOR_ROLES_ANYWHERE_TRUST_POLICY", path,
	       st->action.key_pos, "add the missing actions to the statement",
	       "IAM Roles Anywhere (rolesanywhere.amazonaws.com) needs sts:AssumeRole, "
	       "sts:SetSourceIdentity and sts:TagSession to create a session of the role; "
	       "the statement lacks %s",
	       missing);
}

/* An identity provider's "aud" claim may hold one audience or several:
 * under ForAnyValue: or ForAllValues: it is taken for a set, and
 * ForAllValues: holds when the token has no audience at all. */
static void check_audience(struct vctx *vc, const struct kh_statement *st)
{
	char path[400];

	for (size_t i = 0; i < st->n_conditions; i++) {
		const struct kh_condition *c = &st->conditions[i];
		const char *colon = strchr(c->key, ':');
		int set = strncmp(c->op, "ForAnyValue:", 12) == 0 ||
			  strncmp(c->op, "ForAllValues:", 13) == 0;
		/* A provider's key: its prefix is a domain. */
		if (!set || !colon || strcasecmp(colon, ":aud") != 0 ||
		    !memchr(c->key, '.', (size_t)(colon - c->key)))
			continue;
		snprintf(path, sizeof(path), "%s.Condition.%s.%s", st->path, c->op, c->key);
		vc_add(vc, KH_SEV_SUGGESTION, "CONFIRM_AUDIENCE_CLAIM_TYPE", path, c->key_pos,
		       "keep the set prefix only if the provider's tokens may carry several "
		       "audiences; for a single audience, drop it",
		       "'%s' is the audience claim: '%.*s' takes it for a list of audiences; "
		       "most providers issue a single audience, which a plain operator "
		       "compares",
		       c->key, (int)(strchr(c->op, ':') - c->op), c->op);
	}
}

/* Splits "arn:P:sts::A:assumed-role/R/S" into partition, account and role
 * name; 1 when it is one. */
static int session_arn(const char *v, const char **p, size_t *pn, const char **a, size_t *an,
		       const char **r, size_t *rn)
{
	const char *s, *slash;
	if (strncmp(v, "arn:", 4) != 0 || !(s = strchr(v + 4, ':')) ||
	    strncmp(s, ":sts::", 6) != 0)
		return 0;
	*p = v + 4;
	*pn = (size_t)(s - *p);
	*a = s + 6;
	if (!(s = strchr(*a, ':')) || strncmp(s, ":assumed-role/", 14) != 0)
		return 0;
	*an = (size_t)(s - *a);
	*r = s + 14;
	if (!(slash = strchr(*r, '/')) || slash == *r)
		return 0;
	*rn = (size_t)(slash - *r);
	return 1;
}

/* Is v "arn:P:iam::A:role/[path/]R"? */
static int is_role_of(const char *v, const char *p, size_t pn, const char *a, size_t an,
		      const char *r, size_t rn)
{
	size_t n = strlen(v);
	char head[160];
	int hn = snprintf(head, sizeof(head), "arn:%.*s:iam::%.*s:role/", (int)pn, p, (int)an, a);

	if (hn < 0 || (size_t)hn >= sizeof(head) || strncmp(v, head, (size_t)hn) != 0 ||
	    n < (size_t)hn + rn || memcmp(v + n - rn, r, rn) != 0)
		return 0;
	return n == (size_t)hn + rn || v[n - rn - 1] == '/';
}

static void check_redundant_sessions(struct vctx *vc, const struct kh_statement *st)
{
	const struct kh_principal_entry *e = entry(&st->principal, "AWS");
	char path[96];

	for (size_t i = 0; e && i < e->values.n; i++) {
		const char *p, *a, *r;
		size_t pn, an, rn;
		if (!session_arn(e->values.items[i], &p, &pn, &a, &an, &r, &rn))
			continue;
		for (size_t j = 0; j < e->values.n; j++) {
			if (!is_role_of(e->values.items[j], p, pn, a, an, r, rn))
				continue;
			vc_item_path(path, sizeof(path), st, "Principal.AWS", &e->values, i);
			vc_add(vc, KH_SEV_SUGGESTION, "REDUNDANT_PRINCIPAL_IN_ROLE_TRUST_POLICY", path,
			       e->values.pos[i], "remove it",
			       "the session '%s' is redundant: its role '%s' is named too, which "
			       "covers every session of the role",
			       e->values.items[i], e->values.items[j]);
			break;
		}
	}
}

void vc_check_trust(struct vctx *vc, const struct kh_statement *st)
{
	char path[64];

	if (vc->opts.policy_type != KH_POLICY_TYPE_TRUST)
		return;
	if (st->principal.present && st->principal.is_star) {
		snprintf(path, sizeof(path), "%s.Principal", st->path);
		vc_add(vc, KH_SEV_ERROR, "ROLE_TRUST_POLICY_UNSUPPORTED_WILDCARD_IN_PRINCIPAL", path,
		       st->principal.pos,
		       "name who may assume the role: an account, role, service or identity "
		       "provider",
		       "a role trust policy does not support \"Principal\": \"*\"");
	}
	for (int k = 0; k < 2; k++) {
		const struct kh_strlist *l = k ? &st->not_resource : &st->resource;
		if (!l->present)
			continue;
		snprintf(path, sizeof(path), "%s.%s", st->path, k ? "NotResource" : "Resource");
		vc_add(vc, KH_SEV_ERROR, "ROLE_TRUST_POLICY_SYNTAX_ERROR_RESOURCE", path, l->key_pos,
		       "remove it", "a role trust policy applies to its role and takes no '%s'",
		       k ? "NotResource" : "Resource");
	}
	check_trust_actions(vc, st);
	check_federated(vc, st);
	check_action_principals(vc, st);
	check_roles_anywhere(vc, st);
	check_audience(vc, st);
	check_redundant_sessions(vc, st);
}

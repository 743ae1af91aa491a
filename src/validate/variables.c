/* variables.c - checks on policy variables ("${aws:username}"): where they
 * may appear (Resource, NotResource and condition values), their syntax
 * (a closing brace, a key, no spaces, a quoted default value) and their
 * key, which must be a condition key that exists. Under Version 2008-10-17
 * "${" is plain text; VARIABLE_UNSUPPORTED_IN_VERSION covers that. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "validate/validate_int.h"

/* Is the body of ${...} (n bytes) one of the escapes ${*} ${?} ${$}? */
static int is_escape(const char *body, size_t n)
{
	return n == 1 && (*body == '*' || *body == '?' || *body == '$');
}

static int has_space(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (isspace((unsigned char)s[i]))
			return 1;
	return 0;
}

/* A default value, after the comma: optional spaces, then 'text'. */
static int quoted_default(const char *s, size_t n)
{
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	return n >= 2 && s[0] == '\'' && s[n - 1] == '\'';
}

/* Letters and digits only, as in ${Region} or ${BucketName}. */
static int is_placeholder(const char *key)
{
	for (const char *p = key; *p; p++)
		if (!isalnum((unsigned char)*p))
			return 0;
	return 1;
}

/* ${Region} and ${BucketName} are the placeholders of the service
 * reference's ARN templates, which keyhole generate writes for the user to
 * fill in, not variables. Only a name that is a global key once "aws:" is
 * put before it (${username}) is taken for a variable missing its prefix. */
static void check_placeholder(struct vctx *vc, const char *key, const char *path,
			      struct kh_pos pos)
{
	char global[260], fix[300];

	snprintf(global, sizeof(global), "aws:%s", key);
	if (!kh_catalog_condition_key(vc->cat, global))
		return;
	snprintf(fix, sizeof(fix), "write ${%s}", global);
	vc_add(vc, KH_SEV_ERROR, "INVALID_CONDITION_KEY_FORMAT", path, pos, fix,
	       "the policy variable '${%s}' lacks its service prefix: the global key is '%s'",
	       key, global);
}

/* Checks one variable whose body (between "${" and "}") is n bytes. */
static void check_one(struct vctx *vc, const char *body, size_t n, const char *path,
		      struct kh_pos pos)
{
	const char *comma = memchr(body, ',', n);
	size_t klen = comma ? (size_t)(comma - body) : n;
	char key[256];

	if (is_escape(body, n))
		return;
	if (klen == 0) {
		vc_add(vc, KH_SEV_ERROR, "EMPTY_VARIABLE", path, pos,
		       "name a condition key inside the braces, as in ${aws:username}",
		       "the policy variable '${%.*s}' names no key, so there is nothing to "
		       "substitute",
		       (int)n, body);
		return;
	}
	if (has_space(body, klen)) {
		vc_add(vc, KH_SEV_ERROR, "UNSUPPORTED_SPACE_IN_VARIABLE", path, pos,
		       "remove the spaces between the braces (a default value may follow "
		       "', ')",
		       "the key of the policy variable '${%.*s}' holds a space, which IAM "
		       "does not accept there",
		       (int)n, body);
		return;
	}
	if (comma && !quoted_default(comma + 1, n - klen - 1))
		vc_add(vc, KH_SEV_ERROR, "MISSING_QUOTE_IN_VARIABLE", path, pos,
		       "quote the default value, as in ${aws:PrincipalTag/team, 'none'}",
		       "the default value of the policy variable '${%.*s}' must be written in "
		       "single quotes",
		       (int)n, body);
	if (klen >= sizeof(key) - 4)
		return;
	memcpy(key, body, klen);
	key[klen] = '\0';
	if (is_placeholder(key))
		check_placeholder(vc, key, path, pos);
	else
		vc_check_key(vc, key, path, pos, ", used as a policy variable,");
}

/* Checks every "${" of s. Where variables are not supported (allowed == 0)
 * one finding names the element instead. An unclosed variable is reported
 * once per string. */
static void check_string(struct vctx *vc, const char *s, const char *path, struct kh_pos pos,
			 const char *element, int allowed)
{
	const char *p = s;
	int unclosed = 0;

	while ((p = strstr(p, "${")) != NULL) {
		const char *body = p + 2, *end = body;

		if (!allowed) {
			vc_add(vc, KH_SEV_ERROR, "VARIABLE_UNSUPPORTED_IN_ELEMENT", path, pos,
			       "write the value out; variables work only in Resource, "
			       "NotResource and condition values",
			       "'%s' holds a policy variable, which %s does not support: it "
			       "stays literal text",
			       s, element);
			return;
		}
		/* The body runs to the first '}', unless a "${" or the end comes first. */
		while (*end && *end != '}' && !(end[0] == '$' && end[1] == '{'))
			end++;
		if (*end != '}') {
			if (!unclosed++)
				vc_add(vc, KH_SEV_ERROR, "MISSING_BRACE_IN_VARIABLE", path, pos,
				       "close the variable with '}'",
				       "the policy variable '%.*s' has no closing '}', so it is "
				       "not substituted",
				       (int)(*end ? end - p : 40), p);
			p = end;
			continue;
		}
		check_one(vc, body, (size_t)(end - body), path, pos);
		p = end + 1;
	}
}

static void check_list(struct vctx *vc, const struct kh_statement *st, const char *key,
		       const struct kh_strlist *l, const char *element, int allowed)
{
	char path[200];
	for (size_t i = 0; i < l->n; i++) {
		vc_item_path(path, sizeof(path), st, key, l, i);
		check_string(vc, l->items[i], path, l->pos[i], element, allowed);
	}
}

static void check_principal(struct vctx *vc, const struct kh_statement *st,
			    const struct kh_principal *pr, const char *name)
{
	char key[160], element[32];
	snprintf(element, sizeof(element), "the '%s' element", name);
	for (size_t i = 0; i < pr->n_entries; i++) {
		snprintf(key, sizeof(key), "%s.%s", name, pr->entries[i].type);
		check_string(vc, pr->entries[i].type, key, pr->pos, element, 0);
		check_list(vc, st, key, &pr->entries[i].values, element, 0);
	}
}

void vc_check_variables(struct vctx *vc, const struct kh_statement *st)
{
	const char *version = vc->policy->version;
	char path[400];

	if (version && strcmp(version, "2008-10-17") == 0)
		return;
	if (st->sid) {
		snprintf(path, sizeof(path), "%s.Sid", st->path);
		check_string(vc, st->sid, path, st->sid_pos, "the 'Sid' element", 0);
	}
	if (st->effect_raw) {
		snprintf(path, sizeof(path), "%s.Effect", st->path);
		check_string(vc, st->effect_raw, path, st->effect_pos, "the 'Effect' element", 0);
	}
	check_principal(vc, st, &st->principal, "Principal");
	check_principal(vc, st, &st->not_principal, "NotPrincipal");
	check_list(vc, st, "Action", &st->action, "the 'Action' element", 0);
	check_list(vc, st, "NotAction", &st->not_action, "the 'NotAction' element", 0);
	check_list(vc, st, "Resource", &st->resource, NULL, 1);
	check_list(vc, st, "NotResource", &st->not_resource, NULL, 1);
	for (size_t i = 0; i < st->n_conditions; i++) {
		const struct kh_condition *c = &st->conditions[i];
		snprintf(path, sizeof(path), "%s.Condition.%s.%s", st->path, c->op, c->key);
		check_string(vc, c->op, path, c->op_pos, "a condition operator", 0);
		check_string(vc, c->key, path, c->key_pos, "a condition key", 0);
		for (size_t j = 0; j < c->n_values; j++)
			if (c->types[j] == KH_VALUE_STRING)
				check_string(vc, c->values[j], path, c->value_pos[j], NULL, 1);
	}
}

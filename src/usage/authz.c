/* authz.c - a principal's effective identity policies from the output of
 * `aws iam get-account-authorization-details`: its inline policies, its
 * attached managed policies (default version), and for a user those of its
 * groups, merged into one policy document for the right-size report. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "keyhole/rightsize.h"
#include "util/jsonpos.h"

/* Appends every statement of document (an object, or a URL-encoded JSON
 * string as the raw API returns it) to merged, via its text. */
static int merge_document(const json_t *doc, struct kh_buf *statements, const char *where,
			  struct kh_error *err)
{
	json_t *owned = NULL, *st;
	json_error_t jerr;
	size_t i;
	json_t *v;

	if (json_is_string(doc)) {
		const char *s = json_string_value(doc);
		struct kh_buf dec;
		kh_buf_init(&dec, 0);
		for (; *s; s++) {
			unsigned hi, lo;
			if (*s == '%' && sscanf(s + 1, "%1x%1x", &hi, &lo) == 2) {
				kh_buf_putc(&dec, (char)(hi * 16 + lo));
				s += 2;
			} else {
				kh_buf_putc(&dec, *s == '+' ? ' ' : *s);
			}
		}
		owned = kh_json_load(dec.data, dec.len, 0, &jerr);
		kh_buf_release(&dec);
		if (!owned)
			return kh_error_set(err, KH_EINPUT, "%s: policy document is not JSON: %s",
					    where, jerr.text);
		doc = owned;
	}
	st = json_object_get(doc, "Statement");
	if (json_is_object(st)) {
		char *t = json_dumps(st, JSON_COMPACT | JSON_PRESERVE_ORDER);
		kh_buf_printf(statements, "%s%s", statements->len ? "," : "", t ? t : "{}");
		free(t);
	} else if (json_is_array(st)) {
		json_array_foreach(st, i, v) {
			char *t = json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
			kh_buf_printf(statements, "%s%s", statements->len ? "," : "", t ? t : "{}");
			free(t);
		}
	} else {
		json_decref(owned);
		return kh_error_set(err, KH_EINPUT, "%s: policy document has no Statement", where);
	}
	json_decref(owned);
	return KH_OK;
}

static int merge_inline(const json_t *list, const char *doc_key, struct kh_buf *out,
			struct kh_error *err)
{
	size_t i;
	json_t *p;
	int rc;
	json_array_foreach(list, i, p) {
		const json_t *name = json_object_get(p, "PolicyName");
		char where[300];
		snprintf(where, sizeof(where), "inline policy '%s'",
			 json_is_string(name) ? json_string_value(name) : "?");
		if ((rc = merge_document(json_object_get(p, doc_key), out, where, err)))
			return rc;
	}
	return KH_OK;
}

/* The default version's document of managed policy arn. */
static const json_t *managed_document(const json_t *root, const char *arn)
{
	size_t i, j;
	json_t *p, *v;
	json_array_foreach(json_object_get(root, "Policies"), i, p) {
		if (!json_is_string(json_object_get(p, "Arn")) ||
		    strcmp(json_string_value(json_object_get(p, "Arn")), arn) != 0)
			continue;
		json_array_foreach(json_object_get(p, "PolicyVersionList"), j, v)
			if (json_is_true(json_object_get(v, "IsDefaultVersion")))
				return json_object_get(v, "Document");
	}
	return NULL;
}

static int merge_attached(const json_t *root, const json_t *attached, struct kh_buf *out,
			  struct kh_error *err)
{
	size_t i;
	json_t *a;
	int rc;
	json_array_foreach(attached, i, a) {
		const json_t *arn = json_object_get(a, "PolicyArn");
		const json_t *doc = json_is_string(arn) ? managed_document(root, json_string_value(arn))
							: NULL;
		if (!doc)
			return kh_error_set(err, KH_EINPUT,
					    "managed policy '%s' is attached but not in the document's "
					    "Policies list (was it fetched with --filter LocalManagedPolicy "
					    "AWSManagedPolicy?)",
					    json_is_string(arn) ? json_string_value(arn) : "?");
		if ((rc = merge_document(doc, out, json_string_value(arn), err)))
			return rc;
	}
	return KH_OK;
}

static const json_t *find_by_arn(const json_t *list, const char *arn)
{
	size_t i;
	json_t *e;
	json_array_foreach(list, i, e)
		if (json_is_string(json_object_get(e, "Arn")) &&
		    strcmp(json_string_value(json_object_get(e, "Arn")), arn) == 0)
			return e;
	return NULL;
}

static int merge_groups(const json_t *root, const json_t *user, struct kh_buf *out,
			struct kh_error *err)
{
	size_t i, j;
	json_t *g, *gd;
	int rc;
	json_array_foreach(json_object_get(user, "GroupList"), i, g) {
		json_array_foreach(json_object_get(root, "GroupDetailList"), j, gd) {
			if (!json_is_string(g) ||
			    !json_is_string(json_object_get(gd, "GroupName")) ||
			    strcmp(json_string_value(json_object_get(gd, "GroupName")),
				   json_string_value(g)) != 0)
				continue;
			if ((rc = merge_inline(json_object_get(gd, "GroupPolicyList"), "PolicyDocument",
					       out, err)) ||
			    (rc = merge_attached(root, json_object_get(gd, "AttachedManagedPolicies"),
						 out, err)))
				return rc;
		}
	}
	return KH_OK;
}

int kh_authz_policy(const char *text, size_t len, const char *principal, struct kh_policy **out,
		    struct kh_error *err)
{
	json_error_t jerr;
	json_t *root = kh_json_load(text, len, 0, &jerr);
	const json_t *role, *user;
	struct kh_buf statements, doc;
	int rc = KH_OK;

	*out = NULL;
	if (!root)
		return kh_error_at(err, KH_EINPUT, jerr.line, jerr.column, NULL,
				   "authorization details: invalid JSON: %s", jerr.text);
	kh_buf_init(&statements, 0);
	role = find_by_arn(json_object_get(root, "RoleDetailList"), principal);
	user = role ? NULL : find_by_arn(json_object_get(root, "UserDetailList"), principal);
	if (role) {
		rc = merge_inline(json_object_get(role, "RolePolicyList"), "PolicyDocument", &statements,
				  err);
		if (!rc)
			rc = merge_attached(root, json_object_get(role, "AttachedManagedPolicies"),
					    &statements, err);
	} else if (user) {
		rc = merge_inline(json_object_get(user, "UserPolicyList"), "PolicyDocument",
				  &statements, err);
		if (!rc)
			rc = merge_attached(root, json_object_get(user, "AttachedManagedPolicies"),
					    &statements, err);
		if (!rc)
			rc = merge_groups(root, user, &statements, err);
	} else {
		rc = kh_error_set(err, KH_ENOTFOUND,
				  "'%s' is in neither RoleDetailList nor UserDetailList", principal);
	}
	if (rc == KH_OK) {
		kh_buf_init(&doc, 0);
		kh_buf_printf(&doc, "{\"Version\":\"2012-10-17\",\"Statement\":[%s]}", statements.data);
		rc = kh_policy_parse(doc.data, doc.len, out, err);
		kh_buf_release(&doc);
	}
	kh_buf_release(&statements);
	json_decref(root);
	return rc;
}

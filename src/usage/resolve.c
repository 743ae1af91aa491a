/* resolve.c - from what a user typed (--principal, an API request) to the
 * canonical principal of a usage summary. */
#include <string.h>

#include "keyhole/mapping.h"
#include "keyhole/rightsize.h"

static int sv_eq(struct kh_sv a, struct kh_sv b)
{
	return a.len == b.len && memcmp(a.ptr, b.ptr, a.len) == 0;
}

/* Roles match by account and name (the path is optional), sessions by
 * their role. */
static int key_matches(const struct kh_principal_spec *spec, const char *key)
{
	struct kh_principal_spec k;

	if (kh_principal_spec_parse(key, strlen(key), &k, NULL) != KH_OK)
		return 0;
	if (spec->kind == KH_PRINCIPAL_SESSION)
		return k.kind == KH_PRINCIPAL_ROLE && sv_eq(k.account, spec->account) &&
		       sv_eq(k.name, spec->name);
	if (k.kind != spec->kind || !sv_eq(k.account, spec->account))
		return 0;
	if (spec->kind == KH_PRINCIPAL_ROOT)
		return 1;
	if (!sv_eq(k.name, spec->name))
		return 0;
	/* A path in the spec must agree; no path ("/") matches any. */
	return spec->path.len <= 1 || sv_eq(k.path, spec->path);
}

int kh_usage_resolve_principal(struct kh_usage *u, const char *text, const char **key,
			       struct kh_error *err)
{
	const struct kh_usage_principal **ps;
	struct kh_principal_spec spec;
	size_t n;
	int rc;

	*key = NULL;
	if ((rc = kh_principal_spec_parse(text, strlen(text), &spec, err)) != KH_OK)
		return rc;
	if ((rc = kh_usage_principals(u, &ps, &n)) != KH_OK)
		return kh_error_set(err, rc, "out of memory");
	if (spec.kind == KH_PRINCIPAL_ACCESS_KEY) {
		/* The scan kept only that key's events: its principal is the one seen. */
		if (n == 1) {
			*key = ps[0]->arn;
			return KH_OK;
		}
		return n ? kh_error_set(err, KH_EUSAGE,
					"access key %s was used by several principals; name one", text)
			 : kh_error_set(err, KH_ENOTFOUND, "access key %s made no calls in the logs",
					text);
	}
	for (size_t i = 0; i < n; i++) {
		if (!key_matches(&spec, ps[i]->arn))
			continue;
		if (*key)
			return kh_error_set(err, KH_EUSAGE, "'%s' matches both %s and %s; give the full ARN",
					    text, *key, ps[i]->arn);
		*key = ps[i]->arn;
	}
	if (!*key)
		return kh_error_set(err, KH_ENOTFOUND, "principal '%s' made no calls in the logs", text);
	return KH_OK;
}

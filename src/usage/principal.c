/* principal.c - who made a CloudTrail call: matching --principal and
 * --access-key values, and the canonical principal key of a record.
 *
 * What a record can tell: userIdentity.type, arn, accountId, accessKeyId
 * and, for temporary credentials, sessionContext.sessionIssuer (the role or
 * user that issued them). An IAM user's own long-term key (AKIA...) and the
 * temporary key from its GetSessionToken (ASIA..., identity type still
 * IAMUser, arn the user's) are both the user's calls; the record does not
 * say which GetSessionToken call issued an ASIA key (that is only in that
 * call's responseElements). Federated sessions from GetFederationToken name
 * the user as their session issuer. Role sessions name the role; the
 * assumed-role ARN itself carries no role path, so matching a role by
 * account and name (unique in an account) covers both forms.
 */
#include <string.h>
#include <strings.h>

#include "keyhole/mapping.h"
#include "util/util.h"

static int sv_eq(struct kh_sv a, const char *s)
{
	size_t n = strlen(s);
	return a.len == n && memcmp(a.ptr, s, n) == 0;
}

static int sv_eq_ci(struct kh_sv a, struct kh_sv b)
{
	return a.len == b.len && (a.len == 0 || strncasecmp(a.ptr, b.ptr, a.len) == 0);
}

static int sv_same(struct kh_sv a, struct kh_sv b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

/* A parsed ARN: arn:PARTITION:SERVICE::ACCOUNT:RESOURCE. */
struct arn_parts {
	struct kh_sv partition, service, account, resource;
};

static int arn_split(struct kh_sv s, struct arn_parts *p)
{
	struct kh_sv f[6];
	size_t n = 0;
	const char *start = s.ptr, *e = s.ptr + s.len;

	if (s.len < 4 || memcmp(s.ptr, "arn:", 4) != 0)
		return -1;
	for (const char *c = s.ptr; c < e && n < 5; c++) {
		if (*c == ':') {
			f[n].ptr = start;
			f[n].len = (size_t)(c - start);
			n++;
			start = c + 1;
		}
	}
	if (n != 5)
		return -1;
	f[5].ptr = start;
	f[5].len = (size_t)(e - start);
	p->partition = f[1];
	p->service = f[2];
	p->account = f[4];
	p->resource = f[5];
	return 0;
}

/* "role/a/b/NAME" with kind "role": path "/a/b/", name "NAME". */
static int split_named(struct kh_sv res, const char *kind, struct kh_sv *path, struct kh_sv *name)
{
	size_t k = strlen(kind);
	const char *last;

	if (res.len <= k + 1 || memcmp(res.ptr, kind, k) != 0 || res.ptr[k] != '/')
		return -1;
	last = res.ptr + res.len;
	while (last > res.ptr + k && last[-1] != '/')
		last--;
	path->ptr = res.ptr + k;
	path->len = (size_t)(last - path->ptr);
	name->ptr = last;
	name->len = (size_t)(res.ptr + res.len - last);
	return name->len ? 0 : -1;
}

static int is_key_id(const char *s, size_t len)
{
	if (len < 16 || len > 128 || (strncmp(s, "AKIA", 4) != 0 && strncmp(s, "ASIA", 4) != 0))
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

int kh_principal_spec_parse(const char *s, size_t len, struct kh_principal_spec *spec,
			    struct kh_error *err)
{
	struct kh_sv text = {s, len};
	struct arn_parts p;

	memset(spec, 0, sizeof(*spec));
	spec->text = text;
	if (is_key_id(s, len)) {
		spec->kind = KH_PRINCIPAL_ACCESS_KEY;
		return KH_OK;
	}
	if (arn_split(text, &p) < 0 || p.account.len == 0)
		goto bad;
	spec->partition = p.partition;
	spec->account = p.account;
	if (sv_eq(p.service, "iam")) {
		if (sv_eq(p.resource, "root")) {
			spec->kind = KH_PRINCIPAL_ROOT;
			return KH_OK;
		}
		if (split_named(p.resource, "role", &spec->path, &spec->name) == 0) {
			spec->kind = KH_PRINCIPAL_ROLE;
			return KH_OK;
		}
		if (split_named(p.resource, "user", &spec->path, &spec->name) == 0) {
			spec->kind = KH_PRINCIPAL_USER;
			return KH_OK;
		}
	} else if (sv_eq(p.service, "sts") && p.resource.len > 13 &&
		   memcmp(p.resource.ptr, "assumed-role/", 13) == 0) {
		const char *n = p.resource.ptr + 13, *e = p.resource.ptr + p.resource.len;
		const char *slash = memchr(n, '/', (size_t)(e - n));
		spec->kind = KH_PRINCIPAL_SESSION;
		spec->name.ptr = n;
		spec->name.len = (size_t)((slash ? slash : e) - n);
		spec->session.ptr = slash ? slash + 1 : "*";
		spec->session.len = slash ? (size_t)(e - slash - 1) : 1;
		if (spec->name.len && spec->session.len)
			return KH_OK;
	}
bad:
	return kh_error_set(err, KH_EUSAGE,
			    "'%.*s' is not a role, user, root or assumed-role ARN nor an access key id",
			    (int)(len > 200 ? 200 : len), s);
}

/* Does arn name the IAM entity (kind "role"/"user") of spec? */
static int entity_matches(const struct kh_principal_spec *spec, struct kh_sv arn,
			  const char *kind)
{
	struct arn_parts p;
	struct kh_sv path, name;

	if (arn_split(arn, &p) < 0 || !sv_eq(p.service, "iam") ||
	    split_named(p.resource, kind, &path, &name) < 0)
		return 0;
	if (!sv_same(p.account, spec->account) || !sv_eq_ci(name, spec->name))
		return 0;
	/* A spec that states a path must agree with a record that states one. */
	return spec->path.len <= 1 || path.len <= 1 || sv_same(path, spec->path);
}

/* The role name of arn:P:sts::ACCT:assumed-role/NAME/SESSION. */
static int assumed_role(struct kh_sv arn, struct kh_sv *account, struct kh_sv *name,
			struct kh_sv *session)
{
	struct arn_parts p;
	const char *n, *e, *slash;

	if (arn_split(arn, &p) < 0 || !sv_eq(p.service, "sts") || p.resource.len <= 13 ||
	    memcmp(p.resource.ptr, "assumed-role/", 13) != 0)
		return -1;
	n = p.resource.ptr + 13;
	e = p.resource.ptr + p.resource.len;
	slash = memchr(n, '/', (size_t)(e - n));
	*account = p.account;
	name->ptr = n;
	name->len = (size_t)((slash ? slash : e) - n);
	session->ptr = slash ? slash + 1 : e;
	session->len = slash ? (size_t)(e - slash - 1) : 0;
	return 0;
}

int kh_principal_matches(const struct kh_principal_spec *spec, const struct kh_event *ev)
{
	struct kh_sv acct, name, session;

	switch (spec->kind) {
	case KH_PRINCIPAL_ACCESS_KEY:
		return sv_same(ev->access_key_id, spec->text);
	case KH_PRINCIPAL_ROOT:
		return sv_eq(ev->identity_type, "Root") &&
		       (sv_same(ev->account_id, spec->account) ||
			sv_same(ev->principal_arn, spec->text));
	case KH_PRINCIPAL_ROLE:
		if (ev->session_issuer_arn.len && sv_eq(ev->session_issuer_type, "Role"))
			return entity_matches(spec, ev->session_issuer_arn, "role");
		if (assumed_role(ev->principal_arn, &acct, &name, &session) == 0)
			return sv_same(acct, spec->account) && sv_eq_ci(name, spec->name);
		return 0;
	case KH_PRINCIPAL_USER:
		if (sv_eq(ev->identity_type, "IAMUser")) {
			if (ev->principal_arn.len)
				return entity_matches(spec, ev->principal_arn, "user");
			return sv_same(ev->account_id, spec->account) &&
			       sv_eq_ci(ev->user_name, spec->name);
		}
		if (ev->session_issuer_arn.len && sv_eq(ev->session_issuer_type, "IAMUser"))
			return entity_matches(spec, ev->session_issuer_arn, "user");
		return 0;
	case KH_PRINCIPAL_SESSION:
		if (assumed_role(ev->principal_arn, &acct, &name, &session) < 0)
			return 0;
		return sv_same(acct, spec->account) && sv_eq_ci(name, spec->name) &&
		       kh_glob_match(spec->session.ptr, spec->session.len, session.ptr, session.len, 0);
	}
	return 0;
}

int kh_event_principal_key(const struct kh_event *ev, struct kh_buf *out)
{
	struct kh_sv type = ev->identity_type, acct, name, session;

	kh_buf_reset(out);
	if (sv_eq(type, "AssumedRole") || sv_eq(type, "FederatedUser")) {
		if (ev->session_issuer_arn.len)
			kh_buf_add(out, ev->session_issuer_arn.ptr, ev->session_issuer_arn.len);
		else if (assumed_role(ev->principal_arn, &acct, &name, &session) == 0) {
			struct arn_parts p;
			arn_split(ev->principal_arn, &p);
			kh_buf_printf(out, "arn:%.*s:iam::%.*s:role/%.*s", (int)p.partition.len,
				      p.partition.ptr, (int)acct.len, acct.ptr, (int)name.len, name.ptr);
		} else if (ev->principal_arn.len)
			kh_buf_add(out, ev->principal_arn.ptr, ev->principal_arn.len);
	} else if (sv_eq(type, "IAMUser")) {
		if (ev->principal_arn.len)
			kh_buf_add(out, ev->principal_arn.ptr, ev->principal_arn.len);
		else if (ev->account_id.len && ev->user_name.len)
			kh_buf_printf(out, "arn:aws:iam::%.*s:user/%.*s", (int)ev->account_id.len,
				      ev->account_id.ptr, (int)ev->user_name.len, ev->user_name.ptr);
	} else if (sv_eq(type, "Root")) {
		if (ev->principal_arn.len)
			kh_buf_add(out, ev->principal_arn.ptr, ev->principal_arn.len);
		else if (ev->account_id.len)
			kh_buf_printf(out, "arn:aws:iam::%.*s:root", (int)ev->account_id.len,
				      ev->account_id.ptr);
	} else if (sv_eq(type, "AWSService")) {
		if (ev->invoked_by.len)
			kh_buf_printf(out, "service:%.*s", (int)ev->invoked_by.len, ev->invoked_by.ptr);
	} else if (ev->principal_arn.len) {
		kh_buf_add(out, ev->principal_arn.ptr, ev->principal_arn.len);
	}
	if (out->len == 0 && (type.len || ev->principal_id.len))
		kh_buf_printf(out, "%.*s:%.*s", (int)(type.len ? type.len : 7),
			      type.len ? type.ptr : "unknown", (int)ev->principal_id.len,
			      ev->principal_id.ptr);
	if (kh_buf_error(out))
		return kh_buf_error(out);
	return out->len ? KH_OK : KH_ENOTFOUND;
}

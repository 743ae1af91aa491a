/* decide.c - matching statements and deciding requests.
 *
 * The order follows AWS's policy evaluation logic: explicit denies in any
 * policy first, then the SCP gate (every level must allow), then the
 * allows: resource policy and identity policies (within the permissions
 * boundary) in the same account, both of them across accounts.
 */
#include <string.h>

#include "eval/eval_int.h"

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static int has_prefix(const char *s, size_t n, const char *p)
{
	size_t l = strlen(p);
	return n >= l && memcmp(s, p, l) == 0;
}

/* Classifies the principal ARN and finds its account. */
static void classify_principal(struct ev_req *q)
{
	const char *p = q->r->principal, *seg[6];
	size_t n, len[6];

	if (q->r->anonymous) {
		q->principal_kind = EV_PK_ANONYMOUS;
		return;
	}
	if (!p) {
		q->principal_kind = EV_PK_UNNAMED;
		return;
	}
	n = strlen(p);
	if (!ev_arn_split(p, n, seg, len)) {
		q->principal_kind = strchr(p, '.') && !strchr(p, ':') ? EV_PK_SERVICE : EV_PK_OTHER;
		return;
	}
	q->principal_account = seg[4];
	q->principal_account_len = len[4];
	q->principal_kind = EV_PK_OTHER;
	if (len[2] == 3 && memcmp(seg[2], "iam", 3) == 0) {
		if (has_prefix(seg[5], len[5], "user/"))
			q->principal_kind = EV_PK_USER;
		else if (has_prefix(seg[5], len[5], "role/"))
			q->principal_kind = EV_PK_ROLE;
	} else if (len[2] == 3 && memcmp(seg[2], "sts", 3) == 0) {
		if (has_prefix(seg[5], len[5], "assumed-role/"))
			q->principal_kind = EV_PK_SESSION;
		else if (has_prefix(seg[5], len[5], "federated-user/"))
			q->principal_kind = EV_PK_FEDERATED;
	}
}

void ev_req_prepare(const struct kh_engine *e, const struct kh_eval_request *r,
		    struct ev_req *q)
{
	size_t n = strlen(r->action);

	memset(q, 0, sizeof(*q));
	q->r = r;
	if (n >= sizeof(q->action))
		n = sizeof(q->action) - 1; /* longer than any IAM action: cannot match */
	for (size_t i = 0; i < n; i++)
		q->action[i] = (char)lower((unsigned char)r->action[i]);
	q->action_len = n;
	q->resource_len = strlen(r->resource);
	q->rsegmented = ev_arn_split(r->resource, q->resource_len, q->rseg, q->rseg_len);
	classify_principal(q);
	if (r->resource_account) {
		q->resource_account = r->resource_account;
		q->resource_account_len = strlen(r->resource_account);
	} else if (q->rsegmented && q->rseg_len[4]) {
		q->resource_account = q->rseg[4];
		q->resource_account_len = q->rseg_len[4];
	} else {
		q->resource_account = q->principal_account;
		q->resource_account_len = q->principal_account_len;
	}
	if (q->principal_kind == EV_PK_UNNAMED) {
		q->principal_account = q->resource_account;
		q->principal_account_len = q->resource_account_len;
	}
	q->has_boundary = e->n[KH_EVAL_BOUNDARY] > 0;
}

static int same_account(const struct ev_req *q)
{
	if (q->principal_kind == EV_PK_UNNAMED)
		return 1;
	return q->principal_account && q->resource_account &&
	       q->principal_account_len == q->resource_account_len &&
	       memcmp(q->principal_account, q->resource_account, q->resource_account_len) == 0;
}

/* ---- principals ---- */

/* The last path element of a role ARN's resource ("role/path/Name"). */
static const char *role_name(const char *res, size_t n, size_t *len)
{
	const char *slash = res + n;
	while (slash > res && slash[-1] != '/')
		slash--;
	*len = (size_t)(res + n - slash);
	return slash;
}

/* Does the role ARN v name the role of the assumed-role session q? */
static int role_of_session(const struct ev_prin *v, const struct ev_req *q)
{
	const char *ps[6], *vs[6], *name, *sname, *end;
	size_t pl[6], vl[6], nlen;

	if (!ev_arn_split(v->value, v->len, vs, vl) || !has_prefix(vs[5], vl[5], "role/") ||
	    !ev_arn_split(q->r->principal, strlen(q->r->principal), ps, pl))
		return 0;
	if (vl[4] != pl[4] || memcmp(vs[4], ps[4], pl[4]) != 0)
		return 0;
	name = role_name(vs[5], vl[5], &nlen);
	sname = ps[5] + strlen("assumed-role/");
	end = memchr(sname, '/', (size_t)(ps[5] + pl[5] - sname));
	return end && (size_t)(end - sname) == nlen && memcmp(sname, name, nlen) == 0;
}

/* Does the user ARN v name the user behind federated session q? */
static int user_of_federated(const struct ev_prin *v, const struct ev_req *q)
{
	const char *ps[6], *vs[6], *user;
	size_t pl[6], vl[6], ulen;

	if (!ev_arn_split(v->value, v->len, vs, vl) || !has_prefix(vs[5], vl[5], "user/") ||
	    !ev_arn_split(q->r->principal, strlen(q->r->principal), ps, pl))
		return 0;
	user = ps[5] + strlen("federated-user/");
	ulen = pl[5] - strlen("federated-user/");
	return vl[4] == pl[4] && memcmp(vs[4], ps[4], pl[4]) == 0 && vl[5] == ulen + 5 &&
	       memcmp(vs[5] + 5, user, ulen) == 0;
}

static int principal_entry(const struct ev_prin *v, const struct ev_req *q)
{
	const char *p = q->r->principal;

	if (v->kind == EV_PR_ANY)
		return EV_PM_ANY;
	if (q->principal_kind == EV_PK_ANONYMOUS)
		return EV_PM_NONE;
	if (v->kind == EV_PR_ACCOUNT)
		return q->principal_account && v->len == q->principal_account_len &&
			       memcmp(v->value, q->principal_account, v->len) == 0
		       ? EV_PM_ACCOUNT
		       : EV_PM_NONE;
	if (!p)
		return EV_PM_NONE;
	if (strlen(p) == v->len && memcmp(p, v->value, v->len) == 0)
		return EV_PM_EXACT;
	if (v->kind == EV_PR_ARN && q->principal_kind == EV_PK_SESSION && role_of_session(v, q))
		return EV_PM_SESSION_ROLE;
	if (v->kind == EV_PR_ARN && q->principal_kind == EV_PK_FEDERATED && user_of_federated(v, q))
		return EV_PM_SESSION_USER;
	return EV_PM_NONE;
}

static int principal_match(const struct ev_stmt *s, const struct ev_req *q)
{
	int best = EV_PM_NONE;
	for (size_t i = 0; i < s->n_principals; i++) {
		int m = principal_entry(&s->principals[i], q);
		if (m > best)
			best = m;
	}
	if (!s->not_principal)
		return best;
	/* A Deny with NotPrincipal applies to every principal that has a
	 * permissions boundary, as AWS documents. */
	if (!s->allow && q->has_boundary)
		return EV_PM_EXACT;
	return best == EV_PM_NONE ? EV_PM_EXACT : EV_PM_NONE;
}

/* ---- statements ---- */

static int action_match(const struct ev_stmt *s, const struct ev_req *q)
{
	for (size_t i = 0; i < s->n_actions; i++)
		if (ev_pat_match(&s->actions[i], q->action, q->action_len, 0, q->r) == 1)
			return !s->not_action;
	return s->not_action;
}

/* A pattern whose variable does not resolve makes the statement not
 * match, whether it sits in Resource or in NotResource. */
static int resource_match(const struct ev_stmt *s, const struct ev_req *q)
{
	int unresolved = 0;
	for (size_t i = 0; i < s->n_resources; i++) {
		int m = ev_arn_match(&s->resources[i], q);
		if (m == 1)
			return !s->not_resource;
		unresolved |= m < 0;
	}
	return s->not_resource && !unresolved;
}

enum kh_stmt_match ev_stmt_match(const struct ev_stmt *s, int kind, const struct ev_req *q,
				 int *pmatch, size_t *cond)
{
	if (!action_match(s, q))
		return KH_MATCH_ACTION;
	if (!resource_match(s, q))
		return KH_MATCH_RESOURCE;
	if (kind == KH_EVAL_RESOURCE) {
		*pmatch = principal_match(s, q);
		if (*pmatch == EV_PM_NONE)
			return KH_MATCH_PRINCIPAL;
	}
	for (size_t i = 0; i < s->n_conds; i++) {
		if (!ev_cond_eval(&s->conds[i], q->r)) {
			if (cond)
				*cond = i;
			return KH_MATCH_CONDITION;
		}
	}
	return KH_MATCH_YES;
}

const struct ev_stmt *ev_stmt_at(const struct kh_engine *e, struct kh_eval_ref ref)
{
	if (ref.kind < 0 || ref.kind >= KH_EVAL_KINDS || ref.policy < 0 ||
	    (size_t)ref.policy >= e->n[ref.kind] || ref.statement < 0 ||
	    (size_t)ref.statement >= e->pol[ref.kind][ref.policy].n)
		return NULL;
	return &e->pol[ref.kind][ref.policy].st[ref.statement];
}

enum kh_stmt_match kh_engine_match_statement(const struct kh_engine *e, struct kh_eval_ref ref,
					     const struct kh_eval_request *req, size_t *cond)
{
	const struct ev_stmt *s = ev_stmt_at(e, ref);
	struct ev_req q;
	int pm = EV_PM_NONE;

	if (!s || !req->action || !req->resource)
		return KH_MATCH_ACTION;
	ev_req_prepare(e, req, &q);
	return ev_stmt_match(s, ref.kind, &q, &pm, cond);
}

int ev_resource_unresolved(const struct kh_engine *e, struct kh_eval_ref ref,
			   const struct kh_eval_request *req)
{
	const struct ev_stmt *s = ev_stmt_at(e, ref);
	struct ev_req q;

	if (!s || !req->action || !req->resource)
		return 0;
	ev_req_prepare(e, req, &q);
	for (size_t i = 0; i < s->n_resources; i++)
		if (ev_arn_match(&s->resources[i], &q) < 0)
			return 1;
	return 0;
}

/* ---- deciding ---- */

/* What the scan of all statements found. */
struct tally {
	struct kh_eval_ref deny, id_allow, bd_allow, rp_direct, rp_bypass, rp_account, rp_any;
	int scp_missing; /* first SCP level without an allow, or -1 */
};

static const struct kh_eval_ref none = {-1, -1, -1};

static int kind_applies(int kind, const struct ev_req *q)
{
	int pk = q->principal_kind;
	if (pk == EV_PK_ANONYMOUS || pk == EV_PK_SERVICE)
		return kind == KH_EVAL_RESOURCE;
	return 1;
}

static void note_allow(struct tally *t, int kind, struct kh_eval_ref ref, int pm,
		       const struct ev_req *q)
{
	if (kind == KH_EVAL_IDENTITY && t->id_allow.kind < 0)
		t->id_allow = ref;
	if (kind == KH_EVAL_BOUNDARY && t->bd_allow.kind < 0)
		t->bd_allow = ref;
	if (kind != KH_EVAL_RESOURCE)
		return;
	if (pm == EV_PM_ANY && t->rp_any.kind < 0)
		t->rp_any = ref;
	if (pm >= EV_PM_SESSION_ROLE && t->rp_direct.kind < 0)
		t->rp_direct = ref;
	if (pm == EV_PM_ACCOUNT && t->rp_account.kind < 0)
		t->rp_account = ref;
	/* Allows that hold even when the boundary does not allow: grants to
	 * the user or session ARN itself, not to a role ARN. */
	if (((pm == EV_PM_EXACT && q->principal_kind != EV_PK_ROLE) || pm == EV_PM_ANY) &&
	    t->rp_bypass.kind < 0)
		t->rp_bypass = ref;
}

/* Scans every applicable statement; stops at the first explicit deny. */
static void scan(const struct kh_engine *e, const struct ev_req *q, struct tally *t)
{
	static const int order[] = {KH_EVAL_SCP, KH_EVAL_BOUNDARY, KH_EVAL_IDENTITY,
				    KH_EVAL_RESOURCE};
	for (size_t o = 0; o < 4; o++) {
		int kind = order[o];
		if (!kind_applies(kind, q))
			continue;
		for (size_t i = 0; i < e->n[kind]; i++) {
			const struct ev_policy *p = &e->pol[kind][i];
			int level_allows = 0;
			for (size_t j = 0; j < p->n; j++) {
				struct kh_eval_ref ref = {kind, (int)i, (int)j};
				int pm = EV_PM_NONE;
				if (ev_stmt_match(&p->st[j], kind, q, &pm, NULL) != KH_MATCH_YES)
					continue;
				if (!p->st[j].allow) {
					t->deny = ref;
					return;
				}
				level_allows = 1;
				note_allow(t, kind, ref, pm, q);
			}
			if (kind == KH_EVAL_SCP && !level_allows && t->scp_missing < 0)
				t->scp_missing = (int)i;
		}
	}
}

static void set(struct kh_eval_result *res, enum kh_decision d, enum kh_eval_reason why,
		struct kh_eval_ref ref)
{
	res->decision = d;
	res->reason = why;
	res->stmt = ref;
}

static void decide_principal(const struct tally *t, const struct ev_req *q,
			     struct kh_eval_result *res)
{
	int boundary_ok = !q->has_boundary || t->bd_allow.kind >= 0;

	if (res->same_account) {
		if (t->rp_direct.kind >= 0 && boundary_ok)
			set(res, KH_DECISION_ALLOW, KH_REASON_ALLOW_RESOURCE, t->rp_direct);
		else if (t->rp_bypass.kind >= 0)
			set(res, KH_DECISION_ALLOW, KH_REASON_ALLOW_RESOURCE, t->rp_bypass);
		else if (t->id_allow.kind >= 0 && boundary_ok)
			set(res, KH_DECISION_ALLOW, KH_REASON_ALLOW_IDENTITY, t->id_allow);
		else if (t->id_allow.kind >= 0 || t->rp_direct.kind >= 0)
			set(res, KH_DECISION_IMPLICIT_DENY, KH_REASON_BOUNDARY_NO_ALLOW,
			    t->id_allow.kind >= 0 ? t->id_allow : t->rp_direct);
		return;
	}
	if (t->rp_direct.kind < 0 && t->rp_account.kind < 0) {
		set(res, KH_DECISION_IMPLICIT_DENY, KH_REASON_CROSS_NO_RESOURCE, none);
	} else if (t->id_allow.kind < 0) {
		set(res, KH_DECISION_IMPLICIT_DENY, KH_REASON_CROSS_NO_IDENTITY, none);
	} else if (!boundary_ok) {
		set(res, KH_DECISION_IMPLICIT_DENY, KH_REASON_BOUNDARY_NO_ALLOW, t->id_allow);
	} else {
		set(res, KH_DECISION_ALLOW, KH_REASON_ALLOW_BOTH, t->id_allow);
		res->stmt2 = t->rp_direct.kind >= 0 ? t->rp_direct : t->rp_account;
	}
}

int kh_engine_evaluate(const struct kh_engine *e, const struct kh_eval_request *req,
		       struct kh_eval_result *res)
{
	struct tally t = {none, none, none, none, none, none, none, -1};
	struct ev_req q;
	int pk;

	if (!req->action || !req->resource)
		return KH_EUSAGE;
	ev_req_prepare(e, req, &q);
	scan(e, &q, &t);
	pk = q.principal_kind;
	*res = (struct kh_eval_result){.stmt = none, .stmt2 = none, .scp_level = -1};
	res->same_account = pk != EV_PK_ANONYMOUS && same_account(&q);
	if (q.action_len == 21 && memcmp(q.action, "sts:getcalleridentity", 21) == 0) {
		/* AWS documents that no policy can deny GetCallerIdentity. */
		set(res, KH_DECISION_ALLOW, KH_REASON_ALWAYS_ALLOWED, none);
	} else if (t.deny.kind >= 0) {
		set(res, KH_DECISION_EXPLICIT_DENY, KH_REASON_DENY_STATEMENT, t.deny);
	} else if (pk == EV_PK_ANONYMOUS) {
		if (t.rp_any.kind >= 0)
			set(res, KH_DECISION_ALLOW, KH_REASON_ALLOW_RESOURCE, t.rp_any);
	} else if (pk == EV_PK_SERVICE) {
		if (t.rp_direct.kind >= 0)
			set(res, KH_DECISION_ALLOW, KH_REASON_ALLOW_RESOURCE, t.rp_direct);
	} else if (t.scp_missing >= 0) {
		res->reason = KH_REASON_SCP_NO_ALLOW;
		res->scp_level = t.scp_missing;
	} else {
		decide_principal(&t, &q, res);
	}
	return KH_OK;
}

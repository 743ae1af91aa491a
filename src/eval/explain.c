/* explain.c - why a request was decided as it was.
 *
 * The explanation names the deciding statement and, for every other
 * statement of every applicable policy, whether it matched and, if not,
 * the first element that did not: action, resource, principal, or the
 * condition (operator and key). Text and JSON forms carry the same facts.
 */
#include <string.h>

#include "eval/eval_int.h"

static const char *const why_names[] = {"match", "action", "resource", "principal",
					"condition"};

static void put_ref(const struct kh_engine *e, struct kh_eval_ref ref, int json,
		    struct kh_buf *b)
{
	const struct ev_stmt *s = ev_stmt_at(e, ref);
	const char *name = kh_engine_policy_name(e, ref.kind, (size_t)ref.policy);

	if (!s) {
		kh_buf_puts(b, json ? "null" : "none");
		return;
	}
	if (!json) {
		kh_buf_printf(b, "%s policy %s %s", kh_eval_kind_name(ref.kind), name, s->path);
		if (s->sid)
			kh_buf_printf(b, " (Sid \"%s\")", s->sid);
		return;
	}
	kh_buf_printf(b, "{\"kind\":\"%s\",\"policy\":", kh_eval_kind_name(ref.kind));
	kh_buf_put_json_string(b, name);
	kh_buf_puts(b, ",\"path\":");
	kh_buf_put_json_string(b, s->path);
	if (s->sid) {
		kh_buf_puts(b, ",\"sid\":");
		kh_buf_put_json_string(b, s->sid);
	}
	kh_buf_printf(b, ",\"line\":%d,\"effect\":\"%s\"}", s->line, s->allow ? "Allow" : "Deny");
}

static const char *reason_text(const struct kh_eval_result *res)
{
	switch (res->reason) {
	case KH_REASON_DENY_STATEMENT:
		return "an explicit Deny matched";
	case KH_REASON_SCP_NO_ALLOW:
		return "an SCP level allows nothing for this request";
	case KH_REASON_BOUNDARY_NO_ALLOW:
		return "a policy allows, but the permissions boundary does not";
	case KH_REASON_CROSS_NO_RESOURCE:
		return "cross-account request: the resource policy does not allow the principal";
	case KH_REASON_CROSS_NO_IDENTITY:
		return "cross-account request: the resource policy allows, no identity policy does";
	case KH_REASON_ALLOW_IDENTITY:
		return "allowed by an identity policy";
	case KH_REASON_ALLOW_RESOURCE:
		return "allowed by the resource policy";
	case KH_REASON_ALLOW_BOTH:
		return "cross-account request allowed by both an identity and the resource policy";
	case KH_REASON_ALWAYS_ALLOWED:
		return "sts:GetCallerIdentity is always allowed; no policy can deny it";
	default:
		return "no statement allows the request (implicit deny)";
	}
}

static const char *const reason_codes[] = {
	"no_allow", "deny_statement", "scp_no_allow", "boundary_no_allow", "cross_no_resource",
	"cross_no_identity", "allow_identity", "allow_resource", "allow_both", "always_allowed"};

/* One statement's line: matched, or why not. */
static void put_statement(const struct kh_engine *e, struct kh_eval_ref ref,
			  const struct kh_eval_request *req, int json, struct kh_buf *b)
{
	const struct ev_stmt *s = ev_stmt_at(e, ref);
	size_t ci = 0;
	enum kh_stmt_match m = kh_engine_match_statement(e, ref, req, &ci);
	const struct ev_cond *c = m == KH_MATCH_CONDITION ? &s->conds[ci] : NULL;
	int missing = c && !ev_lookup(req, c->key, c->key_len);
	int unresolved = m == KH_MATCH_RESOURCE && ev_resource_unresolved(e, ref, req);

	if (json) {
		kh_buf_puts(b, "{\"statement\":");
		put_ref(e, ref, 1, b);
		kh_buf_printf(b, ",\"matches\":%s", m == KH_MATCH_YES ? "true" : "false");
		if (m != KH_MATCH_YES)
			kh_buf_printf(b, ",\"why\":\"%s\"", why_names[m]);
		if (unresolved)
			kh_buf_puts(b, ",\"unresolved_variable\":true");
		if (c) {
			kh_buf_puts(b, ",\"condition\":{\"operator\":");
			kh_buf_put_json_string(b, c->op);
			kh_buf_puts(b, ",\"key\":");
			kh_buf_put_json_string(b, c->key);
			kh_buf_printf(b, ",\"key_present\":%s}", missing ? "false" : "true");
		}
		kh_buf_putc(b, '}');
		return;
	}
	kh_buf_puts(b, "  ");
	put_ref(e, ref, 0, b);
	kh_buf_printf(b, ": %s, ", s->allow ? "Allow" : "Deny");
	if (m == KH_MATCH_YES)
		kh_buf_puts(b, "matches");
	else if (c)
		kh_buf_printf(b, "no match: condition %s on '%s' is false%s", c->op, c->key,
			      missing ? " (key not in the request)" : "");
	else
		kh_buf_printf(b, "no match: %s%s", s->not_action && m == KH_MATCH_ACTION ? "Not" : "",
			      m == KH_MATCH_ACTION	   ? "Action"
			      : m == KH_MATCH_RESOURCE ? (s->not_resource ? "NotResource" : "Resource")
						       : (s->not_principal ? "NotPrincipal" : "Principal"));
	if (unresolved)
		kh_buf_puts(b, " (a policy variable's key is not in the request)");
	kh_buf_putc(b, '\n');
}

static void put_statements(const struct kh_engine *e, const struct kh_eval_request *req,
			   int json, struct kh_buf *b)
{
	int first = 1;
	for (int kind = 0; kind < KH_EVAL_KINDS; kind++)
		for (size_t i = 0; i < e->n[kind]; i++)
			for (size_t j = 0; j < e->pol[kind][i].n; j++) {
				struct kh_eval_ref ref = {kind, (int)i, (int)j};
				if (json && !first)
					kh_buf_putc(b, ',');
				first = 0;
				put_statement(e, ref, req, json, b);
			}
}

int kh_engine_explain(const struct kh_engine *e, const struct kh_eval_request *req,
		      const struct kh_eval_result *res, int json, struct kh_buf *out)
{
	if (json) {
		kh_buf_printf(out, "{\"decision\":\"%s\",\"reason\":\"%s\",\"same_account\":%s,",
			      kh_decision_name(res->decision), reason_codes[res->reason],
			      res->same_account ? "true" : "false");
		kh_buf_puts(out, "\"action\":");
		kh_buf_put_json_string(out, req->action);
		kh_buf_puts(out, ",\"resource\":");
		kh_buf_put_json_string(out, req->resource);
		kh_buf_puts(out, ",\"deciding\":");
		put_ref(e, res->stmt, 1, out);
		if (res->stmt2.kind >= 0) {
			kh_buf_puts(out, ",\"deciding_resource\":");
			put_ref(e, res->stmt2, 1, out);
		}
		if (res->scp_level >= 0) {
			kh_buf_puts(out, ",\"scp\":");
			kh_buf_put_json_string(out, kh_engine_policy_name(e, KH_EVAL_SCP,
									  (size_t)res->scp_level));
		}
		kh_buf_puts(out, ",\"statements\":[");
		put_statements(e, req, 1, out);
		kh_buf_puts(out, "]}");
		return kh_buf_error(out);
	}
	kh_buf_printf(out, "decision: %s\nreason: %s\n", kh_decision_name(res->decision),
		      reason_text(res));
	if (res->stmt.kind >= 0) {
		kh_buf_puts(out, "deciding statement: ");
		put_ref(e, res->stmt, 0, out);
		kh_buf_putc(out, '\n');
	}
	if (res->stmt2.kind >= 0) {
		kh_buf_puts(out, "resource policy statement: ");
		put_ref(e, res->stmt2, 0, out);
		kh_buf_putc(out, '\n');
	}
	if (res->scp_level >= 0)
		kh_buf_printf(out, "scp without an allow: %s\n",
			      kh_engine_policy_name(e, KH_EVAL_SCP, (size_t)res->scp_level));
	kh_buf_puts(out, "statements:\n");
	put_statements(e, req, 0, out);
	return kh_buf_error(out);
}

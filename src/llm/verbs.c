/* verbs.c - verbs that mean particular actions. "publishes to the alerts
 * topic" is sns:Publish, not all of SNS's write level (which holds
 * DeleteTopic and AddPermission). The lexicon's "act" lines say which verbs
 * mean which actions of a service; an action is used only when it can act
 * on the target (a bucket's objects, the named table, the ARN as written),
 * and a verb none of whose actions fit falls back to its access levels. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "llm/offline_int.h"

#define MAX_TYPES 8

/* The target's service prefix into buf. */
static const char *target_prefix(const struct parse *p, const struct unit *t, char *buf,
				 size_t size)
{
	if (t->kind == U_S3URL)
		return "s3";
	if (t->kind == U_ARN) {
		const char *arn = p->text + t->off, *s = memchr(arn + 4, ':', t->end - t->off - 4);
		size_t n = s ? strcspn(s + 1, ":") : 0;
		if (!s || !n || n >= size)
			return NULL;
		memcpy(buf, s + 1, n);
		buf[n] = '\0';
		return buf;
	}
	return t->service;
}

static int takes_any(const struct kh_action *a, const struct kh_resource_type *const *m, size_t n)
{
	for (size_t i = 0; i < a->n_resources; i++)
		for (size_t j = 0; j < n && j < MAX_TYPES; j++)
			if (a->resources[i].type == m[j])
				return 1;
	return 0;
}

/* An ARN of the shape a named noun becomes: its type's template with each
 * placeholder filled, then the noun's suffix (a log group's ":*" also
 * covers its streams). */
static int sample_arn(const struct kh_service *svc, const struct unit *t, char *out, size_t size)
{
	const struct kh_resource_type *rt = t->rtype ? kh_service_resource_type(svc, t->rtype) : NULL;
	size_t n = 0;

	if (!rt)
		return 0;
	for (const char *c = rt->arn; *c && *c != '|' && n + 2 < size;) {
		const char *close = strncmp(c, "${", 2) == 0 ? strchr(c, '}') : NULL;
		if (close) {
			out[n++] = 'x';
			c = close + 1;
		} else {
			out[n++] = *c++;
		}
	}
	out[n] = '\0';
	return snprintf(out + n, size - n, "%s", t->suffix ? t->suffix : "") < (int)(size - n);
}

/* The ARN (or its shape) that target t becomes, into out; "" when it
 * becomes no ARN (a service named without a resource). 0 when unknown.
 * S3 names become the bucket's objects. */
static int target_arn(const struct parse *p, const struct unit *t, const struct kh_service *svc,
		      char *out, size_t size)
{
	size_t len = t->end - t->off;

	out[0] = '\0';
	if (t->kind == U_ARN) {
		if (len >= size)
			return 0;
		memcpy(out, p->text + t->off, len);
		out[len] = '\0';
		return 1;
	}
	if (strcmp(svc->prefix, "s3") == 0)
		return snprintf(out, size, "arn:aws:s3:::x/x") > 0;
	if (t->kind != U_NOUN)
		return 0;
	return !kh__unit_is_named(p, (size_t)(t - p->u)) || sample_arn(svc, t, out, size);
}

static int is_precise_verb(const struct unit *v)
{
	return v->kind == U_VERB && v->lx && v->lx->kind == KH__LEX_VERB &&
	       !(v->lflags & KH__LEX_BROAD) && v->levels == v->lx->levels;
}

static int has(const struct kh__access *acc, const struct kh_action *a)
{
	for (size_t i = 0; i < acc->n_acts; i++)
		if (acc->acts[i] == a)
			return 1;
	return 0;
}

size_t kh__actions_on_arn(const struct kh_service *svc, const char *list, const char *arn,
			  struct kh__access *acc)
{
	const struct kh_resource_type *m[MAX_TYPES];
	size_t n_m = arn && arn[0] ? kh_service_match_arn(svc, arn, m, MAX_TYPES) : 0;
	size_t found = 0;

	while (list && *list) {
		size_t n = strcspn(list, ",");
		const struct kh_action *a = kh_service_action(svc, list, n);
		list += n + (list[n] == ',');
		if (!a || (arn && arn[0] && !takes_any(a, m, n_m)))
			continue;
		found++;
		if (acc && !has(acc, a) && acc->n_acts < KH__MAX_GRANT_ACTIONS)
			acc->acts[acc->n_acts++] = a;
	}
	return found;
}

size_t kh__verb_actions(const struct parse *p, struct unit *v, const struct unit *t,
			struct kh__access *acc)
{
	char buf[64], arn[512];
	const char *prefix = target_prefix(p, t, buf, sizeof(buf));
	const char *list = prefix && is_precise_verb(v)
				   ? kh__lexicon_actions(p->lx, v->lx->phrase, prefix)
				   : NULL;
	const struct kh_service *svc = list ? kh_catalog_service(p->cat, prefix, strlen(prefix)) : NULL;
	size_t found = svc && target_arn(p, t, svc, arn, sizeof(arn))
			       ? kh__actions_on_arn(svc, list, arn, acc)
			       : 0;

	if (found && v->role == R_POS && !v->acts_service)
		v->acts_service = svc->prefix;
	return found;
}

void kh__verb_unsay(const struct parse *p, struct unit *neg, const struct unit *t,
		    struct kh__access *acc)
{
	struct kh__access meant = {0};
	const char *verb = neg->lx ? neg->lx->phrase : "";
	size_t vl = strlen(verb), k = 0;

	kh__verb_actions(p, neg, t, &meant);
	for (size_t i = 0; i < acc->n_acts; i++) {
		const struct kh_action *a = acc->acts[i];
		/* "but not delete" removes what delete means here, and DeleteMessage */
		if (has(&meant, a) || (vl && !strchr(verb, ' ') && strncasecmp(a->name, verb, vl) == 0))
			continue;
		acc->acts[k++] = a;
	}
	acc->n_acts = k;
}

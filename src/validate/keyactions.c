/* keyactions.c - a service's condition key in a statement some of whose
 * actions do not take it: their requests never carry the key, so the
 * condition does not test for them what it tests for the others
 * (UNSUPPORTED_ACTION_FOR_CONDITION_KEY). */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/util.h"
#include "validate/validate_int.h"

/* Is the key listed by some action of svc? The service reference names a
 * few keys that no action lists (aws-marketplace:ProductId): where they
 * apply is unknown, so they are not judged. */
static int service_lists(const struct kh_service *svc, const char *key)
{
	for (size_t i = 0; svc && i < svc->n_actions; i++)
		if (kh_action_takes_condition_key(&svc->actions[i], key))
			return 1;
	return 0;
}

static int by_address(const void *x, const void *y)
{
	const struct kh_action *a = *(const struct kh_action *const *)x;
	const struct kh_action *b = *(const struct kh_action *const *)y;
	return a < b ? -1 : a > b;
}

/* The catalog actions the statement's Action entries name, each once
 * ("*" and entries that name nothing left out); a malloc()'ed array of
 * *n, or NULL with vc->rc set. */
static const struct kh_action **statement_actions(struct vctx *vc, const struct kh_statement *st,
						  size_t *n)
{
	const struct kh_action **all = NULL, **exp, **grown;
	size_t total = 0, m, u = 0;

	for (size_t i = 0; i < st->action.n; i++) {
		const char *s = st->action.items[i];
		if (strcmp(s, "*") == 0 || vc_action_kind_code(vc_classify_action(vc->cat, s)))
			continue;
		if (kh_catalog_expand(vc->cat, s, &exp, &m) != KH_OK)
			goto nomem;
		grown = realloc(all, (total + m + 1) * sizeof(*all));
		if (!grown) {
			free(exp);
			goto nomem;
		}
		all = grown;
		memcpy(all + total, exp, m * sizeof(*all));
		total += m;
		free(exp);
	}
	if (!all && !(all = malloc(sizeof(*all))))
		goto nomem;
	qsort(all, total, sizeof(*all), by_address);
	for (size_t i = 0; i < total; i++)
		if (u == 0 || all[u - 1] != all[i])
			all[u++] = all[i];
	*n = u;
	return all;
nomem:
	free(all);
	vc->rc = KH_ENOMEM;
	return NULL;
}

void vc_check_key_actions(struct vctx *vc, const struct kh_statement *st,
			  const struct kh_condition *c, const struct kh_condition_key *k,
			  const char *path)
{
	const struct kh_action **acts;
	size_t n, plen = strcspn(c->key, ":"), own = 0, missing = 0;
	struct kh_buf list;

	if (st->not_action.present || (plen == 3 && strncasecmp(c->key, "aws", 3) == 0))
		return;
	if (!service_lists(kh_catalog_service(vc->cat, c->key, plen), c->key) ||
	    !(acts = statement_actions(vc, st, &n)))
		return;
	for (size_t i = 0; i < n; i++) {
		const char *prefix = acts[i]->service->prefix;
		own += strlen(prefix) == plen && strncasecmp(prefix, c->key, plen) == 0;
	}
	kh_buf_init(&list, 1 << 14);
	for (size_t i = 0; own && i < n; i++) {
		if (kh_action_takes_condition_key(acts[i], c->key))
			continue;
		if (missing < 5)
			kh_buf_printf(&list, "%s%s", missing ? ", " : "", acts[i]->full_name);
		missing++;
	}
	if (missing > 5)
		kh_buf_printf(&list, " and %zu more", missing - 5);
	if (kh_buf_error(&list))
		vc->rc = KH_ENOMEM;
	else if (missing)
		vc_add(vc, KH_SEV_ERROR, "UNSUPPORTED_ACTION_FOR_CONDITION_KEY", path, c->key_pos,
		       missing == 1 ? "move the action to a statement without this condition"
				    : "move those actions to a statement without this condition",
		       "the condition key '%s' is not in the requests of %s (the catalog does not "
		       "list it for %s), so for %s the condition tests an absent key",
		       c->key, list.data, missing == 1 ? "that action" : "those actions",
		       missing == 1 ? "it" : "them");
	kh_buf_release(&list);
	free(acts);
}

/* fuzz_model_reply.c - arbitrary bytes as a model endpoint's reply body.
 * The reply is untrusted input: it must never crash keyhole, and whatever
 * keyhole keeps from it must fit the catalog. Checks that every grant names
 * a catalog service, that every action of a grant is a catalog action of
 * that service, that the intent written from it is JSON, and, in actions
 * mode, that every kept action is known or a wildcard that matches. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keyhole/describe.h"
#include "llm/describe_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char text[] =
	"my lambda reads the bucket orders-bucket and publishes to "
	"arn:aws:sns:us-east-1:123456789012:alerts";

static void check_intent(const struct kh_catalog *cat, struct kh_describe_result *r)
{
	json_t *doc;

	for (size_t i = 0; i < r->n_grants; i++) {
		const struct kh_describe_grant *g = &r->grants[i];
		if (!kh_catalog_service(cat, g->service, strlen(g->service)) ||
		    (!g->levels && !g->n_actions))
			abort();
		for (size_t k = 0; k < g->n_actions; k++) {
			const struct kh_action *a = kh_catalog_action(cat, g->actions[k]);
			if (!a || strcmp(a->service->prefix, g->service) != 0)
				abort();
		}
	}
	if (kh__result_write_intent(r, "fuzz") != KH_OK)
		return;
	if (!(doc = json_loads(r->intent.data, 0, NULL)))
		abort();
	json_decref(doc);
}

static void check_actions(const struct kh_catalog *cat, const struct kh_describe_result *r)
{
	for (size_t i = 0; i < r->n_actions; i++) {
		const struct kh_action **m = NULL;
		size_t n = 0;
		if (!kh_catalog_action(cat, r->actions[i]) &&
		    (kh_catalog_expand(cat, r->actions[i], &m, &n) != KH_OK || !n))
			abort();
		free(m);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kh_catalog *cat;
	struct kh_error err = {0};
	struct kh__anon a = {0};
	struct kh_buf anon;
	char *reply;

	if (!cat && kh_catalog_builtin(&cat, &err) != KH_OK)
		abort();
	if (size > 8192)
		return 0;
	if (!(reply = malloc(size + 1)))
		return 0;
	memcpy(reply, data, size);
	reply[size] = '\0';
	kh_buf_init(&anon, 1 << 16);
	if (kh__anon_text(cat, text, sizeof(text) - 1, &a, &anon) == KH_OK) {
		for (unsigned flags = 0; flags <= KH_DESCRIBE_ACTIONS_MODE; flags += KH_DESCRIBE_ACTIONS_MODE) {
			struct kh_describe_result r;
			kh_describe_result_init(&r);
			if (kh__describe_model_reply(cat, &a, reply, flags, &r, &err) == KH_OK) {
				if (flags)
					check_actions(cat, &r);
				else
					check_intent(cat, &r);
			}
			kh_describe_result_release(&r);
		}
	}
	kh_buf_release(&anon);
	kh__anon_release(&a);
	free(reply);
	return 0;
}

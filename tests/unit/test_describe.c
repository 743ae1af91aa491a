/* test_describe.c - free-text intents: the offline parser, the result's
 * JSON forms, anonymization, and option checks. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "keyhole/describe.h"
#include "llm/describe_int.h"

static struct kh_catalog *cat;

static int setup(void **state)
{
	struct kh_error err = {0};
	return kh_catalog_builtin(&cat, &err) == KH_OK ? 0 : -1;
}

static int teardown(void **state)
{
	kh_catalog_free(cat);
	return 0;
}

static void parse(const char *text, struct kh_describe_result *r)
{
	struct kh_error err = {0};
	kh_describe_result_init(r);
	assert_int_equal(kh_describe_parse(cat, text, NULL, r, &err), KH_OK);
}

static const struct kh_describe_grant *find_grant(const struct kh_describe_result *r,
						   const char *arn)
{
	for (size_t i = 0; i < r->n_grants; i++)
		if ((!arn && !r->grants[i].arn) ||
		    (arn && r->grants[i].arn && strcmp(r->grants[i].arn, arn) == 0))
			return &r->grants[i];
	return NULL;
}

static void test_two_grants_and_source(void **state)
{
	struct kh_describe_result r;
	const struct kh_describe_grant *g;

	parse("my Lambda reads objects from the orders bucket and publishes to the alerts topic", &r);
	assert_string_equal(r.source, "lambda");
	assert_int_equal(r.n_grants, 2);
	/* "reads objects" and "publishes" mean particular actions, not levels */
	g = find_grant(&r, "arn:aws:s3:::orders/*");
	assert_non_null(g);
	assert_int_equal(g->levels, 0);
	assert_int_equal(g->n_actions, 1);
	assert_string_equal(g->actions[0], "s3:GetObject");
	g = find_grant(&r, "arn:aws:sns:${Region}:${Account}:alerts");
	assert_non_null(g);
	assert_string_equal(g->service, "sns");
	assert_int_equal(g->levels, 0);
	assert_int_equal(g->n_actions, 1);
	assert_string_equal(g->actions[0], "sns:Publish");
	assert_int_equal(r.n_unparsed, 0);
	assert_non_null(strstr(r.intent.data, "\"source\": \"lambda\""));
	kh_describe_result_release(&r);
}

static void test_intent_is_json_and_deterministic(void **state)
{
	const char *text = "read and list bucket logs-archive, write the sessions table in eu-west-1";
	struct kh_describe_result a, b;
	json_t *doc;

	parse(text, &a);
	parse(text, &b);
	assert_string_equal(a.intent.data, b.intent.data);
	doc = json_loads(a.intent.data, 0, NULL);
	assert_non_null(doc);
	assert_int_equal(json_array_size(json_object_get(doc, "grants")), 3);
	assert_non_null(find_grant(&a, "arn:aws:dynamodb:eu-west-1:${Account}:table/sessions"));
	json_decref(doc);
	kh_describe_result_release(&a);
	kh_describe_result_release(&b);
}

static void test_unsupported_is_unparsed(void **state)
{
	struct kh_describe_result r;
	parse("make it secure", &r);
	assert_int_equal(r.n_grants, 0);
	assert_int_equal(r.n_unparsed, 1);
	assert_non_null(strstr(r.unparsed[0], "secure"));
	kh_describe_result_release(&r);

	parse("read the orders bucket and do whatever else it needs", &r);
	assert_int_equal(r.n_grants, 1);
	assert_true(r.n_unparsed >= 1);
	assert_non_null(strstr(r.unparsed[0], "whatever"));
	kh_describe_result_release(&r);
}

static void test_negations(void **state)
{
	struct kh_describe_result r;

	parse("full access to the media bucket except permissions management", &r);
	assert_int_equal(find_grant(&r, "arn:aws:s3:::media")->levels,
			 KH_LEVEL_ALL & ~(unsigned)KH_LEVEL_PERMISSIONS);
	kh_describe_result_release(&r);

	/* delete is part of write, which "update" asks for on SNS: kept, with a
	 * note; "publishes" means sns:Publish alone and asks for no level. */
	parse("publishes and updates the alerts topic but never deletes it", &r);
	assert_int_equal(r.n_grants, 1);
	assert_int_equal(r.grants[0].levels, KH_LEVEL_WRITE);
	assert_int_equal(r.grants[0].n_actions, 1);
	assert_string_equal(r.grants[0].actions[0], "sns:Publish");
	assert_int_equal(r.n_notes, 1);
	assert_non_null(strstr(r.notes[0], "'deletes' cannot be excluded alone"));
	assert_non_null(strstr(r.notes[0], "'updates'"));
	assert_int_equal(r.n_unparsed, 0);
	kh_describe_result_release(&r);

	/* a negated verb removes the actions it names: DeleteMessage */
	parse("an ECS task that consumes the jobs queue but does not delete messages", &r);
	assert_int_equal(r.n_grants, 1);
	assert_int_equal(r.grants[0].levels, 0);
	assert_int_equal(r.grants[0].n_actions, 3);
	assert_string_equal(r.grants[0].actions[0], "sqs:ChangeMessageVisibility");
	assert_string_equal(r.grants[0].actions[1], "sqs:GetQueueAttributes");
	assert_string_equal(r.grants[0].actions[2], "sqs:ReceiveMessage");
	assert_int_equal(r.n_unparsed, 0);
	kh_describe_result_release(&r);

	parse("the lambda must not write to anything, only read the config table", &r);
	assert_int_equal(r.n_grants, 1);
	assert_int_equal(r.grants[0].levels, 0);
	assert_non_null(strstr(r.intent.data, "\"dynamodb:GetItem\""));
	assert_null(strstr(r.intent.data, "PutItem"));
	kh_describe_result_release(&r);

	/* broad verbs keep their levels */
	parse("read-only access to the orders table", &r);
	assert_int_equal(r.grants[0].levels, KH_LEVEL_LIST | KH_LEVEL_READ);
	assert_int_equal(r.grants[0].n_actions, 0);
	kh_describe_result_release(&r);
}

/* Every "act" line names verbs of the lexicon and actions of the catalog;
 * an action that cannot act on the target leaves the verb its levels. */
static void test_verb_actions(void **state)
{
	const struct kh__lexicon *lx = kh__lexicon_builtin();
	struct kh_describe_result r;
	size_t n_acts;

	assert_non_null(lx);
	n_acts = kh__lexicon_act_count(lx);
	assert_true(n_acts >= 20);
	for (size_t i = 0; i < n_acts; i++) {
		const struct kh__lex_act *a = kh__lexicon_act_at(lx, i);
		const struct kh_service *svc = kh_catalog_service(cat, a->service, strlen(a->service));
		char word[64];
		assert_non_null(svc);
		for (const char *v = a->verbs; *v;) {
			size_t n = strcspn(v, ",");
			const char *words[4];
			char copy[64];
			size_t used = 0, nw = 0;
			assert_true(n > 0 && n < sizeof(word));
			memcpy(copy, v, n);
			copy[n] = '\0';
			for (char *t = strtok(copy, " "); t && nw < 4; t = strtok(NULL, " "))
				words[nw++] = t;
			const struct kh__lex_entry *e = kh__lexicon_match(lx, words, nw, &used);
			if (!e || e->kind != KH__LEX_VERB || used != nw)
				fail_msg("act line %zu: '%.*s' is not a verb of the lexicon", i, (int)n, v);
			v += n + (v[n] == ',');
		}
		for (const char *s = a->actions; *s;) {
			size_t n = strcspn(s, ",");
			if (!kh_service_action(svc, s, n))
				fail_msg("act line %zu: %s:%.*s is not in the catalog", i, a->service, (int)n, s);
			s += n + (s[n] == ',');
		}
	}
	/* every noun's service and resource type exist, so a name can become an ARN */
	for (size_t i = 0; i < kh__lexicon_count(lx); i++) {
		const struct kh__lex_entry *e = kh__lexicon_at(lx, i);
		const struct kh_service *svc;
		if (e->kind != KH__LEX_NOUN)
			continue;
		svc = kh_catalog_service(cat, e->service, strlen(e->service));
		if (!svc)
			fail_msg("noun '%s': no service '%s'", e->phrase, e->service);
		if (e->rtype && !kh_service_resource_type(svc, e->rtype))
			fail_msg("noun '%s': %s has no resource type '%s'", e->phrase, e->service, e->rtype);
	}
	assert_string_equal(kh__lexicon_actions(lx, "publish", "sns"), "Publish");
	assert_null(kh__lexicon_actions(lx, "publish", "s3"));

	/* GetObject cannot act on a bucket ARN as written: the read level stays */
	parse("the function reads from bucket arn:aws:s3:::my-bucket", &r);
	assert_int_equal(r.n_grants, 1);
	assert_int_equal(r.grants[0].levels, KH_LEVEL_READ);
	assert_int_equal(r.grants[0].n_actions, 0);
	kh_describe_result_release(&r);

	/* two verbs with actions on one target merge them, sorted */
	parse("read and write the sessions table", &r);
	assert_int_equal(r.n_grants, 1);
	assert_int_equal(r.grants[0].levels, 0);
	assert_int_equal(r.grants[0].n_actions, 8);
	for (size_t i = 1; i < r.grants[0].n_actions; i++)
		assert_true(strcmp(r.grants[0].actions[i - 1], r.grants[0].actions[i]) < 0);
	kh_describe_result_release(&r);
}

static void test_arns_and_typos(void **state)
{
	struct kh_describe_result r;

	parse("My Lamda sends messages to arn:aws:sqs:eu-west-1:210987654321:billing-queue", &r);
	assert_string_equal(r.source, "lambda");
	assert_non_null(find_grant(&r, "arn:aws:sqs:eu-west-1:210987654321:billing-queue"));
	assert_int_equal(r.n_grants, 1);
	kh_describe_result_release(&r);

	parse("publish to arn:aws:nosuchservice:us-east-1:123456789012:x", &r);
	assert_int_equal(r.n_grants, 0);
	assert_int_equal(r.n_unparsed, 1);
	kh_describe_result_release(&r);
}

static void test_result_json(void **state)
{
	struct kh_describe_result r;
	struct kh_buf b;
	json_t *doc;

	parse("uplaod files to bucket backups-prod", &r);
	kh_buf_init(&b, 0);
	assert_int_equal(kh_describe_result_json(&r, &b), KH_OK);
	doc = json_loads(b.data, 0, NULL);
	assert_non_null(doc);
	assert_true(json_is_object(json_object_get(doc, "intent")));
	assert_true(json_is_array(json_object_get(doc, "terms")));
	assert_true(json_is_false(json_object_get(doc, "used_model")));
	assert_non_null(strstr(b.data, "read as 'upload' (a likely typo)"));
	json_decref(doc);
	kh_buf_release(&b);
	kh_describe_result_release(&r);
}

static void test_options_and_limits(void **state)
{
	struct kh_describe_opts o = {.llm_url = "http://127.0.0.1:1"};
	struct kh_describe_result r;
	struct kh_error err = {0};
	char *big;

	kh_describe_result_init(&r);
	assert_int_equal(kh_describe_parse(cat, "read s3", &o, &r, &err), KH_EUSAGE);
	o.llm_url = NULL;
	o.flags = KH_DESCRIBE_ACTIONS_MODE;
	assert_int_equal(kh_describe_parse(cat, "read s3", &o, &r, &err), KH_EUSAGE);
	big = malloc((64 << 10) + 2);
	assert_non_null(big);
	memset(big, 'a', (64 << 10) + 1);
	big[(64 << 10) + 1] = '\0';
	assert_int_equal(kh_describe_parse(cat, big, NULL, &r, &err), KH_ELIMIT);
	free(big);
	assert_int_equal(kh_describe_parse(cat, "", NULL, &r, &err), KH_OK);
	assert_int_equal(r.n_grants, 0);
	kh_describe_result_release(&r);
}

static void test_anonymize_round_trip(void **state)
{
	const char *text = "read arn:aws:s3:::secret-bucket/reports/* and the orders table "
			   "in account 123456789012, then s3://private-data/x/ and "
			   "arn:aws:sns:us-east-1:123456789012:alerts";
	struct kh__anon a = {0};
	struct kh_buf out, back;

	kh_buf_init(&out, 0);
	kh_buf_init(&back, 0);
	assert_int_equal(kh__anon_text(cat, text, strlen(text), &a, &out), KH_OK);
	assert_null(strstr(out.data, "123456789012"));
	assert_null(strstr(out.data, "secret-bucket"));
	assert_null(strstr(out.data, "orders"));
	assert_null(strstr(out.data, "private-data"));
	assert_null(strstr(out.data, "alerts"));
	assert_non_null(strstr(out.data, "111111111111"));
	assert_non_null(strstr(out.data, "arn:aws:sns:us-east-1:111111111111:"));
	assert_int_equal(kh__anon_restore(&a, out.data, &back), KH_OK);
	assert_string_equal(back.data, text);
	kh__anon_release(&a);
	kh_buf_release(&out);
	kh_buf_release(&back);
}

static void test_osa_distance(void **state)
{
	assert_int_equal(kh__osa_distance("wirte", 5, "write", 5, 2), 1);
	assert_int_equal(kh__osa_distance("lamda", 5, "lambda", 6, 2), 1);
	assert_int_equal(kh__osa_distance("orders", 6, "list", 4, 1), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_grants_and_source),
		cmocka_unit_test(test_intent_is_json_and_deterministic),
		cmocka_unit_test(test_unsupported_is_unparsed),
		cmocka_unit_test(test_negations),
		cmocka_unit_test(test_verb_actions),
		cmocka_unit_test(test_arns_and_typos),
		cmocka_unit_test(test_result_json),
		cmocka_unit_test(test_options_and_limits),
		cmocka_unit_test(test_anonymize_round_trip),
		cmocka_unit_test(test_osa_distance),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

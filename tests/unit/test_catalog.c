/* test_catalog.c - the built-in catalog: loading, lookups, expansion, ARNs. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "catalog/catalog_int.h"
#include "keyhole/catalog.h"

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

static void test_every_service_parses(void **state)
{
	size_t actions = 0;
	assert_true(kh_catalog_service_count(cat) > 400);
	for (size_t i = 0; i < kh_catalog_service_count(cat); i++) {
		const struct kh_service *s = kh_catalog_service_at(cat, i);
		actions += s->n_actions;
		if (i)
			assert_true(strcmp(kh_catalog_service_at(cat, i - 1)->prefix, s->prefix) < 0);
		for (size_t j = 0; j < s->n_actions; j++) {
			assert_ptr_equal(s->actions[j].service, s);
			assert_true(s->actions[j].levels != 0);
			for (size_t r = 0; r < s->actions[j].n_resources; r++)
				assert_ptr_equal(s->actions[j].resources[r].type->service, s);
		}
	}
	/* Lazy parsing must reach the same count that load time announced. */
	assert_int_equal(actions, kh_catalog_action_count(cat));
	assert_true(actions > 20000);
}

static void test_eager_load_matches(void **state)
{
	/* kh_catalog_load_mem parses eagerly and reports any broken line. */
	extern const char kh_catalog_data[], kh_catalog_data_end[];
	struct kh_catalog *eager = NULL;
	struct kh_error err = {0};
	assert_int_equal(kh_catalog_load_mem(kh_catalog_data,
					     (size_t)(kh_catalog_data_end - kh_catalog_data),
					     &eager, &err),
			 KH_OK);
	assert_int_equal(kh_catalog_action_count(eager), kh_catalog_action_count(cat));
	kh_catalog_free(eager);
}

static void test_case_insensitive_lookup(void **state)
{
	const struct kh_action *a = kh_catalog_action(cat, "S3:getobject");
	assert_non_null(a);
	assert_string_equal(a->full_name, "s3:GetObject");
	assert_int_equal(a->levels, KH_LEVEL_READ);
	assert_null(kh_catalog_action(cat, "s3:GetObjekt"));
	assert_null(kh_catalog_action(cat, "nosuchservice:GetObject"));
	assert_null(kh_catalog_action(cat, "s3"));
	a = kh_catalog_action(cat, "iam:PutRolePolicy");
	assert_non_null(a);
	assert_int_equal(a->levels, KH_LEVEL_PERMISSIONS | KH_LEVEL_WRITE);
}

static void test_expand(void **state)
{
	const struct kh_action **acts;
	size_t n;

	assert_int_equal(kh_catalog_expand(cat, "s3:Get*Tagging", &acts, &n), KH_OK);
	assert_true(n >= 4);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(strncmp(acts[i]->full_name, "s3:Get", 6), 0);
		assert_non_null(strstr(acts[i]->full_name, "Tagging"));
	}
	free(acts);
	assert_int_equal(kh_catalog_expand(cat, "S3:GETOBJECT", &acts, &n), KH_OK);
	assert_int_equal(n, 1);
	free(acts);
	assert_int_equal(kh_catalog_expand(cat, "s3:Nothing*Here", &acts, &n), KH_OK);
	assert_int_equal(n, 0);
	free(acts);
	assert_int_equal(kh_catalog_expand(cat, "*", &acts, &n), KH_OK);
	assert_int_equal(n, kh_catalog_action_count(cat));
	free(acts);
	/* '?' is one character; the service part may be wildcarded too. */
	assert_int_equal(kh_catalog_expand(cat, "s?:GetObject", &acts, &n), KH_OK);
	assert_int_equal(n, 1);
	free(acts);
}

static void test_levels(void **state)
{
	assert_int_equal(kh_level_parse("read", 4), KH_LEVEL_READ);
	assert_int_equal(kh_level_parse("DESCRIBE", 8), KH_LEVEL_READ | KH_LEVEL_LIST);
	assert_int_equal(kh_level_parse("admin", 5), KH_LEVEL_ALL);
	assert_int_equal(kh_level_parse("execute", 7), 0);
}

static void test_condition_keys(void **state)
{
	assert_non_null(kh_catalog_condition_key(cat, "aws:SourceIp"));
	assert_int_equal(kh_catalog_condition_key(cat, "aws:sourceip")->type, KH_KEY_IP);
	assert_non_null(kh_catalog_condition_key(cat, "aws:PrincipalTag/team"));
	assert_non_null(kh_catalog_condition_key(cat, "s3:prefix"));
	assert_non_null(kh_catalog_condition_key(cat, "s3:ExistingObjectTag/owner"));
	assert_null(kh_catalog_condition_key(cat, "s3:NoSuchKey"));
	assert_null(kh_catalog_condition_key(cat, "aws:PrincipalTag/"));
	assert_null(kh_catalog_condition_key(cat, "nokey"));

	/* resource types carry their own keys: rds:DatabaseEngine comes with db */
	{
		const struct kh_service *rds = kh_catalog_service(cat, "rds", 3);
		const struct kh_resource_type *db = kh_service_resource_type(rds, "db");
		int found = 0;
		assert_non_null(db);
		for (size_t i = 0; i < db->n_condition_keys; i++)
			found |= strcmp(db->condition_keys[i], "rds:DatabaseEngine") == 0;
		assert_true(found);
		assert_int_equal(kh_service_resource_type(kh_catalog_service(cat, "s3", 2), "bucket")
					 ->n_condition_keys > 0, 1);
	}
	/* which requests carry a key: the action's own, its types', any tag */
	assert_true(kh_action_takes_condition_key(kh_catalog_action(cat, "s3:ListBucket"), "s3:prefix"));
	assert_false(kh_action_takes_condition_key(kh_catalog_action(cat, "s3:GetObject"), "s3:prefix"));
	assert_true(kh_action_takes_condition_key(kh_catalog_action(cat, "rds:CreateDBInstance"),
						  "rds:DatabaseEngine"));
	assert_true(kh_action_takes_condition_key(kh_catalog_action(cat, "s3:GetObject"),
						  "s3:ExistingObjectTag/team"));
	assert_false(kh_action_takes_condition_key(kh_catalog_action(cat, "s3:ListAllMyBuckets"),
						   "s3:ExistingObjectTag/team"));
}

static void test_arn_matching(void **state)
{
	const char *object = "arn:${Partition}:s3:::${BucketName}/${ObjectName}";
	const char *bucket = "arn:${Partition}:s3:::${BucketName}";
	const struct kh_service *s3 = kh_catalog_service(cat, "s3", 2);
	const struct kh_resource_type *rt[8];

	assert_true(kh_arn_matches_template("arn:aws:s3:::orders/*", object, 1));
	assert_true(kh_arn_matches_template("arn:aws:s3:::orders/a/b.txt", object, 1));
	assert_false(kh_arn_matches_template("arn:aws:s3:::orders/*", bucket, 0));
	assert_true(kh_arn_matches_template("arn:aws:s3:::orders", bucket, 0));
	assert_true(kh_arn_matches_template("arn:aws:s3:::orders*", bucket, 0));
	assert_true(kh_arn_matches_template("*", bucket, 0));
	assert_false(kh_arn_matches_template("arn:aws:sns:us-east-1:1:t", bucket, 0));
	/* The bucket template has empty region and account segments. */
	assert_false(kh_arn_matches_template("arn:aws:s3:us-east-1:123:orders", bucket, 0));
	assert_true(kh_arn_matches_template("arn:aws:s3:::${aws:username}-home/*", object, 1));
	assert_int_equal(kh_service_match_arn(s3, "arn:aws:s3:::orders/*", rt, 8), 1);
	assert_string_equal(rt[0]->name, "object");
	assert_int_equal(kh_service_match_arn(s3, "arn:aws:s3:::orders", rt, 8), 1);
	assert_string_equal(rt[0]->name, "bucket");
}

/* Writes tmpl with every ${Placeholder} replaced by fill. */
static void instantiate(const char *tmpl, size_t len, const char *fill, char *out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < len && n + strlen(fill) + 2 < cap; i++) {
		const char *close = tmpl[i] == '$' && tmpl[i + 1] == '{' ? memchr(tmpl + i, '}', len - i) : NULL;
		if (close) {
			n += (size_t)snprintf(out + n, cap - n, "%s", fill);
			i = (size_t)(close - tmpl);
		} else {
			out[n++] = tmpl[i];
		}
	}
	out[n] = '\0';
}

/* Concrete ARNs take a direct matcher; it must agree with the general
 * search on every template of the catalog, for ARNs built from each
 * template of the same service with fills that test each class. */
static void test_concrete_arn_fast_path(void **state)
{
	static const char *fills[] = {"abc", "", "a/b", "a:b", "x/y/z", "v1:2/3", "::", "/"};
	size_t compared = 0, matched = 0;

	for (size_t i = 0; i < kh_catalog_service_count(cat); i++) {
		const struct kh_service *svc = kh_catalog_service_at(cat, i);
		for (size_t a = 0; a < svc->n_resource_types; a++) {
			const char *src = svc->resource_types[a].arn;
			const char *bar = strchr(src, '|');
			size_t len = bar ? (size_t)(bar - src) : strlen(src);
			for (size_t f = 0; f < sizeof(fills) / sizeof(fills[0]); f++) {
				char arn[1200];
				instantiate(src, len, fills[f], arn, sizeof(arn));
				if (strpbrk(arn, "*?$"))
					continue;
				for (size_t b = 0; b < svc->n_resource_types; b++) {
					const struct kh_resource_type *rt = &svc->resource_types[b];
					const char *t = rt->arn, *tb = strchr(t, '|');
					char one[1024];
					size_t tl = tb ? (size_t)(tb - t) : strlen(t);
					if (tl >= sizeof(one))
						continue;
					memcpy(one, t, tl);
					one[tl] = '\0';
					int fast = kh_arn_matches_template(arn, one, rt->last_spans_path);
					int slow = kh__arn_matches_template_tokens(arn, one, rt->last_spans_path);
					if (fast != slow)
						fail_msg("%s vs %s (spans %d): fast %d, tokens %d", arn, one,
							 rt->last_spans_path, fast, slow);
					compared++;
					matched += (size_t)fast;
				}
			}
		}
	}
	assert_true(compared > 100000);
	assert_true(matched > 10000);
}

static void test_dynamodb_table_vs_index(void **state)
{
	const struct kh_service *ddb = kh_catalog_service(cat, "dynamodb", 8);
	const struct kh_resource_type *rt[8];
	size_t n = kh_service_match_arn(ddb, "arn:aws:dynamodb:us-east-1:123456789012:table/orders",
					rt, 8);
	assert_int_equal(n, 1);
	assert_string_equal(rt[0]->name, "table");
	n = kh_service_match_arn(ddb, "arn:aws:dynamodb:us-east-1:123456789012:table/orders/index/byDate",
				 rt, 8);
	assert_int_equal(n, 1);
	assert_string_equal(rt[0]->name, "index");
}

static void test_suggest(void **state)
{
	const struct kh_action *near[5];
	size_t n = kh_catalog_suggest(cat, "s3:GetObjekt", near, 5);
	assert_true(n >= 1);
	assert_string_equal(near[0]->full_name, "s3:GetObject");
	n = kh_catalog_suggest(cat, "dynamodb:Getitem2", near, 5);
	assert_true(n >= 1);
	assert_string_equal(near[0]->full_name, "dynamodb:GetItem");
}

static void test_service_without_lines(void **state)
{
	const char *text = "#keyhole-catalog 1\nS\tempty\tNothing here\nS\tx\tX\n"
			   "A\tGetThing\tR\t\t\t\tgets a thing\n";
	struct kh_catalog *c = NULL;
	struct kh_error err = {0};

	assert_int_equal(kh_catalog_load_mem(text, strlen(text), &c, &err), KH_OK);
	assert_int_equal(kh_catalog_service(c, "empty", 5)->n_actions, 0);
	assert_non_null(kh_catalog_action(c, "x:GetThing"));
	kh_catalog_free(c);
}

static void test_rejects_bad_catalog(void **state)
{
	static const char *bad[] = {
		"not a catalog",
		"#keyhole-catalog 1\nA\tGetThing\tR\t\t\t\tno service\n",
		"#keyhole-catalog 1\nS\tx\tX\nA\tGetThing\tQ\t\t\t\tbad level\n",
		"#keyhole-catalog 1\nS\tx\tX\nA\tGetThing\tR\tnosuch*\t\t\tunknown type\n",
		"#keyhole-catalog 1\nS\tx\tX\nA\tGetThing\tR\n",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct kh_catalog *c = NULL;
		struct kh_error err = {0};
		assert_int_equal(kh_catalog_load_mem(bad[i], strlen(bad[i]), &c, &err), KH_EINPUT);
		assert_null(c);
		assert_true(err.msg[0] != '\0');
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_service_parses),
		cmocka_unit_test(test_eager_load_matches),
		cmocka_unit_test(test_case_insensitive_lookup),
		cmocka_unit_test(test_expand),
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_condition_keys),
		cmocka_unit_test(test_arn_matching),
		cmocka_unit_test(test_concrete_arn_fast_path),
		cmocka_unit_test(test_dynamodb_table_vs_index),
		cmocka_unit_test(test_suggest),
		cmocka_unit_test(test_service_without_lines),
		cmocka_unit_test(test_rejects_bad_catalog),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

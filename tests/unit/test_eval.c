/* test_eval.c - the evaluation engine: patterns, conditions, decisions,
 * glob containment and compile errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "eval/eval_int.h"
#include "keyhole/eval.h"

/* Builds an engine from identity policy text (and an optional resource
 * policy); fails the test on error. */
static struct kh_engine *engine(const char *identity, const char *resource)
{
	struct kh_engine *e;
	struct kh_policy *p = NULL;
	struct kh_error err = {0};

	assert_int_equal(kh_engine_new(&e), KH_OK);
	if (identity) {
		assert_int_equal(kh_policy_parse(identity, strlen(identity), &p, &err), KH_OK);
		if (kh_engine_add(e, KH_EVAL_IDENTITY, p, "id.json", &err) != KH_OK)
			fail_msg("add: %s at %s", err.msg, err.path);
		kh_policy_free(p);
	}
	if (resource) {
		assert_int_equal(kh_policy_parse(resource, strlen(resource), &p, &err), KH_OK);
		if (kh_engine_add(e, KH_EVAL_RESOURCE, p, "rp.json", &err) != KH_OK)
			fail_msg("add: %s at %s", err.msg, err.path);
		kh_policy_free(p);
	}
	return e;
}

static enum kh_decision decide(const struct kh_engine *e, const char *action,
			       const char *resource, const struct kh_eval_key *ctx, size_t n)
{
	struct kh_eval_request r = {.action = action, .resource = resource, .context = ctx,
				    .n_context = n};
	struct kh_eval_result res;
	assert_int_equal(kh_engine_evaluate(e, &r, &res), KH_OK);
	return res.decision;
}

#define ALLOW KH_DECISION_ALLOW
#define IMPLICIT KH_DECISION_IMPLICIT_DENY
#define EXPLICIT KH_DECISION_EXPLICIT_DENY

static void test_pattern_units(void **state)
{
	struct kh_arena a;
	struct ev_pat p;
	const char *v[] = {"alice"};
	struct kh_eval_key k = {.key = "aws:username", .values = v, .n_values = 1};
	struct kh_eval_request r = {.context = &k, .n_context = 1};
	struct kh_eval_request none = {0};

	kh_arena_init(&a);
	assert_int_equal(ev_pat_compile(&a, "home/${aws:username}/*", strlen("home/${aws:username}/*"), 1, 1, 0, &p), KH_OK);
	assert_int_equal(ev_pat_match(&p, "home/alice/x/y", 14, 0, &r), 1);
	assert_int_equal(ev_pat_match(&p, "home/bob/x", 10, 0, &r), 0);
	assert_int_equal(ev_pat_match(&p, "home/alice/x", 12, 0, &none), -1);
	assert_int_equal(ev_pat_compile(&a, "a${*}b${?}${$}", strlen("a${*}b${?}${$}"), 1, 1, 0, &p), KH_OK);
	assert_int_equal(ev_pat_match(&p, "a*b?$", 5, 0, &none), 1);
	assert_int_equal(ev_pat_match(&p, "axb?$", 5, 0, &none), 0);
	assert_int_equal(ev_pat_compile(&a, "*a?c*", strlen("*a?c*"), 1, 0, 0, &p), KH_OK);
	assert_int_equal(ev_pat_match(&p, "xxabcabXc", 9, 0, &none), 1);
	assert_int_equal(ev_pat_match(&p, "ac", 2, 0, &none), 0);
	assert_int_equal(ev_pat_compile(&a, "${aws:missing, 'dflt'}", strlen("${aws:missing, 'dflt'}"), 1, 1, 0, &p), KH_OK);
	assert_int_equal(ev_pat_match(&p, "dflt", 4, 0, &none), 1);
	kh_arena_release(&a);
}

static void test_arn_segments(void **state)
{
	const char *pol = "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"sqs:*\","
			  "\"Resource\":[\"arn:aws:sqs:*:111111111111:q*\","
			  "\"arn:aws:logs:*:*:log-group:a*\"]}}";
	struct kh_engine *e = engine(pol, NULL);

	assert_int_equal(decide(e, "sqs:SendMessage", "arn:aws:sqs:us-east-1:111111111111:q1", NULL, 0), ALLOW);
	/* '*' in the region segment cannot swallow the account segment */
	assert_int_equal(decide(e, "sqs:SendMessage", "arn:aws:sqs:us-east-1:x:111111111111:q1", NULL, 0), IMPLICIT);
	/* case-sensitive resources, case-insensitive actions */
	assert_int_equal(decide(e, "SQS:sendMESSAGE", "arn:aws:sqs:us-east-1:111111111111:Q1", NULL, 0), IMPLICIT);
	assert_int_equal(decide(e, "SQS:sendMESSAGE", "arn:aws:sqs:us-east-1:111111111111:q1", NULL, 0), ALLOW);
	kh_engine_free(e);
}

static void test_dates_and_ips(void **state)
{
	double d, d2;
	struct ev_ip ip;

	assert_int_equal(ev_parse_date("2024-01-01T00:00:00Z", 20, &d), 0);
	assert_true(d == 1704067200.0);
	assert_int_equal(ev_parse_date("2024-01-01", 10, &d2), 0);
	assert_true(d == d2);
	assert_int_equal(ev_parse_date("2024-01-01T02:00:00+02:00", 25, &d2), 0);
	assert_true(d == d2);
	assert_int_equal(ev_parse_date("1704067200", 10, &d2), 0);
	assert_true(d == d2);
	assert_int_equal(ev_parse_date("2024-13-01", 10, &d2), -1);
	assert_int_equal(ev_parse_date("yesterday", 9, &d2), -1);
	assert_int_equal(ev_parse_ip("10.0.0.0/8", 10, &ip, 1), 0);
	assert_int_equal(ip.bits, 8);
	assert_int_equal(ev_parse_ip("2001:db8::/32", 13, &ip, 1), 0);
	assert_int_equal(ip.v6, 1);
	assert_int_equal(ev_parse_ip("10.0.0.0/33", 11, &ip, 1), -1);
	assert_int_equal(ev_parse_ip("10.0.0.1/8", 10, &ip, 0), -1);
	assert_int_equal(ev_parse_ip("1.2.3", 5, &ip, 1), -1);
}

static void test_condition_semantics(void **state)
{
	const char *pol =
		"{\"Statement\":["
		"{\"Effect\":\"Allow\",\"Action\":\"ec2:CreateTags\",\"Resource\":\"*\","
		" \"Condition\":{\"ForAllValues:StringEquals\":{\"aws:TagKeys\":[\"a\",\"b\"]}}},"
		"{\"Effect\":\"Allow\",\"Action\":\"ec2:DeleteTags\",\"Resource\":\"*\","
		" \"Condition\":{\"ForAnyValue:StringEquals\":{\"aws:TagKeys\":\"a\"}}},"
		"{\"Effect\":\"Allow\",\"Action\":\"ec2:StartInstances\",\"Resource\":\"*\","
		" \"Condition\":{\"StringNotEquals\":{\"ec2:InstanceType\":[\"x\",\"y\"]},"
		"               \"NumericLessThanIfExists\":{\"ec2:Count\":\"5\"}}}]}";
	struct kh_engine *e = engine(pol, NULL);
	const char *ab[] = {"a", "b"}, *ac[] = {"a", "c"}, *x[] = {"x"}, *z[] = {"z"}, *six[] = {"6"};
	struct kh_eval_key empty = {.key = "aws:TagKeys", .is_array = 1};
	struct kh_eval_key k_ab = {.key = "aws:tagkeys", .values = ab, .n_values = 2, .is_array = 1};
	struct kh_eval_key k_ac = {.key = "aws:TagKeys", .values = ac, .n_values = 2, .is_array = 1};
	struct kh_eval_key both[] = {{.key = "ec2:InstanceType", .values = z, .n_values = 1},
				     {.key = "ec2:Count", .values = six, .n_values = 1}};
	struct kh_eval_key type_x = {.key = "ec2:InstanceType", .values = x, .n_values = 1};

	assert_int_equal(decide(e, "ec2:CreateTags", "*", NULL, 0), ALLOW);
	assert_int_equal(decide(e, "ec2:CreateTags", "*", &empty, 1), ALLOW);
	assert_int_equal(decide(e, "ec2:CreateTags", "*", &k_ab, 1), ALLOW);
	assert_int_equal(decide(e, "ec2:CreateTags", "*", &k_ac, 1), IMPLICIT);
	assert_int_equal(decide(e, "ec2:DeleteTags", "*", NULL, 0), IMPLICIT);
	assert_int_equal(decide(e, "ec2:DeleteTags", "*", &empty, 1), IMPLICIT);
	assert_int_equal(decide(e, "ec2:DeleteTags", "*", &k_ac, 1), ALLOW);
	/* negated operator on a missing key, IfExists on a missing key */
	assert_int_equal(decide(e, "ec2:StartInstances", "*", NULL, 0), ALLOW);
	assert_int_equal(decide(e, "ec2:StartInstances", "*", &type_x, 1), IMPLICIT);
	/* AND between operators: the numeric one fails */
	assert_int_equal(decide(e, "ec2:StartInstances", "*", both, 2), IMPLICIT);
	kh_engine_free(e);
}

static void test_explain_names_condition(void **state)
{
	const char *pol = "{\"Statement\":[{\"Sid\":\"Tls\",\"Effect\":\"Allow\",\"Action\":\"s3:*\","
			  "\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"aws:username\":\"a\"},"
			  "\"Bool\":{\"aws:SecureTransport\":\"true\"}}}]}";
	struct kh_engine *e = engine(pol, NULL);
	const char *a[] = {"a"};
	struct kh_eval_key k = {.key = "aws:username", .values = a, .n_values = 1};
	struct kh_eval_request r = {.action = "s3:GetObject", .resource = "*", .context = &k,
				    .n_context = 1};
	struct kh_eval_result res;
	struct kh_buf b;
	size_t ci = 99;

	kh_engine_evaluate(e, &r, &res);
	assert_int_equal(res.decision, IMPLICIT);
	assert_int_equal(kh_engine_match_statement(e, (struct kh_eval_ref){0, 0, 0}, &r, &ci),
			 KH_MATCH_CONDITION);
	assert_int_equal(ci, 1);
	kh_buf_init(&b, 0);
	assert_int_equal(kh_engine_explain(e, &r, &res, 0, &b), KH_OK);
	assert_non_null(strstr(b.data, "condition Bool on 'aws:SecureTransport' is false (key not in the request)"));
	kh_buf_release(&b);
	kh_engine_free(e);
}

static void test_resource_policy_rules(void **state)
{
	const char *rp = "{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":"
			 "\"arn:aws:iam::222222222222:root\"},\"Action\":\"sqs:SendMessage\","
			 "\"Resource\":\"*\"},{\"Effect\":\"Allow\",\"Principal\":\"*\","
			 "\"Action\":\"sqs:GetQueueUrl\",\"Resource\":\"*\"}]}";
	const char *id = "{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"sqs:SendMessage\","
			 "\"Resource\":\"*\"}}";
	struct kh_engine *both = engine(id, rp), *rp_only = engine(NULL, rp);
	struct kh_eval_request r = {.principal = "arn:aws:iam::222222222222:user/carol",
				    .action = "sqs:SendMessage",
				    .resource = "arn:aws:sqs:us-east-1:111111111111:q"};
	struct kh_eval_result res;

	kh_engine_evaluate(both, &r, &res);
	assert_int_equal(res.decision, ALLOW);
	assert_int_equal(res.reason, KH_REASON_ALLOW_BOTH);
	kh_engine_evaluate(rp_only, &r, &res);
	assert_int_equal(res.reason, KH_REASON_CROSS_NO_IDENTITY);
	r.anonymous = 1;
	r.action = "sqs:GetQueueUrl";
	kh_engine_evaluate(rp_only, &r, &res);
	assert_int_equal(res.decision, ALLOW);
	kh_engine_free(both);
	kh_engine_free(rp_only);
}

static void test_compile_errors(void **state)
{
	const char *bad = "{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"s3:*\",\"Resource\":\"*\",\n"
			  "\"Condition\":{\"NumericLessThan\":{\"s3:max-keys\":[\"1\",\"many\"]}}}]}";
	struct kh_engine *e;
	struct kh_policy *p;
	struct kh_error err = {0};

	assert_int_equal(kh_engine_new(&e), KH_OK);
	assert_int_equal(kh_policy_parse(bad, strlen(bad), &p, &err), KH_OK);
	assert_int_equal(kh_engine_add(e, KH_EVAL_IDENTITY, p, "p", &err), KH_EINPUT);
	assert_int_equal(err.line, 2);
	assert_string_equal(err.path, "Statement[0].Condition.NumericLessThan.s3:max-keys[1]");
	assert_int_equal(kh_engine_count(e, KH_EVAL_IDENTITY), 0);
	kh_policy_free(p);
	kh_engine_free(e);
}

static void test_glob_contains(void **state)
{
	assert_true(kh_glob_contains("*", "abc", 0));
	assert_true(kh_glob_contains("a*", "a?*", 0));
	assert_true(kh_glob_contains("*?", "?*", 0)); /* needs the exact search */
	assert_false(kh_glob_contains("?*", "*", 0));
	assert_false(kh_glob_contains("a*c", "a*", 0));
	assert_true(kh_glob_contains("S3:Get*", "s3:GetObject", 1));
	assert_false(kh_glob_contains("S3:Get*", "s3:GetObject", 0));
	assert_true(kh_arn_pattern_contains("arn:aws:s3:::logs/*", "arn:aws:s3:::logs/app/*"));
	assert_false(kh_arn_pattern_contains("arn:aws:s3:::logs/app/a.log", "arn:aws:s3:::logs/app/*"));
	assert_true(kh_arn_pattern_contains("arn:aws:sqs:*:1:*", "arn:aws:sqs:us-east-1:1:q"));
	assert_false(kh_arn_pattern_contains("arn:aws:sqs:us-*:1:*", "arn:aws:sqs:*:1:q"));
	assert_true(kh_arn_pattern_contains("*", "arn:aws:sqs:*:1:q"));
	assert_false(kh_arn_pattern_contains("arn:aws:sqs:*:*:*", "*"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pattern_units),
		cmocka_unit_test(test_arn_segments),
		cmocka_unit_test(test_dates_and_ips),
		cmocka_unit_test(test_condition_semantics),
		cmocka_unit_test(test_explain_names_condition),
		cmocka_unit_test(test_resource_policy_rules),
		cmocka_unit_test(test_compile_errors),
		cmocka_unit_test(test_glob_contains),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

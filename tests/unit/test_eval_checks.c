/* test_eval_checks.c - the CI checks: no-new-access, access-not-granted,
 * no-public-access. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "keyhole/eval.h"

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

static struct kh_policy *parse(const char *text)
{
	struct kh_policy *p = NULL;
	struct kh_error err = {0};
	assert_int_equal(kh_policy_parse(text, strlen(text), &p, &err), KH_OK);
	return p;
}

static void test_wildcard_widens(void **state)
{
	struct kh_policy *old = parse("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\","
				      "\"Resource\":\"arn:aws:s3:::b/report.csv\"}}");
	struct kh_policy *new = parse("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\","
				      "\"Resource\":\"arn:aws:s3:::b/*\"}}");
	struct kh_check_result r;
	struct kh_error err = {0};

	assert_int_equal(kh_check_no_new_access(cat, new, old, &r, &err), KH_OK);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.items[0].action, "s3:GetObject");
	assert_string_equal(r.items[0].resource, "arn:aws:s3:::b/*");
	kh_check_result_release(&r);
	/* the other way round nothing is new */
	assert_int_equal(kh_check_no_new_access(cat, old, new, &r, &err), KH_OK);
	assert_int_equal(r.n, 0);
	kh_check_result_release(&r);
	kh_policy_free(old);
	kh_policy_free(new);
}

static void test_notaction_and_deny(void **state)
{
	struct kh_policy *old = parse("{\"Statement\":{\"Effect\":\"Allow\",\"Action\":\"sqs:*\",\"Resource\":\"*\"}}");
	struct kh_policy *new = parse(
		"{\"Statement\":[{\"Effect\":\"Allow\",\"NotAction\":\"sqs:Delete*\",\"Resource\":\"*\"},"
		"{\"Effect\":\"Deny\",\"NotAction\":\"sqs:*\",\"Resource\":\"*\"}]}");
	struct kh_check_result r;
	struct kh_error err = {0};

	/* NotAction grants everything but sqs:Delete*; the Deny removes all but sqs */
	assert_int_equal(kh_check_no_new_access(cat, new, old, &r, &err), KH_OK);
	assert_int_equal(r.n, 0);
	kh_check_result_release(&r);
	kh_policy_free(old);
	kh_policy_free(new);
}

static void test_access_not_granted(void **state)
{
	struct kh_policy *p = parse("{\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"iam:Pass*\",\"Resource\":"
				    "\"arn:aws:iam::1:role/app-*\"}]}");
	const char *acts[] = {"iam:PassRole"};
	const char *in[] = {"arn:aws:iam::1:role/app-web"}, *out[] = {"arn:aws:iam::1:role/admin"};
	struct kh_check_result r;
	struct kh_error err = {0};

	assert_int_equal(kh_check_access_not_granted(cat, p, acts, 1, in, 1, &r, &err), KH_OK);
	assert_int_equal(r.n, 1);
	kh_check_result_release(&r);
	assert_int_equal(kh_check_access_not_granted(cat, p, acts, 1, out, 1, &r, &err), KH_OK);
	assert_int_equal(r.n, 0);
	kh_check_result_release(&r);
	acts[0] = "nosuch:Thing";
	assert_int_equal(kh_check_access_not_granted(cat, p, acts, 1, NULL, 0, &r, &err), KH_EINPUT);
	kh_policy_free(p);
}

static void test_public(void **state)
{
	struct kh_policy *p = parse(
		"{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"sns:Publish\","
		"\"Resource\":\"*\",\"Condition\":{\"StringEquals\":{\"aws:SourceOwner\":\"111111111111\"}}},"
		"{\"Effect\":\"Allow\",\"Principal\":{\"AWS\":\"*\"},\"Action\":\"sns:Subscribe\","
		"\"Resource\":\"*\",\"Condition\":{\"StringNotEquals\":{\"aws:SourceAccount\":\"1\"}}},"
		"{\"Effect\":\"Deny\",\"Principal\":\"*\",\"Action\":\"*\",\"Resource\":\"*\"}]}");
	struct kh_check_result r;
	struct kh_error err = {0};

	assert_int_equal(kh_check_no_public_access(p, "sns", &r, &err), KH_OK);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.items[0].stmt.statement, 1);
	kh_check_result_release(&r);
	kh_policy_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wildcard_widens),
		cmocka_unit_test(test_notaction_and_deny),
		cmocka_unit_test(test_access_not_granted),
		cmocka_unit_test(test_public),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

/* test_emit.c - the JSON, Terraform and CloudFormation emitters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "keyhole/emit.h"
#include "keyhole/generate.h"

static struct kh_catalog *cat;

static int setup(void **state)
{
	struct kh_error err = {0};
	return kh_catalog_builtin(&cat, &err);
}

static int teardown(void **state)
{
	kh_catalog_free(cat);
	return 0;
}

/* Generates from allows and renders in f; returns the malloc()'ed text. */
static char *render(const char *const *allows, const char *source, unsigned flags,
		    enum kh_format f)
{
	struct kh_intent in;
	struct kh_generate_result res;
	struct kh_error err = {0};
	struct kh_buf out;

	kh_intent_init(&in);
	for (; *allows; allows++)
		assert_int_equal(kh_intent_add_allow(&in, *allows, &err), KH_OK);
	in.name = strdup("orders-fn");
	in.source = source ? strdup(source) : NULL;
	if (kh_generate(cat, &in, flags, &res, &err) != KH_OK)
		fail_msg("generate: %s", err.msg);
	kh_buf_init(&out, 0);
	assert_int_equal(kh_emit(&res, f, flags, &out), KH_OK);
	kh_generate_result_release(&res);
	kh_intent_release(&in);
	return kh_buf_detach(&out, NULL);
}

static void has(const char *text, const char *needle)
{
	if (!strstr(text, needle))
		fail_msg("'%s' not in:\n%s", needle, text);
}

static void lacks(const char *text, const char *needle)
{
	if (strstr(text, needle))
		fail_msg("'%s' unexpectedly in:\n%s", needle, text);
}

static void test_formats(void **state)
{
	enum kh_format f;
	assert_int_equal(kh_format_parse("tf", &f), 0);
	assert_int_equal(f, KH_FORMAT_TERRAFORM);
	assert_int_equal(kh_format_parse("cfn", &f), 0);
	assert_int_equal(f, KH_FORMAT_CLOUDFORMATION);
	assert_int_equal(kh_format_parse("yaml", &f), -1);
	assert_string_equal(kh_format_name(KH_FORMAT_JSON), "json");
}

static void test_terraform(void **state)
{
	const char *allows[] = {"sns:write", "s3:read@arn:aws:s3:::home/${aws:username}/*", NULL};
	char *t = render(allows, "lambda", KH_GEN_WITH_TRUST, KH_FORMAT_TERRAFORM);

	has(t, "data \"aws_partition\" \"current\" {}");
	has(t, "data \"aws_region\" \"current\" {}");
	has(t, "data \"aws_caller_identity\" \"current\" {}");
	has(t, "variable \"topic_name\" {");
	has(t, "\"arn:${data.aws_partition.current.partition}:sns:${data.aws_region.current.name}:"
	       "${data.aws_caller_identity.current.account_id}:${var.topic_name}\"");
	has(t, "\"arn:aws:s3:::home/$${aws:username}/*\""); /* literal for Terraform */
	has(t, "data \"aws_iam_policy_document\" \"orders_fn\" {");
	has(t, "resource \"aws_iam_policy\" \"orders_fn\" {");
	has(t, "assume_role_policy = data.aws_iam_policy_document.orders_fn_assume_role.json");
	has(t, "resource \"aws_iam_role_policy_attachment\" \"orders_fn\" {");
	has(t, "identifiers = [\"lambda.amazonaws.com\"]");
	free(t);

	/* Only the data sources that are used; no role without trust. */
	{
		const char *arn_only[] = {"sns:write@arn:aws:sns:us-east-1:123456789012:t", NULL};
		t = render(arn_only, NULL, 0, KH_FORMAT_TERRAFORM);
		lacks(t, "aws_partition");
		lacks(t, "variable");
		lacks(t, "aws_iam_role");
		free(t);
	}
}

static void test_cloudformation(void **state)
{
	const char *allows[] = {"sns:write", "s3:read@arn:aws:s3:::home/${aws:username}/*", NULL};
	char *y = render(allows, "ecs", KH_GEN_WITH_TRUST, KH_FORMAT_CLOUDFORMATION);
	char *j = render(allows, "ecs", KH_GEN_WITH_TRUST | KH_GEN_CFN_JSON,
			 KH_FORMAT_CLOUDFORMATION);
	json_error_t jerr;
	json_t *t = json_loads(j, 0, &jerr);

	has(y, "AWSTemplateFormatVersion: \"2010-09-09\"\n");
	has(y, "  TopicName:\n    Type: String\n");
	has(y, "- !Sub \"arn:${AWS::Partition}:sns:${AWS::Region}:${AWS::AccountId}:"
	       "${TopicName}\"");
	has(y, "- \"arn:aws:s3:::home/${aws:username}/*\""); /* no Fn::Sub: literal */
	has(y, "Type: AWS::IAM::Role");
	has(y, "Service: ecs-tasks.amazonaws.com");
	has(y, "Roles:\n        - !Ref OrdersFnRole\n");

	assert_non_null(t);
	assert_string_equal(
		json_string_value(json_object_get(
			json_object_get(json_object_get(json_object_get(t, "Resources"),
							"OrdersFnPolicy"),
					"Properties"),
			"ManagedPolicyName")),
		"orders-fn");
	has(j, "\"Fn::Sub\": \"arn:${AWS::Partition}:sns:");
	has(j, "\"Ref\": \"OrdersFnRole\"");
	json_decref(t);
	free(y);
	free(j);

	{
		const char *sub[] = {"sns:write@arn:${Partition}:sns:us-east-1:1:${aws:username}",
				     NULL};
		y = render(sub, NULL, 0, KH_FORMAT_CLOUDFORMATION);
		has(y, "!Sub \"arn:${AWS::Partition}:sns:us-east-1:1:${!aws:username}\"");
		lacks(y, "Parameters");
		free(y);
	}
}

static void test_json_shapes(void **state)
{
	const char *allows[] = {"sqs:read@arn:aws:sqs:us-east-1:123456789012:q", NULL};
	char *plain = render(allows, NULL, 0, KH_FORMAT_JSON);
	char *trust = render(allows, "lambda", KH_GEN_WITH_TRUST, KH_FORMAT_JSON);
	struct kh_policy *p = NULL;
	struct kh_error err = {0};
	json_t *t = json_loads(trust, 0, NULL);

	assert_int_equal(kh_policy_parse(plain, strlen(plain), &p, &err), KH_OK);
	assert_int_equal(p->n_problems, 0);
	kh_policy_free(p);
	assert_non_null(t);
	assert_string_equal(json_string_value(json_object_get(t, "RoleName")), "orders-fn");
	assert_non_null(json_object_get(t, "AssumeRolePolicyDocument"));
	assert_non_null(json_object_get(t, "PolicyDocument"));
	json_decref(t);
	free(plain);
	free(trust);
}

static void test_result_json(void **state)
{
	struct kh_intent in;
	struct kh_generate_result res;
	struct kh_error err = {0};
	struct kh_buf out;
	json_t *r;

	kh_intent_init(&in);
	assert_int_equal(kh_intent_add_allow(&in, "s3:list@arn:aws:s3:::b", &err), KH_OK);
	in.source = strdup("lambda");
	assert_int_equal(kh_generate(cat, &in, KH_GEN_WITH_TRUST, &res, &err), KH_OK);
	kh_buf_init(&out, 0);
	assert_int_equal(kh_emit_result_json(&res, KH_FORMAT_CLOUDFORMATION, 0, &out), KH_OK);
	r = json_loads(out.data, 0, NULL);
	assert_non_null(r);
	assert_true(json_is_object(json_object_get(r, "policy")));
	assert_true(json_is_object(json_object_get(r, "trust_policy")));
	assert_string_equal(json_string_value(json_object_get(r, "format")), "cloudformation");
	assert_true(json_string_length(json_object_get(r, "rendered")) > 100);
	assert_true(json_array_size(json_object_get(r, "warnings")) > 0);
	assert_true(json_is_array(json_object_get(r, "added_dependent_actions")));
	assert_string_equal(json_string_value(json_object_get(
				    json_array_get(json_object_get(r, "removed_actions"), 0),
				    "reason")),
			    "wildcard_only");
	json_decref(r);
	kh_buf_release(&out);
	kh_generate_result_release(&res);
	kh_intent_release(&in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_terraform),
		cmocka_unit_test(test_cloudformation),
		cmocka_unit_test(test_json_shapes),
		cmocka_unit_test(test_result_json),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

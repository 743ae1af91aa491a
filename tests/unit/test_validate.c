/* test_validate.c - the validator's library API: severities, policy types,
 * findings on parsed and built policies, ordering, the fix and the JSON. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "keyhole/generate.h"
#include "keyhole/validate.h"
#include "validate/validate_int.h"

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

static void validate_text(const char *text, struct kh_findings *f)
{
	kh_findings_init(f);
	assert_int_equal(kh_validate_text(cat, text, strlen(text), NULL, f, NULL, NULL), KH_OK);
}

static const struct kh_finding *find_code(const struct kh_findings *f, const char *code)
{
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->items[i].code, code) == 0)
			return &f->items[i];
	return NULL;
}

/* Validates text into f and returns its finding of code, which must be
 * there; f is the caller's to release. */
static const struct kh_finding *validate_expect(const char *text, struct kh_findings *f,
						const char *code)
{
	const struct kh_finding *x;

	validate_text(text, f);
	x = find_code(f, code);
	if (!x)
		fail_msg("no %s", code);
	return x;
}

static void test_severity_names(void **state)
{
	enum kh_severity s;
	assert_string_equal(kh_severity_name(KH_SEV_SECURITY_WARNING), "SECURITY_WARNING");
	assert_int_equal(kh_severity_parse("security-warning", &s), KH_OK);
	assert_int_equal(s, KH_SEV_SECURITY_WARNING);
	assert_int_equal(kh_severity_parse("Error", &s), KH_OK);
	assert_int_equal(s, KH_SEV_ERROR);
	assert_int_equal(kh_severity_parse("loud", &s), KH_EUSAGE);
	assert_true(KH_SEV_ERROR > KH_SEV_SECURITY_WARNING && KH_SEV_WARNING > KH_SEV_SUGGESTION);
}

static void test_policy_types(void **state)
{
	enum kh_policy_type t;
	assert_int_equal(kh_policy_type_parse("inline-role", &t), KH_OK);
	assert_int_equal(kh_policy_type_limit(t), 10240);
	assert_int_equal(kh_policy_type_limit(KH_POLICY_TYPE_MANAGED), 6144);
	assert_int_equal(kh_policy_type_parse("scp", &t), KH_OK);
	assert_int_equal(kh_policy_type_limit(t), 5120);
	assert_int_equal(kh_policy_type_parse("trust", &t), KH_OK);
	assert_int_equal(kh_policy_type_limit(t), 2048);
	assert_string_equal(kh_policy_type_name(KH_POLICY_TYPE_TRUST), "trust");
	assert_int_equal(kh_policy_type_parse("Trust", &t), KH_EUSAGE);
	assert_string_equal(kh_policy_type_name(KH_POLICY_TYPE_RESOURCE), "resource");
	assert_string_equal(kh_policy_type_name((enum kh_policy_type)KH_POLICY_TYPE_COUNT),
			    "unknown");
}

/* The trust policy keyhole generate writes for each source validates as a
 * role trust policy with nothing at WARNING or above. */
static void test_generated_trust_policies(void **state)
{
	struct kh_validate_opts opts = {KH_POLICY_TYPE_TRUST};
	struct kh_buf sources;
	char text[512], *save = NULL;

	kh_buf_init(&sources, 0);
	assert_int_equal(kh_trust_sources(&sources), KH_OK);
	for (char *s = strtok_r(sources.data, ", ", &save); s; s = strtok_r(NULL, ", ", &save)) {
		struct kh_findings f;
		const char *principal = kh_trust_principal(s);
		assert_non_null(principal);
		snprintf(text, sizeof(text),
			 "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
			 "\"Principal\":{\"Service\":\"%s\"},\"Action\":\"sts:AssumeRole\"}]}",
			 principal);
		kh_findings_init(&f);
		assert_int_equal(kh_validate_text(cat, text, strlen(text), &opts, &f, NULL, NULL),
				 KH_OK);
		if (kh_findings_max_severity(&f) >= KH_SEV_WARNING)
			fail_msg("%s: %s: %s", s, f.items[0].code, f.items[0].message);
		kh_findings_release(&f);
	}
	kh_buf_release(&sources);
}

/* A built policy has no text: the size of an SCP is its compact form, an
 * empty Condition still shows, and an SCP's Allow is not a grant. */
static void test_built_scp(void **state)
{
	struct kh_validate_opts opts = {KH_POLICY_TYPE_SCP};
	struct kh_policy *p = kh_policy_new();
	struct kh_statement *st = kh_policy_add_statement(p, "All", KH_EFFECT_ALLOW);
	struct kh_findings f;

	assert_int_equal(kh_strlist_add(&st->action, "*"), KH_OK);
	assert_int_equal(kh_strlist_add(&st->resource, "*"), KH_OK);
	st->has_condition = 1;
	kh_findings_init(&f);
	assert_int_equal(kh_validate(cat, p, NULL, 0, &opts, &f), KH_OK);
	assert_null(find_code(&f, "STAR_ACTION"));
	assert_null(find_code(&f, "PASS_ROLE_WITH_STAR_IN_ACTION_AND_RESOURCE"));
	assert_null(find_code(&f, "CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE"));
	assert_non_null(find_code(&f, "EMPTY_OBJECT_CONDITION"));
	assert_int_equal(find_code(&f, "EMPTY_OBJECT_CONDITION")->line, 0);
	kh_findings_release(&f);

	/* The same policy as a managed policy grants everything. */
	kh_findings_init(&f);
	assert_int_equal(kh_validate(cat, p, NULL, 0, NULL, &f), KH_OK);
	assert_non_null(find_code(&f, "STAR_ACTION"));
	assert_non_null(find_code(&f, "CREATE_SLR_WITH_STAR_IN_ACTION_AND_RESOURCE"));
	kh_findings_release(&f);
	kh_policy_free(p);
}

/* An operator block left empty is found in the text, at its key, also
 * when an earlier statement is not an object. */
static void test_empty_operator_block(void **state)
{
	const char *text = "{\"Version\":\"2012-10-17\",\"Statement\":[7,{\"Effect\":\"Deny\","
			   "\"Action\":\"s3:*\",\"Resource\":\"*\",\"Condition\":{\"Bool\":{}}}]}";
	struct kh_findings f;
	const struct kh_finding *x = validate_expect(text, &f, "EMPTY_OBJECT_CONDITION");

	assert_string_equal(x->path, "Statement[1].Condition.Bool");
	assert_int_equal(x->col, (int)(strstr(text, "\"Bool\"") - text) + 1);
	kh_findings_release(&f);
}

static void test_unknown_action_suggests(void **state)
{
	struct kh_findings f;
	const struct kh_finding *x;
	validate_text("{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
		      "\"Action\":[\"s3:GetObject\",\"s3:GetObjekt\"],\"Resource\":\"*\"}]}",
		      &f);
	x = find_code(&f, "INVALID_ACTION");
	assert_non_null(x);
	assert_int_equal(x->severity, KH_SEV_ERROR);
	assert_string_equal(x->path, "Statement[0].Action[1]");
	assert_int_equal(x->line, 1);
	assert_non_null(strstr(x->message, "'s3:GetObject'"));
	assert_non_null(x->fix);
	assert_int_equal(kh_findings_max_severity(&f), KH_SEV_ERROR);
	kh_findings_release(&f);
	assert_int_equal(f.n, 0);
	assert_null(f.items);
}

static void test_sorted_by_position(void **state)
{
	struct kh_findings f;
	validate_text("{\"Statement\":[\n"
		      "{\"Effect\":\"Allow\",\"Action\":\"s3:Nope\",\"Resource\":\"*\"},\n"
		      "{\"Effect\":\"allow\",\"Action\":\"s3:GetObject\",\"Resource\":\"*\"}]}",
		      &f);
	assert_true(f.n >= 3);
	for (size_t i = 1; i < f.n; i++) {
		const struct kh_finding *a = &f.items[i - 1], *b = &f.items[i];
		assert_true(a->line < b->line || (a->line == b->line && a->col <= b->col));
	}
	assert_string_equal(f.items[0].code, "MISSING_VERSION");
	kh_findings_release(&f);
}

static void test_not_json_is_a_finding(void **state)
{
	struct kh_findings f;
	struct kh_error err = {0};
	struct kh_policy *p = (struct kh_policy *)&f; /* must be reset to NULL */
	kh_findings_init(&f);
	assert_int_equal(kh_validate_text(cat, "{\"Version\": ", 12, NULL, &f, &p, &err), KH_EINPUT);
	assert_null(p);
	assert_int_equal(f.n, 1);
	assert_string_equal(f.items[0].code, "JSON_SYNTAX_ERROR");
	assert_int_equal(f.items[0].line, err.line);
	kh_findings_release(&f);
}

static void test_built_policy(void **state)
{
	struct kh_policy *p = kh_policy_new();
	struct kh_statement *st = kh_policy_add_statement(p, "Pass", KH_EFFECT_ALLOW);
	struct kh_findings f;

	assert_int_equal(kh_strlist_add(&st->action, "iam:PassRole"), KH_OK);
	assert_int_equal(kh_strlist_add(&st->resource, "*"), KH_OK);
	kh_findings_init(&f);
	assert_int_equal(kh_validate(cat, p, NULL, 0, NULL, &f), KH_OK);
	assert_non_null(find_code(&f, "PASS_ROLE_WITH_STAR_IN_RESOURCE"));
	assert_int_equal(find_code(&f, "PASS_ROLE_WITH_STAR_IN_RESOURCE")->line, 0);
	assert_null(find_code(&f, "MISSING_VERSION"));
	kh_findings_release(&f);
	kh_policy_free(p);
}

static void test_fix_removes_and_drops_statement(void **state)
{
	const char *text = "{\"Version\":\"2012-10-17\",\"Statement\":["
			   "{\"Effect\":\"Allow\",\"Action\":[\"s3:MakeCoffee\"],\"Resource\":\"*\"},"
			   "{\"Effect\":\"Allow\",\"Action\":[\"s3:Gett*\",\"s3:GetObject\","
			   "\"nosuch:Thing\"],\"Resource\":\"*\"}]}";
	struct kh_policy *p = NULL;
	struct kh_error err = {0};
	struct kh_fix_result r;
	struct kh_findings f;

	assert_int_equal(kh_policy_parse(text, strlen(text), &p, &err), KH_OK);
	kh_fix_result_init(&r);
	assert_int_equal(kh_validate_fix(cat, p, &r), KH_OK);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.statements_removed, 1);
	assert_string_equal(r.items[0].value, "s3:MakeCoffee");
	assert_string_equal(r.items[1].code, "UNMATCHED_ACTION_WILDCARD");
	assert_string_equal(r.items[2].path, "Statement[1].Action[2]");
	assert_int_equal(p->n_statements, 1);
	assert_string_equal(p->statements[0].path, "Statement[0]");
	assert_int_equal(p->statements[0].action.n, 1);
	assert_string_equal(p->statements[0].action.items[0], "s3:GetObject");
	/* What remains is clean of the removed kinds. */
	kh_findings_init(&f);
	assert_int_equal(kh_validate(cat, p, NULL, 0, NULL, &f), KH_OK);
	assert_null(find_code(&f, "INVALID_ACTION"));
	assert_null(find_code(&f, "UNMATCHED_ACTION_WILDCARD"));
	kh_findings_release(&f);
	kh_fix_result_release(&r);
	kh_policy_free(p);
}

static void test_json_writer(void **state)
{
	const char *text = "{\"Version\":\"2012-10-17\",\"Statement\":{\"Effect\":\"Allow\","
			   "\"Action\":\"s3:Get\\\"Obj\",\"Resource\":\"*\"}}";
	struct kh_findings f;
	struct kh_policy *p = NULL;
	struct kh_fix_result r;
	struct kh_buf b;
	json_error_t jerr;
	json_t *root;

	kh_findings_init(&f);
	kh_fix_result_init(&r);
	assert_int_equal(kh_validate_text(cat, text, strlen(text), NULL, &f, &p, NULL), KH_OK);
	assert_int_equal(kh_validate_fix(cat, p, &r), KH_OK);
	kh_buf_init(&b, 0);
	assert_int_equal(kh_findings_write_json(&f, "p.json", NULL, p, &r, &b), KH_OK);
	root = json_loads(b.data, 0, &jerr);
	assert_non_null(root);
	assert_string_equal(json_string_value(json_object_get(root, "file")), "p.json");
	assert_int_equal(json_array_size(json_object_get(root, "findings")), f.n);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(root, "totals"),
							    "ERROR")),
			 kh_findings_count(&f, KH_SEV_ERROR));
	assert_true(json_is_object(json_object_get(root, "fixed_policy")));
	assert_int_equal(json_array_size(json_object_get(root, "removed")), 1);
	json_decref(root);
	kh_buf_release(&b);
	kh_fix_result_release(&r);
	kh_findings_release(&f);
	kh_policy_free(p);
}

/* Every action named by the privilege-escalation table is in the catalog,
 * or the row could never fire. */
static void test_privesc_table_actions_exist(void **state)
{
	assert_true(vc_privesc_count > 20);
	for (size_t i = 0; i < vc_privesc_count; i++) {
		char buf[256];
		char *save = NULL;
		snprintf(buf, sizeof(buf), "%s", vc_privesc_table[i].actions);
		for (char *a = strtok_r(buf, ",", &save); a; a = strtok_r(NULL, ",", &save))
			if (!kh_catalog_action(cat, a))
				fail_msg("privesc row %s names unknown action %s",
					 vc_privesc_table[i].id, a);
	}
}

static void test_deterministic(void **state)
{
	const char *text = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
			   "\"Action\":[\"iam:*\",\"ec2:RunInstances\",\"iam:PassRole\"],"
			   "\"Resource\":\"*\"}]}";
	struct kh_findings a, b;
	struct kh_buf ja, jb;
	validate_text(text, &a);
	validate_text(text, &b);
	kh_buf_init(&ja, 0);
	kh_buf_init(&jb, 0);
	kh_findings_write_text(&a, "x", &ja);
	kh_findings_write_text(&b, "x", &jb);
	assert_string_equal(ja.data, jb.data);
	assert_non_null(find_code(&a, "PRIVILEGE_ESCALATION"));
	assert_non_null(find_code(&a, "REDUNDANT_ACTION"));
	kh_buf_release(&ja);
	kh_buf_release(&jb);
	kh_findings_release(&a);
	kh_findings_release(&b);
}

/* The ARN services of a run are remembered up to a limit; past it every
 * ARN is still judged by its own service's templates. */
static void test_arn_services_past_the_cache(void **state)
{
	static const char *const arns[] = {
		"arn:aws:s3:::b/*",
		"arn:aws:sqs:us-east-1:123456789012:q",
		"arn:aws:sns:us-east-1:123456789012:t",
		"arn:aws:lambda:us-east-1:123456789012:function:f",
		"arn:aws:dynamodb:us-east-1:123456789012:table/t",
		"arn:aws:kms:us-east-1:123456789012:key/k",
		"arn:aws:ec2:us-east-1:123456789012:instance/i-1",
		"arn:aws:ecr:us-east-1:123456789012:repository/r",
		"arn:aws:sqs:eu-west-1:123456789012:q2",
		"arn:aws:logs::123456789012:log-group:g",
		"arn:aws:iam:us-east-1:123456789012:role/r",
		"arn:aws:cloudfront::123456789012:distribution/d",
	};
	struct kh_policy *p = kh_policy_new();
	struct kh_statement *st = kh_policy_add_statement(p, "Many", KH_EFFECT_ALLOW);
	struct kh_findings f;
	size_t region = 0, missing = 0;

	assert_int_equal(kh_strlist_add(&st->action, "s3:GetObject"), KH_OK);
	for (size_t i = 0; i < sizeof(arns) / sizeof(arns[0]); i++)
		assert_int_equal(kh_strlist_add(&st->resource, arns[i]), KH_OK);
	kh_findings_init(&f);
	assert_int_equal(kh_validate(cat, p, NULL, 0, NULL, &f), KH_OK);
	for (size_t i = 0; i < f.n; i++) {
		region += strcmp(f.items[i].code, "ARN_REGION_NOT_ALLOWED") == 0;
		missing += strcmp(f.items[i].code, "MISSING_ARN_REGION") == 0;
	}
	assert_int_equal(region, 1);
	assert_int_equal(missing, 1);
	assert_non_null(strstr(find_code(&f, "ARN_REGION_NOT_ALLOWED")->message, "'iam'"));
	kh_findings_release(&f);
	kh_policy_free(p);
}

/* A key with a placeholder in the catalog (s3:ExistingObjectTag/<key>)
 * matches the tag it names; only the action that lacks it is reported. */
static void test_key_actions_with_placeholder(void **state)
{
	const char *text =
		"{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\","
		"\"Action\":[\"s3:GetObject\",\"s3:ListAllMyBuckets\"],\"Resource\":\"*\","
		"\"Condition\":{\"StringEquals\":{\"s3:ExistingObjectTag/team\":\"web\"}}}]}";
	struct kh_findings f;
	const struct kh_finding *x =
		validate_expect(text, &f, "UNSUPPORTED_ACTION_FOR_CONDITION_KEY");

	assert_int_equal(x->severity, KH_SEV_ERROR);
	assert_non_null(strstr(x->message, "s3:ListAllMyBuckets"));
	assert_null(strstr(x->message, "s3:GetObject"));
	kh_findings_release(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_severity_names),
		cmocka_unit_test(test_policy_types),
		cmocka_unit_test(test_generated_trust_policies),
		cmocka_unit_test(test_built_scp),
		cmocka_unit_test(test_empty_operator_block),
		cmocka_unit_test(test_unknown_action_suggests),
		cmocka_unit_test(test_sorted_by_position),
		cmocka_unit_test(test_not_json_is_a_finding),
		cmocka_unit_test(test_built_policy),
		cmocka_unit_test(test_fix_removes_and_drops_statement),
		cmocka_unit_test(test_json_writer),
		cmocka_unit_test(test_privesc_table_actions_exist),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_arn_services_past_the_cache),
		cmocka_unit_test(test_key_actions_with_placeholder),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

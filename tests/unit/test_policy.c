/* test_policy.c - the policy model: parsing, positions, problems, writing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "keyhole/policy.h"

static struct kh_policy *parse_ok(const char *text)
{
	struct kh_policy *p = NULL;
	struct kh_error err = {0};
	int rc = kh_policy_parse(text, strlen(text), &p, &err);
	if (rc != KH_OK)
		fail_msg("parse failed: %s at %d:%d", err.msg, err.line, err.col);
	return p;
}

static void test_parse_positions(void **state)
{
	const char *text = "{\n"
			   "  \"Version\": \"2012-10-17\",\n"
			   "  \"Statement\": [\n"
			   "    {\"Effect\": \"Allow\",\n"
			   "     \"Action\": [\"s3:GetObject\", \"s3:PutObject\"],\n"
			   "     \"Resource\": \"arn:aws:s3:::b/*\"}\n"
			   "  ]\n"
			   "}\n";
	struct kh_policy *p = parse_ok(text);
	const struct kh_statement *st;

	assert_string_equal(p->version, "2012-10-17");
	assert_int_equal(p->n_statements, 1);
	st = &p->statements[0];
	assert_int_equal(st->effect, KH_EFFECT_ALLOW);
	assert_int_equal(st->action.n, 2);
	assert_true(st->action.is_array);
	assert_string_equal(st->action.items[1], "s3:PutObject");
	assert_int_equal(st->action.pos[1].line, 5);
	assert_int_equal(st->action.pos[1].col, 33);
	assert_false(st->resource.is_array);
	assert_int_equal(st->resource.pos[0].line, 6);
	assert_string_equal(st->path, "Statement[0]");
	assert_int_equal(p->n_problems, 0);
	kh_policy_free(p);
}

static void test_problems_not_failures(void **state)
{
	const char *text = "{\"Version\":\"2012-10-17\",\"Bogus\":1,\"Statement\":{"
			   "\"Effect\":\"allow\",\"Action\":[\"s3:GetObject\",7],\"Colour\":\"x\"}}";
	struct kh_policy *p = parse_ok(text);

	assert_false(p->statement_is_array);
	assert_int_equal(p->statements[0].effect, KH_EFFECT_INVALID);
	assert_string_equal(p->statements[0].effect_raw, "allow");
	assert_int_equal(p->n_problems, 3);
	assert_string_equal(p->problems[0].code, "UNKNOWN_KEY");
	assert_string_equal(p->problems[0].path, "Bogus");
	assert_string_equal(p->problems[1].code, "INVALID_TYPE");
	assert_string_equal(p->problems[1].path, "Statement.Action[1]");
	assert_string_equal(p->problems[2].path, "Statement.Colour");
	kh_policy_free(p);
}

static void test_invalid_json_position(void **state)
{
	const char *text = "{\n  \"Version\": \"2012-10-17\",\n  \"Statement\": [,]\n}";
	struct kh_policy *p = NULL;
	struct kh_error err = {0};

	assert_int_equal(kh_policy_parse(text, strlen(text), &p, &err), KH_EINPUT);
	assert_null(p);
	assert_int_equal(err.line, 3);
	assert_true(err.col > 10);
	assert_non_null(strstr(err.msg, "invalid JSON"));
}

static void test_rejects_bad_input(void **state)
{
	static const char *bad[] = {
		"[1,2]",                      /* not an object */
		"{\"a\":1,\"a\":2}",          /* duplicate key */
		"{\"Version\":\"\xff\xfe\"}", /* not UTF-8 */
		"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct kh_policy *p = NULL;
		struct kh_error err = {0};
		assert_int_equal(kh_policy_parse(bad[i], strlen(bad[i]), &p, &err), KH_EINPUT);
		assert_true(err.line >= 1);
	}
}

/* A raw NUL byte is invalid JSON wherever it is; the error names its place
 * (jansson alone would skip it between tokens). */
static void test_rejects_nul_byte(void **state)
{
	static const char text[] = "{\"Version\":\"2012-10-17\",\n \"Statement\":[\0]}";
	struct kh_policy *p = NULL;
	struct kh_error err = {0};

	(void)state;
	assert_int_equal(kh_policy_parse(text, sizeof(text) - 1, &p, &err), KH_EINPUT);
	assert_null(p);
	assert_int_equal(err.line, 2);
	assert_int_equal(err.col, 15);
	assert_non_null(strstr(err.msg, "NUL"));
}

static void test_deep_nesting(void **state)
{
	char text[400];
	struct kh_policy *p = NULL;
	struct kh_error err = {0};
	size_t n = 0;
	n += (size_t)snprintf(text, sizeof(text), "{\"Statement\":");
	for (int i = 0; i < 100; i++)
		text[n++] = '[';
	for (int i = 0; i < 100; i++)
		text[n++] = ']';
	text[n++] = '}';
	text[n] = '\0';
	assert_int_equal(kh_policy_parse(text, n, &p, &err), KH_EINPUT);
	assert_non_null(strstr(err.msg, "deeper"));
}

static void test_round_trip_canonical(void **state)
{
	const char *text = "{\"Statement\":[{\"Resource\":\"*\",\"Condition\":{\"Bool\":"
			   "{\"aws:SecureTransport\":false},\"NumericLessThan\":{\"s3:max-keys\":"
			   "[10,20]}},\"Action\":\"s3:ListBucket\",\"Effect\":\"Deny\",\"Sid\":\"A\"}],"
			   "\"Version\":\"2012-10-17\"}";
	const char *want = "{\n"
			   "  \"Version\": \"2012-10-17\",\n"
			   "  \"Statement\": [\n"
			   "    {\n"
			   "      \"Sid\": \"A\",\n"
			   "      \"Effect\": \"Deny\",\n"
			   "      \"Action\": \"s3:ListBucket\",\n"
			   "      \"Resource\": \"*\",\n"
			   "      \"Condition\": {\n"
			   "        \"Bool\": {\n"
			   "          \"aws:SecureTransport\": false\n"
			   "        },\n"
			   "        \"NumericLessThan\": {\n"
			   "          \"s3:max-keys\": [\n"
			   "            10,\n"
			   "            20\n"
			   "          ]\n"
			   "        }\n"
			   "      }\n"
			   "    }\n"
			   "  ]\n"
			   "}\n";
	struct kh_policy *p = parse_ok(text), *again;
	struct kh_buf out, out2;

	kh_buf_init(&out, 0);
	assert_int_equal(kh_policy_write(p, &out, 0), KH_OK);
	assert_string_equal(out.data, want);
	again = parse_ok(out.data);
	kh_buf_init(&out2, 0);
	kh_policy_write(again, &out2, 0);
	assert_string_equal(out.data, out2.data);
	kh_buf_reset(&out2);
	kh_policy_write(again, &out2, 1);
	assert_int_equal(out2.len, kh_policy_text_size(out.data, out.len));
	kh_buf_release(&out);
	kh_buf_release(&out2);
	kh_policy_free(p);
	kh_policy_free(again);
}

static void test_builders(void **state)
{
	struct kh_policy *p = kh_policy_new();
	struct kh_statement *st = kh_policy_add_statement(p, "S3Read", KH_EFFECT_ALLOW);
	const char *vals[] = {"eu-west-1"};
	struct kh_buf out;

	kh_strlist_add(&st->action, "s3:GetObject");
	kh_strlist_add(&st->resource, "arn:aws:s3:::b/*");
	kh_statement_add_condition(st, "StringEquals", "aws:RequestedRegion", vals, 1);
	kh_buf_init(&out, 0);
	kh_policy_write(p, &out, 1);
	assert_string_equal(out.data,
			    "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Sid\":\"S3Read\","
			    "\"Effect\":\"Allow\",\"Action\":\"s3:GetObject\",\"Resource\":"
			    "\"arn:aws:s3:::b/*\",\"Condition\":{\"StringEquals\":"
			    "{\"aws:RequestedRegion\":\"eu-west-1\"}}}]}");
	kh_buf_release(&out);
	kh_policy_free(p);
}

static void test_text_size_ignores_whitespace(void **state)
{
	const char *t = "{ \"a b\" :\n [ 1 ] }";
	assert_int_equal(kh_policy_text_size(t, strlen(t)), strlen("{\"a b\":[1]}"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_positions),
		cmocka_unit_test(test_problems_not_failures),
		cmocka_unit_test(test_invalid_json_position),
		cmocka_unit_test(test_rejects_bad_input),
		cmocka_unit_test(test_rejects_nul_byte),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_round_trip_canonical),
		cmocka_unit_test(test_builders),
		cmocka_unit_test(test_text_size_ignores_whitespace),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

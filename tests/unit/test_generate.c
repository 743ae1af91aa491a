/* test_generate.c - intents, the generator, compaction and trust. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cmocka.h>

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

/* Builds an intent from --allow specs (NULL-terminated). */
static void intent_of(struct kh_intent *in, const char *const *allows)
{
	struct kh_error err = {0};
	kh_intent_init(in);
	for (; *allows; allows++)
		if (kh_intent_add_allow(in, *allows, &err) != KH_OK)
			fail_msg("allow '%s': %s", *allows, err.msg);
}

static void generate_ok(const struct kh_catalog *c, const struct kh_intent *in, unsigned flags,
			struct kh_generate_result *res)
{
	struct kh_error err = {0};
	if (kh_generate(c, in, flags, res, &err) != KH_OK)
		fail_msg("generate: %s", err.msg);
}

static const struct kh_statement *find_sid(const struct kh_policy *p, const char *sid)
{
	for (size_t i = 0; i < p->n_statements; i++)
		if (p->statements[i].sid && strcmp(p->statements[i].sid, sid) == 0)
			return &p->statements[i];
	return NULL;
}

static int has_item(const struct kh_strlist *l, const char *s)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->items[i], s) == 0)
			return 1;
	return 0;
}

static void test_arn_grant(void **state)
{
	const char *allows[] = {"s3:read,list@arn:aws:s3:::orders-bucket/*", NULL};
	struct kh_intent in;
	struct kh_generate_result res;
	const struct kh_statement *st;

	intent_of(&in, allows);
	generate_ok(cat, &in, 0, &res);
	assert_int_equal(res.policy->n_statements, 1);
	st = find_sid(res.policy, "S3ReadListOrdersBucket");
	assert_non_null(st);
	assert_true(has_item(&st->action, "s3:GetObject"));
	assert_false(has_item(&st->action, "s3:ListBucket")); /* a bucket action */
	assert_false(has_item(&st->action, "s3:PutObject"));
	assert_int_equal(st->resource.n, 1);
	assert_string_equal(st->resource.items[0], "arn:aws:s3:::orders-bucket/*");
	/* s3:ListAllMyBuckets takes only "*": left out and reported. */
	assert_true(res.n_removed > 0);
	assert_string_equal(res.removed[0].reason, "wildcard_only");
	assert_string_equal(res.warnings[0].code, "WILDCARD_ONLY_OMITTED");
	kh_generate_result_release(&res);

	generate_ok(cat, &in, KH_GEN_INCLUDE_WILDCARD_ONLY, &res);
	st = find_sid(res.policy, "S3ReadListAllResources");
	assert_non_null(st);
	assert_true(has_item(&st->action, "s3:ListAllMyBuckets"));
	assert_string_equal(st->resource.items[0], "*");
	assert_int_equal(res.n_removed, 0);
	kh_generate_result_release(&res);
	kh_intent_release(&in);
}

static void test_templates_and_multi(void **state)
{
	const char *allows[] = {"sns:write", "apigateway:read", NULL};
	struct kh_intent in;
	struct kh_generate_result res;
	int saw_template = 0, saw_rest = 0, saw_http = 0;

	intent_of(&in, allows);
	generate_ok(cat, &in, 0, &res);
	for (size_t i = 0; i < res.policy->n_statements; i++) {
		const struct kh_strlist *r = &res.policy->statements[i].resource;
		for (size_t j = 0; j < r->n; j++) {
			saw_template |= strcmp(r->items[j], "arn:${Partition}:sns:${Region}:"
							    "${Account}:${TopicName}") == 0;
			saw_rest |= strstr(r->items[j], "::/restapis/${RestApiId}/stages/") != NULL;
			saw_http |= strstr(r->items[j], "::/apis/${ApiId}/stages/") != NULL;
			assert_null(strchr(r->items[j], '|'));
		}
	}
	assert_true(saw_template);
	assert_true(saw_rest && saw_http); /* both templates of a '|' type */
	kh_generate_result_release(&res);
	kh_intent_release(&in);
}

static void test_arn_without_service(void **state)
{
	const char *allows[] = {"read@arn:aws:sqs:us-east-1:123456789012:jobs", NULL};
	struct kh_intent in;
	struct kh_generate_result res;

	intent_of(&in, allows);
	assert_null(in.grants[0].service);
	generate_ok(cat, &in, 0, &res);
	assert_non_null(find_sid(res.policy, "SqsReadJobs"));
	assert_true(has_item(&res.policy->statements[0].action, "sqs:ReceiveMessage"));
	kh_generate_result_release(&res);
	kh_intent_release(&in);
}

static void test_levels(void **state)
{
	const char *admin[] = {"sqs:admin", NULL};
	const char *describe[] = {"sqs:describe", NULL};
	struct kh_intent in;
	struct kh_generate_result res;
	const struct kh_action **all;
	size_t n_all, n_granted = 0;

	/* admin: every sqs action, spelled out, never sqs:*. */
	intent_of(&in, admin);
	generate_ok(cat, &in, 0, &res);
	for (size_t i = 0; i < res.policy->n_statements; i++) {
		n_granted += res.policy->statements[i].action.n;
		assert_false(has_item(&res.policy->statements[i].action, "sqs:*"));
	}
	assert_int_equal(kh_catalog_expand(cat, "sqs:*", &all, &n_all), KH_OK);
	assert_int_equal(n_granted, n_all);
	free(all);
	kh_generate_result_release(&res);
	kh_intent_release(&in);

	intent_of(&in, describe);
	assert_int_equal(in.grants[0].levels, KH_LEVEL_LIST | KH_LEVEL_READ);
	generate_ok(cat, &in, 0, &res);
	for (size_t i = 0; i < res.policy->n_statements; i++) {
		const struct kh_strlist *a = &res.policy->statements[i].action;
		for (size_t j = 0; j < a->n; j++)
			assert_true(kh_catalog_action(cat, a->items[j])->levels &
				    (KH_LEVEL_LIST | KH_LEVEL_READ));
	}
	kh_generate_result_release(&res);
	kh_intent_release(&in);
}

/* Every action set of a compacted statement, expanded in the catalog,
 * equals the uncompacted statement's: compacting never grants more. */
static void test_compact_never_widens(void **state)
{
	const char *specs[][3] = {
		{"s3:read,list@arn:aws:s3:::orders-bucket/*", "s3:admin", NULL},
		{"dynamodb:admin", "ec2:read", NULL},
		{"iam:describe", "kms:read,write", NULL},
		{"sns:write@arn:aws:sns:us-east-1:123456789012:t", "lambda:admin", NULL},
	};
	size_t compacted_total = 0, plain_total = 0;

	for (size_t k = 0; k < sizeof(specs) / sizeof(specs[0]); k++) {
		struct kh_intent in;
		struct kh_generate_result plain, small;
		intent_of(&in, specs[k]);
		generate_ok(cat, &in, 0, &plain);
		generate_ok(cat, &in, KH_GEN_COMPACT, &small);
		assert_int_equal(plain.policy->n_statements, small.policy->n_statements);
		for (size_t i = 0; i < small.policy->n_statements; i++) {
			const struct kh_strlist *want = &plain.policy->statements[i].action;
			const struct kh_strlist *got = &small.policy->statements[i].action;
			size_t n_expanded = 0;
			for (size_t j = 0; j < got->n; j++) {
				const struct kh_action **acts;
				size_t n;
				assert_int_equal(kh_catalog_expand(cat, got->items[j], &acts, &n),
						 KH_OK);
				for (size_t a = 0; a < n; a++) {
					if (!has_item(want, acts[a]->full_name))
						fail_msg("%s widens to %s", got->items[j],
							 acts[a]->full_name);
					n_expanded++;
				}
				free(acts);
			}
			/* Wildcards never overlap, so the counts match exactly. */
			assert_int_equal(n_expanded, want->n);
			compacted_total += got->n;
			plain_total += want->n;
		}
		kh_generate_result_release(&plain);
		kh_generate_result_release(&small);
		kh_intent_release(&in);
	}
	assert_true(compacted_total < plain_total);
}

static void emit_all(const struct kh_generate_result *res, struct kh_buf *out)
{
	for (int f = KH_FORMAT_JSON; f <= KH_FORMAT_CLOUDFORMATION; f++)
		assert_int_equal(kh_emit(res, (enum kh_format)f, 0, out), KH_OK);
	assert_int_equal(kh_emit(res, KH_FORMAT_CLOUDFORMATION, KH_GEN_CFN_JSON, out), KH_OK);
	assert_int_equal(kh_emit_result_json(res, KH_FORMAT_TERRAFORM, 0, out), KH_OK);
}

static void test_deterministic(void **state)
{
	const char *allows[] = {"s3:read,list@arn:aws:s3:::orders-bucket/*", "dynamodb:read,write",
				"sns:write", "ec2:describe", NULL};
	struct kh_buf a, b;

	kh_buf_init(&a, 0);
	kh_buf_init(&b, 0);
	for (int round = 0; round < 2; round++) {
		struct kh_intent in;
		struct kh_generate_result res;
		intent_of(&in, allows);
		in.source = strdup("lambda");
		generate_ok(cat, &in, KH_GEN_WITH_TRUST | KH_GEN_COMPACT, &res);
		emit_all(&res, round ? &b : &a);
		kh_generate_result_release(&res);
		kh_intent_release(&in);
	}
	assert_true(a.len > 1000);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.data, b.data, a.len);
	kh_buf_release(&a);
	kh_buf_release(&b);
}

static void test_sids_unique(void **state)
{
	const char *allows[] = {"s3:read@arn:aws:s3:::a/*", "s3:read@arn:aws:s3:::a-/*",
				"ec2:read", NULL};
	struct kh_intent in;
	struct kh_generate_result res;

	intent_of(&in, allows);
	in.grants[1].n_conditions = 0;
	generate_ok(cat, &in, 0, &res);
	for (size_t i = 0; i < res.policy->n_statements; i++) {
		const char *sid = res.policy->statements[i].sid;
		for (const char *p = sid; *p; p++)
			assert_true((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
				    (*p >= '0' && *p <= '9'));
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(sid, res.policy->statements[j].sid);
	}
	kh_generate_result_release(&res);
	kh_intent_release(&in);
}

/* A tiny catalog whose actions list dependent actions. */
static const char tiny[] =
	"#keyhole-catalog 1\n"
	"#source tiny 1 2026-01-01\n"
	"S\taws\tAWS global condition keys\n"
	"K\taws:RequestedRegion\tString\n"
	"S\tiam\tIAM\n"
	"R\trole\tarn:${Partition}:iam::${Account}:role/${RoleNameWithPath}\t\n"
	"A\tPassRole\tW\trole*\t\t\tPasses a role\n"
	"S\tlambda\tLambda\n"
	"R\tfunction\tarn:${Partition}:lambda:${Region}:${Account}:function:${FunctionName}\t\n"
	"K\tlambda:Layer\tArrayOfString\n"
	"A\tCreateFunction\tW\tfunction*\tlambda:Layer\tiam:PassRole,kms:Missing\tCreates\n"
	"A\tGetFunction\tR\tfunction*\t\t\tGets\n";

static void test_dependent_actions(void **state)
{
	const char *allows[] = {"lambda:write", NULL};
	struct kh_catalog *tc = NULL;
	struct kh_error err = {0};
	struct kh_intent in;
	struct kh_generate_result res;
	const struct kh_statement *st;
	int added = 0, unknown = 0;

	assert_int_equal(kh_catalog_load_mem(tiny, sizeof(tiny) - 1, &tc, &err), KH_OK);
	intent_of(&in, allows);
	generate_ok(tc, &in, 0, &res);
	assert_int_equal(res.n_added_dependent, 1);
	assert_string_equal(res.added_dependent[0]->full_name, "iam:PassRole");
	for (size_t i = 0; i < res.n_warnings; i++) {
		added += strcmp(res.warnings[i].code, "DEPENDENT_ACTION_ADDED") == 0;
		unknown += strcmp(res.warnings[i].code, "DEPENDENT_ACTION_UNKNOWN") == 0;
	}
	assert_int_equal(added, 1);
	assert_int_equal(unknown, 1);
	st = find_sid(res.policy, "IamWriteRole");
	assert_non_null(st);
	assert_string_equal(st->action.items[0], "iam:PassRole");
	assert_string_equal(st->resource.items[0],
			    "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}");
	assert_non_null(find_sid(res.policy, "LambdaWriteFunction"));
	kh_generate_result_release(&res);
	kh_intent_release(&in);

	/* Already granted: not added again, not reported. */
	{
		const char *both[] = {"lambda:write", "iam:write", NULL};
		intent_of(&in, both);
		generate_ok(tc, &in, 0, &res);
		assert_int_equal(res.n_added_dependent, 0);
		kh_generate_result_release(&res);
		kh_intent_release(&in);
	}
	kh_catalog_free(tc);
}

static void test_conditions(void **state)
{
	const char *allows[] = {"s3:read@arn:aws:s3:::b/*", NULL};
	struct kh_intent in;
	struct kh_generate_result res;
	struct kh_error err = {0};
	const struct kh_statement *st;

	intent_of(&in, allows);
	assert_int_equal(kh_intent_add_condition(
				 &in, "StringEquals:aws:RequestedRegion=eu-west-1,eu-central-1", &err),
			 KH_OK);
	assert_int_equal(kh_intent_add_condition(
				 &in, "ForAnyValue:StringLike:aws:PrincipalTag/team:sub=a*", &err),
			 KH_OK);
	assert_string_equal(in.grants[0].conditions[1].op, "ForAnyValue:StringLike");
	assert_string_equal(in.grants[0].conditions[1].key, "aws:PrincipalTag/team:sub");
	generate_ok(cat, &in, 0, &res);
	st = &res.policy->statements[0];
	assert_int_equal(st->n_conditions, 2);
	assert_string_equal(st->conditions[0].op, "ForAnyValue:StringLike"); /* sorted */
	assert_string_equal(st->conditions[1].key, "aws:RequestedRegion");
	assert_int_equal(st->conditions[1].n_values, 2);
	kh_generate_result_release(&res);

	assert_int_equal(kh_intent_add_condition(&in, "StringEquals:s3:NoSuchKey=x", &err), KH_OK);
	assert_int_equal(kh_generate(cat, &in, 0, &res, &err), KH_EINPUT);
	assert_non_null(strstr(err.msg, "s3:NoSuchKey"));
	kh_intent_release(&in);

	assert_true(kh_condition_operator_valid("StringLikeIfExists"));
	assert_true(kh_condition_operator_valid("ForAllValues:StringEquals"));
	assert_false(kh_condition_operator_valid("NullIfExists"));
	assert_false(kh_condition_operator_valid("StringEqual"));
	assert_int_equal(kh_intent_add_condition(&in, "StringEquals:aws:SourceIp=1", &err),
			 KH_EUSAGE);
}

static void test_intent_json(void **state)
{
	const char *ok = "{\"name\":\"orders-fn\",\"source\":\"lambda\",\"grants\":[{\"service\":"
			 "\"s3\",\"arn\":\"arn:aws:s3:::b/*\",\"access\":[\"read\",\"list\"],"
			 "\"conditions\":{\"Bool\":{\"aws:SecureTransport\":true}}}],"
			 "\"format\":\"terraform\",\"with_trust\":true}";
	struct kh_intent in;
	struct kh_error err = {0};

	kh_intent_init(&in);
	assert_int_equal(kh_intent_parse_json(ok, strlen(ok), &in, &err), KH_OK);
	assert_string_equal(in.name, "orders-fn");
	assert_int_equal(in.format, KH_FORMAT_TERRAFORM);
	assert_true(in.flags & KH_GEN_WITH_TRUST);
	assert_int_equal(in.grants[0].levels, KH_LEVEL_READ | KH_LEVEL_LIST);
	assert_string_equal(in.grants[0].conditions[0].values[0], "true");
	kh_intent_release(&in);
}

static void expect_json_error(const char *text, int line, int col, const char *path,
			      const char *needle)
{
	struct kh_intent in;
	struct kh_error err = {0};
	kh_intent_init(&in);
	assert_int_equal(kh_intent_parse_json(text, strlen(text), &in, &err), KH_EINPUT);
	assert_int_equal(err.line, line);
	assert_int_equal(err.col, col);
	assert_string_equal(err.path, path);
	if (!strstr(err.msg, needle))
		fail_msg("'%s' not in '%s'", needle, err.msg);
	assert_null(in.grants);
}

static void test_intent_json_errors(void **state)
{
	expect_json_error("{\n \"grants\": [],\n \"nope\": 1}", 3, 2, "nope", "unknown intent key");
	expect_json_error("{\"grants\": [{\"service\": \"s3\", \"access\": [\"red\"]}]}", 1, 42,
			  "grants[0].access[0]", "did you mean 'read'");
	expect_json_error("{\"grants\": [{\"service\": \"s3\"}]}", 1, 13, "grants[0]",
			  "no 'access'");
	expect_json_error("{\"grants\": [{\"access\": [\"read\"], \"conditions\": {\"StrEq\": "
			  "{\"k\": \"v\"}}}]}",
			  1, 49, "grants[0].conditions.StrEq", "unknown condition operator");
	expect_json_error("[1]", 1, 1, "", "must be a JSON object");
	expect_json_error("{\"name\": \"a\", \"name\": \"b\"}", 1, 20, "", "invalid JSON");
	expect_json_error("{\"name\": \"\xff\"}", 1, 10, "", "invalid JSON");
}

static void test_input_errors(void **state)
{
	static const struct {
		const char *allow, *needle;
	} cases[] = {
		{"s3x:read", "unknown service 's3x'"},
		{"s3:read@arn:aws:s3", "malformed ARN"},
		{"s3:read@arn::s3:::b", "partition is empty"},
		{"s3:read@arn:aws:sns:us-east-1:1:t", "matches no resource type"},
		{"read@arn:aws:*:us-east-1:1:t", "cannot take the service"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *allows[] = {cases[i].allow, NULL};
		struct kh_intent in;
		struct kh_generate_result res;
		struct kh_error err = {0};
		intent_of(&in, allows);
		assert_int_equal(kh_generate(cat, &in, 0, &res, &err), KH_EINPUT);
		if (!strstr(err.msg, cases[i].needle))
			fail_msg("'%s': '%s' not in '%s'", cases[i].allow, cases[i].needle, err.msg);
		assert_null(res.policy);
		kh_intent_release(&in);
	}
	{
		struct kh_intent in;
		struct kh_generate_result res;
		struct kh_error err = {0};
		kh_intent_init(&in);
		assert_int_equal(kh_generate(cat, &in, 0, &res, &err), KH_EINPUT);
		assert_non_null(strstr(err.msg, "no grants"));
		assert_int_equal(kh_intent_add_allow(&in, "s3:reed", &err), KH_EINPUT);
		assert_int_equal(kh_intent_add_allow(&in, "read", &err), KH_EINPUT);
		kh_intent_release(&in);
	}
}

static void test_trust(void **state)
{
	const char *allows[] = {"s3:read", NULL};
	struct kh_intent in;
	struct kh_generate_result res;
	struct kh_error err = {0};
	const struct kh_statement *st;
	struct kh_buf known;

	assert_string_equal(kh_trust_principal("lambda"), "lambda.amazonaws.com");
	assert_string_equal(kh_trust_principal("ecs"), "ecs-tasks.amazonaws.com");
	assert_string_equal(kh_trust_principal("ecs-tasks"), "ecs-tasks.amazonaws.com");
	assert_string_equal(kh_trust_principal("states"), "states.amazonaws.com");
	assert_null(kh_trust_principal("lambd"));
	assert_null(kh_trust_principal("#"));
	kh_buf_init(&known, 0);
	kh_trust_sources(&known);
	assert_non_null(strstr(known.data, "codepipeline, datasync"));
	kh_buf_release(&known);

	intent_of(&in, allows);
	in.source = strdup("ec2");
	generate_ok(cat, &in, KH_GEN_WITH_TRUST, &res);
	st = &res.trust_policy->statements[0];
	assert_string_equal(st->principal.entries[0].type, "Service");
	assert_string_equal(st->principal.entries[0].values.items[0], "ec2.amazonaws.com");
	assert_string_equal(st->action.items[0], "sts:AssumeRole");
	kh_generate_result_release(&res);
	free(in.source);
	in.source = strdup("lambada");
	assert_int_equal(kh_generate(cat, &in, 0, &res, &err), KH_EINPUT);
	assert_non_null(strstr(err.msg, "lambda"));
	kh_intent_release(&in);
}

static void test_size_warning(void **state)
{
	const char *allows[] = {"ec2:write", NULL};
	struct kh_intent in;
	struct kh_generate_result res;
	int warned = 0;

	intent_of(&in, allows);
	generate_ok(cat, &in, 0, &res);
	assert_true(res.policy_size > KH_POLICY_MAX_MANAGED);
	for (size_t i = 0; i < res.n_warnings; i++)
		warned |= strcmp(res.warnings[i].code, "POLICY_TOO_LARGE") == 0;
	assert_true(warned);
	kh_generate_result_release(&res);
	kh_intent_release(&in);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arn_grant),
		cmocka_unit_test(test_templates_and_multi),
		cmocka_unit_test(test_arn_without_service),
		cmocka_unit_test(test_levels),
		cmocka_unit_test(test_compact_never_widens),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_sids_unique),
		cmocka_unit_test(test_dependent_actions),
		cmocka_unit_test(test_conditions),
		cmocka_unit_test(test_intent_json),
		cmocka_unit_test(test_intent_json_errors),
		cmocka_unit_test(test_input_errors),
		cmocka_unit_test(test_trust),
		cmocka_unit_test(test_size_warning),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

/* test_mapping.c - CloudTrail record -> IAM actions: classes, renames,
 * multi-action calls, resource ARNs, the data table's flags. Events are
 * built by hand as views over string literals. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "keyhole/catalog.h"
#include "keyhole/mapping.h"

static struct kh_catalog *cat;
static struct kh_mapper *mapper;
static struct kh_mapping res;

static int setup(void **state)
{
	struct kh_error err;
	if (kh_catalog_builtin(&cat, &err) != KH_OK)
		return -1;
	if (kh_mapper_new(cat, &mapper, &err) != KH_OK)
		return -1;
	kh_mapping_init(&res);
	return 0;
}

static int teardown(void **state)
{
	kh_mapping_release(&res);
	kh_mapper_free(mapper);
	kh_catalog_free(cat);
	return 0;
}

static struct kh_sv sv(const char *s)
{
	struct kh_sv v = {s, s ? strlen(s) : 0};
	return v;
}

/* An authorized API call by a role session in 111122223333, us-east-1. */
static struct kh_event event(const char *source, const char *name)
{
	struct kh_event ev;
	memset(&ev, 0, sizeof(ev));
	ev.event_source = sv(source);
	ev.event_name = sv(name);
	ev.event_type = sv("AwsApiCall");
	ev.aws_region = sv("us-east-1");
	ev.recipient_account = sv("111122223333");
	ev.account_id = sv("111122223333");
	ev.identity_type = sv("AssumedRole");
	ev.principal_arn = sv("arn:aws:sts::111122223333:assumed-role/app/i-0abc");
	ev.session_issuer_arn = sv("arn:aws:iam::111122223333:role/service/app");
	ev.session_issuer_type = sv("Role");
	ev.access_key_id = sv("ASIAEXAMPLEEXAMPLE12");
	return ev;
}

static void param(struct kh_event *ev, const char *k, const char *v)
{
	ev->params[ev->n_params].key = sv(k);
	ev->params[ev->n_params].value = sv(v);
	ev->n_params++;
}

static void resource(struct kh_event *ev, const char *arn)
{
	ev->resource_arns[ev->n_resources++] = sv(arn);
}

static const struct kh_mapped_action *find(const char *full_name)
{
	for (size_t i = 0; i < res.n_actions; i++)
		if (strcmp(res.actions[i].action->full_name, full_name) == 0)
			return &res.actions[i];
	return NULL;
}

static void map(const struct kh_event *ev)
{
	assert_int_equal(kh_map_event(mapper, ev, &res), KH_OK);
}

/* Maps and checks the class and the first action with its resource. */
static void expect(const struct kh_event *ev, enum kh_map_class cls, const char *action,
		   const char *arn)
{
	map(ev);
	assert_string_equal(kh_map_class_name(res.cls), kh_map_class_name(cls));
	if (!action)
		return;
	assert_true(res.n_actions >= 1);
	assert_string_equal(res.actions[0].action->full_name, action);
	assert_null(res.actions[0].reason);
	if (arn) {
		assert_non_null(res.actions[0].resource);
		assert_string_equal(res.actions[0].resource, arn);
	} else {
		assert_null(res.actions[0].resource);
	}
}

/* ---- classes -------------------------------------------------------- */

static void test_classes(void **state)
{
	struct kh_event ev = event("s3.amazonaws.com", "GetObject");
	param(&ev, "bucketName", "b");
	param(&ev, "key", "k");
	expect(&ev, KH_MAP_USED, "s3:GetObject", "arn:aws:s3:::b/k");

	ev.error_code = sv("AccessDenied");
	expect(&ev, KH_MAP_DENIED, "s3:GetObject", "arn:aws:s3:::b/k");
	assert_true(res.denied);

	ev = event("ec2.amazonaws.com", "DescribeInstances");
	ev.error_code = sv("Client.UnauthorizedOperation");
	expect(&ev, KH_MAP_DENIED, "ec2:DescribeInstances", NULL);
	assert_int_equal(res.actions[0].res_kind, KH_RES_ANY);

	/* An unlisted code that still reports "not authorized to perform". */
	ev.error_code = sv("SomethingNew");
	ev.error_message = sv("User: x is not authorized to perform: ec2:DescribeInstances");
	expect(&ev, KH_MAP_DENIED, "ec2:DescribeInstances", NULL);

	/* Any other error passed authorization. */
	ev = event("ec2.amazonaws.com", "DescribeInstances");
	ev.error_code = sv("ThrottlingException");
	expect(&ev, KH_MAP_USED, "ec2:DescribeInstances", NULL);
	ev.error_code = sv("NoSuchBucketPolicy");
	expect(&ev, KH_MAP_USED, "ec2:DescribeInstances", NULL);

	/* Authentication failures never reached authorization. */
	ev.error_code = sv("InvalidClientTokenId");
	expect(&ev, KH_MAP_SKIPPED, NULL, NULL);

	ev = event("sts.amazonaws.com", "GetCallerIdentity");
	expect(&ev, KH_MAP_NO_PERMISSION, NULL, NULL);
	assert_string_equal(res.candidate, "sts:GetCallerIdentity");
	assert_int_equal(res.n_actions, 0);

	ev = event("secretsmanager.amazonaws.com", "RotationSucceeded");
	ev.event_type = sv("AwsServiceEvent");
	expect(&ev, KH_MAP_SKIPPED, NULL, NULL);
	assert_non_null(res.skip_reason);
	ev = event("signin.amazonaws.com", "ConsoleLogin");
	ev.event_type = sv("AwsConsoleSignIn");
	expect(&ev, KH_MAP_SKIPPED, NULL, NULL);
	ev.event_type = sv(NULL); /* lookup-events pages may omit it */
	expect(&ev, KH_MAP_SKIPPED, NULL, NULL);
	ev = event("ec2.amazonaws.com", "DescribeInstances");
	ev.event_type = sv("AwsCloudTrailInsight");
	expect(&ev, KH_MAP_SKIPPED, NULL, NULL);
	ev.event_type = sv("AwsApiCall");
	ev.event_category = sv("Insight");
	expect(&ev, KH_MAP_SKIPPED, NULL, NULL);

	ev = event("s3.amazonaws.com", "GetStorageLensDashboardDataInternal");
	expect(&ev, KH_MAP_UNMAPPED, NULL, NULL);
	assert_string_equal(res.candidate, "s3:GetStorageLensDashboardDataInternal");
	ev = event("", "Ping");
	expect(&ev, KH_MAP_UNMAPPED, NULL, NULL);
	/* Denied and unmapped: unmapped wins, the flag stays. */
	ev = event("example.amazonaws.com", "Ping");
	ev.error_code = sv("AccessDenied");
	expect(&ev, KH_MAP_UNMAPPED, NULL, NULL);
	assert_true(res.denied);
	assert_string_equal(res.candidate, "example:Ping");
}

/* ---- service prefixes and suffixes ------------------------------------ */

static void test_prefixes(void **state)
{
	char buf[64];
	struct {
		const char *source, *prefix;
	} cases[] = {
		{"monitoring.amazonaws.com", "cloudwatch"},
		{"email.amazonaws.com", "ses"},
		{"elasticloadbalancing.amazonaws.com", "elasticloadbalancing"},
		{"es.amazonaws.com", "es"},
		{"opensearchservice.amazonaws.com", "es"},
		{"apigateway.amazonaws.com", "apigateway"},
		{"streams.dynamodb.amazonaws.com", "dynamodb"},
		{"tagging.amazonaws.com", "tag"},
		{"s3.amazonaws.com", "s3"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = kh_map_source_prefix(mapper, cases[i].source, strlen(cases[i].source),
						buf, sizeof(buf));
		assert_int_equal(n, strlen(cases[i].prefix));
		assert_string_equal(buf, cases[i].prefix);
	}
	struct kh_event ev = event("monitoring.amazonaws.com", "DescribeAlarms");
	expect(&ev, KH_MAP_USED, "cloudwatch:DescribeAlarms", NULL);
	ev = event("elasticloadbalancing.amazonaws.com", "DescribeLoadBalancers");
	expect(&ev, KH_MAP_USED, "elasticloadbalancing:DescribeLoadBalancers", NULL);
}

static void test_version_suffixes(void **state)
{
	struct kh_event ev = event("lambda.amazonaws.com", "UpdateFunctionCode20150331v2");
	param(&ev, "functionName", "fn");
	expect(&ev, KH_MAP_USED, "lambda:UpdateFunctionCode",
	       "arn:aws:lambda:us-east-1:111122223333:function:fn");

	ev = event("lambda.amazonaws.com", "ListVersionsByFunction20150331");
	expect(&ev, KH_MAP_USED, "lambda:ListVersionsByFunction", NULL);

	ev = event("cloudfront.amazonaws.com", "UpdateDistribution2020_05_31");
	expect(&ev, KH_MAP_USED, "cloudfront:UpdateDistribution", NULL);

	/* Lambda's data event "Invoke" is lambda:InvokeFunction; the function
	 * may be given as a qualified ARN. */
	ev = event("lambda.amazonaws.com", "Invoke");
	param(&ev, "functionName", "arn:aws:lambda:eu-west-1:444455556666:function:worker:live");
	expect(&ev, KH_MAP_USED, "lambda:InvokeFunction",
	       "arn:aws:lambda:eu-west-1:444455556666:function:worker");
	assert_true(res.actions[0].data_plane);
	/* ... or as name:qualifier. */
	ev = event("lambda.amazonaws.com", "Invoke");
	param(&ev, "functionName", "worker:3");
	expect(&ev, KH_MAP_USED, "lambda:InvokeFunction",
	       "arn:aws:lambda:us-east-1:111122223333:function:worker");
}

/* ---- renames ------------------------------------------------------------- */

static void test_s3_renames(void **state)
{
	struct {
		const char *event, *action;
		int object; /* resource is the object, else the bucket */
	} cases[] = {
		{"ListObjects", "s3:ListBucket", 0},
		{"ListObjectsV2", "s3:ListBucket", 0},
		{"HeadBucket", "s3:ListBucket", 0},
		{"HeadObject", "s3:GetObject", 1},
		{"CreateMultipartUpload", "s3:PutObject", 1},
		{"UploadPart", "s3:PutObject", 1},
		{"CompleteMultipartUpload", "s3:PutObject", 1},
		{"DeleteObjects", "s3:DeleteObject", -1},
		{"ListObjectVersions", "s3:ListBucketVersions", 0},
		{"ListParts", "s3:ListMultipartUploadParts", 1},
		{"GetBucketLifecycleConfiguration", "s3:GetLifecycleConfiguration", 0},
		{"GetBucketLifecycle", "s3:GetLifecycleConfiguration", 0},
		{"DeleteBucketCors", "s3:PutBucketCORS", 0},
		{"GetBucketEncryption", "s3:GetEncryptionConfiguration", 0},
		{"PutBucketReplication", "s3:PutReplicationConfiguration", 0},
		{"GetBucketReplication", "s3:GetReplicationConfiguration", 0},
		{"DeleteBucketLifecycle", "s3:PutLifecycleConfiguration", 0},
		{"PutBucketAccelerateConfiguration", "s3:PutAccelerateConfiguration", 0},
		{"GetObjectLockConfiguration", "s3:GetBucketObjectLockConfiguration", 0},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct kh_event ev = event("s3.amazonaws.com", cases[i].event);
		param(&ev, "bucketName", "logs-bucket");
		if (cases[i].object >= 0)
			param(&ev, "key", "2026/a b.txt");
		expect(&ev, KH_MAP_USED, cases[i].action,
		       cases[i].object == 1   ? "arn:aws:s3:::logs-bucket/2026/a b.txt"
		       : cases[i].object == 0 ? "arn:aws:s3:::logs-bucket"
					      : NULL);
	}
	struct kh_event ev = event("s3.amazonaws.com", "ListBuckets");
	expect(&ev, KH_MAP_USED, "s3:ListAllMyBuckets", NULL);
	assert_int_equal(res.actions[0].res_kind, KH_RES_ANY);
}

static void test_copy_object(void **state)
{
	struct kh_event ev = event("s3.amazonaws.com", "CopyObject");
	const struct kh_mapped_action *get, *put;

	param(&ev, "bucketName", "dst");
	param(&ev, "key", "out/x.csv");
	param(&ev, "x-amz-copy-source", "/src-bucket/in/x%20y.csv?versionId=3");
	resource(&ev, "arn:aws:s3:::src-bucket/in/x y.csv");
	map(&ev);
	assert_int_equal(res.cls, KH_MAP_USED);
	assert_non_null(put = find("s3:PutObject"));
	assert_non_null(get = find("s3:GetObject"));
	assert_null(put->reason);
	assert_non_null(get->reason);
	assert_string_equal(put->resource, "arn:aws:s3:::dst/out/x.csv");
	assert_string_equal(get->resource, "arn:aws:s3:::src-bucket/in/x y.csv");

	ev = event("s3.amazonaws.com", "UploadPartCopy");
	param(&ev, "bucketName", "dst");
	param(&ev, "key", "k");
	param(&ev, "CopySource", "src/k2");
	map(&ev);
	assert_string_equal(find("s3:GetObject")->resource, "arn:aws:s3:::src/k2");
	assert_string_equal(find("s3:PutObject")->resource, "arn:aws:s3:::dst/k");
}

static void test_kms_reencrypt(void **state)
{
	struct kh_event ev = event("kms.amazonaws.com", "ReEncrypt");
	const struct kh_mapped_action *from, *to;

	param(&ev, "sourceKeyId", "arn:aws:kms:us-east-1:111122223333:key/aaaa-1111");
	param(&ev, "destinationKeyId", "bbbb-2222");
	resource(&ev, "arn:aws:kms:us-east-1:111122223333:key/aaaa-1111");
	map(&ev);
	assert_int_equal(res.cls, KH_MAP_USED);
	assert_non_null(from = find("kms:ReEncryptFrom"));
	assert_non_null(to = find("kms:ReEncryptTo"));
	assert_null(from->reason);
	assert_non_null(to->reason);
	assert_string_equal(from->resource, "arn:aws:kms:us-east-1:111122223333:key/aaaa-1111");
	assert_string_equal(to->resource, "arn:aws:kms:us-east-1:111122223333:key/bbbb-2222");
}

static void test_apigateway(void **state)
{
	struct kh_event ev = event("apigateway.amazonaws.com", "GetRestApis");
	expect(&ev, KH_MAP_USED, "apigateway:GET", "arn:aws:apigateway:us-east-1::/restapis");

	ev = event("apigateway.amazonaws.com", "CreateDeployment");
	param(&ev, "restApiId", "a1b2c3");
	expect(&ev, KH_MAP_USED, "apigateway:POST",
	       "arn:aws:apigateway:us-east-1::/restapis/a1b2c3/deployments");

	ev = event("apigateway.amazonaws.com", "DeleteRestApi");
	param(&ev, "restApiId", "a1b2c3");
	expect(&ev, KH_MAP_USED, "apigateway:DELETE", "arn:aws:apigateway:us-east-1::/restapis/a1b2c3");
}

/* ---- calls that need more than one action ------------------------------- */

static void test_run_instances(void **state)
{
	struct kh_event ev = event("ec2.amazonaws.com", "RunInstances");
	const struct kh_mapped_action *pass;

	param(&ev, "imageId", "ami-123");
	expect(&ev, KH_MAP_USED, "ec2:RunInstances", NULL);
	assert_int_equal(res.actions[0].res_kind, KH_RES_SEVERAL);
	assert_null(find("iam:PassRole")); /* no instance profile: no role */

	param(&ev, "iamInstanceProfile.arn",
	      "arn:aws:iam::999988887777:instance-profile/web/WebProfile");
	map(&ev);
	assert_non_null(pass = find("iam:PassRole"));
	assert_non_null(pass->reason);
	assert_non_null(strstr(pass->reason, "profile"));
	assert_int_equal(pass->res_kind, KH_RES_PATTERN);
	assert_string_equal(pass->resource, "arn:aws:iam::999988887777:role/*");

	ev = event("ec2.amazonaws.com", "RunInstances");
	param(&ev, "iamInstanceProfile.name", "WebProfile");
	map(&ev);
	assert_non_null(pass = find("iam:PassRole"));
	assert_string_equal(pass->resource, "arn:aws:iam::111122223333:role/*");
}

static void test_pass_role_and_dependents(void **state)
{
	struct kh_event ev = event("lambda.amazonaws.com", "CreateFunction20150331");
	const struct kh_mapped_action *pass;
	param(&ev, "functionName", "fn");
	param(&ev, "role", "arn:aws:iam::111122223333:role/service-role/fn-role");
	expect(&ev, KH_MAP_USED, "lambda:CreateFunction",
	       "arn:aws:lambda:us-east-1:111122223333:function:fn");
	assert_non_null(pass = find("iam:PassRole"));
	assert_non_null(pass->reason);
	assert_string_equal(pass->resource, "arn:aws:iam::111122223333:role/service-role/fn-role");

}

/* The catalog's dependent actions come along, with their reason. The
 * built-in catalog's source lists none today, so a small catalog stands in. */
static void test_dependent_actions(void **state)
{
	static const char mini[] = "#keyhole-catalog 1\n#source test\n"
				   "S\taws\tAWS global condition keys\n"
				   "K\taws:CurrentTime\tDate\n"
				   "S\tfoo\tFoo\n"
				   "A\tDoIt\tW\t\t\tfoo:Helper\tDoes it\n"
				   "A\tHelper\tR\t\t\t\tHelps\n";
	struct kh_catalog *c;
	struct kh_mapper *m;
	struct kh_error err;
	struct kh_event ev = event("foo.amazonaws.com", "DoIt");

	assert_int_equal(kh_catalog_load_mem(mini, sizeof(mini) - 1, &c, &err), KH_OK);
	assert_int_equal(kh_mapper_new(c, &m, &err), KH_OK);
	assert_int_equal(kh_map_event(m, &ev, &res), KH_OK);
	assert_int_equal(res.cls, KH_MAP_USED);
	assert_int_equal(res.n_actions, 2);
	assert_string_equal(res.actions[0].action->full_name, "foo:DoIt");
	assert_null(res.actions[0].reason);
	assert_string_equal(res.actions[1].action->full_name, "foo:Helper");
	assert_non_null(res.actions[1].reason);
	kh_mapper_free(m);
	kh_catalog_free(c);
}

/* ---- resources ------------------------------------------------------------ */

static void test_resources(void **state)
{
	struct kh_event ev = event("dynamodb.amazonaws.com", "GetItem");
	param(&ev, "tableName", "Orders");
	expect(&ev, KH_MAP_USED, "dynamodb:GetItem",
	       "arn:aws:dynamodb:us-east-1:111122223333:table/Orders");
	assert_true(res.actions[0].data_plane);

	ev = event("sqs.amazonaws.com", "SendMessage");
	param(&ev, "queueUrl", "https://sqs.eu-west-1.amazonaws.com/444455556666/jobs");
	expect(&ev, KH_MAP_USED, "sqs:SendMessage", "arn:aws:sqs:eu-west-1:444455556666:jobs");

	ev = event("sns.amazonaws.com", "Publish");
	param(&ev, "topicArn", "arn:aws:sns:us-east-1:111122223333:alerts");
	expect(&ev, KH_MAP_USED, "sns:Publish", "arn:aws:sns:us-east-1:111122223333:alerts");

	ev = event("kms.amazonaws.com", "Decrypt");
	param(&ev, "keyId", "alias/app"); /* an alias: the key comes from resources[] */
	resource(&ev, "arn:aws:kms:us-east-1:111122223333:key/1234abcd");
	expect(&ev, KH_MAP_USED, "kms:Decrypt", "arn:aws:kms:us-east-1:111122223333:key/1234abcd");
	ev = event("kms.amazonaws.com", "Encrypt");
	param(&ev, "keyId", "1234abcd");
	expect(&ev, KH_MAP_USED, "kms:Encrypt", "arn:aws:kms:us-east-1:111122223333:key/1234abcd");
	ev = event("kms.amazonaws.com", "Encrypt");
	param(&ev, "keyId", "alias/app"); /* alias only: not derivable */
	expect(&ev, KH_MAP_USED, "kms:Encrypt", NULL);
	assert_int_equal(res.actions[0].res_kind, KH_RES_UNKNOWN);
	ev = event("kms.amazonaws.com", "CreateAlias");
	param(&ev, "aliasName", "alias/app");
	param(&ev, "targetKeyId", "1234abcd");
	map(&ev);
	assert_non_null(find("kms:CreateAlias"));

	ev = event("secretsmanager.amazonaws.com", "GetSecretValue");
	param(&ev, "secretId", "prod/db");
	expect(&ev, KH_MAP_USED, "secretsmanager:GetSecretValue",
	       "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-??????");
	assert_int_equal(res.actions[0].res_kind, KH_RES_PATTERN);
	ev = event("secretsmanager.amazonaws.com", "GetSecretValue");
	param(&ev, "secretId", "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbCdEf");
	expect(&ev, KH_MAP_USED, "secretsmanager:GetSecretValue",
	       "arn:aws:secretsmanager:us-east-1:111122223333:secret:prod/db-AbCdEf");
	assert_int_equal(res.actions[0].res_kind, KH_RES_ARN);

	ev = event("ssm.amazonaws.com", "GetParameter");
	param(&ev, "name", "/app/db/password");
	expect(&ev, KH_MAP_USED, "ssm:GetParameter",
	       "arn:aws:ssm:us-east-1:111122223333:parameter/app/db/password");

	ev = event("logs.amazonaws.com", "CreateLogGroup");
	param(&ev, "logGroupName", "/aws/lambda/fn");
	expect(&ev, KH_MAP_USED, "logs:CreateLogGroup",
	       "arn:aws:logs:us-east-1:111122223333:log-group:/aws/lambda/fn");

	ev = event("kinesis.amazonaws.com", "PutRecord");
	param(&ev, "streamName", "clicks");
	expect(&ev, KH_MAP_USED, "kinesis:PutRecord",
	       "arn:aws:kinesis:us-east-1:111122223333:stream/clicks");

	ev = event("states.amazonaws.com", "StartExecution");
	param(&ev, "stateMachineArn", "arn:aws:states:us-east-1:111122223333:stateMachine:flow");
	expect(&ev, KH_MAP_USED, "states:StartExecution",
	       "arn:aws:states:us-east-1:111122223333:stateMachine:flow");

	ev = event("events.amazonaws.com", "PutRule");
	param(&ev, "name", "nightly");
	expect(&ev, KH_MAP_USED, "events:PutRule",
	       "arn:aws:events:us-east-1:111122223333:rule/nightly");

	ev = event("ecr.amazonaws.com", "BatchGetImage");
	param(&ev, "repositoryName", "web");
	expect(&ev, KH_MAP_USED, "ecr:BatchGetImage",
	       "arn:aws:ecr:us-east-1:111122223333:repository/web");

	/* Only resources[]: taken when it fits the action's resource type. */
	ev = event("dynamodb.amazonaws.com", "DescribeTable");
	resource(&ev, "arn:aws:s3:::not-a-table");
	resource(&ev, "arn:aws:dynamodb:us-east-1:111122223333:table/T");
	expect(&ev, KH_MAP_USED, "dynamodb:DescribeTable",
	       "arn:aws:dynamodb:us-east-1:111122223333:table/T");

	/* Nothing to go on: NULL, reported as unknown. */
	ev = event("dynamodb.amazonaws.com", "DescribeTable");
	expect(&ev, KH_MAP_USED, "dynamodb:DescribeTable", NULL);
	assert_int_equal(res.actions[0].res_kind, KH_RES_UNKNOWN);

	/* Partition and account from the record. */
	ev = event("dynamodb.amazonaws.com", "GetItem");
	ev.aws_region = sv("cn-north-1");
	ev.principal_arn = sv("arn:aws-cn:sts::210987654321:assumed-role/app/s");
	ev.recipient_account = sv("210987654321");
	param(&ev, "tableName", "T");
	expect(&ev, KH_MAP_USED, "dynamodb:GetItem",
	       "arn:aws-cn:dynamodb:cn-north-1:210987654321:table/T");
}

/* ---- table flags ----------------------------------------------------------- */

static void test_flags(void **state)
{
	assert_true(kh_service_is_global("iam"));
	assert_true(kh_service_is_global("STS"));
	assert_true(kh_service_is_global("cloudfront"));
	assert_true(kh_service_is_global("route53"));
	assert_true(kh_service_is_global("organizations"));
	assert_false(kh_service_is_global("s3"));
	assert_false(kh_service_is_global("ec2"));
	assert_true(kh_action_is_data_plane("s3:GetObject"));
	assert_true(kh_action_is_data_plane("lambda:InvokeFunction"));
	assert_true(kh_action_is_data_plane("dynamodb:PutItem"));
	assert_false(kh_action_is_data_plane("s3:CreateBucket"));
	assert_false(kh_action_is_data_plane("dynamodb:CreateTable"));
	assert_true(kh_service_has_data_plane("s3"));
	assert_false(kh_service_has_data_plane("iam"));
}

/* Every action the table names is in the catalog, so no table line maps
 * an event to a name IAM does not know. */
static void test_table_actions_exist(void **state)
{
	extern const char kh_map_table_data[], kh_map_table_data_end[];
	const char *p = kh_map_table_data, *e = kh_map_table_data_end;
	size_t checked = 0;

	while (p < e) {
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(e - p);
		char line[1024], *f[8];
		size_t n = 0;
		if (len < sizeof(line) && (p[0] == 'A' || p[0] == 'D') && p[1] == '\t') {
			memcpy(line, p, len);
			line[len] = '\0';
			f[n++] = line;
			for (char *c = line; *c && n < 8; c++)
				if (*c == '\t') {
					*c = '\0';
					f[n++] = c + 1;
				}
			const char *name = p[0] == 'A' ? f[3] : f[1];
			if (!kh_catalog_action(cat, name))
				fail_msg("table names '%s', which the catalog lacks", name);
			checked++;
		}
		p = nl ? nl + 1 : e;
	}
	assert_true(checked > 250);
}

/* A table given by the caller, and its errors. */
static void test_custom_table(void **state)
{
	static const char table[] = "#keyhole-cloudtrail-map 1\n"
				    "A\tfoo\tDoIt\ts3:GetObject\t-\t-\t-\n"
				    "A\tfoo\tDoIt\tnosuch:Thing\t-\t-\textra\n";
	static const char bad_table[] = "#keyhole-cloudtrail-map 1\nQ\tx\n";
	static const char split_group[] = "#keyhole-cloudtrail-map 1\n"
					  "A\tfoo\tA\ts3:GetObject\t-\t-\t-\n"
					  "A\tfoo\tB\ts3:GetObject\t-\t-\t-\n"
					  "A\tfoo\tA\ts3:PutObject\t-\t-\tx\n";
	struct kh_mapper *m;
	struct kh_error err;
	struct kh_event ev = event("foo.amazonaws.com", "DoIt");

	assert_int_equal(kh_mapper_new_table(cat, table, sizeof(table) - 1, &m, &err), KH_OK);
	assert_int_equal(kh_map_event(m, &ev, &res), KH_OK);
	/* One of its actions is not in the catalog: unmapped, with the name. */
	assert_int_equal(res.cls, KH_MAP_UNMAPPED);
	assert_string_equal(res.candidate, "nosuch:Thing");
	kh_mapper_free(m);

	assert_int_equal(kh_mapper_new_table(cat, bad_table, sizeof(bad_table) - 1, &m, &err),
			 KH_EINPUT);
	assert_int_equal(err.line, 2);
	assert_int_equal(kh_mapper_new_table(cat, split_group, sizeof(split_group) - 1, &m, &err),
			 KH_EINPUT);
	assert_non_null(strstr(err.msg, "consecutive"));
}

/* The cache of (eventSource, eventName) answers: a repeated record maps
 * the same way, and one struct kh_mapping serves two mappers in turn
 * without handing one mapper's answer to the other. */
static void test_memo(void **state)
{
	static const char table[] = "#keyhole-cloudtrail-map 1\n"
				    "A\ts3\tGetObject\ts3:PutObject\t-\t-\t-\n";
	struct kh_mapper *custom;
	struct kh_error err;
	struct kh_event ev = event("s3.amazonaws.com", "GetObject");

	assert_int_equal(kh_mapper_new_table(cat, table, sizeof(table) - 1, &custom, &err), KH_OK);
	for (int round = 0; round < 3; round++) {
		assert_int_equal(kh_map_event(mapper, &ev, &res), KH_OK);
		assert_int_equal(res.n_actions, 1);
		assert_string_equal(res.actions[0].action->full_name, "s3:GetObject");
		assert_int_equal(kh_map_event(custom, &ev, &res), KH_OK);
		assert_int_equal(res.n_actions, 1);
		assert_string_equal(res.actions[0].action->full_name, "s3:PutObject");
	}
	/* Same name, other source; and a changing eventType. */
	ev = event("sqs.amazonaws.com", "GetObject");
	assert_int_equal(kh_map_event(mapper, &ev, &res), KH_OK);
	assert_int_equal(res.cls, KH_MAP_UNMAPPED);
	assert_string_equal(res.candidate, "sqs:GetObject");
	ev = event("s3.amazonaws.com", "GetObject");
	ev.event_type = sv("AwsServiceEvent");
	assert_int_equal(kh_map_event(mapper, &ev, &res), KH_OK);
	assert_int_equal(res.cls, KH_MAP_SKIPPED);
	ev.event_type = sv("AwsApiCall");
	assert_int_equal(kh_map_event(mapper, &ev, &res), KH_OK);
	assert_int_equal(res.cls, KH_MAP_USED);
	kh_mapper_free(custom);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_version_suffixes),
		cmocka_unit_test(test_s3_renames),
		cmocka_unit_test(test_copy_object),
		cmocka_unit_test(test_kms_reencrypt),
		cmocka_unit_test(test_apigateway),
		cmocka_unit_test(test_run_instances),
		cmocka_unit_test(test_pass_role_and_dependents),
		cmocka_unit_test(test_dependent_actions),
		cmocka_unit_test(test_resources),
		cmocka_unit_test(test_flags),
		cmocka_unit_test(test_table_actions_exist),
		cmocka_unit_test(test_custom_table),
		cmocka_unit_test(test_memo),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

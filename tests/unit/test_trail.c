/* test_trail.c - the CloudTrail record reader: formats, fields, errors. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "keyhole/trail.h"

static int sv_is(struct kh_sv v, const char *s)
{
	return v.len == strlen(s) && memcmp(v.ptr, s, v.len) == 0;
}

#define assert_sv(v, s)                                                                    \
	do {                                                                               \
		if (!sv_is((v), (s)))                                                      \
			fail_msg("expected '%s', got '%.*s'", (s), (int)(v).len,            \
				 (v).ptr ? (v).ptr : "");                                  \
	} while (0)

/* Reads tests/fixtures/trail/<name> (malloc()'ed). */
static char *fixture(const char *name, size_t *len)
{
	const char *root = getenv("KH_SOURCE_DIR");
	char path[1024];
	snprintf(path, sizeof path, "%s/tests/fixtures/trail/%s", root ? root : ".", name);
	unsigned char *data;
	struct kh_error err = {0};
	if (kh_trail_read_file(path, 0, &data, len, &err) != KH_OK)
		fail_msg("%s", err.msg);
	return (char *)data;
}

/* Opens data and collects every record; returns the count or the error. */
static int read_all(struct kh_trail_reader *r, const char *data, size_t len,
		    struct kh_event *evs, size_t max, struct kh_error *err)
{
	int rc = kh_trail_reader_open(r, data, len, "test", err);
	if (rc)
		return rc;
	size_t n = 0;
	struct kh_event ev;
	while ((rc = kh_trail_next(r, &ev, err)) == 1)
		if (n < max)
			evs[n++] = ev;
		else
			n++;
	return rc < 0 ? rc : (int)n;
}

static void test_records_format(void **state)
{
	(void)state;
	size_t len;
	char *data = fixture("records.json", &len);
	struct kh_trail_reader *r = kh_trail_reader_new();
	struct kh_event ev;
	struct kh_error err = {0};
	assert_int_equal(kh_trail_reader_open(r, data, len, "records.json", &err), KH_OK);
	free(data); /* the reader keeps its own copy */
	assert_int_equal(kh_trail_reader_format(r), KH_TRAIL_RECORDS);

	assert_int_equal(kh_trail_next(r, &ev, &err), 1);
	assert_sv(ev.event_source, "ec2.amazonaws.com");
	assert_sv(ev.event_name, "RunInstances");
	assert_sv(ev.aws_region, "eu-west-1");
	assert_sv(ev.event_version, "1.09");
	assert_sv(ev.event_time, "2024-03-01T10:05:00Z");
	assert_sv(ev.identity_type, "AssumedRole");
	assert_sv(ev.principal_arn, "arn:aws:sts::111122223333:assumed-role/ci-deploy/build");
	assert_sv(ev.session_issuer_arn, "arn:aws:iam::111122223333:role/ci-deploy");
	assert_sv(ev.session_issuer_type, "Role");
	assert_sv(ev.access_key_id, "ASIAEXAMPLE");
	assert_sv(ev.recipient_account, "111122223333");
	assert_sv(ev.event_category, "Management");
	assert_sv(ev.event_type, "AwsApiCall");
	assert_int_equal(ev.read_only, 0);
	assert_int_equal(ev.management_event, 1);
	assert_int_equal(ev.error_code.len, 0);
	/* Nested parameters: first strings one level down. */
	assert_sv(kh_event_param(&ev, "iamInstanceProfile.arn"),
		  "arn:aws:iam::111122223333:instance-profile/web");
	assert_sv(kh_event_param(&ev, "iamInstanceProfile.name"), "web");
	assert_sv(kh_event_param(&ev, "instanceType"), "t3.micro");
	assert_sv(kh_event_param(&ev, "disableApiTermination"), "false");
	assert_sv(kh_event_param(&ev, "maxCount"), "2");
	assert_null(kh_event_param(&ev, "monitoring.enabled").ptr); /* not a string */
	assert_null(kh_event_param(&ev, "nope").ptr);
	assert_int_equal(ev.params_escaped, 0);

	assert_int_equal(kh_trail_next(r, &ev, &err), 1);
	assert_sv(ev.event_name, "CopyObject");
	assert_sv(ev.user_name, "alice");
	assert_sv(kh_event_param(&ev, "bucketName"), "dest-bucket");
	assert_sv(kh_event_param(&ev, "CopySource"), "src-bucket/path/a.txt");
	assert_sv(kh_event_param(&ev, "x-amz-copy-source"), "src-bucket/path/a.txt");
	assert_sv(kh_event_param(&ev, "key"), "path/b \\\"quoted\\\".txt"); /* raw */
	assert_int_equal(ev.params_escaped, 1);
	assert_int_equal(ev.n_resources, 2);
	assert_sv(ev.resource_arns[0], "arn:aws:s3:::dest-bucket/path/b.txt");
	assert_sv(ev.resource_types[0], "AWS::S3::Object");
	assert_sv(ev.resource_arns[1], "arn:aws:s3:::dest-bucket");
	assert_int_equal(ev.management_event, 0);

	assert_int_equal(kh_trail_next(r, &ev, &err), 1);
	assert_sv(ev.event_type, "AwsServiceEvent");
	assert_sv(ev.invoked_by, "cloudtrail.amazonaws.com");
	assert_sv(ev.error_code, "AccessDenied");
	assert_sv(ev.error_message, "User is not authorized \"here\""); /* unescaped */
	assert_int_equal(ev.principal_arn.len, 0);
	assert_int_equal(ev.n_params, 0);
	assert_int_equal(ev.read_only, -1);

	assert_int_equal(kh_trail_next(r, &ev, &err), 0);
	assert_int_equal(kh_trail_next(r, &ev, &err), 0); /* stays at the end */
	kh_trail_reader_free(r);
}

static void test_array_format(void **state)
{
	(void)state;
	size_t len;
	char *data = fixture("array.json", &len);
	struct kh_trail_reader *r = kh_trail_reader_new();
	struct kh_event evs[4];
	struct kh_error err = {0};
	assert_int_equal(read_all(r, data, len, evs, 4, &err), 2);
	assert_int_equal(kh_trail_reader_format(r), KH_TRAIL_ARRAY);
	assert_sv(evs[0].event_name, "GetCallerIdentity");
	assert_int_equal(evs[0].read_only, 1);
	assert_sv(evs[1].principal_arn, "arn:aws:iam::444455556666:user/bob");
	free(data);
	kh_trail_reader_free(r);
}

static void test_jsonl_format(void **state)
{
	(void)state;
	size_t len;
	char *data = fixture("lines.jsonl", &len);
	struct kh_trail_reader *r = kh_trail_reader_new();
	struct kh_event ev;
	struct kh_error err = {0};
	assert_int_equal(kh_trail_reader_open(r, data, len, "lines", &err), KH_OK);
	assert_int_equal(kh_trail_reader_format(r), KH_TRAIL_JSONL);
	assert_int_equal(kh_trail_next(r, &ev, &err), 1);
	assert_sv(ev.event_name, "DescribeInstances");
	assert_int_equal(kh_trail_next(r, &ev, &err), 1); /* the blank line is skipped */
	assert_sv(ev.event_name, "GetObject");
	assert_sv(kh_event_param(&ev, "key"), "k1");
	assert_int_equal(kh_trail_next(r, &ev, &err), 1);
	assert_sv(ev.event_source, "iam.amazonaws.com");
	assert_int_equal(kh_trail_next(r, &ev, &err), 0);
	free(data);
	kh_trail_reader_free(r);
}

static void test_lookup_pages(void **state)
{
	(void)state;
	size_t len;
	char *data = fixture("lookup.json", &len);
	struct kh_trail_reader *r = kh_trail_reader_new();
	struct kh_event evs[4];
	struct kh_error err = {0};
	/* Two pages, the second with no NextToken, concatenated. */
	assert_int_equal(read_all(r, data, len, evs, 4, &err), 3);
	assert_int_equal(kh_trail_reader_format(r), KH_TRAIL_LOOKUP);
	free(data);
	/* Only the last event's views are valid now; check it. */
	assert_sv(evs[2].event_name, "PutObject");
	assert_sv(evs[2].principal_arn, "arn:aws:sts::1:assumed-role/a/s3");
	assert_sv(kh_event_param(&evs[2], "roleArn"), "arn:aws:iam::1:role/x");
	assert_sv(kh_event_param(&evs[2], "note"), "tab\\there"); /* raw escape */
	assert_int_equal(evs[2].params_escaped, 1);
	kh_trail_reader_free(r);
}

static void test_lookup_escaped_inner(void **state)
{
	(void)state;
	const char *doc = "{\"Events\":[{\"CloudTrailEvent\":\"{\\\"eventSource\\\":"
			  "\\\"iam.amazonaws.com\\\",\\\"eventName\\\":\\\"GetUser\\\","
			  "\\\"userIdentity\\\":{\\\"arn\\\":\\\"arn:aws:iam::1:user/\\\\u0061b\\\"}}\"}]}";
	struct kh_trail_reader *r = kh_trail_reader_new();
	struct kh_event ev;
	struct kh_error err = {0};
	assert_int_equal(kh_trail_reader_open(r, doc, strlen(doc), "inline", &err), KH_OK);
	assert_int_equal(kh_trail_next(r, &ev, &err), 1);
	assert_sv(ev.event_name, "GetUser");
	assert_sv(ev.principal_arn, "arn:aws:iam::1:user/ab"); /* \u0061 decoded twice over */
	assert_int_equal(kh_trail_next(r, &ev, &err), 0);
	kh_trail_reader_free(r);
}

static void test_concatenated_records_files(void **state)
{
	(void)state;
	const char *doc = "{\"Records\":[{\"eventSource\":\"a\",\"eventName\":\"A\"}]}"
			  "{\"Records\":[{\"eventSource\":\"b\",\"eventName\":\"B\"},"
			  "{\"eventSource\":\"c\",\"eventName\":\"C\"}]}\n";
	struct kh_trail_reader *r = kh_trail_reader_new();
	struct kh_event evs[4];
	struct kh_error err = {0};
	assert_int_equal(read_all(r, doc, strlen(doc), evs, 4, &err), 3);
	assert_sv(evs[2].event_name, "C");
	/* The reader is reusable for another input. */
	assert_int_equal(read_all(r, "[]", 2, evs, 4, &err), 0);
	assert_int_equal(read_all(r, "{\"Records\":[]}", 14, evs, 4, &err), 0);
	kh_trail_reader_free(r);
}

static void expect_open_error(const char *data, size_t len, const char *needle)
{
	struct kh_trail_reader *r = kh_trail_reader_new();
	struct kh_error err = {0};
	assert_int_equal(kh_trail_reader_open(r, data, len, "bad.json", &err), KH_EINPUT);
	assert_int_equal(err.code, KH_EINPUT);
	if (!strstr(err.msg, needle))
		fail_msg("message '%s' lacks '%s'", err.msg, needle);
	assert_non_null(strstr(err.msg, "bad.json"));
	struct kh_event ev;
	assert_int_equal(kh_trail_next(r, &ev, &err), 0);
	kh_trail_reader_free(r);
}

static void test_not_cloudtrail(void **state)
{
	(void)state;
	expect_open_error("{\"foo\":1}", 9, "not a CloudTrail record");
	expect_open_error("", 0, "empty input");
	expect_open_error(" \n\t ", 4, "empty input");
	expect_open_error("{\"Records\":{}}", 14, "\"Records\" is not an array");
	expect_open_error("{\"Events\":5}", 12, "\"Events\"");
	expect_open_error("hello", 5, "not JSON");
}

static void test_binary_garbage(void **state)
{
	(void)state;
	unsigned char junk[4096];
	uint32_t x = 12345;
	for (size_t i = 0; i < sizeof junk; i++) {
		x = x * 1103515245 + 12345;
		junk[i] = (unsigned char)(x >> 16);
	}
	junk[0] = 0x00;
	expect_open_error((const char *)junk, sizeof junk, "not JSON");
	/* Garbage that starts like JSON. */
	junk[0] = '{';
	struct kh_trail_reader *r = kh_trail_reader_new();
	struct kh_error err = {0};
	struct kh_event ev;
	int rc = kh_trail_reader_open(r, (const char *)junk, sizeof junk, "junk", &err);
	if (rc == KH_OK) {
		while ((rc = kh_trail_next(r, &ev, &err)) == 1)
			;
	}
	assert_int_equal(rc, KH_EINPUT);
	kh_trail_reader_free(r);
}

static void test_truncated(void **state)
{
	(void)state;
	size_t len;
	char *data = fixture("records.json", &len);
	struct kh_trail_reader *r = kh_trail_reader_new();
	struct kh_event evs[4];
	/* Every proper prefix that cuts into the document must be refused,
	 * never crash, and never yield more records than were complete. */
	size_t cut_end = len;
	while (cut_end && (data[cut_end - 1] == '\n'))
		cut_end--;
	for (size_t cut = 1; cut < cut_end; cut++) {
		struct kh_error err = {0};
		int rc = read_all(r, data, cut, evs, 4, &err);
		if (rc >= 0)
			fail_msg("prefix of %zu bytes accepted with %d records", cut, rc);
		assert_int_equal(rc, KH_EINPUT);
		assert_true(err.msg[0] != '\0');
	}
	/* A truncation inside the array reports the record and offset. */
	struct kh_error err = {0};
	size_t second = (size_t)(strstr(data, "},{\"eventVersion\":\"1.08\"") - data) + 2;
	assert_int_equal(kh_trail_reader_open(r, data, second + 10, "cut.json", &err), KH_EINPUT);
	assert_non_null(strstr(err.msg, "truncated"));
	free(data);
	kh_trail_reader_free(r);
}

static void test_record_errors_in_array(void **state)
{
	(void)state;
	const char *doc = "[{\"eventSource\":\"a\",\"eventName\":\"A\"}, 7]";
	struct kh_trail_reader *r = kh_trail_reader_new();
	struct kh_event ev;
	struct kh_error err = {0};
	assert_int_equal(kh_trail_reader_open(r, doc, strlen(doc), "mixed", &err), KH_OK);
	assert_int_equal(kh_trail_next(r, &ev, &err), 1);
	assert_int_equal(kh_trail_next(r, &ev, &err), KH_EINPUT);
	assert_non_null(strstr(err.msg, "record 1"));
	assert_non_null(strstr(err.msg, "byte offset 38"));
	assert_string_equal(err.path, "[1]");
	assert_int_equal(kh_trail_next(r, &ev, &err), 0); /* the rest is skipped */
	const char *lines = "{\"eventName\":\"A\"}\n{\"eventName\":\"B\",}\n";
	assert_int_equal(kh_trail_reader_open(r, lines, strlen(lines), "lines", &err), KH_OK);
	assert_int_equal(kh_trail_next(r, &ev, &err), 1);
	assert_int_equal(kh_trail_next(r, &ev, &err), KH_EINPUT);
	assert_int_equal(err.line, 2);
	kh_trail_reader_free(r);
}

static void test_param_limits(void **state)
{
	(void)state;
	char doc[8192];
	size_t n = (size_t)snprintf(doc, sizeof doc, "{\"eventName\":\"X\",\"requestParameters\":{");
	for (int i = 0; i < 40; i++)
		n += (size_t)snprintf(doc + n, sizeof doc - n, "%s\"p%d\":\"v%d\"", i ? "," : "", i,
				      i);
	n += (size_t)snprintf(doc + n, sizeof doc - n, "},\"resources\":[");
	for (int i = 0; i < 12; i++)
		n += (size_t)snprintf(doc + n, sizeof doc - n, "%s{\"ARN\":\"arn:%d\"}", i ? "," : "",
				      i);
	n += (size_t)snprintf(doc + n, sizeof doc - n, "]}");
	struct kh_trail_reader *r = kh_trail_reader_new();
	struct kh_event ev;
	struct kh_error err = {0};
	assert_int_equal(kh_trail_reader_open(r, doc, n, "many", &err), KH_OK);
	assert_int_equal(kh_trail_next(r, &ev, &err), 1);
	assert_int_equal(ev.n_params, KH_EVENT_MAX_PARAMS);
	assert_sv(kh_event_param(&ev, "p23"), "v23");
	assert_null(kh_event_param(&ev, "p24").ptr);
	assert_int_equal(ev.n_resources, KH_EVENT_MAX_RESOURCES);
	assert_sv(ev.resource_arns[7], "arn:7");
	kh_trail_reader_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_records_format),
		cmocka_unit_test(test_array_format),
		cmocka_unit_test(test_jsonl_format),
		cmocka_unit_test(test_lookup_pages),
		cmocka_unit_test(test_lookup_escaped_inner),
		cmocka_unit_test(test_concatenated_records_files),
		cmocka_unit_test(test_not_cloudtrail),
		cmocka_unit_test(test_binary_garbage),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_record_errors_in_array),
		cmocka_unit_test(test_param_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

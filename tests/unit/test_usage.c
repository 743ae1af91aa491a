/* test_usage.c - usage summaries: aggregation, exact merging, round trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "keyhole/usage.h"

/* A deterministic stream of synthetic calls: event i of n. */
static void feed(struct kh_usage *u, int i)
{
	static const char *principals[] = {"arn:aws:iam::111122223333:role/app",
					   "arn:aws:iam::111122223333:user/alice",
					   "arn:aws:iam::444455556666:role/etl"};
	static const char *actions[] = {"s3:GetObject", "s3:PutObject", "dynamodb:Query",
					"sqs:SendMessage", "kms:Decrypt"};
	static const char *regions[] = {"us-east-1", "eu-west-1", "ap-south-1"};
	const char *p = principals[i % 3];
	char res[128];
	long long t = 1760000000LL + (long long)((i * 7919) % 100000);
	enum kh_usage_class cls = i % 17 == 0 ? KH_USAGE_DENIED : KH_USAGE_USED;

	snprintf(res, sizeof(res), "arn:aws:s3:::bucket/key-%03d", (i * 31) % 97);
	assert_int_equal(kh_usage_event(u, p, t, regions[i % 3], i % 23 == 0), KH_OK);
	assert_int_equal(kh_usage_record(u, p, cls, actions[i % 5], i % 4 ? res : NULL, t), KH_OK);
	if (i % 40 == 7)
		assert_int_equal(kh_usage_note_data_events(u, i % 80 == 7 ? "s3" : "dynamodb"), KH_OK);
	if (i % 50 == 0)
		assert_int_equal(kh_usage_record(u, p, KH_USAGE_UNMAPPED, "example.amazonaws.com:Ping",
						 NULL, t),
				 KH_OK);
}

static char *written(struct kh_usage *u)
{
	struct kh_buf b;
	kh_buf_init(&b, 0);
	assert_int_equal(kh_usage_write(u, &b), KH_OK);
	return kh_buf_detach(&b, NULL);
}

static void test_shards_merge_to_whole(void **state)
{
	struct kh_usage *whole = kh_usage_new(8), *a = kh_usage_new(8), *b = kh_usage_new(8);
	struct kh_usage *merged = kh_usage_new(8);
	struct kh_usage_scan sa = {.files = 2, .events = 600, .bytes = 1000, .first = 5, .last = 9};
	struct kh_usage_scan sb = {.files = 3, .events = 400, .bytes = 500, .first = 3, .last = 7};
	char *w, *m;

	for (int i = 0; i < 1000; i++) {
		feed(whole, i);
		feed(i % 3 == 1 ? a : b, i); /* an uneven, interleaved split */
	}
	kh_usage_add_scan(whole, &sa);
	kh_usage_add_scan(whole, &sb);
	kh_usage_add_scan(a, &sa);
	kh_usage_add_scan(b, &sb);
	assert_int_equal(kh_usage_merge(merged, b), KH_OK);
	assert_int_equal(kh_usage_merge(merged, a), KH_OK);
	w = written(whole);
	m = written(merged);
	assert_string_equal(w, m);
	assert_non_null(strstr(w, "\"data_event_services\":[\"dynamodb\",\"s3\"]"));
	assert_true(kh_usage_has_data_events(merged, "s3"));
	assert_false(kh_usage_has_data_events(merged, "sqs"));
	/* Resources were truncated to 8 in both, and still agree. */
	assert_non_null(strstr(w, "\"resources_truncated\":true"));
	free(w);
	free(m);
	kh_usage_free(whole);
	kh_usage_free(a);
	kh_usage_free(b);
	kh_usage_free(merged);
}

static void test_round_trip(void **state)
{
	struct kh_usage *u = kh_usage_new(16), *back = NULL;
	struct kh_error err = {0};
	char *first, *second;

	for (int i = 0; i < 300; i++)
		feed(u, i);
	first = written(u);
	assert_int_equal(kh_usage_read(first, strlen(first), &back, &err), KH_OK);
	second = written(back);
	assert_string_equal(first, second);
	free(first);
	free(second);
	kh_usage_free(u);
	kh_usage_free(back);
}

static void test_principal_view(void **state)
{
	struct kh_usage *u = kh_usage_new(0);
	const struct kh_usage_principal **ps;
	size_t n;

	kh_usage_event(u, "arn:b", 100, "us-east-1", 0);
	kh_usage_record(u, "arn:b", KH_USAGE_USED, "s3:PutObject", "arn:aws:s3:::x/2", 100);
	kh_usage_event(u, "arn:b", 50, "eu-west-1", 1);
	kh_usage_record(u, "arn:b", KH_USAGE_USED, "s3:PutObject", "arn:aws:s3:::x/1", 50);
	kh_usage_record(u, "arn:b", KH_USAGE_DENIED, "iam:PassRole", NULL, 50);
	kh_usage_event(u, "arn:a", 70, "us-east-1", 0);
	assert_int_equal(kh_usage_principals(u, &ps, &n), KH_OK);
	assert_int_equal(n, 2);
	assert_string_equal(ps[0]->arn, "arn:a");
	assert_int_equal(ps[1]->calls, 2);
	assert_int_equal(ps[1]->errors, 1);
	assert_int_equal(ps[1]->first, 50);
	assert_int_equal(ps[1]->last, 100);
	assert_int_equal(ps[1]->n_regions, 2);
	assert_string_equal(ps[1]->regions[0], "eu-west-1");
	assert_int_equal(ps[1]->n_entries, 2);
	assert_string_equal(ps[1]->entries[0]->name, "s3:PutObject"); /* used sorts first */
	assert_int_equal(ps[1]->entries[0]->count, 2);
	assert_int_equal(ps[1]->entries[0]->n_resources, 2);
	assert_string_equal(ps[1]->entries[0]->resources[0], "arn:aws:s3:::x/1");
	assert_int_equal(ps[1]->entries[1]->cls, KH_USAGE_DENIED);
	assert_int_equal(ps[1]->entries[1]->unknown_resource, 1);
	kh_usage_free(u);
}

/* Names and principals passed in one reused buffer: each call counts for
 * the text it holds then, whatever the lookups remember. */
static void test_reused_buffers(void **state)
{
	struct kh_usage *u = kh_usage_new(0);
	const struct kh_usage_principal **ps;
	char who[32], name[32];
	size_t n;

	(void)state;
	for (int round = 0; round < 2; round++) {
		strcpy(who, "arn:p1");
		strcpy(name, "s3:GetObject");
		assert_int_equal(kh_usage_record(u, who, KH_USAGE_USED, name, NULL, 1), KH_OK);
		strcpy(name, "s3:PutObject");
		assert_int_equal(kh_usage_record(u, who, KH_USAGE_USED, name, NULL, 1), KH_OK);
		assert_int_equal(kh_usage_record(u, who, KH_USAGE_DENIED, name, NULL, 1), KH_OK);
		strcpy(who, "arn:p2");
		assert_int_equal(kh_usage_record(u, who, KH_USAGE_USED, name, NULL, 1), KH_OK);
	}
	assert_int_equal(kh_usage_principals(u, &ps, &n), KH_OK);
	assert_int_equal(n, 2);
	assert_string_equal(ps[0]->arn, "arn:p1");
	assert_int_equal(ps[0]->n_entries, 3);
	assert_string_equal(ps[0]->entries[0]->name, "s3:GetObject");
	assert_int_equal(ps[0]->entries[0]->count, 2);
	assert_string_equal(ps[0]->entries[1]->name, "s3:PutObject");
	assert_int_equal(ps[0]->entries[1]->count, 2);
	assert_int_equal(ps[0]->entries[2]->cls, KH_USAGE_DENIED);
	assert_int_equal(ps[0]->entries[2]->count, 2);
	assert_int_equal(ps[1]->n_entries, 1);
	assert_int_equal(ps[1]->entries[0]->count, 2);
	kh_usage_free(u);
}

static void test_time_text(void **state)
{
	char buf[32];

	(void)state;
	assert_string_equal(kh_usage_time_text(0, buf), "-");
	assert_string_equal(kh_usage_time_text(1, buf), "1970-01-01T00:00:01Z");
	assert_string_equal(kh_usage_time_text(-1, buf), "1969-12-31T23:59:59Z");
	assert_string_equal(kh_usage_time_text(1767225599, buf), "2025-12-31T23:59:59Z");
	assert_string_equal(kh_usage_time_text(951782400, buf), "2000-02-29T00:00:00Z");
	assert_string_equal(kh_usage_time_text(253402300799LL, buf), "9999-12-31T23:59:59Z");
}

static void test_rejects_bad_summaries(void **state)
{
	static const char *bad[] = {
		"not json",
		"{\"format\":\"other\",\"version\":1,\"max_resources\":4}",
		"{\"format\":\"keyhole-usage\",\"version\":2,\"max_resources\":4,\"scan\":{},\"principals\":[]}",
		"{\"format\":\"keyhole-usage\",\"version\":1,\"max_resources\":0}",
		"{\"format\":\"keyhole-usage\",\"version\":1,\"max_resources\":4,\"scan\":{\"files\":1,"
		"\"files_skipped\":0,\"events\":1,\"events_skipped\":0,\"bytes\":1,"
		"\"data_event_services\":[]},\"principals\":[{"
		"\"arn\":\"a\",\"calls\":1,\"errors\":0,\"regions\":[],\"actions\":[{\"name\":\"x\","
		"\"class\":\"weird\",\"count\":1,\"resources\":[]}]}]}",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct kh_usage *u = NULL;
		struct kh_error err = {0};
		assert_int_equal(kh_usage_read(bad[i], strlen(bad[i]), &u, &err), KH_EINPUT);
		assert_null(u);
		assert_non_null(strstr(err.msg, "usage summary"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shards_merge_to_whole),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_principal_view),
		cmocka_unit_test(test_reused_buffers),
		cmocka_unit_test(test_time_text),
		cmocka_unit_test(test_rejects_bad_summaries),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

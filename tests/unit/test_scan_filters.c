/* test_scan_filters.c - event times, --since/--until values, S3 key pruning. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "keyhole/scan.h"
#include "usage/scan_int.h"

static void test_event_time(void **state)
{
	assert_int_equal(kh_parse_event_time("1970-01-01T00:00:00Z", 20), 0);
	assert_int_equal(kh_parse_event_time("2026-10-01T08:10:00Z", 20), 1790842200LL);
	assert_int_equal(kh_parse_event_time("2026-10-01T08:10:00.123Z", 24), 1790842200LL);
	assert_int_equal(kh_parse_event_time("2024-02-29", 10), 1709164800LL);
	assert_int_equal(kh_parse_event_time("2026-13-01T00:00:00Z", 20), -1);
	assert_int_equal(kh_parse_event_time("2026-10-01T25:00:00Z", 20), -1);
	assert_int_equal(kh_parse_event_time("yesterday", 9), -1);
	assert_int_equal(kh_parse_event_time("2026-10-01T08:10:00+02:00", 25), -1);
}

static void test_time_spec(void **state)
{
	long long now = 1790842200LL;
	assert_int_equal(kh_parse_time_spec("90d", now), now - 90 * 86400LL);
	assert_int_equal(kh_parse_time_spec("12h", now), now - 12 * 3600LL);
	assert_int_equal(kh_parse_time_spec("2026-10-01", now), 1790812800LL);
	assert_int_equal(kh_parse_time_spec("d", now), -1);
	assert_int_equal(kh_parse_time_spec("-5d", now), -1);
	assert_int_equal(kh_parse_time_spec("soon", now), -1);
}

static void test_key_pruning(void **state)
{
	const char *regions[] = {"eu-west-1", NULL};
	struct kh_trail_filter none = {0, 0, NULL};
	struct kh_trail_filter f = {kh_parse_event_time("2026-10-02", 10),
				    kh_parse_event_time("2026-10-03", 10), regions};
	const char *base = "AWSLogs/111122223333/CloudTrail/";
	char key[200];

#define KEY(region, date) (snprintf(key, sizeof(key), "%s%s/%s/f.json.gz", base, region, date), key)
	assert_true(kh__trail_key_wanted(KEY("eu-west-1", "2026/10/02"), &f));
	/* A day of slack either side, for events near midnight. */
	assert_true(kh__trail_key_wanted(KEY("eu-west-1", "2026/10/01"), &f));
	assert_true(kh__trail_key_wanted(KEY("eu-west-1", "2026/10/03"), &f));
	assert_false(kh__trail_key_wanted(KEY("eu-west-1", "2026/09/29"), &f));
	assert_false(kh__trail_key_wanted(KEY("eu-west-1", "2026/10/05"), &f));
	assert_false(kh__trail_key_wanted(KEY("ap-south-1", "2026/10/02"), &f));
	/* Global services log to us-east-1: never pruned by region. */
	assert_true(kh__trail_key_wanted(KEY("us-east-1", "2026/10/02"), &f));
	assert_true(kh__trail_key_wanted(KEY("ap-south-1", "2026/10/02"), &none));
	assert_false(kh__trail_key_wanted(
		"AWSLogs/111122223333/CloudTrail-Digest/us-east-1/2026/10/02/d.json.gz", &none));
	assert_false(kh__trail_key_wanted("AWSLogs/111122223333/CloudTrail/us-east-1/x.txt", &none));
	assert_true(kh__trail_key_wanted("exports/lake-2026-10.jsonl", &f));
	assert_true(kh__trail_key_wanted("AWSLogs/o-abc123/111122223333/CloudTrail/eu-west-1/"
					 "2026/10/02/f.json.gz",
					 &f));
#undef KEY
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_event_time),
		cmocka_unit_test(test_time_spec),
		cmocka_unit_test(test_key_pruning),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

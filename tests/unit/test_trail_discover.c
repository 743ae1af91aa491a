/* test_trail_discover.c - file discovery and S3-layout pruning. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "keyhole/trail.h"

static char root[64];

/* Creates root/rel (and its directories) holding size bytes. */
static void touch(const char *rel, size_t size)
{
	char path[512];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	for (char *p = path + strlen(root) + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			mkdir(path, 0755);
			*p = '/';
		}
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	for (size_t i = 0; i < size; i++)
		fputc('x', f);
	fclose(f);
}

#define ACCT "AWSLogs/111122223333/CloudTrail/"
#define ORG "AWSLogs/o-abc123/444455556666/CloudTrail/"

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof root, "/tmp/kh-test-discover-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	touch(ACCT "eu-west-1/2024/03/01/a_20240301T1000Z.json.gz", 300);
	touch(ACCT "eu-west-1/2024/03/05/b_20240305T1000Z.json.gz", 100);
	touch(ACCT "eu-west-1/2024/02/29/c_20240229T2355Z.json.gz", 50);
	touch(ACCT "eu-west-1/2023/12/31/d.json.gz", 60);
	touch(ACCT "eu-west-1/2024/02/28/j.json.gz", 55);
	touch(ACCT "us-east-1/2024/03/01/e.json.gz", 200);
	touch(ACCT "ap-south-1/2024/03/01/f.json.gz", 400);
	touch("AWSLogs/111122223333/CloudTrail-Digest/eu-west-1/2024/03/01/g.json.gz", 10);
	touch(ORG "eu-west-1/2024/03/02/h.json.gz", 250);
	touch(ORG "eu-west-1/2024/04/02/i.json.gz", 260);
	touch("loose/notes.txt", 5);
	touch("loose/events.jsonl", 70);
	touch("loose/.hidden.json", 5);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

/* Whether the list holds a path ending in suffix. */
static int has(const struct kh_trail_files *fs, const char *suffix)
{
	for (size_t i = 0; i < fs->n; i++) {
		size_t n = strlen(fs->items[i].path), m = strlen(suffix);
		if (n >= m && strcmp(fs->items[i].path + n - m, suffix) == 0)
			return 1;
	}
	return 0;
}

static void test_no_filter(void **state)
{
	(void)state;
	const char *paths[] = {root};
	struct kh_trail_files fs;
	struct kh_error err = {0};
	assert_int_equal(kh_trail_discover(paths, 1, NULL, &fs, &err), KH_OK);
	assert_int_equal(fs.n, 10); /* 9 logs + events.jsonl */
	assert_false(has(&fs, "g.json.gz"));
	assert_false(has(&fs, "notes.txt"));
	assert_int_equal(fs.skipped, 3); /* the digest folder, notes.txt, .hidden.json */
	assert_int_equal(fs.pruned_dirs, 0);
	/* Largest first. */
	assert_true(has(&fs, "f.json.gz"));
	assert_int_equal(fs.items[0].size, 400);
	for (size_t i = 1; i < fs.n; i++)
		assert_true(fs.items[i - 1].size >= fs.items[i].size);
	kh_trail_files_release(&fs);
	assert_int_equal(fs.n, 0);
}

static void test_date_and_region_pruning(void **state)
{
	(void)state;
	const char *paths[] = {root};
	const char *regions[] = {"eu-west-1", NULL};
	/* 2024-03-01T00:00:00Z .. 2024-03-02T00:00:00Z */
	struct kh_trail_filter f = {.since = 1709251200, .until = 1709337600, .regions = regions};
	struct kh_trail_files fs;
	struct kh_error err = {0};
	assert_int_equal(kh_trail_discover(paths, 1, &f, &fs, &err), KH_OK);
	assert_true(has(&fs, "a_20240301T1000Z.json.gz"));
	assert_true(has(&fs, "c_20240229T2355Z.json.gz")); /* a day of slack */
	assert_true(has(&fs, "h.json.gz"));                /* org layout, 03/02 in slack */
	assert_true(has(&fs, "e.json.gz"));                /* us-east-1 always kept */
	assert_true(has(&fs, "events.jsonl"));             /* outside the layout */
	assert_false(has(&fs, "b_20240305T1000Z.json.gz"));
	assert_false(has(&fs, "d.json.gz")); /* year 2023 pruned */
	assert_false(has(&fs, "j.json.gz")); /* two days early */
	assert_false(has(&fs, "i.json.gz")); /* month 04 pruned */
	assert_false(has(&fs, "f.json.gz")); /* region pruned */
	assert_int_equal(fs.n, 5);
	/* ap-south-1, 2023, 02/28, 03/05, org 04: never opened. */
	assert_int_equal(fs.pruned_dirs, 5);
	kh_trail_files_release(&fs);
}

static void test_start_inside_layout(void **state)
{
	(void)state;
	char sub[256];
	snprintf(sub, sizeof sub, "%s/" ACCT "eu-west-1", root);
	const char *paths[] = {sub};
	struct kh_trail_filter f = {.since = 1709251200 + 4 * 86400}; /* from 2024-03-05 */
	struct kh_trail_files fs;
	struct kh_error err = {0};
	assert_int_equal(kh_trail_discover(paths, 1, &f, &fs, &err), KH_OK);
	assert_int_equal(fs.n, 1);
	assert_true(has(&fs, "b_20240305T1000Z.json.gz"));
	kh_trail_files_release(&fs);
}

static void test_files_and_errors(void **state)
{
	(void)state;
	char file[256], missing[256];
	snprintf(file, sizeof file, "%s/loose/notes.txt", root);
	snprintf(missing, sizeof missing, "%s/nope", root);
	const char *paths[] = {file};
	struct kh_trail_files fs;
	struct kh_error err = {0};
	/* A file named explicitly is read whatever its name. */
	assert_int_equal(kh_trail_discover(paths, 1, NULL, &fs, &err), KH_OK);
	assert_int_equal(fs.n, 1);
	kh_trail_files_release(&fs);
	const char *bad[] = {file, missing};
	assert_int_equal(kh_trail_discover(bad, 2, NULL, &fs, &err), KH_ENOTFOUND);
	assert_non_null(strstr(err.msg, "nope"));
	assert_int_equal(fs.n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_filter),
		cmocka_unit_test(test_date_and_region_pruning),
		cmocka_unit_test(test_start_inside_layout),
		cmocka_unit_test(test_files_and_errors),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}

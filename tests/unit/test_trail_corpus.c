/* test_trail_corpus.c - every real CloudTrail sample in the shared corpus.
 *
 * Reads $KH_SHARED_DIR/corpus/ct-* through discovery, the file reader and
 * the record reader, and checks the record counts against the figures in
 * each sample's PROVENANCE.md (computed there with other tools). Skips with
 * a message when the shared directory is absent. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "keyhole/trail.h"

static char corpus[512];

static int setup(void **state)
{
	(void)state;
	const char *shared = getenv("KH_SHARED_DIR");
	struct stat st;
	snprintf(corpus, sizeof corpus, "%s/corpus", shared ? shared : "");
	if (!shared || stat(corpus, &st) != 0 || !S_ISDIR(st.st_mode)) {
		corpus[0] = '\0';
		print_message("KH_SHARED_DIR corpus not found (%s): skipping the corpus tests\n",
			      shared ? shared : "unset");
	}
	return 0;
}

/* Counts the records of every log file under dir; fails on any error. */
static size_t count_dir(const char *sub, size_t *files, struct kh_event *last_ev)
{
	char dir[700];
	snprintf(dir, sizeof dir, "%s/%s", corpus, sub);
	const char *paths[] = {dir};
	struct kh_trail_files fs;
	struct kh_error err = {0};
	if (kh_trail_discover(paths, 1, NULL, &fs, &err))
		fail_msg("discover %s: %s", dir, err.msg);
	struct kh_trail_reader *r = kh_trail_reader_new();
	size_t total = 0;
	for (size_t i = 0; i < fs.n; i++) {
		unsigned char *data;
		size_t len;
		if (kh_trail_read_file(fs.items[i].path, 0, &data, &len, &err))
			fail_msg("%s", err.msg);
		if (kh_trail_reader_open(r, (const char *)data, len, fs.items[i].path, &err))
			fail_msg("%s", err.msg);
		free(data);
		struct kh_event ev;
		int rc;
		while ((rc = kh_trail_next(r, &ev, &err)) == 1) {
			if (!ev.event_source.len || !ev.event_name.len)
				fail_msg("%s: record %zu lacks eventSource/eventName",
					 fs.items[i].path, total);
			total++;
		}
		if (rc < 0)
			fail_msg("%s", err.msg);
		if (last_ev)
			*last_ev = ev;
	}
	*files = fs.n;
	kh_trail_files_release(&fs);
	kh_trail_reader_free(r);
	return total;
}

/* Lines of a file, for the manifest of the documentation examples. */
static size_t count_lines(const char *sub)
{
	char path[700];
	snprintf(path, sizeof path, "%s/%s", corpus, sub);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	size_t n = 0;
	for (int c; (c = fgetc(f)) != EOF;)
		n += c == '\n';
	fclose(f);
	return n;
}

static void test_invictus_json_and_gz(void **state)
{
	(void)state;
	if (!corpus[0])
		skip();
	size_t files;
	/* PROVENANCE.md: 55 files, 2,900 records, plain and in the S3 layout. */
	assert_int_equal(count_dir("ct-invictus-stratus-attack/CloudTrail", &files, NULL), 2900);
	assert_int_equal(files, 55);
	assert_int_equal(count_dir("ct-invictus-stratus-attack/AWSLogs", &files, NULL), 2900);
	assert_int_equal(files, 55);
}

static void test_otrf_json_lines(void **state)
{
	(void)state;
	if (!corpus[0])
		skip();
	size_t files;
	/* PROVENANCE.md: 103 events, NDJSON. */
	assert_int_equal(count_dir("ct-otrf-cloudbreach-s3", &files, NULL), 103);
	assert_int_equal(files, 1);
}

static void test_stratus_bare_arrays(void **state)
{
	(void)state;
	if (!corpus[0])
		skip();
	size_t files;
	/* PROVENANCE.md: 35 files, 310 events, pretty-printed arrays. */
	assert_int_equal(count_dir("ct-stratus-detonations/detonation-logs", &files, NULL), 310);
	assert_int_equal(files, 35);
}

static void test_awsdocs_examples(void **state)
{
	(void)state;
	if (!corpus[0])
		skip();
	size_t files;
	/* manifest.csv lists each documentation event (after a header line);
	 * the lookup-events sample adds one more. */
	size_t expected = count_lines("ct-awsdocs-examples/manifest.csv") - 1 + 1;
	assert_int_equal(expected, 26);
	assert_int_equal(count_dir("ct-awsdocs-examples", &files, NULL), expected);
	assert_int_equal(files, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_invictus_json_and_gz),
		cmocka_unit_test(test_otrf_json_lines),
		cmocka_unit_test(test_stratus_bare_arrays),
		cmocka_unit_test(test_awsdocs_examples),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}

/* generate_bench.c - generations per second of the library path that
 * POST /v1/policies/generate runs: kh_intent_parse_json, kh_generate and
 * kh_emit_result_json, in-process on one thread, over each intent file.
 * The built-in catalog is loaded once and warmed by one untimed run, as in
 * a long-running server. Each intent runs in 5 rounds of N generations; the
 * median round is reported. Not a test: prints figures.
 * usage: generate_bench [N] INTENT.json...   (N default 1000)
 * With -o, writes each intent's API result to stdout once instead. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "keyhole/catalog.h"
#include "keyhole/emit.h"
#include "keyhole/generate.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL;
	long size;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (size = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (data = malloc((size_t)size + 1)) && fread(data, 1, (size_t)size, f) == (size_t)size) {
		data[size] = '\0';
		*len = (size_t)size;
	} else {
		free(data);
		data = NULL;
	}
	fclose(f);
	return data;
}

/* One request's work; returns the response size, or 0 on failure. */
static size_t run_once(const struct kh_catalog *cat, const char *text, size_t len,
		       struct kh_buf *out)
{
	struct kh_intent in;
	struct kh_generate_result res;
	struct kh_error err = {0};
	size_t n = 0;

	kh_intent_init(&in);
	kh_buf_reset(out);
	if (kh_intent_parse_json(text, len, &in, &err) != KH_OK) {
		fprintf(stderr, "generate_bench: %s\n", err.msg);
		return 0;
	}
	if (kh_generate(cat, &in, 0, &res, &err) != KH_OK) {
		fprintf(stderr, "generate_bench: %s\n", err.msg);
		kh_intent_release(&in);
		return 0;
	}
	if (kh_emit_result_json(&res, res.format, res.flags, out) == KH_OK)
		n = out->len;
	kh_generate_result_release(&res);
	kh_intent_release(&in);
	return n;
}

#define ROUNDS 5

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	struct kh_catalog *cat;
	struct kh_error err = {0};
	struct kh_buf out;
	int dump = 0, first = 1;
	long n = 1000;
	double total_s = 0;
	long total_n = 0;

	if (argc > 1 && strcmp(argv[1], "-o") == 0) {
		dump = 1;
		first = 2;
	} else if (argc > 1 && argv[1][0] >= '0' && argv[1][0] <= '9') {
		n = strtol(argv[1], NULL, 10);
		first = 2;
	}
	if (first >= argc || n <= 0) {
		fprintf(stderr, "usage: generate_bench [N | -o] INTENT.json...\n");
		return 2;
	}
	if (kh_catalog_builtin(&cat, &err) != KH_OK) {
		fprintf(stderr, "generate_bench: %s\n", err.msg);
		return 1;
	}
	kh_buf_init(&out, 0);
	for (int a = first; a < argc; a++) {
		size_t len, bytes;
		char *text = slurp(argv[a], &len);
		double secs[ROUNDS], t0;

		if (!text || !(bytes = run_once(cat, text, len, &out))) {
			fprintf(stderr, "generate_bench: '%s' failed\n", argv[a]);
			return 1;
		}
		if (dump) {
			fwrite(out.data, 1, out.len, stdout);
			free(text);
			continue;
		}
		for (int r = 0; r < ROUNDS; r++) {
			double start = now();
			for (long i = 0; i < n; i++)
				if (!run_once(cat, text, len, &out))
					return 1;
			secs[r] = now() - start;
		}
		qsort(secs, ROUNDS, sizeof(*secs), cmp_double);
		t0 = secs[ROUNDS / 2];
		printf("%-32s %8.0f gen/s  %7.1f us/gen  (%zu B out, n=%ld)\n", argv[a],
		       (double)n / t0, t0 * 1e6 / (double)n, bytes, n);
		total_s += t0;
		total_n += n;
		free(text);
	}
	if (!dump)
		printf("%-32s %8.0f gen/s  %7.1f us/gen\n", "all", (double)total_n / total_s,
		       total_s * 1e6 / (double)total_n);
	kh_buf_release(&out);
	kh_catalog_free(cat);
	return 0;
}

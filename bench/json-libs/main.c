/* Parse speed and error reporting of the candidate JSON libraries on IAM
 * policy documents (policies, intents and API bodies). Run bench/json-libs.sh. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "libs.h"

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*parse)(const char *, size_t);
		void (*error)(const char *, char *, size_t);
	} libs[] = {{"jansson", parse_jansson, error_jansson},
		    {"json-c", parse_jsonc, error_jsonc},
		    {"cJSON", parse_cjson, error_cjson}};
	const char *bad = "{\n  \"Statement\": [\n    {\"Effect\": \"Allow\",, }\n  ]\n}";
	FILE *f = argc > 1 ? fopen(argv[1], "rb") : NULL;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	char *text;
	long len;

	if (!f)
		return 2;
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	text = malloc((size_t)len + 1);
	if (!text || fread(text, 1, (size_t)len, f) != (size_t)len)
		return 2;
	fclose(f);
	printf("%-8s %8s   %s\n", "library", "MB/s", "report for a stray comma on line 3");
	for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++) {
		double best = 1e9, t0;
		char msg[200];
		for (int r = 0; r < rounds; r++) {
			t0 = now();
			if (!libs[i].parse(text, (size_t)len))
				printf("%s failed to parse\n", libs[i].name);
			if (now() - t0 < best)
				best = now() - t0;
		}
		libs[i].error(bad, msg, sizeof(msg));
		printf("%-8s %8.1f   %s\n", libs[i].name, (double)len / best / 1e6, msg);
	}
	free(text);
	return 0;
}

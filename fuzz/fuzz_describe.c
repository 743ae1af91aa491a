/* fuzz_describe.c - arbitrary text through the offline free-text parser.
 * Checks that it never crashes, that the intent it writes is JSON, and
 * that the same text always gives the same intent. */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keyhole/describe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kh_catalog *cat;
	struct kh_describe_result a, b;
	struct kh_error err = {0};
	char *text;

	if (!cat && kh_catalog_builtin(&cat, &err) != KH_OK)
		abort();
	if (size > 1024) /* long inputs only slow the run down */
		return 0;
	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0'; /* the text ends at its first NUL, as a C string */
	kh_describe_result_init(&a);
	kh_describe_result_init(&b);
	if (kh_describe_parse(cat, text, NULL, &a, &err) == KH_OK) {
		json_t *doc = json_loads(a.intent.data, 0, NULL);
		if (!doc || kh_describe_parse(cat, text, NULL, &b, &err) != KH_OK ||
		    strcmp(a.intent.data, b.intent.data) != 0)
			abort();
		json_decref(doc);
	}
	kh_describe_result_release(&a);
	kh_describe_result_release(&b);
	free(text);
	return 0;
}

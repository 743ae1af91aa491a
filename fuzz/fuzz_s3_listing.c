/* fuzz_s3_listing.c - arbitrary bytes as a ListObjectsV2 page from an S3
 * endpoint (any S3-compatible server can be named with --endpoint-url).
 * Checks that the page parser never crashes, that it finds no more objects
 * than the page has <Contents> blocks, and that every key it keeps is a
 * string no longer than the page (entities only ever shrink). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trail/s3_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kh_s3_listing l = {0};
	size_t blocks = 0;
	char *xml;

	if (size > 65536 || !(xml = malloc(size + 1)))
		return 0;
	memcpy(xml, data, size);
	xml[size] = '\0';
	for (const char *p = xml; (p = strstr(p, "<Contents>")); p++)
		blocks++;
	(void)kh__s3_parse_listing_page(xml, &l);
	if (l.n_objects > blocks)
		abort();
	for (size_t i = 0; i < l.n_objects; i++)
		if (!l.objects[i].key || strlen(l.objects[i].key) > size)
			abort();
	kh_s3_listing_release(&l);
	free(xml);
	return 0;
}

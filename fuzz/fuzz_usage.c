/* fuzz_usage.c - arbitrary bytes as a usage summary (.khu), which users
 * pass between machines and merge. Checks that reading never crashes, and
 * that a summary it accepts writes back to text that reads again into the
 * same bytes (write, read, write is stable). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "keyhole/buf.h"
#include "keyhole/usage.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct kh_error err = {0};
	struct kh_usage *u = NULL, *again = NULL;
	struct kh_buf a, b;

	if (size > 65536)
		return 0;
	if (kh_usage_read((const char *)data, size, &u, &err) != KH_OK)
		return 0;
	kh_buf_init(&a, 1 << 24);
	kh_buf_init(&b, 1 << 24);
	if (kh_usage_write(u, &a) != KH_OK)
		goto out;
	if (kh_usage_read(a.data, a.len, &again, &err) != KH_OK)
		abort(); /* what keyhole writes, it must read */
	if (kh_usage_write(again, &b) != KH_OK)
		goto out;
	if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
		abort();
out:
	kh_usage_free(u);
	kh_usage_free(again);
	kh_buf_release(&a);
	kh_buf_release(&b);
	return 0;
}

/* fuzz_validate.c - parse, validate, write and fix arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>

#include "keyhole/validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kh_catalog *cat;
	struct kh_findings f;
	struct kh_fix_result removed;
	struct kh_policy *p = NULL;
	struct kh_validate_opts opts = {(enum kh_policy_type)(size % KH_POLICY_TYPE_COUNT)};
	struct kh_buf out;

	if (!cat && kh_catalog_builtin(&cat, NULL) != KH_OK)
		return 0;
	kh_findings_init(&f);
	kh_fix_result_init(&removed);
	kh_buf_init(&out, 0);
	kh_validate_text(cat, (const char *)data, size, &opts, &f, &p, NULL);
	kh_findings_write_text(&f, "fuzz", &out);
	if (p) {
		kh_validate_fix(cat, p, &removed);
		kh_findings_write_json(&f, "fuzz", &opts, p, &removed, &out);
	}
	kh_buf_release(&out);
	kh_fix_result_release(&removed);
	kh_findings_release(&f);
	kh_policy_free(p);
	return 0;
}

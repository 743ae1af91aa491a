/* fuzz_intent.c - intent JSON -> kh_generate -> every emitter. Any input
 * must give KH_OK or an input error, never a crash, leak or overflow. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "keyhole/emit.h"
#include "keyhole/generate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kh_catalog *cat;
	struct kh_intent in;
	struct kh_generate_result res;
	struct kh_error err = {0};
	struct kh_buf out;

	if (!cat && kh_catalog_builtin(&cat, &err) != KH_OK)
		abort();
	kh_intent_init(&in);
	if (kh_intent_parse_json((const char *)data, size, &in, &err) != KH_OK)
		return 0;
	if (kh_generate(cat, &in, 0, &res, &err) == KH_OK) {
		kh_buf_init(&out, 0);
		for (int f = KH_FORMAT_JSON; f <= KH_FORMAT_CLOUDFORMATION; f++)
			kh_emit(&res, (enum kh_format)f, res.flags, &out);
		kh_emit_result_json(&res, KH_FORMAT_CLOUDFORMATION, KH_GEN_CFN_JSON, &out);
		kh_buf_release(&out);
		kh_generate_result_release(&res);
	}
	kh_intent_release(&in);
	return 0;
}

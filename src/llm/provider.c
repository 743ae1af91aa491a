/* provider.c - placeholder; replaced below. */
#include "llm/describe_int.h"

int kh__describe_model(const struct kh_catalog *cat, const char *text, size_t len,
		       const struct kh_describe_opts *opts, struct kh_describe_result *r,
		       struct kh_error *err)
{
	return kh_error_set(err, KH_ENETWORK, "not built");
}

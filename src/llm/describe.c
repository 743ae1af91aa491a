/* describe.c - kh_describe_parse: the offline parser, or a model with the
 * offline parser as its fallback (see keyhole/describe.h). */
#include <string.h>

#include "keyhole/describe.h"
#include "llm/describe_int.h"

#define MAX_TEXT ((size_t)64 << 10)

static int check_opts(const struct kh_describe_opts *o, struct kh_error *err)
{
	int model = o->llm_url && o->llm_url[0];
	if (model && (!o->llm_model || !o->llm_model[0]))
		return kh_error_set(err, KH_EUSAGE, "a model endpoint needs a model name");
	if ((o->flags & KH_DESCRIBE_ACTIONS_MODE) && !model)
		return kh_error_set(err, KH_EUSAGE, "actions mode needs a model endpoint");
	if (o->timeout_ms < 0)
		return kh_error_set(err, KH_EUSAGE, "negative timeout");
	return KH_OK;
}

int kh_describe_parse(const struct kh_catalog *cat, const char *text,
		      const struct kh_describe_opts *opts, struct kh_describe_result *out,
		      struct kh_error *err)
{
	static const struct kh_describe_opts defaults;
	const struct kh_describe_opts *o = opts ? opts : &defaults;
	const char *name = o->name && o->name[0] ? o->name : "described";
	size_t len;
	int rc;

	if (!cat || !text || !out)
		return kh_error_set(err, KH_EUSAGE, "describe: missing catalog, text or result");
	rc = check_opts(o, err);
	if (rc != KH_OK)
		return rc;
	len = strlen(text);
	if (len > MAX_TEXT)
		return kh_error_set(err, KH_ELIMIT, "text of %zu bytes is over the %zu-byte limit",
				    len, MAX_TEXT);
	kh_describe_result_release(out);
	if (o->llm_url && o->llm_url[0]) {
		struct kh_error merr = {0};
		rc = kh__describe_model(cat, text, len, o, out, &merr);
		if (rc == KH_OK)
			return kh__result_write_intent(out, name);
		if (rc != KH_ENETWORK && rc != KH_EINPUT)
			return kh_error_set(err, rc, "%s", merr.msg[0] ? merr.msg : kh_strerror(rc));
		kh__result_clear_parse(out);
		rc = kh__note(out, "model endpoint failed (%s): used the offline parser", merr.msg);
		if (rc != KH_OK)
			return kh_error_set(err, rc, "%s", kh_strerror(rc));
	}
	rc = kh__describe_offline(cat, text, len, out);
	if (rc == KH_OK)
		rc = kh__result_write_intent(out, name);
	if (rc != KH_OK)
		return kh_error_set(err, rc, "describe: %s", kh_strerror(rc));
	return KH_OK;
}

/* describe.c - kh_describe_parse: the offline parser, or a model with the
 * offline parser as its fallback (see keyhole/describe.h). */
#include <string.h>

#include "keyhole/describe.h"
#include "llm/describe_int.h"

#define MAX_TEXT ((size_t)64 << 10)

/* Is s[0..n) well-formed UTF-8 (no overlongs, surrogates or > U+10FFFF)? */
static int valid_utf8(const unsigned char *s, size_t n)
{
	size_t i = 0;
	while (i < n) {
		unsigned c = s[i], need, cp;
		if (c < 0x80) {
			i++;
			continue;
		}
		need = c >= 0xf0 ? 3 : c >= 0xe0 ? 2 : c >= 0xc2 ? 1 : 0;
		if (!need || c > 0xf4)
			return 0;
		cp = c & (0x3f >> need);
		for (unsigned k = 1; k <= need; k++) {
			if (i + k >= n || (s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((need == 2 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
		    (need == 3 && (cp < 0x10000 || cp > 0x10ffff)))
			return 0;
		i += need + 1;
	}
	return 1;
}

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
	if (!valid_utf8((const unsigned char *)text, len))
		return kh_error_set(err, KH_EINPUT, "text is not valid UTF-8");
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

/* emit.c - format names, dispatch, the JSON emitter, the API result, and
 * the placeholder helpers the other emitters share. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "emit/emit_int.h"

static const struct {
	const char *name;
	enum kh_format format;
} formats[] = {
	{"json", KH_FORMAT_JSON},		{"terraform", KH_FORMAT_TERRAFORM},
	{"tf", KH_FORMAT_TERRAFORM},		{"cloudformation", KH_FORMAT_CLOUDFORMATION},
	{"cfn", KH_FORMAT_CLOUDFORMATION},
};

int kh_format_parse(const char *s, enum kh_format *out)
{
	for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (strcmp(s, formats[i].name) == 0) {
			*out = formats[i].format;
			return 0;
		}
	return -1;
}

const char *kh_format_name(enum kh_format f)
{
	switch (f) {
	case KH_FORMAT_JSON: return "json";
	case KH_FORMAT_TERRAFORM: return "terraform";
	case KH_FORMAT_CLOUDFORMATION: return "cloudformation";
	}
	return "json";
}

/* ---- placeholders ------------------------------------------------------- */

const char *kh__next_placeholder(const char *s, const char **name, size_t *len)
{
	for (const char *p = strstr(s, "${"); p; p = strstr(p + 1, "${")) {
		size_t n = 0;
		while (isalnum((unsigned char)p[2 + n]))
			n++;
		if (n && p[2 + n] == '}') {
			*name = p + 2;
			*len = n;
			return p;
		}
	}
	return NULL;
}

int kh__pseudo_placeholder(const char *name, size_t len)
{
	if (len == 9 && strncmp(name, "Partition", 9) == 0)
		return 'P';
	if (len == 6 && strncmp(name, "Region", 6) == 0)
		return 'R';
	if (len == 7 && strncmp(name, "Account", 7) == 0)
		return 'A';
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int names_add(struct kh__names *out, const char *name, size_t len)
{
	char **items;
	for (size_t i = 0; i < out->n; i++)
		if (strlen(out->items[i]) == len && strncmp(out->items[i], name, len) == 0)
			return KH_OK;
	if (!(items = realloc(out->items, (out->n + 1) * sizeof(*items))))
		return KH_ENOMEM;
	out->items = items;
	if (!(items[out->n] = strndup(name, len)))
		return KH_ENOMEM;
	out->n++;
	return KH_OK;
}

int kh__collect_names(const struct kh_policy *p, struct kh__names *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; p && i < p->n_statements; i++) {
		const struct kh_strlist *r = &p->statements[i].resource;
		for (size_t j = 0; j < r->n; j++) {
			const char *s = r->items[j], *name;
			size_t len;
			while ((s = kh__next_placeholder(s, &name, &len))) {
				if (!kh__pseudo_placeholder(name, len) && names_add(out, name, len)) {
					kh__names_free(out);
					return KH_ENOMEM;
				}
				s = name + len;
			}
		}
	}
	if (out->n > 1)
		qsort(out->items, out->n, sizeof(*out->items), cmp_str);
	return KH_OK;
}

void kh__names_free(struct kh__names *names)
{
	for (size_t i = 0; i < names->n; i++)
		free(names->items[i]);
	free(names->items);
	memset(names, 0, sizeof(*names));
}

void kh__snake(struct kh_buf *out, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		int boundary = i > 0 && isupper(c) &&
			       (islower((unsigned char)s[i - 1]) ||
				isdigit((unsigned char)s[i - 1]) ||
				(i + 1 < len && islower((unsigned char)s[i + 1])));
		if (boundary)
			kh_buf_putc(out, '_');
		kh_buf_putc(out, isalnum(c) ? (char)tolower(c) : '_');
	}
}

/* ---- JSON --------------------------------------------------------------- */

/* Without a trust policy, the policy document itself; with one, an object
 * in the shape of IAM's CreateRole/PutRolePolicy parameters. */
static int emit_json(const struct kh_generate_result *res, struct kh_buf *out)
{
	if (!res->trust_policy) {
		kh__write_policy(res->policy, 0, out);
		return kh_buf_putc(out, '\n');
	}
	kh_buf_puts(out, "{\n  \"RoleName\": ");
	kh_buf_put_json_string(out, res->name);
	kh_buf_puts(out, ",\n  \"AssumeRolePolicyDocument\": ");
	kh__write_policy(res->trust_policy, 1, out);
	kh_buf_puts(out, ",\n  \"PolicyName\": ");
	kh_buf_put_json_string(out, res->name);
	kh_buf_puts(out, ",\n  \"PolicyDocument\": ");
	kh__write_policy(res->policy, 1, out);
	kh_buf_puts(out, "\n}\n");
	return kh_buf_error(out);
}

int kh_emit(const struct kh_generate_result *res, enum kh_format f, unsigned flags,
	    struct kh_buf *out)
{
	switch (f) {
	case KH_FORMAT_TERRAFORM: return kh__emit_terraform(res, out);
	case KH_FORMAT_CLOUDFORMATION:
		return kh__emit_cloudformation(res, (flags & KH_GEN_CFN_JSON) != 0, out);
	case KH_FORMAT_JSON: break;
	}
	return emit_json(res, out);
}

/* ---- the API result ----------------------------------------------------- */

static json_t *policy_json(const struct kh_policy *p)
{
	struct kh_buf doc;
	json_t *v = NULL;
	kh_buf_init(&doc, 0);
	if (kh_policy_write(p, &doc, 1) == KH_OK)
		v = json_loadb(doc.data, doc.len, 0, NULL);
	kh_buf_release(&doc);
	return v;
}

static json_t *result_lists(const struct kh_generate_result *res, json_t *o)
{
	json_t *warnings = json_array(), *added = json_array(), *removed = json_array();
	json_object_set_new(o, "warnings", warnings);
	json_object_set_new(o, "added_dependent_actions", added);
	json_object_set_new(o, "removed_actions", removed);
	if (!warnings || !added || !removed)
		return NULL;
	for (size_t i = 0; i < res->n_warnings; i++)
		json_array_append_new(warnings,
				      json_pack("{s:s,s:s}", "code", res->warnings[i].code,
						"message", res->warnings[i].message));
	for (size_t i = 0; i < res->n_added_dependent; i++)
		json_array_append_new(added, json_string(res->added_dependent[i]->full_name));
	for (size_t i = 0; i < res->n_removed; i++)
		json_array_append_new(removed,
				      json_pack("{s:s,s:s,s:I}", "action",
						res->removed[i].action->full_name, "reason",
						res->removed[i].reason, "grant",
						(json_int_t)res->removed[i].grant));
	return o;
}

int kh_emit_result_json(const struct kh_generate_result *res, enum kh_format f, unsigned flags,
			struct kh_buf *out)
{
	return kh_emit_result_json_opts(res, f, flags, 0, out);
}

int kh_emit_result_json_opts(const struct kh_generate_result *res, enum kh_format f,
			     unsigned flags, unsigned opts, struct kh_buf *out)
{
	struct kh_buf rendered;
	json_t *o;
	char *text = NULL;
	int rc;

	kh_buf_init(&rendered, 0);
	rc = kh_emit(res, f, flags, &rendered);
	if (rc == KH_OK) {
		int direct = kh__result_json_direct(res, f, &rendered, opts, out);
		if (direct != KH__DIRECT_UNSURE) {
			kh_buf_release(&rendered);
			return direct;
		}
	}
	/* The general path, through a jansson tree. */
	o = json_object();
	if (o && rc == KH_OK) {
		json_object_set_new(o, "policy", policy_json(res->policy));
		if (res->trust_policy)
			json_object_set_new(o, "trust_policy", policy_json(res->trust_policy));
		json_object_set_new(o, "format", json_string(kh_format_name(f)));
		json_object_set_new(o, "rendered", json_stringn(rendered.data, rendered.len));
		if (result_lists(res, o))
			json_object_set_new(o, "policy_size", json_integer((json_int_t)res->policy_size));
		text = json_dumps(o, (opts & KH_RESULT_COMPACT) ? JSON_COMPACT
								: JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	}
	if (rc == KH_OK)
		rc = text ? KH_OK : KH_ENOMEM;
	if (text) {
		size_t len = strlen(text);
		if (opts & KH_RESULT_OPEN) {
			/* Without the closing brace and the whitespace before it. */
			len -= len > 0 && text[len - 1] == '}';
			while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == ' '))
				len--;
			kh_buf_add(out, text, len);
		} else {
			kh_buf_add(out, text, len);
			kh_buf_putc(out, '\n');
		}
		rc = kh_buf_error(out);
	}
	free(text);
	json_decref(o);
	kh_buf_release(&rendered);
	return rc;
}

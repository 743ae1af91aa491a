/* findings.c - the findings list, severities, policy types and writers. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "validate/validate_int.h"

static const char *const severity_names[KH_SEV_COUNT] = {
	"SUGGESTION", "WARNING", "SECURITY_WARNING", "ERROR"};
static const char *const severity_lower[KH_SEV_COUNT] = {
	"suggestion", "warning", "security-warning", "error"};

const char *kh_severity_name(enum kh_severity sev)
{
	return (unsigned)sev < KH_SEV_COUNT ? severity_names[sev] : "UNKNOWN";
}

int kh_severity_parse(const char *s, enum kh_severity *out)
{
	for (int i = 0; i < KH_SEV_COUNT; i++)
		if (strcasecmp(s, severity_names[i]) == 0 || strcasecmp(s, severity_lower[i]) == 0) {
			*out = (enum kh_severity)i;
			return KH_OK;
		}
	return KH_EUSAGE;
}

static const struct {
	const char *name;
	size_t limit;
} policy_types[] = {
	[KH_POLICY_TYPE_MANAGED] = {"managed", KH_POLICY_MAX_MANAGED},
	[KH_POLICY_TYPE_INLINE_ROLE] = {"inline-role", KH_POLICY_MAX_INLINE_ROLE},
	[KH_POLICY_TYPE_INLINE_USER] = {"inline-user", KH_POLICY_MAX_INLINE_USER},
	[KH_POLICY_TYPE_INLINE_GROUP] = {"inline-group", KH_POLICY_MAX_INLINE_GROUP},
	/* S3 bucket policies, the largest common resource policy quota. */
	[KH_POLICY_TYPE_RESOURCE] = {"resource", 20480},
	[KH_POLICY_TYPE_TRUST] = {"trust", 2048},
	[KH_POLICY_TYPE_SCP] = {"scp", 5120},
};

int kh_policy_type_parse(const char *s, enum kh_policy_type *out)
{
	for (size_t i = 0; i < sizeof(policy_types) / sizeof(policy_types[0]); i++)
		if (strcmp(s, policy_types[i].name) == 0) {
			*out = (enum kh_policy_type)i;
			return KH_OK;
		}
	return KH_EUSAGE;
}

const char *kh_policy_type_name(enum kh_policy_type t)
{
	return (unsigned)t < KH_POLICY_TYPE_COUNT ? policy_types[t].name : "unknown";
}

size_t kh_policy_type_limit(enum kh_policy_type t)
{
	return (unsigned)t < KH_POLICY_TYPE_COUNT ? policy_types[t].limit : 0;
}

void kh_findings_init(struct kh_findings *f)
{
	memset(f, 0, sizeof(*f));
}

void kh_findings_release(struct kh_findings *f)
{
	for (size_t i = 0; i < f->n; i++) {
		free(f->items[i].path);
		free(f->items[i].message);
		free(f->items[i].fix);
	}
	free(f->items);
	kh_findings_init(f);
}

size_t kh_findings_count(const struct kh_findings *f, enum kh_severity sev)
{
	size_t n = 0;
	for (size_t i = 0; i < f->n; i++)
		n += f->items[i].severity == sev;
	return n;
}

int kh_findings_max_severity(const struct kh_findings *f)
{
	int max = -1;
	for (size_t i = 0; i < f->n; i++)
		if ((int)f->items[i].severity > max)
			max = (int)f->items[i].severity;
	return max;
}

static int finding_cmp(const void *a, const void *b)
{
	const struct kh_finding *x = a, *y = b;
	int c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	if (x->col != y->col)
		return x->col < y->col ? -1 : 1;
	if ((c = strcmp(x->code, y->code)) != 0)
		return c;
	if ((c = strcmp(x->path, y->path)) != 0)
		return c;
	return strcmp(x->message, y->message);
}

void kh_findings_sort(struct kh_findings *f)
{
	if (f->n > 1)
		qsort(f->items, f->n, sizeof(*f->items), finding_cmp);
}

static int findings_push(struct kh_findings *f, struct kh_finding *item)
{
	if (f->n == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		struct kh_finding *p = realloc(f->items, cap * sizeof(*p));
		if (!p)
			return KH_ENOMEM;
		f->items = p;
		f->cap = cap;
	}
	f->items[f->n++] = *item;
	return KH_OK;
}

void vc_add(struct vctx *vc, enum kh_severity sev, const char *code, const char *path,
	    struct kh_pos pos, const char *fix, const char *fmt, ...)
{
	struct kh_finding item = {sev, code, NULL, pos.line, pos.col, NULL, NULL};
	struct kh_buf msg;
	va_list ap;

	if (vc->rc != KH_OK)
		return;
	kh_buf_init(&msg, 1 << 16);
	va_start(ap, fmt);
	kh_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	item.message = kh_buf_detach(&msg, NULL);
	item.path = strdup(path ? path : "");
	item.fix = fix ? strdup(fix) : NULL;
	if (!item.message || !item.path || (fix && !item.fix) ||
	    findings_push(vc->out, &item) != KH_OK) {
		free(item.message);
		free(item.path);
		free(item.fix);
		vc->rc = KH_ENOMEM;
	}
}

void vc_item_path(char *buf, size_t n, const struct kh_statement *st, const char *key,
		  const struct kh_strlist *l, size_t i)
{
	if (l->is_array)
		snprintf(buf, n, "%s.%s[%zu]", st->path, key, i);
	else
		snprintf(buf, n, "%s.%s", st->path, key);
}

int kh_findings_write_text(const struct kh_findings *f, const char *file, struct kh_buf *out)
{
	for (size_t i = 0; i < f->n; i++) {
		const struct kh_finding *x = &f->items[i];
		kh_buf_printf(out, "%s:%d:%d: %s: %s: %s", file ? file : "-", x->line, x->col,
			      severity_lower[x->severity], x->code, x->message);
		if (x->path[0])
			kh_buf_printf(out, " [%s]", x->path);
		kh_buf_putc(out, '\n');
		if (x->fix)
			kh_buf_printf(out, "  fix: %s\n", x->fix);
	}
	return kh_buf_error(out);
}

static void json_finding(struct kh_buf *out, const struct kh_finding *x)
{
	kh_buf_puts(out, "{\"severity\": ");
	kh_buf_put_json_string(out, kh_severity_name(x->severity));
	kh_buf_puts(out, ", \"code\": ");
	kh_buf_put_json_string(out, x->code);
	kh_buf_puts(out, ", \"path\": ");
	kh_buf_put_json_string(out, x->path);
	kh_buf_printf(out, ", \"line\": %d, \"column\": %d, \"message\": ", x->line, x->col);
	kh_buf_put_json_string(out, x->message);
	if (x->fix) {
		kh_buf_puts(out, ", \"fix\": ");
		kh_buf_put_json_string(out, x->fix);
	}
	kh_buf_putc(out, '}');
}

static void json_removed(struct kh_buf *out, const struct kh_fix_result *r)
{
	kh_buf_puts(out, ",\n  \"removed\": [");
	for (size_t i = 0; i < r->n; i++) {
		const struct kh_fix_removal *x = &r->items[i];
		kh_buf_puts(out, i ? ",\n    {\"value\": " : "\n    {\"value\": ");
		kh_buf_put_json_string(out, x->value);
		kh_buf_puts(out, ", \"code\": ");
		kh_buf_put_json_string(out, x->code);
		kh_buf_puts(out, ", \"path\": ");
		kh_buf_put_json_string(out, x->path);
		kh_buf_printf(out, ", \"line\": %d, \"column\": %d}", x->line, x->col);
	}
	kh_buf_puts(out, r->n ? "\n  ]" : "]");
	kh_buf_printf(out, ",\n  \"statements_removed\": %zu", r->statements_removed);
}

int kh_findings_write_json(const struct kh_findings *f, const char *file,
			   const struct kh_validate_opts *opts,
			   const struct kh_policy *fixed_policy,
			   const struct kh_fix_result *removed, struct kh_buf *out)
{
	enum kh_policy_type type = opts ? opts->policy_type : KH_POLICY_TYPE_MANAGED;

	kh_buf_puts(out, "{\n");
	if (file) {
		kh_buf_puts(out, "  \"file\": ");
		kh_buf_put_json_string(out, file);
		kh_buf_puts(out, ",\n");
	}
	kh_buf_printf(out, "  \"policy_type\": \"%s\",\n  \"findings\": [",
		      kh_policy_type_name(type));
	for (size_t i = 0; i < f->n; i++) {
		kh_buf_puts(out, i ? ",\n    " : "\n    ");
		json_finding(out, &f->items[i]);
	}
	kh_buf_puts(out, f->n ? "\n  ],\n  \"totals\": {" : "],\n  \"totals\": {");
	for (int s = KH_SEV_COUNT - 1; s >= 0; s--)
		kh_buf_printf(out, "\"%s\": %zu%s", severity_names[s],
			      kh_findings_count(f, (enum kh_severity)s), s ? ", " : "}");
	if (fixed_policy) {
		kh_buf_puts(out, ",\n  \"fixed_policy\": ");
		kh_policy_write(fixed_policy, out, 1);
	}
	if (removed)
		json_removed(out, removed);
	kh_buf_puts(out, "\n}");
	return kh_buf_error(out);
}

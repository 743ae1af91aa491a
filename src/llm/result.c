/* result.c - struct kh_describe_result: lists, grants and JSON forms. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "keyhole/describe.h"
#include "llm/describe_int.h"

int kh__strv_push(char ***v, size_t *n, const char *s, size_t len)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(**v));
	char *copy;

	if (!nv)
		return KH_ENOMEM;
	*v = nv;
	copy = malloc(len + 1);
	if (!copy)
		return KH_ENOMEM;
	memcpy(copy, s, len);
	copy[len] = '\0';
	nv[(*n)++] = copy;
	return KH_OK;
}

void kh__strv_free(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static int push_vfmt(char ***v, size_t *n, const char *fmt, va_list ap)
{
	struct kh_buf b;
	int rc;

	kh_buf_init(&b, 1 << 16);
	kh_buf_vprintf(&b, fmt, ap);
	rc = kh_buf_error(&b) ? kh_buf_error(&b) : kh__strv_push(v, n, b.data, b.len);
	kh_buf_release(&b);
	return rc;
}

/* Adds a note unless the same one is there already. */
int kh__note(struct kh_describe_result *r, const char *fmt, ...)
{
	va_list ap;
	int rc;
	va_start(ap, fmt);
	rc = push_vfmt(&r->notes, &r->n_notes, fmt, ap);
	va_end(ap);
	for (size_t i = 0; rc == KH_OK && i + 1 < r->n_notes; i++)
		if (strcmp(r->notes[i], r->notes[r->n_notes - 1]) == 0) {
			free(r->notes[--r->n_notes]);
			break;
		}
	return rc;
}

int kh__term(struct kh_describe_result *r, const char *phrase, size_t len, const char *fmt, ...)
{
	struct kh_describe_term *nt = realloc(r->terms, (r->n_terms + 1) * sizeof(*nt));
	char **m = NULL;
	size_t nm = 0;
	va_list ap;
	int rc;

	if (!nt)
		return KH_ENOMEM;
	r->terms = nt;
	va_start(ap, fmt);
	rc = push_vfmt(&m, &nm, fmt, ap);
	va_end(ap);
	if (rc != KH_OK)
		return rc;
	nt[r->n_terms].meaning = m[0];
	free(m);
	nt[r->n_terms].phrase = malloc(len + 1);
	if (!nt[r->n_terms].phrase) {
		free(nt[r->n_terms].meaning);
		return KH_ENOMEM;
	}
	memcpy(nt[r->n_terms].phrase, phrase, len);
	nt[r->n_terms].phrase[len] = '\0';
	r->n_terms++;
	return KH_OK;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Merges the actions into g's sorted list. */
static int grant_merge_actions(struct kh_describe_grant *g, const struct kh__access *acc)
{
	for (size_t i = 0; i < acc->n_acts; i++) {
		const char *name = acc->acts[i]->full_name;
		size_t at = 0;
		char **v;
		while (at < g->n_actions && strcmp(g->actions[at], name) < 0)
			at++;
		if (at < g->n_actions && strcmp(g->actions[at], name) == 0)
			continue;
		if (!(v = realloc(g->actions, (g->n_actions + 1) * sizeof(*v))))
			return KH_ENOMEM;
		g->actions = v;
		memmove(v + at + 1, v + at, (g->n_actions - at) * sizeof(*v));
		if (!(v[at] = strdup(name))) {
			memmove(v + at, v + at + 1, (g->n_actions - at) * sizeof(*v));
			return KH_ENOMEM;
		}
		g->n_actions++;
	}
	return KH_OK;
}

int kh__grant_add(struct kh_describe_result *r, const char *service, const char *arn,
		  const struct kh__access *acc)
{
	struct kh_describe_grant *g;

	for (size_t i = 0; i < r->n_grants; i++) {
		g = &r->grants[i];
		if (strcmp(g->service, service) == 0 &&
		    ((!g->arn && !arn) || (g->arn && arn && strcmp(g->arn, arn) == 0))) {
			g->levels |= acc->levels;
			return grant_merge_actions(g, acc);
		}
	}
	g = realloc(r->grants, (r->n_grants + 1) * sizeof(*g));
	if (!g)
		return KH_ENOMEM;
	r->grants = g;
	g = &g[r->n_grants];
	memset(g, 0, sizeof(*g));
	g->service = strdup(service);
	g->arn = dup_or_null(arn);
	g->levels = acc->levels;
	if (!g->service || (arn && !g->arn)) {
		free(g->service);
		free(g->arn);
		return KH_ENOMEM;
	}
	r->n_grants++;
	return grant_merge_actions(g, acc);
}

void kh_describe_result_init(struct kh_describe_result *r)
{
	memset(r, 0, sizeof(*r));
	kh_buf_init(&r->intent, 1 << 24);
}

void kh__result_clear_parse(struct kh_describe_result *r)
{
	for (size_t i = 0; i < r->n_grants; i++) {
		free(r->grants[i].service);
		free(r->grants[i].arn);
		kh__strv_free(r->grants[i].actions, r->grants[i].n_actions);
	}
	free(r->grants);
	r->grants = NULL;
	r->n_grants = 0;
	for (size_t i = 0; i < r->n_terms; i++) {
		free(r->terms[i].phrase);
		free(r->terms[i].meaning);
	}
	free(r->terms);
	r->terms = NULL;
	r->n_terms = 0;
	kh__strv_free(r->unparsed, r->n_unparsed);
	r->unparsed = NULL;
	r->n_unparsed = 0;
	free(r->source);
	r->source = NULL;
	kh_buf_release(&r->intent);
}

void kh_describe_result_release(struct kh_describe_result *r)
{
	kh__result_clear_parse(r);
	kh__strv_free(r->notes, r->n_notes);
	kh__strv_free(r->actions, r->n_actions);
	kh__strv_free(r->scrubbed, r->n_scrubbed);
	kh_describe_result_init(r);
}

int kh__levels_json(struct kh_buf *b, unsigned levels)
{
	static const unsigned order[] = {KH_LEVEL_LIST, KH_LEVEL_READ, KH_LEVEL_WRITE,
					 KH_LEVEL_TAGGING, KH_LEVEL_PERMISSIONS};
	static const char *const names[] = {"list", "read", "write", "tagging", "permissions"};
	int first = 1;

	kh_buf_putc(b, '[');
	if ((levels & KH_LEVEL_ALL) == KH_LEVEL_ALL) {
		kh_buf_puts(b, "\"admin\"");
	} else {
		for (size_t i = 0; i < 5; i++) {
			if (!(levels & order[i]))
				continue;
			kh_buf_printf(b, "%s\"%s\"", first ? "" : ", ", names[i]);
			first = 0;
		}
	}
	return kh_buf_putc(b, ']');
}

static void write_grant(struct kh_buf *b, const struct kh_describe_grant *g)
{
	kh_buf_puts(b, "{\"service\": ");
	kh_buf_put_json_string(b, g->service);
	if (g->arn) {
		kh_buf_puts(b, ", \"arn\": ");
		kh_buf_put_json_string(b, g->arn);
	}
	if (g->levels) {
		kh_buf_puts(b, ", \"access\": ");
		kh__levels_json(b, g->levels);
	}
	if (g->n_actions) {
		kh_buf_puts(b, ", \"actions\": [");
		for (size_t i = 0; i < g->n_actions; i++) {
			kh_buf_puts(b, i ? ", " : "");
			kh_buf_put_json_string(b, g->actions[i]);
		}
		kh_buf_putc(b, ']');
	}
	kh_buf_putc(b, '}');
}

/* The intent object at the given indentation (for nesting in --json). */
static void write_intent(struct kh_buf *b, const struct kh_describe_result *r,
			 const char *name, const char *ind)
{
	kh_buf_printf(b, "{\n%s  \"name\": ", ind);
	kh_buf_put_json_string(b, name);
	if (r->source) {
		kh_buf_printf(b, ",\n%s  \"source\": ", ind);
		kh_buf_put_json_string(b, r->source);
	}
	kh_buf_printf(b, ",\n%s  \"grants\": [", ind);
	for (size_t i = 0; i < r->n_grants; i++) {
		kh_buf_printf(b, "%s\n%s    ", i ? "," : "", ind);
		write_grant(b, &r->grants[i]);
	}
	kh_buf_printf(b, "%s]\n%s}", r->n_grants ? "\n  " : "", r->n_grants ? ind : "");
}

int kh__result_write_intent(struct kh_describe_result *r, const char *name)
{
	kh_buf_reset(&r->intent);
	write_intent(&r->intent, r, name, "");
	kh_buf_putc(&r->intent, '\n');
	return kh_buf_error(&r->intent);
}

static void write_strv(struct kh_buf *b, const char *key, char **v, size_t n)
{
	kh_buf_printf(b, ",\n  \"%s\": [", key);
	for (size_t i = 0; i < n; i++) {
		kh_buf_puts(b, i ? ", " : "");
		kh_buf_put_json_string(b, v[i]);
	}
	kh_buf_putc(b, ']');
}

int kh_describe_result_json(const struct kh_describe_result *r, struct kh_buf *out)
{
	size_t start = out->len;
	/* The intent text is already written; nest it re-indented. */
	kh_buf_puts(out, "{\n  \"intent\": ");
	for (const char *p = r->intent.data; *p; p++) {
		if (*p == '\n' && p[1])
			kh_buf_puts(out, "\n  ");
		else if (*p != '\n')
			kh_buf_putc(out, *p);
	}
	write_strv(out, "unparsed", r->unparsed, r->n_unparsed);
	write_strv(out, "notes", r->notes, r->n_notes);
	kh_buf_puts(out, ",\n  \"terms\": [");
	for (size_t i = 0; i < r->n_terms; i++) {
		kh_buf_puts(out, i ? ",\n    {\"phrase\": " : "\n    {\"phrase\": ");
		kh_buf_put_json_string(out, r->terms[i].phrase);
		kh_buf_puts(out, ", \"meaning\": ");
		kh_buf_put_json_string(out, r->terms[i].meaning);
		kh_buf_putc(out, '}');
	}
	kh_buf_puts(out, r->n_terms ? "\n  ]" : "]");
	kh_buf_printf(out, ",\n  \"used_model\": %s", r->used_model ? "true" : "false");
	if (r->n_actions || r->n_scrubbed) {
		write_strv(out, "actions", r->actions, r->n_actions);
		write_strv(out, "scrubbed", r->scrubbed, r->n_scrubbed);
	}
	kh_buf_puts(out, "\n}\n");
	if (kh_buf_error(out))
		kh_buf_truncate(out, start);
	return kh_buf_error(out);
}

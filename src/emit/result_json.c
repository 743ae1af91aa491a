/* result_json.c - the API result written straight from the structs.
 *
 * kh_emit_result_json used to print each policy, parse it back with
 * jansson and dump the whole tree. This writer produces the same bytes as
 * that jansson dump (JSON_INDENT(2), keys in order, jansson's escapes)
 * without the round trip. It covers the shapes the generator makes; when
 * it meets anything where the two could differ - a byte outside ASCII, a
 * non-string condition value, a key that would repeat inside an object -
 * it gives up and the caller takes the jansson path.
 */
#include <string.h>

#include "emit/emit_int.h"

struct jw {
	struct kh_buf *out;
	int depth;
	int plain;  /* kh_policy_write's escapes and values, not jansson's */
	int compact; /* one line, as jansson's JSON_COMPACT */
	int unsure; /* met something only the jansson path renders exactly */
};

static void jw_newline(struct jw *w)
{
	static const char spaces[] = "                                ";
	size_t n = (size_t)w->depth * 2;

	if (w->compact)
		return;
	kh_buf_putc(w->out, '\n');
	for (; n > sizeof(spaces) - 1; n -= sizeof(spaces) - 1)
		kh_buf_add(w->out, spaces, sizeof(spaces) - 1);
	kh_buf_add(w->out, spaces, n);
}

/* A JSON string as jansson dumps it: '"', '\\' and control characters
 * escaped (\b \f \n \r \t or \u00XX), everything else as it is. With
 * plain, as kh_buf_put_json_string writes it: \b and \f as \u00xx. */
static void jw_string(struct jw *w, const char *s, size_t len)
{
	static const char upper[] = "0123456789ABCDEF", lower[] = "0123456789abcdef";
	const char *hex = w->plain ? lower : upper;
	unsigned char seen = 0;
	size_t run = 0, i = 0;

	/* Most strings need no escape: copy them in one go. */
	for (; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == '"' || c == '\\')
			break;
		seen |= c;
	}
	if (i == len && kh_buf_grow(w->out, len + 2) == KH_OK) {
		char *d = w->out->data + w->out->len;
		d[0] = '"';
		memcpy(d + 1, s, len);
		d[len + 1] = '"';
		d[len + 2] = '\0';
		w->out->len += len + 2;
		if ((seen & 0x80) && !w->plain)
			w->unsure = 1; /* jansson checks UTF-8; leave that to it */
		return;
	}
	/* Room for the worst case, when the cap allows, lets the loop write
	 * straight into the buffer; otherwise append piece by piece. */
	if (!w->out->err && w->out->max - w->out->len > 2 &&
	    len < (w->out->max - w->out->len - 2) / 6 &&
	    kh_buf_grow(w->out, 6 * len + 2) == KH_OK) {
		char *d = w->out->data + w->out->len, *start = d;
		*d++ = '"';
		for (i = 0; i < len; i++) {
			unsigned char c = (unsigned char)s[i];
			seen |= c;
			if (c >= 0x20 && c != '"' && c != '\\') {
				*d++ = (char)c;
				continue;
			}
			*d++ = '\\';
			switch (c) {
			case '"': *d++ = '"'; break;
			case '\\': *d++ = '\\'; break;
			case '\n': *d++ = 'n'; break;
			case '\r': *d++ = 'r'; break;
			case '\t': *d++ = 't'; break;
			case '\b':
			case '\f':
				if (!w->plain) {
					*d++ = c == '\b' ? 'b' : 'f';
					break;
				}
				/* fall through */
			default:
				memcpy(d, "u00", 3);
				d[3] = hex[c >> 4];
				d[4] = hex[c & 15];
				d += 5;
			}
		}
		*d++ = '"';
		*d = '\0';
		w->out->len += (size_t)(d - start);
		if ((seen & 0x80) && !w->plain)
			w->unsure = 1;
		return;
	}
	kh_buf_putc(w->out, '"');
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[6] = {'\\', 'u', '0', '0', 0, 0};
		size_t n = 2;

		if (c >= 0x20 && c != '"' && c != '\\') {
			seen |= c;
			continue;
		}
		kh_buf_add(w->out, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': esc[1] = '"'; break;
		case '\\': esc[1] = '\\'; break;
		case '\n': esc[1] = 'n'; break;
		case '\r': esc[1] = 'r'; break;
		case '\t': esc[1] = 't'; break;
		case '\b': esc[1] = w->plain ? 'u' : 'b'; break;
		case '\f': esc[1] = w->plain ? 'u' : 'f'; break;
		}
		if (esc[1] == 'u') {
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 15];
			n = 6;
		}
		kh_buf_add(w->out, esc, n);
	}
	kh_buf_add(w->out, s + run, len - run);
	kh_buf_putc(w->out, '"');
	if ((seen & 0x80) && !w->plain)
		w->unsure = 1;
}

static void jw_str(struct jw *w, const char *s)
{
	jw_string(w, s, strlen(s));
}

static void jw_open(struct jw *w, char c)
{
	kh_buf_putc(w->out, c);
	w->depth++;
}

static void jw_close(struct jw *w, char c, int empty)
{
	w->depth--;
	if (!empty)
		jw_newline(w);
	kh_buf_putc(w->out, c);
}

/* Starts an array element or object member: ',' after the first. */
static void jw_item(struct jw *w, int *first)
{
	if (!*first)
		kh_buf_putc(w->out, ',');
	*first = 0;
	jw_newline(w);
}

static void jw_key(struct jw *w, int *first, const char *key)
{
	jw_item(w, first);
	jw_str(w, key);
	kh_buf_add(w->out, ": ", w->compact ? 1 : 2);
}

/* ---- policies, in the shape kh_policy_write gives them ------------------ */

static void jw_value(struct jw *w, const char *v, enum kh_value_type t)
{
	if (t == KH_VALUE_STRING)
		jw_str(w, v);
	else if (!w->plain)
		w->unsure = 1; /* jansson would reformat numbers */
	else
		kh_buf_puts(w->out, t == KH_VALUE_NULL ? "null" : v);
}

static void jw_list(struct jw *w, char *const *items, const enum kh_value_type *types, size_t n,
		    int is_array)
{
	int first = 1;

	if (!is_array && n == 1) {
		jw_value(w, items[0], types ? types[0] : KH_VALUE_STRING);
		return;
	}
	jw_open(w, '[');
	for (size_t i = 0; i < n; i++) {
		jw_item(w, &first);
		jw_value(w, items[i], types ? types[i] : KH_VALUE_STRING);
	}
	jw_close(w, ']', n == 0);
}

static void jw_strlist(struct jw *w, int *first, const char *key, const struct kh_strlist *l)
{
	if (!l->present)
		return;
	jw_key(w, first, key);
	jw_list(w, l->items, NULL, l->n, l->is_array);
}

static void jw_principal(struct jw *w, int *first, const char *key,
			 const struct kh_principal *pr)
{
	int inner = 1;

	if (!pr->present)
		return;
	jw_key(w, first, key);
	if (pr->is_star) {
		jw_str(w, "*");
		return;
	}
	jw_open(w, '{');
	for (size_t i = 0; i < pr->n_entries; i++) {
		for (size_t j = 0; j < i; j++)
			if (strcmp(pr->entries[i].type, pr->entries[j].type) == 0)
				w->unsure = 1;
		if (!pr->entries[i].values.present)
			w->unsure = 1;
		jw_strlist(w, &inner, pr->entries[i].type, &pr->entries[i].values);
	}
	jw_close(w, '}', pr->n_entries == 0);
}

/* Conditions are flat (op, key) pairs written under one object per run of
 * the same operator; an operator or key seen twice would be a duplicate key
 * that a parser merges. */
static void jw_conditions(struct jw *w, int *first, const struct kh_statement *st)
{
	const struct kh_condition *c = st->conditions;
	int ops_first = 1;

	if (!st->has_condition)
		return;
	jw_key(w, first, "Condition");
	jw_open(w, '{');
	for (size_t i = 0; i < st->n_conditions;) {
		const char *op = c[i].op;
		int keys_first = 1;
		size_t start = i;

		for (size_t k = 0; k < start; k++)
			if (strcmp(c[k].op, op) == 0)
				w->unsure = 1;
		jw_key(w, &ops_first, op);
		jw_open(w, '{');
		for (; i < st->n_conditions && strcmp(c[i].op, op) == 0; i++) {
			for (size_t k = start; k < i; k++)
				if (strcmp(c[k].key, c[i].key) == 0)
					w->unsure = 1;
			jw_key(w, &keys_first, c[i].key);
			jw_list(w, c[i].values, c[i].types, c[i].n_values, c[i].values_is_array);
		}
		jw_close(w, '}', 0);
	}
	jw_close(w, '}', st->n_conditions == 0);
}

static void jw_statement(struct jw *w, const struct kh_statement *st)
{
	int first = 1;

	jw_open(w, '{');
	if (st->sid) {
		jw_key(w, &first, "Sid");
		jw_str(w, st->sid);
	}
	if (st->effect_raw) {
		jw_key(w, &first, "Effect");
		jw_str(w, st->effect_raw);
	}
	jw_principal(w, &first, "Principal", &st->principal);
	jw_principal(w, &first, "NotPrincipal", &st->not_principal);
	jw_strlist(w, &first, "Action", &st->action);
	jw_strlist(w, &first, "NotAction", &st->not_action);
	jw_strlist(w, &first, "Resource", &st->resource);
	jw_strlist(w, &first, "NotResource", &st->not_resource);
	jw_conditions(w, &first, st);
	jw_close(w, '}', first);
}

static void jw_policy(struct jw *w, const struct kh_policy *p)
{
	int first = 1;

	jw_open(w, '{');
	if (p->version) {
		jw_key(w, &first, "Version");
		jw_str(w, p->version);
	}
	if (p->id) {
		jw_key(w, &first, "Id");
		jw_str(w, p->id);
	}
	if (p->has_statement) {
		jw_key(w, &first, "Statement");
		if (!p->statement_is_array && p->n_statements == 1) {
			jw_statement(w, &p->statements[0]);
		} else {
			int inner = 1;
			jw_open(w, '[');
			for (size_t i = 0; i < p->n_statements; i++) {
				jw_item(w, &inner);
				jw_statement(w, &p->statements[i]);
			}
			jw_close(w, ']', p->n_statements == 0);
		}
	}
	jw_close(w, '}', first);
}

int kh__put_json_string(struct kh_buf *out, const char *s)
{
	struct jw w = {out, 0, 1, 0, 0};
	jw_str(&w, s);
	return kh_buf_error(out);
}

int kh__write_policy(const struct kh_policy *p, int depth, struct kh_buf *out)
{
	struct jw w = {out, depth, 1, 0, 0};
	jw_policy(&w, p);
	return kh_buf_error(out);
}

/* ---- the result --------------------------------------------------------- */

static void jw_uint(struct jw *w, size_t v)
{
	char digits[24];
	size_t n = sizeof(digits);

	do {
		digits[--n] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	kh_buf_add(w->out, digits + n, sizeof(digits) - n);
}

static void jw_lists(struct jw *w, int *first, const struct kh_generate_result *res)
{
	int inner = 1;

	jw_key(w, first, "warnings");
	jw_open(w, '[');
	for (size_t i = 0; i < res->n_warnings; i++) {
		int f = 1;
		jw_item(w, &inner);
		jw_open(w, '{');
		jw_key(w, &f, "code");
		jw_str(w, res->warnings[i].code);
		jw_key(w, &f, "message");
		jw_str(w, res->warnings[i].message);
		jw_close(w, '}', 0);
	}
	jw_close(w, ']', inner);
	inner = 1;
	jw_key(w, first, "added_dependent_actions");
	jw_open(w, '[');
	for (size_t i = 0; i < res->n_added_dependent; i++) {
		jw_item(w, &inner);
		jw_str(w, res->added_dependent[i]->full_name);
	}
	jw_close(w, ']', inner);
	inner = 1;
	jw_key(w, first, "removed_actions");
	jw_open(w, '[');
	for (size_t i = 0; i < res->n_removed; i++) {
		int f = 1;
		jw_item(w, &inner);
		jw_open(w, '{');
		jw_key(w, &f, "action");
		jw_str(w, res->removed[i].action->full_name);
		jw_key(w, &f, "reason");
		jw_str(w, res->removed[i].reason);
		jw_key(w, &f, "grant");
		jw_uint(w, res->removed[i].grant);
		jw_close(w, '}', 0);
	}
	jw_close(w, ']', inner);
}

int kh__result_json_direct(const struct kh_generate_result *res, enum kh_format f,
			   const struct kh_buf *rendered, unsigned opts, struct kh_buf *out)
{
	struct jw w = {out, 0, 0, (opts & KH_RESULT_COMPACT) != 0, 0};
	size_t start = out->len;
	int first = 1;

	jw_open(&w, '{');
	jw_key(&w, &first, "policy");
	jw_policy(&w, res->policy);
	if (res->trust_policy) {
		jw_key(&w, &first, "trust_policy");
		jw_policy(&w, res->trust_policy);
	}
	jw_key(&w, &first, "format");
	jw_str(&w, kh_format_name(f));
	jw_key(&w, &first, "rendered");
	jw_string(&w, rendered->data, rendered->len);
	jw_lists(&w, &first, res);
	jw_key(&w, &first, "policy_size");
	jw_uint(&w, res->policy_size);
	if (!(opts & KH_RESULT_OPEN)) {
		jw_close(&w, '}', 0);
		kh_buf_putc(out, '\n');
	}
	if (w.unsure && !kh_buf_error(out)) {
		kh_buf_truncate(out, start);
		return KH__DIRECT_UNSURE;
	}
	return kh_buf_error(out);
}

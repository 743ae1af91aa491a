/* pattern.c - IAM wildcard patterns with policy variables.
 *
 * A pattern compiles into units (literal runs, '*', '?', ${variables}).
 * Matching is the classic greedy glob with one backtrack point, over
 * units instead of characters; a variable matches its value from the
 * request context literally. Nothing allocates at match time.
 */
#include <string.h>

#include "eval/eval_int.h"

static unsigned char lower(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

static int eq(const char *a, const char *b, size_t n, int fold)
{
	if (!fold)
		return memcmp(a, b, n) == 0;
	for (size_t i = 0; i < n; i++)
		if (lower((unsigned char)a[i]) != lower((unsigned char)b[i]))
			return 0;
	return 1;
}

/* ---- compiling ---- */

struct builder {
	struct kh_arena *a;
	struct ev_unit u[512];
	size_t n;
	char lit[4096];
	size_t lit_len;
	int fold, overflow;
};

static void flush_lit(struct builder *b)
{
	if (!b->lit_len)
		return;
	if (b->n == sizeof(b->u) / sizeof(b->u[0])) {
		b->overflow = 1;
		return;
	}
	b->u[b->n++] = (struct ev_unit){.kind = EV_LIT, .len = (uint32_t)b->lit_len,
					.text = kh_arena_strndup(b->a, b->lit, b->lit_len)};
	if (!b->u[b->n - 1].text)
		b->overflow = 1;
	b->lit_len = 0;
}

static void add_char(struct builder *b, char c)
{
	if (b->lit_len == sizeof(b->lit)) {
		flush_lit(b);
	}
	b->lit[b->lit_len++] = b->fold ? (char)lower((unsigned char)c) : c;
}

static void add_unit(struct builder *b, struct ev_unit u)
{
	flush_lit(b);
	if (b->n == sizeof(b->u) / sizeof(b->u[0])) {
		b->overflow = 1;
		return;
	}
	b->u[b->n++] = u;
}

/* Parses the inside of ${...}: "key" or "key, 'default'". */
static void add_var(struct builder *b, const char *s, size_t n)
{
	struct ev_unit u = {.kind = EV_VAR};
	const char *comma = memchr(s, ',', n);
	size_t klen = comma ? (size_t)(comma - s) : n;

	while (klen && s[klen - 1] == ' ')
		klen--;
	u.text = kh_arena_strndup(b->a, s, klen);
	u.len = (uint32_t)klen;
	if (comma) {
		const char *d = comma + 1, *end = s + n;
		while (d < end && *d == ' ')
			d++;
		while (end > d && end[-1] == ' ')
			end--;
		if (end - d >= 2 && *d == '\'' && end[-1] == '\'') {
			d++;
			end--;
		}
		u.has_default = 1;
		u.def = kh_arena_strndup(b->a, d, (size_t)(end - d));
		u.def_len = (uint32_t)(end - d);
	}
	if (!u.text || (comma && !u.def))
		b->overflow = 1;
	add_unit(b, u);
}

int ev_pat_compile(struct kh_arena *a, const char *text, size_t len, int wild, int vars,
		   int fold, struct ev_pat *out)
{
	struct builder b = {.a = a, .fold = fold};
	struct ev_unit *u;

	for (size_t i = 0; i < len; i++) {
		char c = text[i];
		const char *close;
		if (wild && c == '*') {
			if (!(b.n && b.u[b.n - 1].kind == EV_STAR && !b.lit_len))
				add_unit(&b, (struct ev_unit){.kind = EV_STAR});
		} else if (wild && c == '?') {
			add_unit(&b, (struct ev_unit){.kind = EV_ONE});
		} else if (vars && c == '$' && i + 1 < len && text[i + 1] == '{' &&
			   (close = memchr(text + i + 2, '}', len - i - 2)) != NULL) {
			size_t in = (size_t)(close - (text + i + 2));
			const char *s = text + i + 2;
			if (in == 1 && (*s == '*' || *s == '?' || *s == '$'))
				add_char(&b, *s);
			else
				add_var(&b, s, in);
			i = (size_t)(close - text);
		} else {
			add_char(&b, c);
		}
	}
	flush_lit(&b);
	if (b.overflow)
		return KH_ELIMIT;
	u = b.n ? kh_arena_alloc(a, b.n * sizeof(*u)) : NULL;
	if (b.n && !u)
		return KH_ENOMEM;
	if (b.n)
		memcpy(u, b.u, b.n * sizeof(*u));
	*out = (struct ev_pat){.u = u, .n = (uint32_t)b.n,
			       .raw = kh_arena_strndup(a, text, len)};
	out->literal = b.n == 0 || (b.n == 1 && u[0].kind == EV_LIT);
	for (size_t i = 0; i < b.n; i++)
		if (u[i].kind == EV_VAR)
			out->has_var = 1;
	return out->raw ? KH_OK : KH_ENOMEM;
}

/* Splits at the first five colons. Returns 1 when there are six parts and
 * the first is "arn". */
int ev_arn_split(const char *s, size_t n, const char **seg, size_t *len)
{
	size_t start = 0, k = 0;
	for (size_t i = 0; i < n && k < 5; i++) {
		if (s[i] == ':') {
			seg[k] = s + start;
			len[k++] = i - start;
			start = i + 1;
		}
	}
	if (k < 5)
		return 0;
	seg[5] = s + start;
	len[5] = n - start;
	return len[0] == 3 && memcmp(s, "arn", 3) == 0;
}

/* Like ev_arn_split, but a colon inside ${...} does not split. */
static int split_pattern(const char *s, size_t n, size_t *start, size_t *len)
{
	size_t k = 0, from = 0;
	int depth = 0;
	for (size_t i = 0; i < n && k < 5; i++) {
		if (s[i] == '$' && i + 1 < n && s[i + 1] == '{')
			depth = 1;
		else if (s[i] == '}')
			depth = 0;
		else if (s[i] == ':' && !depth) {
			start[k] = from;
			len[k++] = i - from;
			from = i + 1;
		}
	}
	if (k < 5)
		return 0;
	start[5] = from;
	len[5] = n - from;
	return len[0] == 3 && memcmp(s, "arn", 3) == 0;
}

int ev_arn_compile(struct kh_arena *a, const char *text, int vars, struct ev_arn *out)
{
	size_t n = strlen(text), start[6], len[6];
	int rc;

	memset(out, 0, sizeof(*out));
	if (n == 1 && text[0] == '*') {
		out->all = 1;
		return ev_pat_compile(a, text, n, 1, vars, 0, &out->whole);
	}
	if ((rc = ev_pat_compile(a, text, n, 1, vars, 0, &out->whole)) != KH_OK)
		return rc;
	if (!split_pattern(text, n, start, len))
		return KH_OK;
	out->segmented = 1;
	for (int i = 0; i < 6; i++)
		if ((rc = ev_pat_compile(a, text + start[i], len[i], 1, vars, 0, &out->seg[i])) !=
		    KH_OK)
			return rc;
	return KH_OK;
}

/* ---- matching ---- */

const struct kh_eval_key *ev_lookup(const struct kh_eval_request *r, const char *key,
				    size_t len)
{
	for (size_t i = 0; i < r->n_context; i++) {
		const char *k = r->context[i].key;
		if (strlen(k) == len && eq(k, key, len, 1))
			return &r->context[i];
	}
	return NULL;
}

/* The text a variable stands for; NULL when it does not resolve. A
 * multivalued key does not resolve: AWS defines variables for single
 * values only. */
static const char *resolve(const struct ev_unit *u, const struct kh_eval_request *r,
			   size_t *len)
{
	const struct kh_eval_key *k = ev_lookup(r, u->text, u->len);
	if (k && !k->is_array && k->n_values == 1) {
		*len = strlen(k->values[0]);
		return k->values[0];
	}
	if (u->has_default) {
		*len = u->def_len;
		return u->def;
	}
	return NULL;
}

int ev_pat_match(const struct ev_pat *p, const char *s, size_t n, int fold,
		 const struct kh_eval_request *r)
{
	size_t i = 0, pos = 0, star_i = 0, star_pos = 0;
	int have_star = 0;

	if (p->literal) {
		size_t l = p->n ? p->u[0].len : 0;
		return l == n && eq(p->u ? p->u[0].text : "", s, n, fold);
	}
	for (;;) {
		if (i < p->n) {
			const struct ev_unit *u = &p->u[i];
			const char *t = u->text;
			size_t l = u->len;
			if (u->kind == EV_STAR) {
				have_star = 1;
				star_i = i++;
				star_pos = pos;
				continue;
			}
			if (u->kind == EV_ONE) {
				if (pos < n) {
					i++;
					pos++;
					continue;
				}
			} else {
				if (u->kind == EV_VAR && !(t = resolve(u, r, &l)))
					return -1;
				if (pos + l <= n && eq(s + pos, t, l, fold)) {
					i++;
					pos += l;
					continue;
				}
			}
		} else if (pos == n) {
			return 1;
		}
		if (!have_star || star_pos >= n)
			return 0;
		pos = ++star_pos;
		i = star_i + 1;
	}
}

int ev_arn_match_str(const struct ev_arn *p, const char *s, size_t n,
		     const struct kh_eval_request *r)
{
	const char *seg[6];
	size_t len[6];

	if (p->all)
		return 1;
	if (!p->segmented)
		return ev_pat_match(&p->whole, s, n, 0, r);
	if (!ev_arn_split(s, n, seg, len))
		return 0;
	for (int i = 0; i < 6; i++) {
		int m = ev_pat_match(&p->seg[i], seg[i], len[i], 0, r);
		if (m != 1)
			return m;
	}
	return 1;
}

int ev_arn_match(const struct ev_arn *p, const struct ev_req *q)
{
	if (p->all)
		return 1;
	if (!p->segmented)
		return ev_pat_match(&p->whole, q->r->resource, q->resource_len, 0, q->r);
	if (!q->rsegmented)
		return 0;
	for (int i = 0; i < 6; i++) {
		int m = ev_pat_match(&p->seg[i], q->rseg[i], q->rseg_len[i], 0, q->r);
		if (m != 1)
			return m;
	}
	return 1;
}

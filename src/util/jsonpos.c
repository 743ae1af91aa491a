/* jsonpos.c - positions of values in validated JSON text (see jsonpos.h). */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "util/jsonpos.h"

struct cursor {
	const char *p, *end;
	int line, col;
	struct kh_arena *arena;
	int depth;
};

static void advance(struct cursor *c)
{
	unsigned char ch = (unsigned char)*c->p++;
	if (ch == '\n') {
		c->line++;
		c->col = 1;
	} else if ((ch & 0xC0) != 0x80) {
		c->col++; /* count characters, not UTF-8 continuation bytes */
	}
}

static void skip_ws(struct cursor *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		advance(c);
}

static int skip_string(struct cursor *c)
{
	advance(c); /* opening quote */
	while (c->p < c->end && *c->p != '"') {
		if (*c->p == '\\' && c->p + 1 < c->end)
			advance(c);
		advance(c);
	}
	if (c->p >= c->end)
		return -1;
	advance(c);
	return 0;
}

static int scan_value(struct cursor *c, struct kh_jpos *out);

/* Scans an array or object whose opening bracket is at c->p. */
static int scan_container(struct cursor *c, struct kh_jpos *out, char close)
{
	size_t cap = 0;
	int is_object = close == '}';

	advance(c);
	skip_ws(c);
	if (++c->depth > 4096)
		return -1;
	while (c->p < c->end && *c->p != close) {
		struct kh_jpos kid = {0};
		if (out->n == cap) {
			size_t ncap = cap ? cap * 2 : 4;
			struct kh_jpos *k = kh_arena_alloc(c->arena, ncap * sizeof(*k));
			if (!k)
				return -1;
			if (out->n)
				memcpy(k, out->kids, out->n * sizeof(*k));
			out->kids = k;
			cap = ncap;
		}
		if (is_object) {
			kid.key_line = c->line;
			kid.key_col = c->col;
			if (*c->p != '"' || skip_string(c))
				return -1;
			skip_ws(c);
			if (c->p >= c->end || *c->p != ':')
				return -1;
			advance(c);
			skip_ws(c);
		}
		if (scan_value(c, &kid))
			return -1;
		out->kids[out->n++] = kid;
		skip_ws(c);
		if (c->p < c->end && *c->p == ',') {
			advance(c);
			skip_ws(c);
		} else if (c->p < c->end && *c->p != close) {
			return -1; /* not the text that was validated: never loop on it */
		}
	}
	if (c->p >= c->end)
		return -1;
	advance(c);
	c->depth--;
	return 0;
}

static int scan_value(struct cursor *c, struct kh_jpos *out)
{
	out->line = c->line;
	out->col = c->col;
	if (c->p >= c->end)
		return -1;
	switch (*c->p) {
	case '{': return scan_container(c, out, '}');
	case '[': return scan_container(c, out, ']');
	case '"': return skip_string(c);
	default:
		while (c->p < c->end && !memchr(",]} \t\r\n", *c->p, 7))
			advance(c);
		return 0;
	}
}

struct kh_jpos *kh_jpos_scan(const char *text, size_t len, struct kh_arena *arena)
{
	struct cursor c = {text, text + len, 1, 1, arena, 0};
	struct kh_jpos *root = kh_arena_alloc(arena, sizeof(*root));

	if (!root)
		return NULL;
	/* A UTF-8 byte order mark is not part of the document. */
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		c.p += 3;
	skip_ws(&c);
	return scan_value(&c, root) ? NULL : root;
}

static const struct kh_jpos *too_deep(const struct kh_jpos *jp, int depth, int max)
{
	if (depth > max)
		return jp;
	for (size_t i = 0; i < jp->n; i++) {
		const struct kh_jpos *deep = too_deep(&jp->kids[i], depth + 1, max);
		if (deep)
			return deep;
	}
	return NULL;
}

const struct kh_jpos *kh_jpos_too_deep(const struct kh_jpos *root, int max)
{
	return too_deep(root, 0, max);
}

void kh_jpos_locate(const char *text, size_t off, int *line, int *col)
{
	*line = 1;
	*col = 1;
	for (size_t i = 0; i < off && text[i]; i++) {
		if (text[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)text[i] & 0xC0) != 0x80) {
			(*col)++;
		}
	}
}

json_t *kh_json_load(const char *text, size_t len, size_t flags, json_error_t *jerr)
{
	const char *nul = memchr(text, '\0', len);

	if (nul) {
		json_error_t ignored;
		if (!jerr)
			jerr = &ignored;
		/* jansson skips a raw NUL between tokens; JSON allows none anywhere. */
		size_t off = (size_t)(nul - text);
		memset(jerr, 0, sizeof(*jerr));
		kh_jpos_locate(text, off, &jerr->line, &jerr->column);
		jerr->position = (int)off;
		snprintf(jerr->text, sizeof(jerr->text), "NUL byte in the text (write \\u0000)");
		return NULL;
	}
	return json_loadb(text, len, flags, jerr);
}

/* jsonpos.h - line:column of every value in a JSON text.
 *
 * jansson validates and decodes; it keeps no positions. This scanner walks
 * the same (already validated) text and builds a tree that mirrors the
 * document, so a decoded value can be paired with where it was written.
 * Internal: shared by the parsers of policies and intents. */
#ifndef KEYHOLE_JSONPOS_H
#define KEYHOLE_JSONPOS_H

#include <stddef.h>

#include <jansson.h>

#include "util/util.h"

struct kh_jpos {
	int line, col;         /* of the value */
	int key_line, key_col; /* of the member's key, for object members */
	size_t n;              /* children: array elements or object members */
	struct kh_jpos *kids;
};

/* Scans text (valid JSON) into a tree allocated from arena. Returns NULL on
 * allocation failure or if the text is not the JSON that was validated. */
struct kh_jpos *kh_jpos_scan(const char *text, size_t len, struct kh_arena *arena);

/* The first value nested deeper than max levels below root, or NULL. */
const struct kh_jpos *kh_jpos_too_deep(const struct kh_jpos *root, int max);

/* Line and 1-based column (in characters) of byte offset off. */
void kh_jpos_locate(const char *text, size_t off, int *line, int *col);

/* json_loadb, except that a raw NUL byte anywhere in text is an error (at its
 * line:column) rather than skipped. Use it for all untrusted input. */
json_t *kh_json_load(const char *text, size_t len, size_t flags, json_error_t *jerr);

#endif

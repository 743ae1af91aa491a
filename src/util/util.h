/* util.h - small internal helpers shared by the library's subsystems.
 * Internal: not part of the public API. */
#ifndef KEYHOLE_UTIL_H
#define KEYHOLE_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Arena: many small allocations freed at once. Blocks are malloc()'ed;
 * kh_arena_release frees them all. Allocation failure returns NULL. */
struct kh_arena_block;
struct kh_arena {
	struct kh_arena_block *head;
	size_t used, size;
};
void kh_arena_init(struct kh_arena *a);
void *kh_arena_alloc(struct kh_arena *a, size_t n); /* 16-byte aligned, zeroed */
char *kh_arena_strndup(struct kh_arena *a, const char *s, size_t n);
void kh_arena_release(struct kh_arena *a);

/* Hash of n bytes; fold: of their ASCII-lowercased form. */
uint64_t kh_hash_bytes(const char *s, size_t n, int fold);
/* Hash of the ASCII-lowercased bytes. */
uint64_t kh_hash_ci(const char *s, size_t n);

/* Open-addressing hash set of pointers, keyed through a caller's key
 * function; case-insensitive keys. Fixed capacity chosen at init. */
struct kh_ptrmap {
	const void **slots;
	size_t mask;
	size_t count;
};
int kh_ptrmap_init(struct kh_ptrmap *m, size_t expected);
void kh_ptrmap_release(struct kh_ptrmap *m);
/* Inserts v under key (key must stay valid); returns 0, or -1 on no memory. */
int kh_ptrmap_put(struct kh_ptrmap *m, const char *key, size_t len, const void *v,
		  const char *(*key_of)(const void *));
const void *kh_ptrmap_get(const struct kh_ptrmap *m, const char *key, size_t len,
			  const char *(*key_of)(const void *));

/* Growable hash map from exact string keys (copied) to pointers. */
struct kh_strmap_slot {
	char *key; /* NULL: empty slot */
	uint64_t hash;
	void *value;
};
struct kh_strmap {
	struct kh_strmap_slot *slots;
	size_t cap, count;
};
/* Returns the slot for key, inserting a copy of key (with a NULL value, and
 * *created = 1) when absent; NULL on no memory. The slot pointer is valid
 * until the next insertion; the key copy lives until release. */
struct kh_strmap_slot *kh_strmap_put(struct kh_strmap *m, const char *key, int *created);
void *kh_strmap_get(const struct kh_strmap *m, const char *key);
/* Frees keys and slots; free_value (may be NULL) is called on each value. */
void kh_strmap_release(struct kh_strmap *m, void (*free_value)(void *));

/* IAM-style wildcard match: '*' any run, '?' one character.
 * fold=1 compares ASCII case-insensitively (actions); 0 exactly (ARNs). */
int kh_glob_match(const char *pat, size_t plen, const char *s, size_t slen, int fold);

/* Levenshtein distance, ASCII case-insensitive, capped at limit+1. */
size_t kh_edit_distance(const char *a, size_t alen, const char *b, size_t blen, size_t limit);

#endif

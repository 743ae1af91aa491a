/* strmap.c - growable open-addressing hash map with exact string keys. */
#include <stdlib.h>
#include <string.h>

#include "util/util.h"

static uint64_t hash_exact(const char *s)
{
	return kh_hash_bytes(s, strlen(s), 0);
}

static int strmap_grow(struct kh_strmap *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	struct kh_strmap_slot *slots = calloc(cap, sizeof(*slots));
	if (!slots)
		return -1;
	for (size_t i = 0; i < m->cap; i++) {
		size_t j;
		if (!m->slots[i].key)
			continue;
		for (j = m->slots[i].hash & (cap - 1); slots[j].key; j = (j + 1) & (cap - 1))
			;
		slots[j] = m->slots[i];
	}
	free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return 0;
}

struct kh_strmap_slot *kh_strmap_put(struct kh_strmap *m, const char *key, int *created)
{
	uint64_t h = hash_exact(key);
	size_t i;

	*created = 0;
	if ((m->count + 1) * 4 > m->cap * 3 && strmap_grow(m))
		return NULL;
	for (i = h & (m->cap - 1); m->slots[i].key; i = (i + 1) & (m->cap - 1))
		if (m->slots[i].hash == h && strcmp(m->slots[i].key, key) == 0)
			return &m->slots[i];
	if (!(m->slots[i].key = strdup(key)))
		return NULL;
	m->slots[i].hash = h;
	m->slots[i].value = NULL;
	m->count++;
	*created = 1;
	return &m->slots[i];
}

void *kh_strmap_get(const struct kh_strmap *m, const char *key)
{
	uint64_t h;
	if (!m->cap)
		return NULL;
	h = hash_exact(key);
	for (size_t i = h & (m->cap - 1); m->slots[i].key; i = (i + 1) & (m->cap - 1))
		if (m->slots[i].hash == h && strcmp(m->slots[i].key, key) == 0)
			return m->slots[i].value;
	return NULL;
}

void kh_strmap_release(struct kh_strmap *m, void (*free_value)(void *))
{
	for (size_t i = 0; i < m->cap; i++) {
		if (!m->slots[i].key)
			continue;
		if (free_value)
			free_value(m->slots[i].value);
		free(m->slots[i].key);
	}
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

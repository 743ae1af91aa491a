/* query.c - catalog lookups: services, actions, condition keys, wildcard
 * expansion, access levels and suggestions for unknown names. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog/catalog_int.h"

static const char *service_key(const void *v)
{
	return ((const struct kh_service *)v)->prefix;
}

size_t kh_catalog_service_count(const struct kh_catalog *cat)
{
	return cat->n_services;
}

const struct kh_service *kh_catalog_service_at(const struct kh_catalog *cat, size_t i)
{
	if (i >= cat->n_services)
		return NULL;
	kh__service_ensure(cat, &cat->services[i]);
	return &cat->services[i];
}

size_t kh_catalog_action_count(const struct kh_catalog *cat)
{
	return cat->n_actions;
}

const struct kh_service *kh_catalog_service(const struct kh_catalog *cat, const char *prefix,
					    size_t len)
{
	const struct kh_service *svc = kh_ptrmap_get(&cat->service_map, prefix, len, service_key);
	if (!svc || svc == cat->globals)
		return NULL;
	kh__service_ensure(cat, svc);
	return svc;
}

const struct kh_action *kh_catalog_action(const struct kh_catalog *cat, const char *full_name)
{
	const char *colon = strchr(full_name, ':');
	const struct kh_service *svc;

	if (!colon)
		return NULL;
	svc = kh_catalog_service(cat, full_name, (size_t)(colon - full_name));
	return svc ? kh_service_action(svc, colon + 1, strlen(colon + 1)) : NULL;
}

const struct kh_action *kh_service_action(const struct kh_service *svc, const char *name,
					  size_t len)
{
	size_t lo = 0, hi = svc->n_actions;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const char *n = svc->actions[mid].name;
		int c = strncasecmp(n, name, len);
		if (c == 0 && n[len] != '\0')
			c = 1;
		if (c == 0)
			return &svc->actions[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const struct kh_resource_type *kh_service_resource_type(const struct kh_service *svc,
							const char *name)
{
	for (size_t i = 0; i < svc->n_resource_types; i++)
		if (strcmp(svc->resource_types[i].name, name) == 0)
			return &svc->resource_types[i];
	return NULL;
}

/* Matches a key against a catalog key name in which ${...} and <...> stand
 * for any non-empty text, ASCII case-insensitively. */
static int key_matches(const char *tmpl, const char *key)
{
	while (*tmpl) {
		char close = 0;
		if (tmpl[0] == '$' && tmpl[1] == '{')
			close = '}';
		else if (tmpl[0] == '<')
			close = '>';
		if (close) {
			const char *end = strchr(tmpl, close);
			if (!end || !*key)
				return 0;
			tmpl = end + 1;
			/* The variable part runs to the next literal of the template. */
			if (!*tmpl)
				return 1;
			for (key++; *key; key++)
				if (key_matches(tmpl, key))
					return 1;
			return 0;
		}
		if ((*tmpl | 32) != (*key | 32) && !(*tmpl == *key))
			return 0;
		tmpl++;
		key++;
	}
	return *key == '\0';
}

static const struct kh_condition_key *service_key_lookup(const struct kh_service *svc,
							 const char *key)
{
	for (size_t i = 0; svc && i < svc->n_condition_keys; i++)
		if (key_matches(svc->condition_keys[i].name, key))
			return &svc->condition_keys[i];
	return NULL;
}

const struct kh_condition_key *kh_catalog_condition_key(const struct kh_catalog *cat,
							const char *key)
{
	const char *colon = strchr(key, ':');
	const struct kh_condition_key *k;

	if (!colon)
		return NULL;
	if ((size_t)(colon - key) == 3 && strncasecmp(key, "aws", 3) == 0) {
		if (cat->globals) {
			kh__service_ensure(cat, cat->globals);
			if ((k = service_key_lookup(cat->globals, key)))
				return k;
		}
		/* Services also list the aws: keys they support (aws:RequestTag/...). */
		for (size_t i = 0; i < cat->n_services; i++)
			if ((k = service_key_lookup(kh_catalog_service_at(cat, i), key)))
				return k;
		return NULL;
	}
	return service_key_lookup(kh_catalog_service(cat, key, (size_t)(colon - key)), key);
}

/* Growable array of action pointers for the expand family. */
struct action_list {
	const struct kh_action **items;
	size_t n, cap;
};

static int action_list_push(struct action_list *l, const struct kh_action *a)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		const struct kh_action **p = realloc(l->items, cap * sizeof(*p));
		if (!p)
			return KH_ENOMEM;
		l->items = p;
		l->cap = cap;
	}
	l->items[l->n++] = a;
	return KH_OK;
}

static int action_list_finish(struct action_list *l, int rc, const struct kh_action ***out,
			      size_t *n)
{
	if (rc != KH_OK) {
		free(l->items);
		*out = NULL;
		*n = 0;
		return rc;
	}
	if (!l->items)
		l->items = malloc(sizeof(*l->items)); /* a valid, empty array */
	if (!l->items)
		return KH_ENOMEM;
	*out = l->items;
	*n = l->n;
	return KH_OK;
}

/* The first action of svc whose name does not sort before the prefix
 * (len bytes), case-insensitively: actions sharing a prefix are adjacent. */
static size_t prefix_lower_bound(const struct kh_service *svc, const char *prefix, size_t len)
{
	size_t lo = 0, hi = svc->n_actions;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (strncasecmp(svc->actions[mid].name, prefix, len) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* A pattern "service:Name..." without wildcards in the service: only that
 * service's actions starting with the literal head of the name can match. */
static int expand_in_service(const struct kh_catalog *cat, const char *pattern, size_t plen,
			     size_t svc_len, struct action_list *l)
{
	const struct kh_service *svc = kh_catalog_service(cat, pattern, svc_len);
	const char *name = pattern + svc_len + 1;
	size_t head = strcspn(name, "*?");
	/* "Head*" matches the whole range: no glob needed. */
	int prefix_only = name[head] == '*' && name[head + 1] == '\0';
	int rc = KH_OK;

	if (!svc)
		return KH_OK;
	for (size_t j = prefix_lower_bound(svc, name, head);
	     j < svc->n_actions && rc == KH_OK &&
	     strncasecmp(svc->actions[j].name, name, head) == 0;
	     j++) {
		const char *full = svc->actions[j].full_name;
		if (prefix_only || kh_glob_match(pattern, plen, full, strlen(full), 1))
			rc = action_list_push(l, &svc->actions[j]);
	}
	return rc;
}

int kh_catalog_expand(const struct kh_catalog *cat, const char *pattern,
		      const struct kh_action ***out, size_t *n)
{
	struct action_list l = {0};
	size_t plen = strlen(pattern);
	const char *colon = strchr(pattern, ':');
	size_t svc_len = colon ? (size_t)(colon - pattern) : plen;
	int svc_wild = strcspn(pattern, "*?") < svc_len;
	int rc = KH_OK;

	if (colon && !svc_wild) {
		rc = expand_in_service(cat, pattern, plen, svc_len, &l);
		return action_list_finish(&l, rc, out, n);
	}
	for (size_t i = 0; i < cat->n_services && rc == KH_OK; i++) {
		const struct kh_service *svc = &cat->services[i];
		if (!svc_wild && (strlen(svc->prefix) != svc_len ||
				  strncasecmp(svc->prefix, pattern, svc_len) != 0))
			continue;
		kh__service_ensure(cat, svc);
		for (size_t j = 0; j < svc->n_actions && rc == KH_OK; j++) {
			const char *full = svc->actions[j].full_name;
			if (kh_glob_match(pattern, plen, full, strlen(full), 1))
				rc = action_list_push(&l, &svc->actions[j]);
		}
	}
	return action_list_finish(&l, rc, out, n);
}

int kh_service_actions_at_level(const struct kh_service *svc, unsigned levels,
				const struct kh_action ***out, size_t *n)
{
	struct action_list l = {0};
	int rc = KH_OK;
	for (size_t j = 0; j < svc->n_actions && rc == KH_OK; j++)
		if (svc->actions[j].levels & levels)
			rc = action_list_push(&l, &svc->actions[j]);
	return action_list_finish(&l, rc, out, n);
}

unsigned kh_level_parse(const char *word, size_t len)
{
	static const struct {
		const char *name;
		unsigned bits;
	} words[] = {
		{"list", KH_LEVEL_LIST},
		{"read", KH_LEVEL_READ},
		{"write", KH_LEVEL_WRITE},
		{"tagging", KH_LEVEL_TAGGING},
		{"permissions", KH_LEVEL_PERMISSIONS},
		{"describe", KH_LEVEL_LIST | KH_LEVEL_READ},
		{"admin", KH_LEVEL_ALL},
	};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strlen(words[i].name) == len && strncasecmp(words[i].name, word, len) == 0)
			return words[i].bits;
	return 0;
}

const char *kh_level_name(unsigned level_bit)
{
	switch (level_bit) {
	case KH_LEVEL_LIST: return "List";
	case KH_LEVEL_READ: return "Read";
	case KH_LEVEL_WRITE: return "Write";
	case KH_LEVEL_TAGGING: return "Tagging";
	case KH_LEVEL_PERMISSIONS: return "Permissions management";
	}
	return "Unknown";
}

struct suggestion {
	const struct kh_action *action;
	size_t score;
};

/* Keeps best[] sorted by score (ties keep catalog order), at most max. */
static void suggestion_offer(struct suggestion *best, size_t max, size_t *n,
			     const struct kh_action *a, size_t score)
{
	size_t i;
	if (*n == max) {
		if (best[max - 1].score <= score)
			return;
		i = max - 1;
	} else {
		i = (*n)++;
	}
	for (; i > 0 && best[i - 1].score > score; i--)
		best[i] = best[i - 1];
	best[i].action = a;
	best[i].score = score;
}

size_t kh_catalog_suggest(const struct kh_catalog *cat, const char *full_name,
			  const struct kh_action **out, size_t max)
{
	struct suggestion best[16];
	const char *colon = strchr(full_name, ':');
	const char *name = colon ? colon + 1 : full_name;
	size_t nlen = strlen(name), n = 0;
	size_t limit = nlen / 3 > 2 ? nlen / 3 : 2;
	const struct kh_service *svc;

	if (max > 16)
		max = 16;
	if (!max)
		return 0;
	svc = colon ? kh_catalog_service(cat, full_name, (size_t)(colon - full_name)) : NULL;
	for (size_t i = 0; i < cat->n_services; i++) {
		const struct kh_service *s = &cat->services[i];
		if (svc && s != svc)
			continue;
		kh__service_ensure(cat, s);
		for (size_t j = 0; j < s->n_actions; j++) {
			const char *an = s->actions[j].name;
			size_t alen = strlen(an);
			size_t d = kh_edit_distance(name, nlen, an, alen, limit);
			/* A name that contains the other (GetObject / GetObjectAcl)
			 * is close too, ranked after true typos. */
			if (d > limit) {
				if (nlen < 4 || !(strcasestr(an, name) || strcasestr(name, an)))
					continue;
				d = limit + (alen > nlen ? alen - nlen : nlen - alen);
			}
			suggestion_offer(best, max, &n, &s->actions[j], d);
		}
	}
	for (size_t i = 0; i < n; i++)
		out[i] = best[i].action;
	return n;
}

/* Is key among the listed keys? A listed key that continues after the
 * same "service:Name/" as key stands for any tag there. */
static int keys_hold(const char *const *keys, size_t n_keys, const char *key)
{
	const char *slash = strchr(key, '/');
	size_t n = slash ? (size_t)(slash - key) + 1 : 0;

	for (size_t i = 0; i < n_keys; i++)
		if (strcasecmp(keys[i], key) == 0 ||
		    (n && strncasecmp(keys[i], key, n) == 0 && keys[i][n]))
			return 1;
	return 0;
}

int kh_action_takes_condition_key(const struct kh_action *a, const char *key)
{
	if (keys_hold(a->condition_keys, a->n_condition_keys, key))
		return 1;
	for (size_t i = 0; i < a->n_resources; i++)
		if (keys_hold(a->resources[i].type->condition_keys,
			      a->resources[i].type->n_condition_keys, key))
			return 1;
	return 0;
}

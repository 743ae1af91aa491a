/* table.c - parsing the CloudTrail mapping table (data/cloudtrail-map.tsv)
 * into hash maps, and the queries that need only the table: global
 * services and data-plane actions. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "usage/mapping_int.h"

extern const char kh_map_table_data[];
extern const char kh_map_table_data_end[];

#define MAX_FIELDS 8

const char *kh__map_key_of(const void *v)
{
	return *(const char *const *)v;
}

const void *kh__map_get2(const struct kh_ptrmap *m, const char *a, size_t alen, const char *b,
			 size_t blen)
{
	char key[320];

	if (alen + 1 + blen >= sizeof(key))
		return NULL;
	memcpy(key, a, alen);
	key[alen] = ':';
	memcpy(key + alen + 1, b, blen);
	key[alen + 1 + blen] = '\0';
	return kh_ptrmap_get(m, key, alen + 1 + blen, kh__map_key_of);
}

static size_t split_tabs(char *line, char **f)
{
	size_t n = 0;
	f[n++] = line;
	for (char *p = line; *p; p++) {
		if (*p == '\t') {
			*p = '\0';
			if (n == MAX_FIELDS)
				break;
			f[n++] = p + 1;
		}
	}
	return n;
}

static const char *opt(const char *s)
{
	return (!s || !*s || strcmp(s, "-") == 0) ? NULL : s;
}

/* "a" + ":" + "b" in the arena. */
static const char *join2(struct kh_arena *a, const char *x, const char *y)
{
	size_t lx = strlen(x), ly = strlen(y);
	char *s = kh_arena_alloc(a, lx + ly + 2);
	if (!s)
		return NULL;
	memcpy(s, x, lx);
	s[lx] = ':';
	memcpy(s + lx + 1, y, ly);
	return s;
}

static int bad(struct kh_error *err, size_t line, const char *what)
{
	return kh_error_at(err, KH_EINPUT, (int)line, 0, NULL, "mapping table: %s", what);
}

static int put(struct kh_ptrmap *m, const void *v)
{
	const char *k = kh__map_key_of(v);
	return kh_ptrmap_put(m, k, strlen(k), v, kh__map_key_of);
}

static int parse_rule(struct kh__map_act *a, const char *res)
{
	a->rule = KH__RES_DERIVE;
	a->rule_arg = NULL;
	if (!res)
		return 0;
	if (strncmp(res, "param:", 6) == 0 && res[6]) {
		a->rule = KH__RES_PARAM;
		a->rule_arg = res + 6;
	} else if (strncmp(res, "tmpl:", 5) == 0 && res[5]) {
		a->rule = KH__RES_TMPL;
		a->rule_arg = res + 5;
	} else if (strcmp(res, "copysource") == 0) {
		a->rule = KH__RES_COPYSOURCE;
	} else if (strcmp(res, "profile-role") == 0) {
		a->rule = KH__RES_PROFILE_ROLE;
	} else if (strcmp(res, "none") == 0) {
		a->rule = KH__RES_NONE;
	} else {
		return -1;
	}
	return 0;
}

void kh__map_table_release(struct kh__map_table *t)
{
	struct kh_ptrmap *maps[] = {&t->sources,  &t->global,	  &t->data_plane, &t->data_services,
				    &t->act_map,  &t->noperm,	  &t->skip_names, &t->errors,
				    &t->skip_kinds, &t->ph_map};
	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++)
		kh_ptrmap_release(maps[i]);
	kh_arena_release(&t->arena);
	free(t->text);
	memset(t, 0, sizeof(*t));
}

int kh__map_table_parse(const char *text, size_t len, struct kh__map_table *t,
			struct kh_error *err)
{
	size_t lines = 1, lineno = 0;
	char *p, *end;
	int rc = KH_OK;

	memset(t, 0, sizeof(*t));
	kh_arena_init(&t->arena);
	if (!(t->text = malloc(len + 1)))
		return kh_error_set(err, KH_ENOMEM, "out of memory");
	memcpy(t->text, text, len);
	t->text[len] = '\0';
	for (size_t i = 0; i < len; i++)
		lines += text[i] == '\n';
	if (strncmp(t->text, "#keyhole-cloudtrail-map 1", 25) != 0) {
		rc = bad(err, 1, "missing '#keyhole-cloudtrail-map 1' header");
		goto fail;
	}
	t->acts = kh_arena_alloc(&t->arena, lines * sizeof(*t->acts));
	t->phs = kh_arena_alloc(&t->arena, lines * sizeof(*t->phs));
	t->named = kh_arena_alloc(&t->arena, 2 * lines * sizeof(*t->named));
	{
		struct kh_ptrmap *maps[] = {&t->sources,    &t->global,	 &t->data_plane,
					    &t->data_services, &t->act_map, &t->noperm,
					    &t->skip_names, &t->errors, &t->skip_kinds,
					    &t->ph_map};
		for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++)
			if (kh_ptrmap_init(maps[i], lines) < 0)
				rc = KH_ENOMEM;
	}
	if (rc || !t->acts || !t->phs || !t->named) {
		rc = kh_error_set(err, KH_ENOMEM, "out of memory");
		goto fail;
	}

	p = t->text;
	end = t->text + len;
	while (p < end) {
		char *nl = memchr(p, '\n', (size_t)(end - p));
		char *f[MAX_FIELDS];
		size_t n;
		struct kh__map_named *e;

		lineno++;
		if (nl)
			*nl = '\0';
		if (nl && nl > p && nl[-1] == '\r')
			nl[-1] = '\0';
		if (*p == '#' || *p == '\0') {
			p = nl ? nl + 1 : end;
			continue;
		}
		n = split_tabs(p, f);
		p = nl ? nl + 1 : end;
		e = &t->named[t->n_named];
		if (strlen(f[0]) != 1) {
			rc = bad(err, lineno, "unknown record kind");
			goto fail;
		}
		switch (f[0][0]) {
		case 'S':
			if (n < 3) {
				rc = bad(err, lineno, "S needs eventSource and prefix");
				goto fail;
			}
			e->key = f[1];
			e->value = f[2];
			t->n_named++;
			if (put(&t->sources, e) < 0)
				goto nomem;
			break;
		case 'G':
			e->key = f[1];
			t->n_named++;
			if (n < 2 || put(&t->global, e) < 0)
				goto nomem;
			break;
		case 'D': {
			const char *colon = strchr(f[1], ':');
			struct kh__map_named *svc;
			if (n < 2 || !colon) {
				rc = bad(err, lineno, "D needs prefix:Action");
				goto fail;
			}
			e->key = f[1];
			t->n_named++;
			if (put(&t->data_plane, e) < 0)
				goto nomem;
			svc = &t->named[t->n_named];
			if (!(svc->key = kh_arena_strndup(&t->arena, f[1], (size_t)(colon - f[1]))))
				goto nomem;
			if (!kh_ptrmap_get(&t->data_services, svc->key, strlen(svc->key),
					   kh__map_key_of)) {
				t->n_named++;
				if (put(&t->data_services, svc) < 0)
					goto nomem;
			}
			break;
		}
		case 'N':
		case 'X':
			if (n < 3) {
				rc = bad(err, lineno, "N and X need prefix and event name");
				goto fail;
			}
			if (!(e->key = join2(&t->arena, f[1], f[2])))
				goto nomem;
			e->reason = n > 3 ? opt(f[3]) : NULL;
			t->n_named++;
			if (put(f[0][0] == 'N' ? &t->noperm : &t->skip_names, e) < 0)
				goto nomem;
			break;
		case 'E':
			if (n < 3 || (strcmp(f[2], "denied") && strcmp(f[2], "skip"))) {
				rc = bad(err, lineno, "E needs an error code and denied or skip");
				goto fail;
			}
			e->key = f[1];
			e->value = f[2];
			e->reason = n > 3 ? opt(f[3]) : NULL;
			t->n_named++;
			if (put(&t->errors, e) < 0)
				goto nomem;
			break;
		case 'K':
			if (n < 4 || (strcmp(f[1], "eventType") && strcmp(f[1], "eventCategory"))) {
				rc = bad(err, lineno, "K needs eventType or eventCategory, a value and a reason");
				goto fail;
			}
			if (!(e->key = join2(&t->arena, f[1], f[2])))
				goto nomem;
			e->reason = f[3];
			t->n_named++;
			if (put(&t->skip_kinds, e) < 0)
				goto nomem;
			break;
		case 'A': {
			struct kh__map_act *a = &t->acts[t->n_acts];
			struct kh__map_act *first;
			if (n < 7 || !strchr(f[3], ':')) {
				rc = bad(err, lineno, "A needs prefix, event, action, resource, when, reason");
				goto fail;
			}
			if (!(a->key = join2(&t->arena, f[1], f[2])))
				goto nomem;
			a->action = f[3];
			if (parse_rule(a, opt(f[4])) < 0) {
				rc = bad(err, lineno, "unknown resource rule");
				goto fail;
			}
			a->when = opt(f[5]);
			a->reason = opt(f[6]);
			a->index = t->n_acts;
			first = (struct kh__map_act *)kh_ptrmap_get(&t->act_map, a->key, strlen(a->key),
								    kh__map_key_of);
			if (first) {
				if (first->index + first->n_group != t->n_acts) {
					rc = bad(err, lineno, "records of one event must be consecutive");
					goto fail;
				}
				first->n_group++;
			} else {
				a->n_group = 1;
				if (put(&t->act_map, a) < 0)
					goto nomem;
			}
			t->n_acts++;
			break;
		}
		case 'P': {
			struct kh__map_ph *ph = &t->phs[t->n_phs];
			struct kh__map_ph *first;
			if (n < 5) {
				rc = bad(err, lineno, "P needs prefix, placeholder, params, transform");
				goto fail;
			}
			if (!(ph->key = join2(&t->arena, f[1], f[2])))
				goto nomem;
			ph->params = f[3];
			ph->transform = f[4];
			first = (struct kh__map_ph *)kh_ptrmap_get(&t->ph_map, ph->key, strlen(ph->key),
								   kh__map_key_of);
			if (first) {
				if (first + first->n_group != ph) {
					rc = bad(err, lineno, "records of one placeholder must be consecutive");
					goto fail;
				}
				first->n_group++;
			} else {
				ph->n_group = 1;
				if (put(&t->ph_map, ph) < 0)
					goto nomem;
			}
			t->n_phs++;
			break;
		}
		default:
			rc = bad(err, lineno, "unknown record kind");
			goto fail;
		}
	}
	if (!(t->builders = kh_arena_alloc(&t->arena, (t->n_phs + 1) * sizeof(*t->builders))))
		goto nomem;
	for (size_t i = 0; i < t->n_phs; i++)
		if (strcmp(t->phs[i].transform, "lambdafn") == 0 ||
		    strcmp(t->phs[i].transform, "sqsurl") == 0)
			t->builders[t->n_builders++] = &t->phs[i];
	return KH_OK;
nomem:
	rc = kh_error_set(err, KH_ENOMEM, "out of memory");
fail:
	kh__map_table_release(t);
	return rc;
}

static struct kh__map_table builtin;
static int builtin_ok;
static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;

static void builtin_load(void)
{
	builtin_ok = kh__map_table_parse(kh_map_table_data,
					 (size_t)(kh_map_table_data_end - kh_map_table_data), &builtin,
					 NULL) == KH_OK;
}

const struct kh__map_table *kh__map_table_builtin(void)
{
	pthread_once(&builtin_once, builtin_load);
	return builtin_ok ? &builtin : NULL;
}

int kh_service_is_global(const char *prefix)
{
	const struct kh__map_table *t = kh__map_table_builtin();
	return t && prefix && kh_ptrmap_get(&t->global, prefix, strlen(prefix), kh__map_key_of);
}

int kh_action_is_data_plane(const char *full_name)
{
	const struct kh__map_table *t = kh__map_table_builtin();
	return t && full_name &&
	       kh_ptrmap_get(&t->data_plane, full_name, strlen(full_name), kh__map_key_of);
}

int kh_service_has_data_plane(const char *prefix)
{
	const struct kh__map_table *t = kh__map_table_builtin();
	return t && prefix &&
	       kh_ptrmap_get(&t->data_services, prefix, strlen(prefix), kh__map_key_of);
}

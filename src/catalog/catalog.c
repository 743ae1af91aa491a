/* catalog.c - loading the compact catalog file into lookup tables.
 *
 * The file (written by tools/catalog/build-catalog.js) is copied once and
 * split in place, so names and descriptions point into that copy; only the
 * arrays and full action names are allocated, from one arena.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "catalog/catalog_int.h"

extern const char kh_catalog_data[];
extern const char kh_catalog_data_end[];

#define MAX_FIELDS 8

/* Splits line (NUL-terminated) at tabs into at most MAX_FIELDS fields. */
static size_t split_tabs(char *line, char **fields)
{
	size_t n = 0;
	fields[n++] = line;
	for (char *p = line; *p; p++) {
		if (*p == '\t') {
			*p = '\0';
			if (n == MAX_FIELDS)
				break;
			fields[n++] = p + 1;
		}
	}
	return n;
}

/* Splits a comma list in place into an arena array of strings. */
static const char *const *split_commas(struct kh_arena *a, char *s, size_t *n)
{
	size_t count = 0, i = 0;
	const char **out;

	*n = 0;
	if (!s || !*s)
		return NULL;
	for (char *p = s; *p; p++)
		count += *p == ',';
	count++;
	out = kh_arena_alloc(a, count * sizeof(*out));
	if (!out)
		return NULL;
	out[i++] = s;
	for (char *p = s; *p; p++) {
		if (*p == ',') {
			*p = '\0';
			out[i++] = p + 1;
		}
	}
	*n = count;
	return out;
}

static enum kh_key_type key_type_parse(const char *s)
{
	static const struct {
		const char *name;
		enum kh_key_type type;
	} types[] = {
		{"String", KH_KEY_STRING},	   {"ArrayOfString", KH_KEY_ARRAY_OF_STRING},
		{"ARN", KH_KEY_ARN},		   {"ArrayOfARN", KH_KEY_ARRAY_OF_ARN},
		{"Bool", KH_KEY_BOOL},		   {"ArrayOfBool", KH_KEY_ARRAY_OF_BOOL},
		{"Numeric", KH_KEY_NUMERIC},	   {"Date", KH_KEY_DATE},
		{"IPAddress", KH_KEY_IP},
	};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(s, types[i].name) == 0)
			return types[i].type;
	return KH_KEY_OTHER;
}

static unsigned levels_parse(const char *s)
{
	unsigned bits = 0;
	for (; *s; s++) {
		switch (*s) {
		case 'L': bits |= KH_LEVEL_LIST; break;
		case 'R': bits |= KH_LEVEL_READ; break;
		case 'W': bits |= KH_LEVEL_WRITE; break;
		case 'T': bits |= KH_LEVEL_TAGGING; break;
		case 'P': bits |= KH_LEVEL_PERMISSIONS; break;
		default: return 0;
		}
	}
	return bits;
}

static int cmp_action(const void *a, const void *b)
{
	return strcasecmp(((const struct kh_action *)a)->name, ((const struct kh_action *)b)->name);
}

static int cmp_resource_type(const void *a, const void *b)
{
	return strcmp(((const struct kh_resource_type *)a)->name,
		      ((const struct kh_resource_type *)b)->name);
}

static const char *service_key(const void *v)
{
	return ((const struct kh_service *)v)->prefix;
}

/* A template that another template of the same service extends with '/'
 * (bucket -> bucket/object, table -> table/index) names a whole path
 * element; otherwise its last placeholder may span '/'. */
static void mark_path_spanning(struct kh_service *svc)
{
	struct kh_resource_type *rts = (struct kh_resource_type *)svc->resource_types;
	for (size_t i = 0; i < svc->n_resource_types; i++) {
		size_t len = strlen(rts[i].arn);
		rts[i].last_spans_path = 1;
		for (size_t j = 0; j < svc->n_resource_types; j++)
			if (j != i && strncmp(rts[j].arn, rts[i].arn, len) == 0 &&
			    rts[j].arn[len] == '/') {
				rts[i].last_spans_path = 0;
				break;
			}
	}
}

/* Second pass helpers: resolve each action's resource names. */
static int resolve_resources(struct kh_catalog *cat, struct kh_service *svc, struct kh_action *act,
			     char *list, struct kh_error *err, size_t lineno)
{
	size_t n;
	const char *const *names = split_commas(&cat->arena, list, &n);
	struct kh_action_resource *res;

	if (!n)
		return KH_OK;
	if (!names)
		return kh_error_set(err, KH_ENOMEM, "out of memory loading the catalog");
	res = kh_arena_alloc(&cat->arena, n * sizeof(*res));
	if (!res)
		return kh_error_set(err, KH_ENOMEM, "out of memory loading the catalog");
	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(names[i]);
		struct kh_resource_type key = {0};
		char *name = (char *)names[i];
		if (len && name[len - 1] == '*') {
			res[i].required = 1;
			name[len - 1] = '\0';
		}
		key.name = name;
		res[i].type = bsearch(&key, svc->resource_types, svc->n_resource_types,
				      sizeof(key), cmp_resource_type);
		if (!res[i].type)
			return kh_error_at(err, KH_EINPUT, (int)lineno, 1, NULL,
					   "action '%s:%s' names unknown resource type '%s'",
					   svc->prefix, act->name, name);
	}
	act->resources = res;
	act->n_resources = n;
	return KH_OK;
}

struct counts {
	size_t resources, keys, actions;
};

static void count_block(const char *text, struct counts *c)
{
	const char *p = text;
	memset(c, 0, sizeof(*c));
	while (p && *p) {
		switch (*p) {
		case 'R': c->resources++; break;
		case 'K': c->keys++; break;
		case 'A': c->actions++; break;
		}
		p = strchr(p, '\n');
		if (p)
			p++;
	}
}

static int parse_action(struct kh_catalog *cat, struct kh_service *svc, struct kh_action *act,
			char **f, size_t lineno, struct kh_error *err)
{
	size_t plen = strlen(svc->prefix), nlen = strlen(f[1]);
	char *full = kh_arena_alloc(&cat->arena, plen + nlen + 2);
	int rc;

	if (!full)
		return kh_error_set(err, KH_ENOMEM, "out of memory loading the catalog");
	memcpy(full, svc->prefix, plen);
	full[plen] = ':';
	memcpy(full + plen + 1, f[1], nlen + 1);
	act->service = svc;
	act->name = f[1];
	act->full_name = full;
	act->levels = levels_parse(f[2]);
	if (!act->levels)
		return kh_error_at(err, KH_EINPUT, (int)lineno, 1, NULL,
				   "catalog: bad access level '%s'", f[2]);
	rc = resolve_resources(cat, svc, act, f[3], err, lineno);
	if (rc)
		return rc;
	act->condition_keys = split_commas(&cat->arena, f[4], &act->n_condition_keys);
	act->dependent_actions = split_commas(&cat->arena, f[5], &act->n_dependent_actions);
	act->description = f[6];
	return KH_OK;
}

/* Parses one service's R, K and A lines (its block) into its arrays. */
static int parse_block(struct kh_catalog *cat, struct kh_service *svc,
		       struct kh_service_block *blk, struct kh_error *err)
{
	struct counts c;
	struct kh_resource_type *rts;
	struct kh_condition_key *keys;
	struct kh_action *acts;
	char *line, *next;
	size_t lineno = blk->first_line;
	char *text = kh_arena_strndup(&cat->arena, blk->start, blk->len);

	if (!text)
		return kh_error_set(err, KH_ENOMEM, "out of memory loading the catalog");
	count_block(text, &c);
	rts = kh_arena_alloc(&cat->arena, (c.resources + 1) * sizeof(*rts));
	keys = kh_arena_alloc(&cat->arena, (c.keys + 1) * sizeof(*keys));
	acts = kh_arena_alloc(&cat->arena, (c.actions + 1) * sizeof(*acts));
	if (!rts || !keys || !acts)
		return kh_error_set(err, KH_ENOMEM, "out of memory loading the catalog");
	svc->resource_types = rts;
	svc->condition_keys = keys;
	svc->actions = acts;
	for (line = text; line && *line; line = next, lineno++) {
		char *f[MAX_FIELDS];
		size_t nf;
		int rc;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (line[0] == '#' || !line[0])
			continue;
		nf = split_tabs(line, f);
		if (f[0][1] != '\0')
			return kh_error_at(err, KH_EINPUT, (int)lineno, 1, NULL,
					   "catalog: unexpected line");
		switch (line[0]) {
		case 'R':
			if (nf < 3)
				goto short_line;
			rts[svc->n_resource_types] = (struct kh_resource_type){f[1], f[2], svc, 0, NULL, 0};
			if (nf > 3)
				rts[svc->n_resource_types].condition_keys =
					split_commas(&cat->arena, f[3],
						     &rts[svc->n_resource_types].n_condition_keys);
			if (svc->n_resource_types &&
			    strcmp(rts[svc->n_resource_types - 1].name, f[1]) > 0)
				return kh_error_at(err, KH_EINPUT, (int)lineno, 1, NULL,
						   "catalog: resource types out of order");
			svc->n_resource_types++;
			break;
		case 'K':
			if (nf < 3)
				goto short_line;
			keys[svc->n_condition_keys++] =
				(struct kh_condition_key){f[1], key_type_parse(f[2])};
			break;
		case 'A':
			if (nf < 7)
				goto short_line;
			rc = parse_action(cat, svc, &acts[svc->n_actions], f, lineno, err);
			if (rc)
				return rc;
			svc->n_actions++;
			break;
		default:
			return kh_error_at(err, KH_EINPUT, (int)lineno, 1, NULL,
					   "catalog: unknown line type '%c'", line[0]);
		}
		continue;
short_line:
		return kh_error_at(err, KH_EINPUT, (int)lineno, 1, NULL,
				   "catalog: too few fields on a '%c' line", line[0]);
	}
	qsort(acts, svc->n_actions, sizeof(*acts), cmp_action);
	mark_path_spanning(svc);
	return KH_OK;
}

static int service_parse_locked(struct kh_catalog *cat, size_t i, struct kh_error *err)
{
	struct kh_service_block *blk = &cat->blocks[i];
	int rc = KH_OK;

	if (!atomic_load_explicit(&blk->loaded, memory_order_relaxed)) {
		rc = parse_block(cat, &cat->services[i], blk, err);
		if (rc != KH_OK) {
			/* A broken block leaves the service empty, never half-built. */
			struct kh_service *svc = &cat->services[i];
			svc->n_actions = svc->n_resource_types = svc->n_condition_keys = 0;
		}
		atomic_store_explicit(&blk->loaded, 1, memory_order_release);
	}
	return rc;
}

void kh__service_ensure(const struct kh_catalog *cat, const struct kh_service *svc)
{
	size_t i = (size_t)(svc - cat->services);
	struct kh_catalog *mcat = (struct kh_catalog *)cat;

	if (atomic_load_explicit(&cat->blocks[i].loaded, memory_order_acquire))
		return;
	pthread_mutex_lock(&mcat->lock);
	service_parse_locked(mcat, i, NULL);
	pthread_mutex_unlock(&mcat->lock);
}

/* Load time: find each service's S line and block; parse nothing else. */
/* Load time: find each service's S line and the extent of its block,
 * without writing to the text (the built-in catalog is read-only data, and
 * copying it all would cost page faults at every start). */
static int index_services(struct kh_catalog *cat, struct kh_error *err)
{
	size_t n_services = 0, lineno = 0, cap = 0;
	const char *line = cat->text, *end = cat->text + cat->text_len, *next;

	for (; line < end; line = next) {
		const char *eol = memchr(line, '\n', (size_t)(end - line));
		size_t len = eol ? (size_t)(eol - line) : (size_t)(end - line);
		next = eol ? eol + 1 : end;
		lineno++;
		if (line[0] == 'A')
			cat->n_actions++;
		if (len > 8 && strncmp(line, "#source ", 8) == 0) {
			cat->version = kh_arena_strndup(&cat->arena, line + 8, len - 8);
		} else if (line[0] == 'S') {
			struct kh_service *svc;
			char *copy, *f[MAX_FIELDS];
			if (n_services == cap) {
				cap = cap ? cap * 2 : 512;
				cat->services = realloc(cat->services, cap * sizeof(*cat->services));
				cat->blocks = realloc(cat->blocks, cap * sizeof(*cat->blocks));
				if (!cat->services || !cat->blocks)
					return kh_error_set(err, KH_ENOMEM, "out of memory loading the catalog");
			}
			if (n_services) /* ends the previous block */
				cat->blocks[n_services - 1].len =
					(size_t)(line - cat->blocks[n_services - 1].start);
			copy = kh_arena_strndup(&cat->arena, line, len);
			if (!copy)
				return kh_error_set(err, KH_ENOMEM, "out of memory loading the catalog");
			if (split_tabs(copy, f) < 3 || f[0][1] != '\0')
				return kh_error_at(err, KH_EINPUT, (int)lineno, 1, NULL,
						   "catalog: bad service line");
			svc = &cat->services[n_services];
			memset(svc, 0, sizeof(*svc));
			svc->prefix = f[1];
			svc->name = f[2];
			cat->blocks[n_services].start = next;
			cat->blocks[n_services].len = (size_t)(end - next);
			cat->blocks[n_services].first_line = lineno + 1;
			atomic_init(&cat->blocks[n_services].loaded, 0);
			n_services++;
		} else if (line[0] != '#' && len && !n_services) {
			return kh_error_at(err, KH_EINPUT, (int)lineno, 1, NULL,
					   "catalog: line before the first service");
		}
	}
	if (!n_services)
		return kh_error_set(err, KH_EINPUT, "catalog has no services");
	cat->n_services = n_services;
	return KH_OK;
}

static int cmp_service_index(const void *a, const void *b, void *ctx)
{
	const struct kh_service *s = ctx;
	return strcmp(s[*(const size_t *)a].prefix, s[*(const size_t *)b].prefix);
}

/* Sorts services (and their blocks) by prefix and moves the "aws"
 * pseudo-service (global condition keys) to the end, out of the list. */
static int build_indexes(struct kh_catalog *cat, struct kh_error *err)
{
	size_t total = cat->n_services;
	size_t *order = malloc(total * sizeof(*order));
	struct kh_service *svcs = malloc(total * sizeof(*svcs));
	struct kh_service_block *blks = malloc(total * sizeof(*blks));
	size_t n = 0;

	if (!order || !svcs || !blks) {
		free(order);
		free(svcs);
		free(blks);
		return kh_error_set(err, KH_ENOMEM, "out of memory loading the catalog");
	}
	for (size_t i = 0; i < total; i++)
		order[i] = i;
	qsort_r(order, total, sizeof(*order), cmp_service_index, cat->services);
	for (size_t k = 0; k < total; k++) {
		size_t i = order[k];
		int is_globals = strcmp(cat->services[i].prefix, "aws") == 0 && !cat->globals;
		size_t to = is_globals ? total - 1 : n++;
		svcs[to] = cat->services[i];
		blks[to].start = cat->blocks[i].start;
		blks[to].len = cat->blocks[i].len;
		blks[to].first_line = cat->blocks[i].first_line;
		atomic_init(&blks[to].loaded, 0);
		if (is_globals)
			cat->globals = &svcs[to];
	}
	if (!cat->globals)
		n = total; /* no "aws" line: every service is listed */
	free(order);
	free(cat->services);
	free(cat->blocks);
	cat->services = svcs;
	cat->blocks = blks;
	cat->n_services = n;
	if (kh_ptrmap_init(&cat->service_map, total))
		return kh_error_set(err, KH_ENOMEM, "out of memory loading the catalog");
	for (size_t i = 0; i < total; i++)
		kh_ptrmap_put(&cat->service_map, svcs[i].prefix, strlen(svcs[i].prefix), &svcs[i],
			      service_key);
	return KH_OK;
}

/* Parses every service now, reporting the first broken line. */
static int parse_all(struct kh_catalog *cat, struct kh_error *err)
{
	size_t total = cat->n_services + (cat->globals ? 1 : 0);
	for (size_t i = 0; i < total; i++) {
		int rc = service_parse_locked(cat, i, err);
		if (rc)
			return rc;
	}
	return KH_OK;
}

/* copy: the caller's data may go away (a file, a test buffer); the
 * built-in catalog is static read-only data and is used where it is. */
static int catalog_load(const char *data, size_t len, int copy, int eager,
			struct kh_catalog **out, struct kh_error *err)
{
	struct kh_catalog *cat = calloc(1, sizeof(*cat));
	int rc;

	*out = NULL;
	if (!cat)
		return kh_error_set(err, KH_ENOMEM, "out of memory loading the catalog");
	kh_arena_init(&cat->arena);
	pthread_mutex_init(&cat->lock, NULL);
	if (copy) {
		if (memchr(data, '\0', len)) {
			kh_catalog_free(cat);
			return kh_error_set(err, KH_EINPUT, "catalog holds a NUL byte");
		}
		if (!(cat->owned = malloc(len + 1))) {
			kh_catalog_free(cat);
			return kh_error_set(err, KH_ENOMEM, "out of memory loading the catalog");
		}
		memcpy(cat->owned, data, len);
		cat->owned[len] = '\0';
		data = cat->owned;
	}
	cat->text = data;
	cat->text_len = len;
	if (len < 18 || strncmp(cat->text, "#keyhole-catalog 1", 18) != 0) {
		kh_catalog_free(cat);
		return kh_error_at(err, KH_EINPUT, 1, 1, NULL,
				   "not a keyhole catalog (expected '#keyhole-catalog 1')");
	}
	rc = index_services(cat, err);
	if (rc == KH_OK)
		rc = build_indexes(cat, err);
	if (rc == KH_OK && eager)
		rc = parse_all(cat, err);
	if (rc != KH_OK) {
		kh_catalog_free(cat);
		return rc;
	}
	if (!cat->version)
		cat->version = "unknown";
	*out = cat;
	return KH_OK;
}

int kh_catalog_load_mem(const char *data, size_t len, struct kh_catalog **out,
			struct kh_error *err)
{
	return catalog_load(data, len, 1, 1, out, err);
}

int kh_catalog_builtin(struct kh_catalog **out, struct kh_error *err)
{
	/* Checked in full by the tests; parsed lazily, a service at a time. */
	return catalog_load(kh_catalog_data, (size_t)(kh_catalog_data_end - kh_catalog_data), 0, 0,
			    out, err);
}

int kh_catalog_load_file(const char *path, struct kh_catalog **out, struct kh_error *err)
{
	FILE *f = fopen(path, "rb");
	char *data;
	long size;
	int rc;

	*out = NULL;
	if (!f)
		return kh_error_set(err, KH_EIO, "cannot open catalog '%s': %s", path,
				    strerror(errno));
	if (fseek(f, 0, SEEK_END) != 0 || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fclose(f);
		return kh_error_set(err, KH_EIO, "cannot read catalog '%s'", path);
	}
	data = malloc((size_t)size + 1);
	if (!data) {
		fclose(f);
		return kh_error_set(err, KH_ENOMEM, "out of memory reading '%s'", path);
	}
	if (fread(data, 1, (size_t)size, f) != (size_t)size) {
		free(data);
		fclose(f);
		return kh_error_set(err, KH_EIO, "cannot read catalog '%s'", path);
	}
	fclose(f);
	rc = kh_catalog_load_mem(data, (size_t)size, out, err);
	free(data);
	return rc;
}

void kh_catalog_free(struct kh_catalog *cat)
{
	if (!cat)
		return;
	kh_ptrmap_release(&cat->service_map);
	kh_arena_release(&cat->arena);
	pthread_mutex_destroy(&cat->lock);
	free(cat->services);
	free(cat->blocks);
	free(cat->owned);
	free(cat);
}

const char *kh_catalog_version(const struct kh_catalog *cat)
{
	return cat->version;
}

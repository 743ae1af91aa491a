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

static int cmp_service(const void *a, const void *b)
{
	return strcmp(((const struct kh_service *)a)->prefix,
		      ((const struct kh_service *)b)->prefix);
}

static const char *service_key(const void *v)
{
	return ((const struct kh_service *)v)->prefix;
}

static const char *action_key(const void *v)
{
	return ((const struct kh_action *)v)->full_name;
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
	size_t services, resources, keys, actions;
};

static int count_lines(const char *text, struct counts *c)
{
	const char *p = text;
	memset(c, 0, sizeof(*c));
	while (*p) {
		switch (*p) {
		case 'S': c->services++; break;
		case 'R': c->resources++; break;
		case 'K': c->keys++; break;
		case 'A': c->actions++; break;
		}
		p = strchr(p, '\n');
		if (!p)
			break;
		p++;
	}
	return c->services ? KH_OK : KH_EINPUT;
}

static int parse_lines(struct kh_catalog *cat, const struct counts *c, struct kh_error *err)
{
	struct kh_resource_type *rts = kh_arena_alloc(&cat->arena, (c->resources + 1) * sizeof(*rts));
	struct kh_condition_key *keys = kh_arena_alloc(&cat->arena, (c->keys + 1) * sizeof(*keys));
	struct kh_action *acts = kh_arena_alloc(&cat->arena, (c->actions + 1) * sizeof(*acts));
	struct kh_service *svc = NULL;
	char *line = cat->text, *next;
	size_t lineno = 0;

	cat->services = kh_arena_alloc(&cat->arena, c->services * sizeof(*cat->services));
	if (!rts || !keys || !acts || !cat->services)
		return kh_error_set(err, KH_ENOMEM, "out of memory loading the catalog");

	for (; line && *line; line = next) {
		char *f[MAX_FIELDS];
		size_t nf;

		lineno++;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (line[0] == '#') {
			if (strncmp(line, "#source ", 8) == 0)
				cat->version = line + 8;
			continue;
		}
		if (!line[0])
			continue;
		nf = split_tabs(line, f);
		if (f[0][1] != '\0' || (line[0] != 'S' && !svc))
			return kh_error_at(err, KH_EINPUT, (int)lineno, 1, NULL,
					   "catalog: unexpected line");
		switch (line[0]) {
		case 'S':
			if (nf < 3)
				goto short_line;
			if (svc)
				mark_path_spanning(svc);
			svc = &cat->services[cat->n_services++];
			svc->prefix = f[1];
			svc->name = f[2];
			svc->resource_types = rts;
			svc->condition_keys = keys;
			svc->actions = acts;
			break;
		case 'R':
			if (nf < 3)
				goto short_line;
			rts->name = f[1];
			rts->arn = f[2];
			rts->service = svc;
			rts++;
			svc->n_resource_types++;
			if (svc->n_resource_types > 1 &&
			    strcmp(rts[-2].name, rts[-1].name) > 0)
				return kh_error_at(err, KH_EINPUT, (int)lineno, 1, NULL,
						   "catalog: resource types out of order");
			break;
		case 'K':
			if (nf < 3)
				goto short_line;
			keys->name = f[1];
			keys->type = key_type_parse(f[2]);
			keys++;
			svc->n_condition_keys++;
			break;
		case 'A': {
			size_t plen = strlen(svc->prefix), nlen;
			char *full;
			int rc;
			if (nf < 7)
				goto short_line;
			acts->service = svc;
			acts->name = f[1];
			nlen = strlen(f[1]);
			full = kh_arena_alloc(&cat->arena, plen + nlen + 2);
			if (!full)
				return kh_error_set(err, KH_ENOMEM, "out of memory loading the catalog");
			memcpy(full, svc->prefix, plen);
			full[plen] = ':';
			memcpy(full + plen + 1, f[1], nlen + 1);
			acts->full_name = full;
			acts->levels = levels_parse(f[2]);
			if (!acts->levels)
				return kh_error_at(err, KH_EINPUT, (int)lineno, 1, NULL,
						   "catalog: bad access level '%s'", f[2]);
			rc = resolve_resources(cat, svc, acts, f[3], err, lineno);
			if (rc)
				return rc;
			acts->condition_keys = split_commas(&cat->arena, f[4], &acts->n_condition_keys);
			acts->dependent_actions =
				split_commas(&cat->arena, f[5], &acts->n_dependent_actions);
			acts->description = f[6];
			acts++;
			svc->n_actions++;
			cat->n_actions++;
			break;
		}
		default:
			return kh_error_at(err, KH_EINPUT, (int)lineno, 1, NULL,
					   "catalog: unknown line type '%c'", line[0]);
		}
		continue;
short_line:
		return kh_error_at(err, KH_EINPUT, (int)lineno, 1, NULL,
				   "catalog: too few fields on a '%c' line", line[0]);
	}
	if (svc)
		mark_path_spanning(svc);
	return KH_OK;
}

static int build_indexes(struct kh_catalog *cat, struct kh_error *err)
{
	size_t total = cat->n_services;

	/* The "aws" pseudo-service (global condition keys) moves to the end,
	 * out of the listed services. */
	for (size_t i = 0; i < cat->n_services; i++) {
		if (strcmp(cat->services[i].prefix, "aws") == 0) {
			struct kh_service tmp = cat->services[i];
			cat->services[i] = cat->services[cat->n_services - 1];
			cat->services[--cat->n_services] = tmp;
			cat->globals = &cat->services[cat->n_services];
			break;
		}
	}
	qsort(cat->services, cat->n_services, sizeof(*cat->services), cmp_service);
	if (kh_ptrmap_init(&cat->service_map, total) ||
	    kh_ptrmap_init(&cat->action_map, cat->n_actions))
		return kh_error_set(err, KH_ENOMEM, "out of memory loading the catalog");
	for (size_t i = 0; i < total; i++) {
		struct kh_service *svc = &cat->services[i];
		qsort((void *)svc->actions, svc->n_actions, sizeof(*svc->actions), cmp_action);
		/* Structs moved: point their back-references at the new place. */
		for (size_t j = 0; j < svc->n_actions; j++)
			((struct kh_action *)svc->actions)[j].service = svc;
		for (size_t j = 0; j < svc->n_resource_types; j++)
			((struct kh_resource_type *)svc->resource_types)[j].service = svc;
		kh_ptrmap_put(&cat->service_map, svc->prefix, strlen(svc->prefix), svc, service_key);
		for (size_t j = 0; j < svc->n_actions; j++) {
			const struct kh_action *a = &svc->actions[j];
			kh_ptrmap_put(&cat->action_map, a->full_name, strlen(a->full_name), a,
				      action_key);
		}
	}
	return KH_OK;
}

int kh_catalog_load_mem(const char *data, size_t len, struct kh_catalog **out,
			struct kh_error *err)
{
	struct kh_catalog *cat = calloc(1, sizeof(*cat));
	struct counts c;
	int rc;

	*out = NULL;
	if (!cat)
		return kh_error_set(err, KH_ENOMEM, "out of memory loading the catalog");
	kh_arena_init(&cat->arena);
	cat->text = malloc(len + 1);
	if (!cat->text) {
		free(cat);
		return kh_error_set(err, KH_ENOMEM, "out of memory loading the catalog");
	}
	memcpy(cat->text, data, len);
	cat->text[len] = '\0';
	if (len < 18 || strncmp(cat->text, "#keyhole-catalog 1", 18) != 0) {
		kh_catalog_free(cat);
		return kh_error_at(err, KH_EINPUT, 1, 1, NULL,
				   "not a keyhole catalog (expected '#keyhole-catalog 1')");
	}
	if (memchr(cat->text, '\0', len)) {
		kh_catalog_free(cat);
		return kh_error_set(err, KH_EINPUT, "catalog holds a NUL byte");
	}
	rc = count_lines(cat->text, &c);
	if (rc == KH_OK)
		rc = parse_lines(cat, &c, err);
	else
		kh_error_set(err, rc, "catalog has no services");
	if (rc == KH_OK)
		rc = build_indexes(cat, err);
	if (rc != KH_OK) {
		kh_catalog_free(cat);
		return rc;
	}
	if (!cat->version)
		cat->version = "unknown";
	*out = cat;
	return KH_OK;
}

int kh_catalog_builtin(struct kh_catalog **out, struct kh_error *err)
{
	return kh_catalog_load_mem(kh_catalog_data, (size_t)(kh_catalog_data_end - kh_catalog_data),
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
	kh_ptrmap_release(&cat->action_map);
	kh_arena_release(&cat->arena);
	free(cat->text);
	free(cat);
}

const char *kh_catalog_version(const struct kh_catalog *cat)
{
	return cat->version;
}

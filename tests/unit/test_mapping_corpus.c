/* test_mapping_corpus.c - maps every event of the real CloudTrail corpus
 * ($KH_SHARED_DIR/corpus/ct-*) and checks the share that maps to catalog
 * actions. Prints the class totals and the most frequent unmapped names.
 * Skips when the corpus is absent.
 *
 * Records are turned into struct kh_event views here with jansson (plain
 * .json files; the .json.gz copies of the same trails are left out), so the
 * test needs only the mapping and runs whether or not the library's own
 * CloudTrail reader is built in; the reader has its own tests.
 */
#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <jansson.h>

#include "keyhole/catalog.h"
#include "keyhole/mapping.h"
#include "keyhole/trail.h"

struct name_count {
	char name[192];
	unsigned long count;
};

static int by_count(const void *a, const void *b)
{
	const struct name_count *x = a, *y = b;
	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->name, y->name);
}

struct tally {
	struct kh_mapper *mapper;
	struct kh_mapping res;
	struct name_count *unmapped;
	size_t n_unmapped, cap_unmapped;
	unsigned long classes[KH_MAP_CLASSES], events, files, actions, resources;
};

static struct kh_sv str_of(const json_t *o, const char *key)
{
	const json_t *v = o ? json_object_get(o, key) : NULL;
	struct kh_sv sv = {NULL, 0};
	if (json_is_string(v)) {
		sv.ptr = json_string_value(v);
		sv.len = json_string_length(v);
	}
	return sv;
}

static int tri_of(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);
	return json_is_boolean(v) ? json_is_true(v) : -1;
}

/* Scalars as text live in a small per-event pool. */
static char pool[KH_EVENT_MAX_PARAMS][32];

static void add_param(struct kh_event *ev, const char *key, const json_t *v)
{
	struct kh_kv *kv;
	if (ev->n_params == KH_EVENT_MAX_PARAMS)
		return;
	kv = &ev->params[ev->n_params];
	kv->key.ptr = key;
	kv->key.len = strlen(key);
	if (json_is_string(v)) {
		kv->value.ptr = json_string_value(v);
		kv->value.len = json_string_length(v);
	} else if (json_is_integer(v) || json_is_boolean(v)) {
		char *b = pool[ev->n_params];
		if (json_is_integer(v))
			snprintf(b, sizeof(pool[0]), "%lld", (long long)json_integer_value(v));
		else
			snprintf(b, sizeof(pool[0]), "%s", json_is_true(v) ? "true" : "false");
		kv->value.ptr = b;
		kv->value.len = strlen(b);
	} else {
		return;
	}
	ev->n_params++;
}

static char keys[KH_EVENT_MAX_PARAMS][160];

static void to_event(const json_t *r, struct kh_event *ev)
{
	const json_t *id = json_object_get(r, "userIdentity");
	const json_t *ctx = id ? json_object_get(id, "sessionContext") : NULL;
	const json_t *issuer = ctx ? json_object_get(ctx, "sessionIssuer") : NULL;
	const json_t *params = json_object_get(r, "requestParameters");
	const json_t *res = json_object_get(r, "resources");
	const char *k;
	json_t *v;
	size_t i;

	memset(ev, 0, sizeof(*ev));
	ev->event_source = str_of(r, "eventSource");
	ev->event_name = str_of(r, "eventName");
	ev->event_type = str_of(r, "eventType");
	ev->event_category = str_of(r, "eventCategory");
	ev->aws_region = str_of(r, "awsRegion");
	ev->error_code = str_of(r, "errorCode");
	ev->error_message = str_of(r, "errorMessage");
	ev->recipient_account = str_of(r, "recipientAccountId");
	ev->read_only = tri_of(r, "readOnly");
	ev->management_event = tri_of(r, "managementEvent");
	ev->identity_type = str_of(id, "type");
	ev->principal_arn = str_of(id, "arn");
	ev->principal_id = str_of(id, "principalId");
	ev->account_id = str_of(id, "accountId");
	ev->access_key_id = str_of(id, "accessKeyId");
	ev->user_name = str_of(id, "userName");
	ev->invoked_by = str_of(id, "invokedBy");
	ev->session_issuer_arn = str_of(issuer, "arn");
	ev->session_issuer_type = str_of(issuer, "type");
	json_array_foreach(res, i, v) {
		if (ev->n_resources == KH_EVENT_MAX_RESOURCES)
			break;
		ev->resource_types[ev->n_resources] = str_of(v, "type");
		ev->resource_arns[ev->n_resources++] = str_of(v, "ARN");
	}
	json_object_foreach((json_t *)params, k, v) {
		if (json_is_object(v) || json_is_array(v)) {
			const char *k2;
			json_t *v2;
			size_t j;
			if (json_is_object(v)) {
				json_object_foreach(v, k2, v2) {
					if (json_is_string(v2) && ev->n_params < KH_EVENT_MAX_PARAMS) {
						snprintf(keys[ev->n_params], sizeof(keys[0]), "%s.%s", k, k2);
						add_param(ev, keys[ev->n_params], v2);
						break;
					}
				}
			} else {
				json_array_foreach(v, j, v2) {
					if (json_is_string(v2)) {
						add_param(ev, k, v2);
						break;
					}
				}
			}
		} else {
			add_param(ev, k, v);
		}
	}
}

static void count(struct tally *t, const json_t *r)
{
	struct kh_event ev;
	size_t i;

	if (!json_is_object(r) || !json_object_get(r, "eventSource"))
		return;
	to_event(r, &ev);
	t->events++;
	assert_int_equal(kh_map_event(t->mapper, &ev, &t->res), KH_OK);
	t->classes[t->res.cls]++;
	t->actions += t->res.n_actions;
	for (i = 0; i < t->res.n_actions; i++)
		t->resources += t->res.actions[i].resource != NULL;
	if (t->res.cls != KH_MAP_UNMAPPED)
		return;
	for (i = 0; i < t->n_unmapped; i++)
		if (strcmp(t->unmapped[i].name, t->res.candidate) == 0)
			break;
	if (i == t->n_unmapped) {
		if (t->n_unmapped == t->cap_unmapped) {
			t->cap_unmapped = t->cap_unmapped ? 2 * t->cap_unmapped : 64;
			t->unmapped = realloc(t->unmapped, t->cap_unmapped * sizeof(*t->unmapped));
			assert_non_null(t->unmapped);
		}
		snprintf(t->unmapped[i].name, sizeof(t->unmapped[i].name), "%s", t->res.candidate);
		t->unmapped[i].count = 0;
		t->n_unmapped++;
	}
	t->unmapped[i].count++;
}

static void count_doc(struct tally *t, const json_t *doc)
{
	const json_t *list = doc;
	const json_t *v;
	size_t i;

	if (json_is_object(doc) && json_object_get(doc, "Records"))
		list = json_object_get(doc, "Records");
	if (json_is_object(doc) && json_object_get(doc, "Events")) {
		json_array_foreach(json_object_get(doc, "Events"), i, v) {
			const json_t *s = json_object_get(v, "CloudTrailEvent");
			json_t *inner = json_is_string(s) ? json_loads(json_string_value(s), 0, NULL)
							  : NULL;
			if (inner)
				count(t, inner);
			json_decref(inner);
		}
		return;
	}
	if (json_is_array(list)) {
		json_array_foreach(list, i, v)
			count(t, v);
	} else {
		count(t, list);
	}
}

static void count_file(struct tally *t, const char *path)
{
	json_t *doc = json_load_file(path, 0, NULL);
	FILE *f;
	char *line = NULL;
	size_t cap = 0;

	t->files++;
	if (doc) {
		count_doc(t, doc);
		json_decref(doc);
		return;
	}
	if (!(f = fopen(path, "r"))) /* JSON Lines */
		return;
	while (getline(&line, &cap, f) > 0) {
		json_t *r = json_loads(line, 0, NULL);
		if (r)
			count_doc(t, r);
		json_decref(r);
	}
	free(line);
	fclose(f);
}

static void walk(struct tally *t, const char *dir)
{
	struct dirent **ents;
	int n = scandir(dir, &ents, NULL, alphasort);

	for (int i = 0; i < n; i++) {
		char path[2048];
		struct stat st;
		size_t len = strlen(ents[i]->d_name);
		snprintf(path, sizeof(path), "%s/%s", dir, ents[i]->d_name);
		if (ents[i]->d_name[0] != '.' && stat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				walk(t, path);
			else if (len > 5 && strcmp(ents[i]->d_name + len - 5, ".json") == 0)
				count_file(t, path);
		}
		free(ents[i]);
	}
	if (n >= 0)
		free(ents);
}

static void test_corpus(void **state)
{
	static const char *sets[] = {"ct-awsdocs-examples", "ct-invictus-stratus-attack",
				     "ct-otrf-cloudbreach-s3", "ct-stratus-detonations"};
	const char *shared = getenv("KH_SHARED_DIR");
	struct kh_catalog *cat;
	struct kh_error err;
	struct tally t;
	struct stat st;
	char path[1024];

	if (!shared || stat(shared, &st) != 0) {
		print_message("skipped: KH_SHARED_DIR (%s) is absent\n", shared ? shared : "unset");
		skip();
	}
	memset(&t, 0, sizeof(t));
	assert_int_equal(kh_catalog_builtin(&cat, &err), KH_OK);
	assert_int_equal(kh_mapper_new(cat, &t.mapper, &err), KH_OK);
	kh_mapping_init(&t.res);
	for (size_t i = 0; i < sizeof(sets) / sizeof(sets[0]); i++) {
		snprintf(path, sizeof(path), "%s/corpus/%s", shared, sets[i]);
		if (stat(path, &st) == 0)
			walk(&t, path);
	}
	if (t.events == 0) {
		print_message("skipped: no CloudTrail events under %s/corpus\n", shared);
		kh_mapping_release(&t.res);
		kh_mapper_free(t.mapper);
		kh_catalog_free(cat);
		skip();
	}

	qsort(t.unmapped, t.n_unmapped, sizeof(*t.unmapped), by_count);
	print_message("corpus: %lu files, %lu events\n", t.files, t.events);
	for (int c = 0; c < KH_MAP_CLASSES; c++)
		print_message("  %-14s %lu\n", kh_map_class_name((enum kh_map_class)c), t.classes[c]);
	print_message("  actions %lu, with a derived resource %lu\n", t.actions, t.resources);
	for (size_t i = 0; i < t.n_unmapped && i < 10; i++)
		print_message("  unmapped %5lu  %s\n", t.unmapped[i].count, t.unmapped[i].name);

	/* Floors reached by the table as committed; raise them as it grows. */
	{
		unsigned long api = t.events - t.classes[KH_MAP_SKIPPED];
		unsigned long mapped = t.classes[KH_MAP_USED] + t.classes[KH_MAP_DENIED] +
				       t.classes[KH_MAP_NO_PERMISSION];
		assert_true(t.events >= 3000);
		assert_true(mapped * 1000 >= api * 995); /* at least 99.5% of API calls */
		assert_true(t.classes[KH_MAP_DENIED] >= 100);
		assert_true(t.resources * 100 >= t.actions * 40);
	}

	free(t.unmapped);
	kh_mapping_release(&t.res);
	kh_mapper_free(t.mapper);
	kh_catalog_free(cat);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_corpus),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}

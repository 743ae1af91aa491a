/* map.c - classifying a CloudTrail record and listing the IAM actions it
 * needed (see mapping.h). The per-event path does table lookups in hash
 * maps and writes only into the caller's struct kh_mapping. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "usage/mapping_int.h"

struct kh_mapper {
	unsigned long id; /* unique per process: a memo never outlives its mapper */
	const struct kh_catalog *cat;
	const struct kh__map_table *t;
	struct kh__map_table own;       /* for kh_mapper_new_table */
	const struct kh_action **acts;  /* catalog entry of each A record, or NULL */
};

static const char *const class_names[] = {"used", "denied", "no_permission", "unmapped",
					  "skipped"};

const char *kh_map_class_name(enum kh_map_class cls)
{
	return (unsigned)cls < KH_MAP_CLASSES ? class_names[cls] : "unknown";
}

void kh_mapping_init(struct kh_mapping *m)
{
	memset(m, 0, sizeof(*m));
	kh_buf_init(&m->text, 1 << 20);
	m->prefix = m->prefix_buf;
}

void kh_mapping_release(struct kh_mapping *m)
{
	kh_buf_release(&m->text);
	free(m->memo);
	m->memo = NULL;
	m->n_actions = 0;
}

static int mapper_make(const struct kh_catalog *cat, const struct kh__map_table *t,
		       struct kh_mapper *m, struct kh_mapper **out, struct kh_error *err)
{
	static atomic_ulong next_id = 1;

	m->id = atomic_fetch_add(&next_id, 1);
	m->cat = cat;
	m->t = t;
	m->acts = calloc(t->n_acts + 1, sizeof(*m->acts));
	if (!m->acts) {
		kh_mapper_free(m);
		return kh_error_set(err, KH_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < t->n_acts; i++)
		m->acts[i] = kh_catalog_action(cat, t->acts[i].action);
	*out = m;
	return KH_OK;
}

int kh_mapper_new(const struct kh_catalog *cat, struct kh_mapper **out, struct kh_error *err)
{
	const struct kh__map_table *t = kh__map_table_builtin();
	struct kh_mapper *m;

	*out = NULL;
	if (!cat)
		return kh_error_set(err, KH_EUSAGE, "no catalog");
	if (!t)
		return kh_error_set(err, KH_EINTERNAL, "the built-in mapping table does not parse");
	if (!(m = calloc(1, sizeof(*m))))
		return kh_error_set(err, KH_ENOMEM, "out of memory");
	return mapper_make(cat, t, m, out, err);
}

int kh_mapper_new_table(const struct kh_catalog *cat, const char *table, size_t len,
			struct kh_mapper **out, struct kh_error *err)
{
	struct kh_mapper *m;
	int rc;

	*out = NULL;
	if (!cat || !table)
		return kh_error_set(err, KH_EUSAGE, "no catalog or table");
	if (!(m = calloc(1, sizeof(*m))))
		return kh_error_set(err, KH_ENOMEM, "out of memory");
	if ((rc = kh__map_table_parse(table, len, &m->own, err)) != KH_OK) {
		free(m);
		return rc;
	}
	return mapper_make(cat, &m->own, m, out, err);
}

void kh_mapper_free(struct kh_mapper *m)
{
	if (!m)
		return;
	if (m->t == &m->own)
		kh__map_table_release(&m->own);
	free(m->acts);
	free(m);
}

size_t kh_map_source_prefix(const struct kh_mapper *m, const char *source, size_t len, char *out,
			    size_t cap)
{
	const struct kh__map_named *e;
	const char *dot;
	size_t n;

	if (!len || !cap)
		return 0;
	e = kh_ptrmap_get(&m->t->sources, source, len, kh__map_key_of);
	if (e) {
		n = strlen(e->value);
		if (n >= cap)
			return 0;
		memcpy(out, e->value, n + 1);
		return n;
	}
	dot = memchr(source, '.', len);
	n = dot ? (size_t)(dot - source) : len;
	if (n >= cap)
		return 0;
	for (size_t i = 0; i < n; i++) /* prefixes are lower case */
		out[i] = (char)((source[i] >= 'A' && source[i] <= 'Z') ? source[i] + 32 : source[i]);
	out[n] = '\0';
	return n;
}

/* Strips an API version suffix: Lambda's "20150331", "20150331v2" and
 * CloudFront's "2020_05_31". Returns the new length (len when none). */
static size_t strip_version(const char *s, size_t len)
{
	size_t n = len, d = 0;

	while (n > 0 && s[n - 1] >= '0' && s[n - 1] <= '9')
		n--;
	if (n < len && n > 0 && s[n - 1] == 'v')
		n--;
	else
		n = len;
	/* n: without a "v<digits>" tail */
	while (d < 8 && n - d > 0 && s[n - d - 1] >= '0' && s[n - d - 1] <= '9')
		d++;
	if (d == 8 && n > 8 && !(s[n - 9] >= '0' && s[n - 9] <= '9'))
		return n - 8;
	if (len > 10) { /* dddd_dd_dd */
		const char *t = s + len - 10;
		int ok = 1;
		for (int i = 0; i < 10; i++)
			ok &= (i == 4 || i == 7) ? t[i] == '_' : (t[i] >= '0' && t[i] <= '9');
		if (ok)
			return len - 10;
	}
	return len;
}

static void set_candidate(struct kh_mapping *out, const char *a, size_t alen, const char *b,
			  size_t blen)
{
	size_t cap = sizeof(out->candidate) - 1, n = 0;
	if (alen > cap)
		alen = cap;
	memcpy(out->candidate, a, alen);
	n = alen;
	if (b && n < cap) {
		out->candidate[n++] = ':';
		if (blen > cap - n)
			blen = cap - n;
		memcpy(out->candidate + n, b, blen);
		n += blen;
	}
	out->candidate[n] = '\0';
}

static int has_action(const struct kh_mapping *out, const struct kh_action *a)
{
	for (size_t i = 0; i < out->n_actions; i++)
		if (out->actions[i].action == a)
			return 1;
	return 0;
}

struct pending {
	const struct kh__map_act *rec;
	size_t off;
};

static void add_action(struct kh_mapping *out, struct pending *pend, const struct kh_action *a,
		       const struct kh__map_act *rec, const char *reason)
{
	struct kh_mapped_action *ma;

	if (has_action(out, a))
		return;
	if (out->n_actions == KH_MAP_MAX_ACTIONS) {
		out->truncated = 1;
		return;
	}
	pend[out->n_actions].rec = rec;
	ma = &out->actions[out->n_actions++];
	ma->action = a;
	ma->reason = reason;
	ma->resource = NULL;
	ma->res_kind = KH_RES_UNKNOWN;
	ma->data_plane = kh_action_is_data_plane(a->full_name);
}

/* Is any of the '|'-separated params present? */
static int when_holds(const struct kh_event *ev, const char *when)
{
	while (when && *when) {
		const char *bar = strchr(when, '|');
		size_t n = bar ? (size_t)(bar - when) : strlen(when);
		if (kh__param_ci(ev, when, n).len)
			return 1;
		when += n + (bar ? 1 : 0);
	}
	return when == NULL;
}

static const char reason_dependent[] =
	"listed as a dependent action of the call's action in the service reference";

/* What an (eventSource, eventName) pair resolves to, whatever the record:
 * computed once per pair and kept in the caller's memo, since a scan meets
 * a few hundred pairs in millions of records. */
enum name_kind { NAME_NONE, NAME_NOPERM, NAME_GROUP, NAME_SINGLE };

struct name_facts {
	char prefix[64];
	size_t plen;
	const struct kh__map_named *skip; /* listed as not an API call */
	enum name_kind kind;
	size_t nlen;     /* length of the name as found */
	size_t stripped; /* length without a version suffix */
	const struct kh__map_act *group;
	const struct kh_action *action;
};

#define MEMO_SLOTS 1024 /* open addressing, MEMO_PROBE slots per pair */
#define MEMO_PROBE 8
#define MEMO_KEY 120    /* longer pairs are resolved every time */

struct memo_slot {
	uint64_t hash;
	size_t slen, nlen; /* the key: slen bytes of source, then the name */
	int used;
	char key[MEMO_KEY];
	struct name_facts facts;
};

struct kind_memo { /* the last eventType (or eventCategory) and its entry */
	char text[32];
	size_t len;
	int set;
	const struct kh__map_named *hit;
};

struct kh__map_memo {
	unsigned long mapper_id;
	struct kind_memo type, category;
	struct kh__ph_cache placeholders;
	struct memo_slot slots[MEMO_SLOTS];
};

static void resolve_name(const struct kh_mapper *m, struct kh_sv source, struct kh_sv name,
			 struct name_facts *f)
{
	const struct kh__map_table *t = m->t;
	char *prefix = f->prefix;

	memset(f, 0, sizeof(*f));
	f->plen = kh_map_source_prefix(m, source.ptr, source.len, prefix, sizeof(f->prefix));
	if (!f->plen || !name.len)
		return;
	if (!(f->skip = kh__map_get2(&t->skip_names, prefix, f->plen, name.ptr, name.len)))
		f->skip = kh__map_get2(&t->skip_names, prefix, f->plen, "*", 1);
	f->stripped = strip_version(name.ptr, name.len);
	if (f->stripped == 0)
		f->stripped = name.len;
	/* The event name, then without a version suffix. */
	for (int pass = 0; pass < 2; pass++) {
		f->nlen = pass ? f->stripped : name.len;
		if (pass && f->stripped == name.len)
			break;
		if (kh__map_get2(&t->noperm, prefix, f->plen, name.ptr, f->nlen)) {
			f->kind = NAME_NOPERM;
			return;
		}
		if ((f->group = kh__map_get2(&t->act_map, prefix, f->plen, name.ptr, f->nlen))) {
			f->kind = NAME_GROUP;
			return;
		}
	}
	{
		const struct kh_service *svc = kh_catalog_service(m->cat, prefix, f->plen);
		f->nlen = name.len;
		if (svc && !(f->action = kh_service_action(svc, name.ptr, name.len)) &&
		    f->stripped != name.len) {
			f->nlen = f->stripped;
			f->action = kh_service_action(svc, name.ptr, f->stripped);
		}
		f->kind = f->action ? NAME_SINGLE : NAME_NONE;
	}
}

/* The facts of ev's pair, from the memo when it holds them. */
static const struct name_facts *name_facts(const struct kh_mapper *m, struct kh__map_memo *memo,
					   const struct kh_event *ev, struct name_facts *scratch)
{
	struct kh_sv src = ev->event_source, name = ev->event_name;
	struct memo_slot *slot;
	uint64_t h;

	if (!memo || src.len + name.len > MEMO_KEY) {
		resolve_name(m, src, name, scratch);
		return scratch;
	}
	h = kh_hash_bytes(src.ptr ? src.ptr : "", src.len, 0) ^
	    (kh_hash_bytes(name.ptr ? name.ptr : "", name.len, 0) * 31);
	for (size_t i = 0; i < MEMO_PROBE; i++) {
		slot = &memo->slots[(h + i) % MEMO_SLOTS];
		if (!slot->used)
			break;
		if (slot->hash == h && slot->slen == src.len && slot->nlen == name.len &&
		    (!src.len || memcmp(slot->key, src.ptr, src.len) == 0) &&
		    (!name.len || memcmp(slot->key + src.len, name.ptr, name.len) == 0))
			return &slot->facts;
		if (i == MEMO_PROBE - 1)
			slot = &memo->slots[h % MEMO_SLOTS]; /* full: replace the first */
	}
	resolve_name(m, src, name, &slot->facts);
	slot->used = 1;
	slot->hash = h;
	slot->slen = src.len;
	slot->nlen = name.len;
	if (src.len)
		memcpy(slot->key, src.ptr, src.len);
	if (name.len)
		memcpy(slot->key + src.len, name.ptr, name.len);
	return &slot->facts;
}

/* The skip_kinds entry for "field:value", remembering the last value. */
static const struct kh__map_named *skip_kind(const struct kh__map_table *t, struct kind_memo *km,
					     const char *field, size_t flen, struct kh_sv v)
{
	const struct kh__map_named *hit;

	if (km && km->set && km->len == v.len && (!v.len || memcmp(km->text, v.ptr, v.len) == 0))
		return km->hit;
	hit = kh__map_get2(&t->skip_kinds, field, flen, v.ptr, v.len);
	if (km && v.len < sizeof(km->text)) {
		memcpy(km->text, v.ptr, v.len);
		km->len = v.len;
		km->hit = hit;
		km->set = 1;
	}
	return hit;
}

static struct kh__map_memo *memo_for(const struct kh_mapper *m, struct kh_mapping *out)
{
	if (out->memo && out->memo->mapper_id == m->id)
		return out->memo;
	free(out->memo);
	/* Without memory for it, every record is resolved from the tables. */
	if ((out->memo = calloc(1, sizeof(*out->memo))))
		out->memo->mapper_id = m->id;
	return out->memo;
}

int kh_map_event(const struct kh_mapper *m, const struct kh_event *ev, struct kh_mapping *out)
{
	const struct kh__map_table *t = m->t;
	const struct kh__map_named *e;
	struct kh__map_memo *memo = memo_for(m, out);
	struct pending pend[KH_MAP_MAX_ACTIONS];
	struct kh_sv name = ev->event_name;
	const struct name_facts *nf;
	struct name_facts scratch;
	size_t plen, nlen = 0, own;
	int nomem = 0;

	out->cls = KH_MAP_USED;
	out->denied = 0;
	out->skip_reason = NULL;
	out->candidate[0] = '\0';
	out->n_actions = 0;
	out->truncated = 0;
	out->prefix = out->prefix_buf;
	out->prefix_buf[0] = '\0';
	kh_buf_reset(&out->text);

	/* Records that are not the principal's own API call. */
	if ((ev->event_type.len &&
	     (e = skip_kind(t, memo ? &memo->type : NULL, "eventType", 9, ev->event_type))) ||
	    (ev->event_category.len &&
	     (e = skip_kind(t, memo ? &memo->category : NULL, "eventCategory", 13,
			    ev->event_category)))) {
		out->cls = KH_MAP_SKIPPED;
		out->skip_reason = e->reason;
		return KH_OK;
	}

	nf = name_facts(m, memo, ev, &scratch);
	plen = nf->plen;
	memcpy(out->prefix_buf, nf->prefix, plen + 1);
	if (!plen || !name.len) {
		out->cls = KH_MAP_UNMAPPED;
		set_candidate(out, ev->event_source.len ? ev->event_source.ptr : "(no eventSource)",
			      ev->event_source.len ? ev->event_source.len : 16, name.ptr, name.len);
		return KH_OK;
	}
	if (nf->skip) {
		out->cls = KH_MAP_SKIPPED;
		out->skip_reason = nf->skip->reason ? nf->skip->reason : "listed as not an API call";
		return KH_OK;
	}

	/* Error codes: denied, or never authorized (skipped). */
	if (ev->error_code.len) {
		e = kh_ptrmap_get(&t->errors, ev->error_code.ptr, ev->error_code.len,
				  kh__map_key_of);
		if (e && strcmp(e->value, "skip") == 0) {
			out->cls = KH_MAP_SKIPPED;
			out->skip_reason = e->reason ? e->reason : "the call was not authorized";
			return KH_OK;
		}
		out->denied = e != NULL;
	}
	if (!out->denied && ev->error_message.len &&
	    memmem(ev->error_message.ptr, ev->error_message.len, "not authorized to perform", 25))
		out->denied = 1;

	nlen = nf->nlen;
	switch (nf->kind) {
	case NAME_NOPERM:
		out->cls = KH_MAP_NO_PERMISSION;
		set_candidate(out, out->prefix_buf, plen, name.ptr, nlen);
		return KH_OK;
	case NAME_GROUP:
		for (size_t g = 0; g < nf->group->n_group; g++) {
			const struct kh__map_act *rec = nf->group + g;
			const struct kh_action *a = m->acts[rec->index];
			if (!when_holds(ev, rec->when))
				continue;
			if (!a) {
				if (out->cls != KH_MAP_UNMAPPED) {
					out->cls = KH_MAP_UNMAPPED;
					set_candidate(out, rec->action, strlen(rec->action), NULL, 0);
				}
				continue;
			}
			add_action(out, pend, a, rec, rec->reason);
		}
		break;
	case NAME_SINGLE:
		add_action(out, pend, nf->action, NULL, NULL);
		break;
	case NAME_NONE:
		out->cls = KH_MAP_UNMAPPED;
		set_candidate(out, out->prefix_buf, plen, name.ptr, nf->stripped);
		return KH_OK;
	}

	/* The catalog's dependent actions of the actions found so far. */
	own = out->n_actions;
	for (size_t i = 0; i < own; i++) {
		const struct kh_action *a = out->actions[i].action;
		for (size_t d = 0; d < a->n_dependent_actions; d++) {
			const struct kh_action *dep = kh_catalog_action(m->cat, a->dependent_actions[d]);
			if (dep)
				add_action(out, pend, dep, NULL, reason_dependent);
		}
	}

	/* Resources. Offsets first: the text buffer may move while growing. */
	{
		struct kh__res_ctx ctx;
		kh__res_ctx_init(&ctx, t, ev);
		ctx.phc = memo ? &memo->placeholders : NULL;
		for (size_t i = 0; i < out->n_actions; i++) {
			struct kh_mapped_action *ma = &out->actions[i];
			ma->res_kind = kh__resolve_resource(&ctx, ma->action, pend[i].rec, &out->text,
							    &pend[i].off, &nomem);
			if (ma->res_kind == KH_RES_ARN || ma->res_kind == KH_RES_PATTERN) {
				if (kh_buf_putc(&out->text, '\0')) {
					nomem = 1;
					ma->res_kind = KH_RES_UNKNOWN;
				}
			}
		}
		for (size_t i = 0; i < out->n_actions; i++) {
			struct kh_mapped_action *ma = &out->actions[i];
			ma->resource = (ma->res_kind == KH_RES_ARN || ma->res_kind == KH_RES_PATTERN)
					       ? out->text.data + pend[i].off
					       : NULL;
		}
	}
	if (out->cls != KH_MAP_UNMAPPED)
		out->cls = out->denied ? KH_MAP_DENIED : KH_MAP_USED;
	if (out->n_actions == 0 && out->cls != KH_MAP_UNMAPPED) {
		out->cls = KH_MAP_UNMAPPED;
		set_candidate(out, out->prefix_buf, plen, name.ptr, nlen);
	}
	return nomem ? KH_ENOMEM : KH_OK;
}

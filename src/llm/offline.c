/* offline.c - the offline free-text parser: words, units, names, source.
 *
 * The text is split into words; words become units (a lexicon phrase, a
 * catalog service, an ARN, an s3:// URL, an account ID, a region, or an
 * unknown word); unknown words next to resource nouns become their names
 * ("the orders bucket", "table orders"); the workload named before the
 * first verb becomes the source. groups.c does the rest. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "llm/offline_int.h"

#define MAX_TEXT ((size_t)64 << 10)

/* ---- words -------------------------------------------------------------- */

static int is_brk_char(char c) { return c == ',' || c == ';' || c == ':' || c == '.' || c == '!' || c == '?'; }
static int is_quote_char(char c) { return c == '"' || c == '\'' || c == '`'; }
static int is_open_char(char c) { return is_quote_char(c) || c == '(' || c == '[' || c == '{' || c == '<'; }
static int is_close_char(char c) { return is_quote_char(c) || c == ')' || c == ']' || c == '}' || c == '>'; }

static int add_word(struct parse *p, size_t s, size_t e)
{
	struct word *w;
	int brk = 0, quoted = 0;

	while (s < e && is_open_char(p->text[s]))
		quoted |= is_quote_char(p->text[s++]);
	while (e > s && (is_close_char(p->text[e - 1]) || is_brk_char(p->text[e - 1]))) {
		brk |= is_brk_char(p->text[e - 1]);
		e--;
	}
	if (e == s) {
		if (brk && p->nw)
			p->w[p->nw - 1].brk = 1;
		return KH_OK;
	}
	w = &p->w[p->nw];
	w->off = s;
	w->len = e - s;
	w->brk = brk;
	w->quoted = quoted;
	w->typo = NULL;
	w->low = kh_arena_strndup(&p->arena, p->text + s, e - s);
	if (!w->low)
		return KH_ENOMEM;
	for (char *c = w->low; *c; c++)
		*c = (char)tolower((unsigned char)*c);
	p->nw++;
	return KH_OK;
}

static int split_words(struct parse *p)
{
	size_t i = 0, max = p->len / 2 + 2;

	p->w = kh_arena_alloc(&p->arena, max * sizeof(*p->w));
	if (!p->w)
		return KH_ENOMEM;
	while (i < p->len) {
		size_t s;
		while (i < p->len && isspace((unsigned char)p->text[i]))
			i++;
		s = i;
		while (i < p->len && !isspace((unsigned char)p->text[i]))
			i++;
		if (i > s && add_word(p, s, i) != KH_OK)
			return KH_ENOMEM;
	}
	return KH_OK;
}

/* ---- single-word classes ------------------------------------------------ */

static int all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return n > 0;
}

static int all_alpha(const char *s)
{
	for (; *s; s++)
		if (!isalpha((unsigned char)*s))
			return 0;
	return 1;
}

/* "us-east-1", "eu-central-2", "us-gov-west-1". */
static int is_region(const char *s)
{
	size_t n = strlen(s), dashes = 0;
	if (n < 9 || n > 20 || !isdigit((unsigned char)s[n - 1]) || s[n - 2] != '-')
		return 0;
	for (size_t i = 0; i + 1 < n; i++) {
		if (s[i] == '-')
			dashes++;
		else if (!islower((unsigned char)s[i]))
			return 0;
	}
	return isalpha((unsigned char)s[0]) && isalpha((unsigned char)s[1]) && s[2] == '-' &&
	       (dashes == 2 || dashes == 3);
}

static enum unit_kind special_kind(const char *low)
{
	if (strncmp(low, "arn:", 4) == 0)
		return U_ARN;
	if (strncmp(low, "s3://", 5) == 0 && low[5])
		return U_S3URL;
	if (strlen(low) == 12 && all_digits(low, 12))
		return U_ACCOUNT;
	if (is_region(low))
		return U_REGION;
	return U_UNKNOWN;
}

/* The single-word lexicon entry of w, or NULL. */
static const struct kh__lex_entry *word_entry(const struct parse *p, const char *w)
{
	size_t used;
	const char *words[1] = {w};
	return kh__lexicon_match(p->lx, words, 1, &used);
}

/* The service a single word names (lexicon noun or catalog prefix), or NULL;
 * *rt tells whether it names a resource type. */
static const char *word_service(const struct parse *p, const char *w, int *rt)
{
	const struct kh__lex_entry *e = word_entry(p, w);
	const struct kh_service *svc;

	*rt = 0;
	if (e && e->kind == KH__LEX_NOUN) {
		*rt = e->rtype != NULL;
		return e->service;
	}
	if (e)
		return NULL;
	svc = kh_catalog_service(p->cat, w, strlen(w));
	return svc ? svc->prefix : NULL;
}

static int word_known(const struct parse *p, const char *w)
{
	int rt;
	return special_kind(w) != U_UNKNOWN || word_entry(p, w) || word_service(p, w, &rt);
}

/* ---- typos -------------------------------------------------------------- */

/* The closest noun, verb or catalog prefix to w within the typo limit. */
static const char *typo_candidate(const struct parse *p, const char *w)
{
	size_t n = strlen(w), limit = n >= 8 ? 2 : 1, best_d = limit + 1;
	const char *best = NULL;

	if (n < 4 || !all_alpha(w))
		return NULL;
	for (size_t i = 0; i < kh__lexicon_count(p->lx); i++) {
		const struct kh__lex_entry *e = kh__lexicon_at(p->lx, i);
		size_t d;
		if ((e->kind != KH__LEX_NOUN && e->kind != KH__LEX_VERB) || e->n_words != 1)
			continue;
		d = kh__osa_distance(w, n, e->phrase, strlen(e->phrase), limit);
		if (d < best_d) {
			best_d = d;
			best = e->phrase;
		}
	}
	for (size_t i = 0; i < kh_catalog_service_count(p->cat); i++) {
		const char *pre = kh_catalog_service_at(p->cat, i)->prefix;
		const struct kh__lex_entry *e;
		size_t d;
		if (strlen(pre) < 4 || !all_alpha(pre))
			continue;
		e = word_entry(p, pre);
		if (e && e->kind != KH__LEX_NOUN)
			continue; /* an ignored prefix */
		d = kh__osa_distance(w, n, pre, strlen(pre), limit);
		if (d < best_d) {
			best_d = d;
			best = pre;
		}
	}
	return best;
}

static int word_is_rt_noun(const struct parse *p, size_t i)
{
	int rt = 0;
	return i < p->nw && word_service(p, p->w[i].low, &rt) && rt;
}

static int word_kind_is(const struct parse *p, size_t i, enum kh__lex_kind k)
{
	const struct kh__lex_entry *e = i < p->nw ? word_entry(p, p->w[i].low) : NULL;
	return e && e->kind == k;
}

static size_t match_catalog_name(const struct parse *p, size_t wi, const struct kh_service **out);

/* Is word i part of a known phrase of two or more words ("step functions",
 * "full control")? */
static int in_phrase(const struct parse *p, size_t i)
{
	for (size_t s = i >= 3 ? i - 3 : 0; s <= i; s++) {
		const char *words[4];
		const struct kh_service *svc;
		size_t n = 0, used = 0;
		while (n < 4 && s + n < p->nw) {
			words[n] = p->w[s + n].low;
			if (p->w[s + n++].brk)
				break;
		}
		if (kh__lexicon_match(p->lx, words, n, &used) && used >= 2 && s + used > i)
			return 1;
		used = match_catalog_name(p, s, &svc);
		if (used >= 2 && s + used > i)
			return 1;
	}
	return 0;
}

/* Corrects unknown words ("lamda", "recieve") unless their place says they
 * are names: right after a resource noun, or "the X bucket" unless X is a
 * misspelled qualifier of the same service. */
static void fix_typos(struct parse *p)
{
	for (size_t i = 0; i < p->nw; i++) {
		struct word *w = &p->w[i];
		const char *cand;
		int rt;

		if (w->quoted || word_known(p, w->low) || in_phrase(p, i))
			continue;
		if (i > 0 && !p->w[i - 1].brk &&
		    (word_is_rt_noun(p, i - 1) || word_kind_is(p, i - 1, KH__LEX_CALLED)))
			continue;
		cand = typo_candidate(p, w->low);
		if (!cand)
			continue;
		if (!w->brk && word_is_rt_noun(p, i + 1) && i > 0 && word_kind_is(p, i - 1, KH__LEX_DET)) {
			const char *a = word_service(p, cand, &rt);
			const char *b = word_service(p, p->w[i + 1].low, &rt);
			if (!a || !b || strcmp(a, b) != 0)
				continue;
		}
		w->typo = w->low;
		w->low = (char *)cand; /* points into the lexicon or catalog */
	}
}

/* ---- units -------------------------------------------------------------- */

/* Catalog service names as words: "Amazon Simple Queue Service" ->
 * "simple queue service". Matches n >= 2 words at wi; returns the count. */
static size_t match_catalog_name(const struct parse *p, size_t wi, const struct kh_service **out)
{
	size_t best = 0;
	for (size_t s = 0; s < kh_catalog_service_count(p->cat); s++) {
		const struct kh_service *svc = kh_catalog_service_at(p->cat, s);
		const char *n = svc->name;
		size_t k = 0;
		while (*n) {
			size_t l;
			while (*n == ' ')
				n++;
			l = strcspn(n, " ");
			if (!l || *n == '(')
				break;
			if (k == 0 && ((l == 6 && strncasecmp(n, "amazon", 6) == 0) ||
				       (l == 3 && strncasecmp(n, "aws", 3) == 0))) {
				n += l;
				continue;
			}
			if (wi + k >= p->nw || strlen(p->w[wi + k].low) != l ||
			    strncasecmp(n, p->w[wi + k].low, l) != 0 ||
			    (*(n + l) && p->w[wi + k].brk)) {
				k = 0;
				break;
			}
			k++;
			n += l;
		}
		if (*n && *n != '(')
			k = 0;
		if (k >= 2 && k > best) {
			best = k;
			*out = svc;
		}
	}
	return best;
}

static void unit_from_entry(struct unit *u, const struct kh__lex_entry *e)
{
	static const enum unit_kind map[] = {
		[KH__LEX_NOUN] = U_NOUN,     [KH__LEX_VERB] = U_VERB,   [KH__LEX_NEG] = U_NEG,
		[KH__LEX_PERM] = U_PERM,     [KH__LEX_FUNC] = U_FUNC,   [KH__LEX_FILLER] = U_FILLER,
		[KH__LEX_IGNORE] = U_FILLER, [KH__LEX_CALLED] = U_CALLED, [KH__LEX_DET] = U_DET,
	};
	u->lx = e;
	u->kind = map[e->kind];
	u->service = e->service;
	u->rtype = e->rtype;
	u->src = e->source;
	u->suffix = e->suffix;
	u->lflags = e->flags;
	u->levels = e->levels;
}

/* Classifies the unit starting at word wi; returns how many words it took. */
static size_t classify(struct parse *p, size_t wi, struct unit *u)
{
	const char *words[4];
	size_t n = 0, used = 0, cused;
	const struct kh__lex_entry *e;
	const struct kh_service *svc = NULL;

	u->kind = special_kind(p->w[wi].low);
	if (u->kind != U_UNKNOWN)
		return 1;
	while (n < 4 && wi + n < p->nw && special_kind(p->w[wi + n].low) == U_UNKNOWN) {
		words[n] = p->w[wi + n].low;
		if (p->w[wi + n++].brk)
			break;
	}
	e = kh__lexicon_match(p->lx, words, n, &used);
	cused = match_catalog_name(p, wi, &svc);
	if (cused > used) {
		u->kind = U_NOUN;
		u->service = svc->prefix;
		return cused;
	}
	if (e) {
		unit_from_entry(u, e);
		return used;
	}
	svc = kh_catalog_service(p->cat, words[0], strlen(words[0]));
	if (svc) {
		u->kind = U_NOUN;
		u->service = svc->prefix;
	}
	return 1;
}

/* The resource noun a name-shaped word ends with: "results-bucket",
 * "orders_table" -> the entry of "bucket", "table" (not hint nouns). */
static const struct kh__lex_entry *noun_suffix(const struct parse *p, const char *low,
					       size_t *at)
{
	const char *sep = strrchr(low, '-'), *us = strrchr(low, '_');
	const struct kh__lex_entry *e;

	if (!sep || (us && us > sep))
		sep = us;
	if (!sep || sep == low || !sep[1])
		return NULL;
	e = word_entry(p, sep + 1);
	if (!e || e->kind != KH__LEX_NOUN || !e->rtype || (e->flags & KH__LEX_WEAK))
		return NULL;
	*at = (size_t)(sep + 1 - low);
	return e;
}

static int build_units(struct parse *p)
{
	p->u = kh_arena_alloc(&p->arena, (2 * p->nw + 1) * sizeof(*p->u));
	if (!p->u)
		return KH_ENOMEM;
	for (size_t wi = 0; wi < p->nw;) {
		struct unit *u = &p->u[p->nu++];
		const struct kh__lex_entry *e;
		size_t k, at;
		memset(u, 0, sizeof(*u));
		u->name_of = -1;
		u->grp = -1;
		k = classify(p, wi, u);
		u->w0 = wi;
		u->nw = k;
		u->off = p->w[wi].off;
		u->end = p->w[wi + k - 1].off + p->w[wi + k - 1].len;
		u->brk = p->w[wi + k - 1].brk;
		u->quoted = p->w[wi].quoted;
		wi += k;
		/* "results-bucket": the word names a bucket, and says so; but in
		 * "the stripe-key secret" the noun after it says what it names. */
		if (u->kind == U_UNKNOWN && k == 1 && !p->w[u->w0].typo &&
		    !(!u->brk && word_is_rt_noun(p, wi)) &&
		    (e = noun_suffix(p, p->w[u->w0].low, &at)) != NULL) {
			struct unit *n = &p->u[p->nu++];
			*n = *u;
			unit_from_entry(n, e);
			n->off = u->off + at;
			u->brk = 0;
			u->name_of = (int)(p->nu - 1);
		}
	}
	return KH_OK;
}

/* ---- names -------------------------------------------------------------- */

static int same_service(const struct unit *a, const struct unit *b)
{
	return a->service && b->service && strcmp(a->service, b->service) == 0;
}

static void set_name(struct unit *c, int noun)
{
	c->name_of = noun;
	c->kind = U_UNKNOWN;
}

/* Can unit c, right after the resource noun, be its name? A filler can
 * when a preposition precedes the noun ("to table results"). */
static int name_after_ok(const struct unit *c, int after_prep)
{
	return c->name_of < 0 && (c->kind == U_UNKNOWN || (c->quoted && c->kind != U_ARN) ||
				  (after_prep && c->kind == U_FILLER));
}

static int looks_like_name(const struct parse *p, const struct unit *c)
{
	return c->kind == U_UNKNOWN && c->name_of < 0 &&
	       strpbrk(p->w[c->w0].low, "-_./0123456789") != NULL;
}

/* "messages to events-queue": a hint noun, then a name-shaped word after
 * a few function words of the same clause. */
static void weak_name_ahead(struct parse *p, size_t i)
{
	for (size_t j = i + 1; j < p->nu && j <= i + 4 && !p->u[j - 1].brk; j++) {
		if (looks_like_name(p, &p->u[j])) {
			set_name(&p->u[j], (int)i);
			return;
		}
		if (p->u[j].kind != U_FUNC && p->u[j].kind != U_DET)
			return;
	}
}

/* Can unit c, before the resource noun n (and after det, when set), be its name? */
static int name_before_ok(const struct unit *c, const struct unit *n, int after_det)
{
	if (c->brk || c->name_of >= 0 || c->kind == U_ARN || c->kind == U_S3URL)
		return 0;
	switch (c->kind) {
	case U_UNKNOWN:
	case U_FILLER:
		return 1;
	case U_NOUN:
		return !same_service(c, n);
	case U_VERB:
	case U_PERM:
		return after_det;
	default:
		return 0;
	}
}

/* "bucket orders", "table called orders", "the orders bucket",
 * "the orders dynamodb table", "the orders and users tables". */
static void find_names(struct parse *p)
{
	for (size_t i = 0; i < p->nu; i++) {
		struct unit *n = &p->u[i];
		size_t j = i + 1;
		long k;

		if (n->kind != U_NOUN || !n->rtype || n->name_of >= 0 ||
		    (i > 0 && p->u[i - 1].name_of == (int)i)) /* named by its own word */
			continue;
		if (j < p->nu && !n->brk && p->u[j].kind == U_CALLED && !p->u[j].brk)
			p->u[j++].used = 1;
		if (j < p->nu && !p->u[j - 1].brk &&
		    name_after_ok(&p->u[j], i > 0 && p->u[i - 1].kind == U_FUNC)) {
			set_name(&p->u[j], (int)i);
			continue;
		}
		k = (long)i - 1;
		while (k >= 0 && p->u[k].kind == U_NOUN && same_service(&p->u[k], n) && !p->u[k].brk)
			k--;
		/* before a hint noun ("parquet files", "order messages") a plain word
		 * describes the contents; only a name-shaped or quoted one names */
		if (k < 0 || !name_before_ok(&p->u[k], n, k > 0 && p->u[k - 1].kind == U_DET) ||
		    ((n->lflags & KH__LEX_WEAK) && !looks_like_name(p, &p->u[k]) && !p->u[k].quoted)) {
			if (n->lflags & KH__LEX_WEAK)
				weak_name_ahead(p, i);
			continue;
		}
		set_name(&p->u[k], (int)i);
		/* "the orders and customers tables" */
		while ((n->lflags & KH__LEX_PLURAL) && k >= 2 && p->u[k - 1].kind == U_FUNC &&
		       strcmp(p->u[k - 1].lx->phrase, "and") == 0 && p->u[k - 2].kind == U_UNKNOWN &&
		       p->u[k - 2].name_of < 0 && !p->u[k - 2].brk) {
			k -= 2;
			set_name(&p->u[k], (int)i);
		}
	}
}

/* ---- source, account, region ------------------------------------------- */

static void find_source(struct parse *p)
{
	size_t first_verb = p->nu;
	const char *src = NULL;

	for (size_t i = 0; i < p->nu; i++)
		if (p->u[i].kind == U_VERB) {
			first_verb = i;
			break;
		}
	for (size_t i = 0; i < first_verb; i++) {
		struct unit *u = &p->u[i];
		if (u->kind != U_NOUN || !u->src || (src && strcmp(src, u->src) != 0))
			continue;
		src = u->src;
		u->is_source = 1;
		u->used = 1;
	}
	for (size_t i = 0; i < p->nu; i++)
		if (p->u[i].name_of >= 0 && p->u[p->u[i].name_of].is_source)
			p->u[i].used = 1;
	if (src && !(p->r->source = strdup(src)))
		p->r->source = NULL;
}

static void find_scope(struct parse *p)
{
	for (size_t i = 0; i < p->nu; i++) {
		struct unit *u = &p->u[i];
		char *s = p->w[u->w0].low;
		if (u->kind == U_ACCOUNT && !p->account) {
			p->account = s;
			u->used = 1;
		} else if (u->kind == U_REGION && !p->region) {
			p->region = s;
			u->used = 1;
		}
	}
}

/* "manage/change/edit ... policy|permissions|acl" asks for permissions. */
static void find_perm_phrases(struct parse *p)
{
	static const char *const managers[] = {"manage", "change", "edit", "update",
					       "set", "modify", "administer"};
	for (size_t i = 0; i < p->nu; i++) {
		struct unit *v = &p->u[i];
		int is_mgr = 0;
		if (v->kind != U_VERB || !v->lx)
			continue;
		for (size_t m = 0; m < sizeof(managers) / sizeof(managers[0]); m++)
			is_mgr |= strcmp(v->lx->phrase, managers[m]) == 0;
		for (size_t j = i + 1; is_mgr && j < p->nu && j <= i + 4; j++) {
			if (p->u[j].kind == U_PERM) {
				v->levels = KH_LEVEL_PERMISSIONS;
				v->lflags &= ~(unsigned)KH__LEX_BROAD;
				p->u[j].used = 1;
				break;
			}
			if (p->u[j].brk || p->u[j].kind == U_VERB)
				break;
		}
	}
}

/* ---- entry points ------------------------------------------------------- */

static int prepare(struct parse *p, const struct kh_catalog *cat, const char *text, size_t len,
		   struct kh_describe_result *r)
{
	memset(p, 0, sizeof(*p));
	p->cat = cat;
	p->text = text;
	p->len = len;
	p->r = r;
	kh_arena_init(&p->arena);
	p->lx = kh__lexicon_builtin();
	if (!p->lx || split_words(p) != KH_OK)
		return KH_ENOMEM;
	fix_typos(p);
	if (build_units(p) != KH_OK)
		return KH_ENOMEM;
	find_names(p);
	return KH_OK;
}

int kh__describe_offline(const struct kh_catalog *cat, const char *text, size_t len,
			 struct kh_describe_result *r)
{
	struct parse p;
	int rc;

	if (len > MAX_TEXT)
		return KH_ELIMIT;
	rc = prepare(&p, cat, text, len, r);
	if (rc == KH_OK) {
		find_scope(&p);
		find_source(&p);
		find_perm_phrases(&p);
		rc = kh__offline_groups(&p);
	}
	kh_arena_release(&p.arena);
	return rc;
}

int kh__describe_names(const struct kh_catalog *cat, const char *text, size_t len,
		       size_t **out, size_t *n_pairs)
{
	struct parse p;
	int rc;

	*out = NULL;
	*n_pairs = 0;
	if (len > MAX_TEXT)
		return KH_ELIMIT;
	rc = prepare(&p, cat, text, len, NULL);
	if (rc == KH_OK && p.nu && !(*out = malloc(2 * p.nu * sizeof(**out))))
		rc = KH_ENOMEM;
	for (size_t i = 0; rc == KH_OK && i < p.nu; i++) {
		if (p.u[i].name_of < 0)
			continue;
		(*out)[2 * *n_pairs] = p.u[i].off;
		(*out)[2 * *n_pairs + 1] = p.u[i].end - p.u[i].off;
		(*n_pairs)++;
	}
	kh_arena_release(&p.arena);
	return rc;
}

/* lexicon.c - the embedded word list of the free-text parser.
 *
 * data/describe-aliases.tsv is compiled in (describe_aliases_data.S.in) and
 * parsed once into a table of entries; see the file for its format. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "keyhole/catalog.h"
#include "llm/describe_int.h"

extern const char kh_describe_aliases_data[], kh_describe_aliases_data_end[];

struct kh__lexicon {
	struct kh__lex_entry *entries;
	size_t n;
	struct kh__lex_act *acts;
	size_t n_acts;
	char *text; /* the copy that entries point into */
};

static struct kh__lexicon builtin;
static int builtin_ok;
static pthread_once_t builtin_once = PTHREAD_ONCE_INIT;

static const struct {
	const char *name;
	enum kh__lex_kind kind;
} kinds[] = {
	{"noun", KH__LEX_NOUN},     {"verb", KH__LEX_VERB},     {"neg", KH__LEX_NEG},
	{"perm", KH__LEX_PERM},     {"func", KH__LEX_FUNC},     {"filler", KH__LEX_FILLER},
	{"ignore", KH__LEX_IGNORE}, {"called", KH__LEX_CALLED}, {"det", KH__LEX_DET},
};

/* Splits line at tabs into at most max fields (NUL-terminating them). */
static size_t split_tabs(char *line, char **f, size_t max)
{
	size_t n = 0;
	while (n < max) {
		f[n++] = line;
		line = strchr(line, '\t');
		if (!line)
			break;
		*line++ = '\0';
	}
	return n;
}

static unsigned parse_levels(const char *s)
{
	unsigned bits = 0;
	while (*s) {
		size_t n = strcspn(s, ",");
		bits |= kh_level_parse(s, n);
		s += n + (s[n] == ',');
	}
	return bits;
}

/* Reads "rt=table,src=lambda,weak" into e. */
static void parse_noun_flags(char *s, struct kh__lex_entry *e)
{
	while (s && *s) {
		char *comma = strchr(s, ',');
		if (comma)
			*comma = '\0';
		if (strncmp(s, "rt=", 3) == 0)
			e->rtype = s + 3;
		else if (strncmp(s, "src=", 4) == 0)
			e->source = s + 4;
		else if (strncmp(s, "sfx=", 4) == 0)
			e->suffix = s + 4;
		else if (strcmp(s, "weak") == 0)
			e->flags |= KH__LEX_WEAK;
		else if (strcmp(s, "plural") == 0)
			e->flags |= KH__LEX_PLURAL;
		s = comma ? comma + 1 : NULL;
	}
}

/* "act VERBS SERVICE ACTIONS": the verbs mean these actions of the service. */
static int parse_act(char *line, struct kh__lex_act *a)
{
	char *f[4] = {0};
	if (split_tabs(line, f, 4) != 4 || strcmp(f[0], "act") != 0 || !f[1][0] || !f[2][0] ||
	    !f[3][0])
		return 0;
	a->verbs = f[1];
	a->service = f[2];
	a->actions = f[3];
	return 1;
}

static int parse_entry(char *line, struct kh__lex_entry *e)
{
	char *f[4] = {0};
	size_t n = split_tabs(line, f, 4);
	const char *p;

	size_t k = 0;

	memset(e, 0, sizeof(*e));
	if (n < 2 || !f[1][0])
		return 0;
	while (k < sizeof(kinds) / sizeof(kinds[0]) && strcmp(f[0], kinds[k].name) != 0)
		k++;
	if (k == sizeof(kinds) / sizeof(kinds[0]))
		return 0;
	e->kind = kinds[k].kind;
	e->phrase = f[1];
	e->n_words = 1;
	for (p = f[1]; *p; p++)
		e->n_words += *p == ' ';
	if (e->kind == KH__LEX_NOUN) {
		if (n < 3)
			return 0;
		e->service = f[2];
		parse_noun_flags(n > 3 ? f[3] : NULL, e);
	} else if (e->kind == KH__LEX_VERB) {
		e->levels = n > 2 ? parse_levels(f[2]) : 0;
		if (!e->levels)
			return 0;
		if (n > 3 && strcmp(f[3], "broad") == 0)
			e->flags |= KH__LEX_BROAD;
	} else if (e->kind == KH__LEX_NEG && n > 2 && strcmp(f[2], "post") == 0) {
		e->flags |= KH__LEX_POST;
	}
	return 1;
}

static void load_builtin(void)
{
	size_t len = (size_t)(kh_describe_aliases_data_end - kh_describe_aliases_data);
	size_t lines = 1;
	char *p;

	builtin.text = malloc(len + 1);
	if (!builtin.text)
		return;
	memcpy(builtin.text, kh_describe_aliases_data, len);
	builtin.text[len] = '\0';
	for (size_t i = 0; i < len; i++)
		lines += builtin.text[i] == '\n';
	builtin.entries = calloc(lines, sizeof(*builtin.entries));
	builtin.acts = calloc(lines, sizeof(*builtin.acts));
	if (!builtin.entries || !builtin.acts)
		return;
	for (p = builtin.text; p && *p;) {
		char *nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		if (strncmp(p, "act\t", 4) == 0)
			builtin.n_acts += parse_act(p, &builtin.acts[builtin.n_acts]);
		else if (*p != '#' && parse_entry(p, &builtin.entries[builtin.n]))
			builtin.n++;
		p = nl ? nl + 1 : NULL;
	}
	builtin_ok = 1;
}

const struct kh__lexicon *kh__lexicon_builtin(void)
{
	pthread_once(&builtin_once, load_builtin);
	return builtin_ok ? &builtin : NULL;
}

size_t kh__lexicon_count(const struct kh__lexicon *lx) { return lx->n; }

const struct kh__lex_entry *kh__lexicon_at(const struct kh__lexicon *lx, size_t i)
{
	return i < lx->n ? &lx->entries[i] : NULL;
}

size_t kh__lexicon_act_count(const struct kh__lexicon *lx) { return lx->n_acts; }

const struct kh__lex_act *kh__lexicon_act_at(const struct kh__lexicon *lx, size_t i)
{
	return i < lx->n_acts ? &lx->acts[i] : NULL;
}

/* Is word one of the comma-separated items of list? */
static int csv_has(const char *list, const char *word)
{
	size_t wl = strlen(word);
	while (*list) {
		size_t n = strcspn(list, ",");
		if (n == wl && strncmp(list, word, n) == 0)
			return 1;
		list += n + (list[n] == ',');
	}
	return 0;
}

const char *kh__lexicon_actions(const struct kh__lexicon *lx, const char *verb, const char *service)
{
	for (size_t i = 0; i < lx->n_acts; i++)
		if (strcmp(lx->acts[i].service, service) == 0 && csv_has(lx->acts[i].verbs, verb))
			return lx->acts[i].actions;
	return NULL;
}

unsigned kh__lexicon_verb_levels(const struct kh__lexicon *lx, const char *phrase)
{
	for (size_t i = 0; i < lx->n; i++)
		if (lx->entries[i].kind == KH__LEX_VERB && strcmp(lx->entries[i].phrase, phrase) == 0)
			return lx->entries[i].levels;
	return 0;
}

/* Does phrase equal words[0..k) joined by spaces? */
static int phrase_is(const char *phrase, const char *const *words, size_t k)
{
	for (size_t i = 0; i < k; i++) {
		size_t wl = strlen(words[i]);
		if (strncmp(phrase, words[i], wl) != 0)
			return 0;
		phrase += wl;
		if (i + 1 < k && *phrase++ != ' ')
			return 0;
	}
	return *phrase == '\0';
}

/* dst = w[0..len) + tail; the caller keeps it within 48 bytes. */
static void stem_set(char *dst, const char *w, size_t len, const char *tail)
{
	size_t tl = strlen(tail);
	memcpy(dst, w, len);
	memcpy(dst + len, tail, tl + 1);
}

/* Writes into stems[] the base-form candidates of an inflected verb. */
static size_t verb_stems(const char *w, char stems[4][48])
{
	size_t n = strlen(w), k = 0;
	if (n < 4 || n >= 47)
		return 0;
	if (n > 4 && strcmp(w + n - 3, "ing") == 0) {
		stem_set(stems[k++], w, n - 3, "");
		stem_set(stems[k++], w, n - 3, "e");
		if (w[n - 4] == w[n - 5])
			stem_set(stems[k++], w, n - 4, "");
	} else if (strcmp(w + n - 2, "ed") == 0) {
		stem_set(stems[k++], w, n - 2, "");
		stem_set(stems[k++], w, n - 1, "");
		if (w[n - 3] == w[n - 4])
			stem_set(stems[k++], w, n - 3, "");
	} else if (strcmp(w + n - 3, "ies") == 0) {
		stem_set(stems[k++], w, n - 3, "y");
	} else if (w[n - 1] == 's') {
		stem_set(stems[k++], w, n - 1, "");
		if (w[n - 2] == 'e')
			stem_set(stems[k++], w, n - 2, "");
	}
	return k;
}

const struct kh__lex_entry *kh__lexicon_match(const struct kh__lexicon *lx,
					      const char *const *words, size_t n, size_t *used)
{
	const struct kh__lex_entry *best = NULL;
	char stems[4][48];
	size_t ns;

	*used = 0;
	for (size_t i = 0; i < lx->n; i++) {
		const struct kh__lex_entry *e = &lx->entries[i];
		size_t k = (size_t)e->n_words;
		if (k > n || k <= *used)
			continue;
		if (phrase_is(e->phrase, words, k)) {
			best = e;
			*used = k;
		}
	}
	if (best || n == 0)
		return best;
	ns = verb_stems(words[0], stems);
	for (size_t s = 0; s < ns; s++)
		for (size_t i = 0; i < lx->n; i++) {
			const struct kh__lex_entry *e = &lx->entries[i];
			if (e->kind == KH__LEX_VERB && e->n_words == 1 &&
			    strcmp(e->phrase, stems[s]) == 0) {
				*used = 1;
				return e;
			}
		}
	return NULL;
}

size_t kh__osa_distance(const char *a, size_t alen, const char *b, size_t blen, size_t limit)
{
	size_t d[3][64];
	size_t *prev2 = d[0], *prev = d[1], *cur = d[2];

	if (alen >= 63 || blen >= 63)
		return limit + 1;
	if ((alen > blen ? alen - blen : blen - alen) > limit)
		return limit + 1;
	for (size_t j = 0; j <= blen; j++)
		prev[j] = j;
	for (size_t i = 1; i <= alen; i++) {
		size_t *t;
		cur[0] = i;
		for (size_t j = 1; j <= blen; j++) {
			size_t cost = a[i - 1] != b[j - 1];
			size_t v = prev[j - 1] + cost;
			if (prev[j] + 1 < v)
				v = prev[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < v)
				v = prev2[j - 2] + 1;
			cur[j] = v;
		}
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[blen] > limit ? limit + 1 : prev[blen];
}

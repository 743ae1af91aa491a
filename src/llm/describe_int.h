/* describe_int.h - internals of the free-text intent parser (src/llm/).
 *
 * lexicon.c  the embedded word list (data/describe-aliases.tsv)
 * offline.c  tokens, names, the source: text -> units, deterministically
 * groups.c   units -> grants: verbs with their targets, negations
 * verbs.c    verbs that mean particular actions of a service
 * result.c   the result: string lists, grants, JSON forms
 * describe.c the public entry point: offline or model, with fallback
 * anon.c     placeholders for ARNs, accounts and names sent to a model
 * provider.c the OpenAI-compatible request, schema and reply checking
 */
#ifndef KH_DESCRIBE_INT_H
#define KH_DESCRIBE_INT_H

#include <stddef.h>

#include "keyhole/buf.h"
#include "keyhole/catalog.h"
#include "keyhole/describe.h"

/* ---- lexicon ---------------------------------------------------------- */

enum kh__lex_kind {
	KH__LEX_NOUN,
	KH__LEX_VERB,
	KH__LEX_NEG,
	KH__LEX_PERM,
	KH__LEX_FUNC,
	KH__LEX_FILLER,
	KH__LEX_IGNORE,
	KH__LEX_CALLED,
	KH__LEX_DET,
};

enum kh__lex_flag {
	KH__LEX_WEAK = 1 << 0,
	KH__LEX_PLURAL = 1 << 1,
	KH__LEX_BROAD = 1 << 2,
	KH__LEX_POST = 1 << 3,
};

struct kh__lex_entry {
	enum kh__lex_kind kind;
	const char *phrase; /* lower-case words separated by one space */
	int n_words;
	const char *service; /* nouns: catalog prefix */
	const char *rtype;   /* nouns: catalog resource type or NULL */
	const char *source;  /* nouns: service principal name or NULL */
	const char *suffix;  /* nouns: appended to named ARNs, or NULL */
	unsigned levels;     /* verbs */
	unsigned flags;      /* enum kh__lex_flag */
};

/* "act" lines: verbs that mean particular actions of a service ("publish"
 * to an SNS topic is sns:Publish, not all of SNS's write level). */
struct kh__lex_act {
	const char *verbs;   /* verb phrases, comma-separated */
	const char *service; /* catalog prefix */
	const char *actions; /* action names without the prefix, comma-separated */
};

/* The built-in lexicon, parsed once (thread-safe) and kept for the life of
 * the process. NULL only when out of memory. */
struct kh__lexicon;
const struct kh__lexicon *kh__lexicon_builtin(void);
size_t kh__lexicon_count(const struct kh__lexicon *lx);
const struct kh__lex_entry *kh__lexicon_at(const struct kh__lexicon *lx, size_t i);
size_t kh__lexicon_act_count(const struct kh__lexicon *lx);
const struct kh__lex_act *kh__lexicon_act_at(const struct kh__lexicon *lx, size_t i);
/* The actions (comma-separated, without the prefix) that the verb phrase
 * means for service, or NULL when it means its access levels there. */
const char *kh__lexicon_actions(const struct kh__lexicon *lx, const char *verb,
				const char *service);
/* The levels of the verb phrase as written in the lexicon; 0 when none. */
unsigned kh__lexicon_verb_levels(const struct kh__lexicon *lx, const char *phrase);
/* The longest entry matching words[0..n) as a prefix (each word lower-case);
 * *used tells how many words. Single words also match inflected forms of
 * verbs (-s, -es, -ing, -ed). NULL when none. */
const struct kh__lex_entry *kh__lexicon_match(const struct kh__lexicon *lx,
					      const char *const *words, size_t n, size_t *used);

/* Optimal string alignment distance (edits and adjacent swaps), ASCII,
 * capped at limit + 1. */
size_t kh__osa_distance(const char *a, size_t alen, const char *b, size_t blen, size_t limit);

/* ---- result helpers ---------------------------------------------------- */

/* Appends a copy of s[0..len) to the list *v of *n strings. */
int kh__strv_push(char ***v, size_t *n, const char *s, size_t len);
void kh__strv_free(char **v, size_t n);
int kh__note(struct kh_describe_result *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int kh__term(struct kh_describe_result *r, const char *phrase, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* What a grant allows: access levels and particular actions. */
#define KH__MAX_GRANT_ACTIONS 32
struct kh__access {
	unsigned levels;
	size_t n_acts;
	const struct kh_action *acts[KH__MAX_GRANT_ACTIONS];
};
/* Appends to acc (may be NULL) the actions of list (names without the
 * prefix, comma-separated) that can act on arn (NULL or "": on any
 * resource). Returns how many could. */
size_t kh__actions_on_arn(const struct kh_service *svc, const char *list, const char *arn,
			  struct kh__access *acc);
/* Adds a grant, or merges levels and actions into an existing one with the
 * same service and ARN (arn may be NULL). */
int kh__grant_add(struct kh_describe_result *r, const char *service, const char *arn,
		  const struct kh__access *acc);
/* Clears grants, source, terms, unparsed and the intent (not notes). */
void kh__result_clear_parse(struct kh_describe_result *r);
/* Writes r->intent from source and grants. */
int kh__result_write_intent(struct kh_describe_result *r, const char *name);
/* Appends ["list", "read", ...] for levels (["admin"] for all five). */
int kh__levels_json(struct kh_buf *b, unsigned levels);

/* ---- offline parser --------------------------------------------------- */

/* Parses text into r's source, grants, terms and unparsed (not the intent).
 * Returns KH_OK or KH_ENOMEM. */
int kh__describe_offline(const struct kh_catalog *cat, const char *text, size_t len,
			 struct kh_describe_result *r);

/* Resource names the offline parser would take from text, as (offset,
 * length) pairs into text, in order; used to anonymize. *out is malloc()'ed. */
int kh__describe_names(const struct kh_catalog *cat, const char *text, size_t len,
		       size_t **out, size_t *n_pairs);

/* ---- anonymization ----------------------------------------------------- */

struct kh__anon_pair {
	char *placeholder;
	char *original;
};
struct kh__anon {
	struct kh__anon_pair *pairs;
	size_t n;
};
/* Replaces ARNs, 12-digit account IDs, s3:// URLs and resource names in text
 * with placeholders (arn:aws:s3:::bucket-1, 111111111111, name-1) into out,
 * recording each mapping in a (which the caller releases). */
int kh__anon_text(const struct kh_catalog *cat, const char *text, size_t len,
		  struct kh__anon *a, struct kh_buf *out);
/* Replaces every placeholder in s by its original, into out. */
int kh__anon_restore(const struct kh__anon *a, const char *s, struct kh_buf *out);
void kh__anon_release(struct kh__anon *a);

/* ---- model provider --------------------------------------------------- */

/* Asks the endpoint for the intent (or actions) of text and fills r from
 * the checked reply. Returns KH_OK when the reply was used; KH_ENETWORK
 * (with err) when the endpoint failed, so the caller falls back. */
int kh__describe_model(const struct kh_catalog *cat, const char *text, size_t len,
		       const struct kh_describe_opts *opts, struct kh_describe_result *r,
		       struct kh_error *err);
/* The checking half: fills r from a chat-completions reply body (a
 * NUL-terminated string; untrusted), mapping placeholders back through a.
 * flags as in kh_describe_opts. KH_EINPUT (with err) when the reply holds
 * no JSON object. */
int kh__describe_model_reply(const struct kh_catalog *cat, const struct kh__anon *a,
			     const char *reply, unsigned flags, struct kh_describe_result *r,
			     struct kh_error *err);

#endif

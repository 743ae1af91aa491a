/* offline_int.h - the offline parser's working state, shared by offline.c
 * (words, units, names, source) and groups.c (grants, unparsed). */
#ifndef KH_OFFLINE_INT_H
#define KH_OFFLINE_INT_H

#include "llm/describe_int.h"
#include "util/util.h"

enum unit_kind {
	U_UNKNOWN,
	U_NOUN,
	U_VERB,
	U_NEG,
	U_PERM,
	U_FUNC,
	U_FILLER,
	U_CALLED,
	U_DET,
	U_ARN,
	U_S3URL,
	U_ACCOUNT,
	U_REGION,
};

enum unit_role { R_NONE, R_POS, R_NEG, R_TARGET };

/* A word of the text. */
struct word {
	size_t off, len; /* span in the text, punctuation and quotes stripped */
	char *low;       /* lower-case form, or the typo's correction */
	const char *typo; /* the lower-case original when corrected */
	int brk;          /* a clause break (, ; : . ! ?) follows */
	int quoted;
};

/* One or more words read as one thing: "state machine", "orders", an ARN. */
struct unit {
	size_t w0, nw; /* words */
	size_t off, end;
	int brk, quoted;
	enum unit_kind kind;
	const struct kh__lex_entry *lx; /* NULL for catalog services and specials */
	const char *service, *rtype, *src, *suffix;
	unsigned lflags, levels;
	int name_of;   /* >= 0: this unit names that noun unit */
	int is_source; /* part of the workload phrase */
	int used;      /* understood: never reported as unparsed */
	int grp;       /* group index, or -1 */
	enum unit_role role;
	const char *acts_service; /* a verb that meant actions of this service */
};

struct parse {
	const struct kh_catalog *cat;
	const struct kh__lexicon *lx;
	const char *text;
	size_t len;
	struct kh_arena arena;
	struct word *w;
	size_t nw;
	struct unit *u;
	size_t nu;
	const char *account, *region; /* from "account 123456789012", "us-east-1" */
	struct kh_describe_result *r;
};

/* groups.c: from classified units to grants and unparsed phrases. */
int kh__offline_groups(struct parse *p);
/* Is unit ui named ("the orders table"), or not a noun at all? */
int kh__unit_is_named(const struct parse *p, size_t ui);

/* verbs.c: the actions verb v means on target t, from the lexicon's "act"
 * lines, those that can act on what t becomes; appended to acc (may be
 * NULL). Returns how many fit: 0 means the verb grants its levels there. */
size_t kh__verb_actions(const struct parse *p, struct unit *v, const struct unit *t,
			struct kh__access *acc);
/* Removes from acc what the negated verb neg excludes on target t. */
void kh__verb_unsay(const struct parse *p, struct unit *neg, const struct unit *t,
		    struct kh__access *acc);

#endif

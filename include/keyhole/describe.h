/* describe.h - free-text intents: "my Lambda reads the orders bucket".
 *
 * kh_describe_parse turns a sentence into the structured intent that
 * `keyhole generate --intent` takes:
 *
 *   {"name": "...", "source": "lambda",
 *    "grants": [{"service": "s3", "arn": "arn:aws:s3:::orders/...",
 *                "access": ["read"]}]}
 *
 * The intent names services, resources and access levels; a verb that
 * means particular calls ("publishes" to a topic) names those catalog
 * actions instead of its level. The catalog chooses or checks every action,
 * so no invented action can reach a policy.
 * "source" is the workload's service principal without ".amazonaws.com"
 * ("lambda", "ec2", "ecs-tasks", "states", "glue", "codebuild", ...) and is
 * left out when the text names none. "arn" is left out when the text names
 * a service but no resource; ARNs built from names keep ${Region} and
 * ${Account} placeholders unless the text gives a region or an account.
 *
 * By default an offline parser does the work: deterministic, no network.
 * When opts->llm_url is set, an OpenAI-compatible chat-completions endpoint
 * is asked for the same intent JSON under a JSON schema whose enums come
 * from the catalog. Before the text leaves the machine, ARNs, account IDs
 * and resource names are replaced by placeholders, which are mapped back in
 * the reply. The reply is checked against the catalog; whatever does not
 * fit is dropped and reported in notes. An unreachable or slow endpoint
 * falls back to the offline parser, and a note says so.
 *
 * Ownership: the caller owns the struct kh_describe_result; init it, pass it
 * to kh_describe_parse, read it, then kh_describe_result_release() frees
 * everything reachable from it. Strings in it are NUL-terminated UTF-8.
 *
 * For `generate --describe TEXT`: call kh_describe_parse, then hand
 * result.intent.data (result.intent.len bytes) to the intent parser exactly
 * as if it had been read from an --intent file; print result.notes and
 * result.unparsed as warnings, since a part of the text was not placed.
 */
#ifndef KEYHOLE_DESCRIBE_H
#define KEYHOLE_DESCRIBE_H

#include <stddef.h>

#include "keyhole/buf.h"
#include "keyhole/catalog.h"
#include "keyhole/error.h"

enum kh_describe_flags {
	/* Ask the model for IAM actions instead of an intent, then scrub them
	 * against the catalog: for comparison only, to show why the intent
	 * mode exists. Needs llm_url. */
	KH_DESCRIBE_ACTIONS_MODE = 1 << 0,
};

/* Options; a zeroed struct (or NULL) means offline with defaults. */
struct kh_describe_opts {
	const char *name;        /* the intent's "name"; NULL: "described" */
	const char *llm_url;     /* base URL or full .../chat/completions; NULL/"": offline */
	const char *llm_model;   /* required with llm_url */
	const char *llm_api_key; /* NULL: no Authorization header */
	long timeout_ms;         /* whole request; 0: 20000 */
	unsigned flags;          /* enum kh_describe_flags */
};

/* One grant of the intent. service is a catalog prefix; arn is NULL when
 * the grant covers the service's resources in general. A verb that means
 * particular actions of the service ("publishes to the topic") names them
 * in actions instead of adding its levels. */
struct kh_describe_grant {
	char *service;
	char *arn;
	unsigned levels; /* enum kh_level bits; 0 only when actions are named */
	char **actions;  /* full catalog names ("sns:Publish"), sorted */
	size_t n_actions;
};

/* How a phrase of the text was read, for --explain: "reads" -> "access
 * level read", "orders bucket" -> "s3 bucket 'orders'". */
struct kh_describe_term {
	char *phrase;
	char *meaning;
};

struct kh_describe_result {
	struct kh_buf intent; /* the intent JSON, indented, ending in "\n" */
	char *source;         /* NULL when the text names no workload */
	struct kh_describe_grant *grants;
	size_t n_grants;
	struct kh_describe_term *terms;
	size_t n_terms;
	char **notes; /* remarks: dropped model output, fallbacks, ... */
	size_t n_notes;
	char **unparsed; /* phrases that could not be placed; never guessed */
	size_t n_unparsed;
	int used_model; /* 1 when the model's reply was used */
	/* KH_DESCRIBE_ACTIONS_MODE only: the model's actions that the catalog
	 * knows (canonical spelling) and the ones it scrubbed, in reply order. */
	char **actions;
	size_t n_actions;
	char **scrubbed;
	size_t n_scrubbed;
};

void kh_describe_result_init(struct kh_describe_result *r);
/* Frees everything the result owns and leaves it initialised and empty. */
void kh_describe_result_release(struct kh_describe_result *r);

/* Parses text (NUL-terminated, at most 64 KiB) into out, which must be
 * initialised; earlier contents are released first. Returns KH_OK even when
 * nothing could be placed (then out->n_grants is 0 and out->unparsed says
 * why); KH_EUSAGE for bad options, KH_ELIMIT for oversized text, KH_ENOMEM.
 * A failing model endpoint is not an error: see the notes. Deterministic
 * for a given catalog, text and options (and, with a model, reply). */
int kh_describe_parse(const struct kh_catalog *cat, const char *text,
		      const struct kh_describe_opts *opts, struct kh_describe_result *out,
		      struct kh_error *err);

/* Writes the whole result as one JSON object, for `describe --json`:
 * {"intent": {...}, "unparsed": [...], "notes": [...], "terms": [...],
 *  "used_model": false} plus "actions" and "scrubbed" in actions mode. */
int kh_describe_result_json(const struct kh_describe_result *r, struct kh_buf *out);

/* An intent request that may say what it needs in words: when the JSON
 * object text holds "describe": "TEXT" and no "grants", the sentence is
 * parsed and its grants (and its source, unless the request names one)
 * take the place of "describe"; every other member (name, format,
 * with_trust, ...) is kept. Without "describe" the text is copied as is.
 * out receives the intent JSON for kh_intent_parse_json; res (initialised)
 * receives the parse, for its notes and unparsed phrases. KH_EINPUT when
 * the text is not a JSON object, "describe" is not a string, both
 * "describe" and "grants" are given, or nothing in the sentence could be
 * placed (err quotes what was not understood). */
int kh_describe_expand_intent(const struct kh_catalog *cat, const char *json, size_t len,
			      const struct kh_describe_opts *opts, struct kh_buf *out,
			      struct kh_describe_result *res, struct kh_error *err);

#endif

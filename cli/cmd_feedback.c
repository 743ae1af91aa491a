/* cmd_feedback.c - `keyhole feedback export --jsonl`: the feedback records
 * of `keyhole serve`, one JSON object per line, oldest first. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "cli.h"
#include "keyhole/store.h"

/* intent and output are stored as JSON text; emit them as JSON values. */
static json_t *as_json(const char *text)
{
	json_t *v;
	if (!text)
		return json_null();
	v = json_loads(text, JSON_DECODE_ANY, NULL);
	return v ? v : json_string(text);
}

static int print_record(void *ctx, const struct kh_feedback *f)
{
	json_t *o = json_pack("{s:I, s:I, s:s, s:o, s:o, s:o}", "id", (json_int_t)f->id,
			      "created_at", (json_int_t)f->created_at, "rating", f->rating,
			      "comment", f->comment ? json_string(f->comment) : json_null(),
			      "intent", as_json(f->intent), "output", as_json(f->output));
	char *line = o ? json_dumps(o, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
	json_decref(o);
	if (!line) {
		*(int *)ctx = 1;
		return 1;
	}
	puts(line);
	free(line);
	return 0;
}

int cmd_feedback(int argc, char **argv)
{
	const char *db = "keyhole.db";
	struct kh_store *s;
	struct kh_error err = {0};
	int jsonl = 0, failed = 0;

	if (argc < 2 || strcmp(argv[1], "export") != 0) {
		fprintf(argc >= 2 && strcmp(argv[1], "--help") == 0 ? stdout : stderr,
			"usage: keyhole feedback export --jsonl [--db FILE]\n");
		return argc >= 2 && strcmp(argv[1], "--help") == 0 ? KH_EXIT_OK : KH_EXIT_USAGE;
	}
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
			db = argv[++i];
		else if (strcmp(argv[i], "--jsonl") == 0)
			jsonl = 1;
		else {
			cli_error("feedback: unexpected argument '%s'", argv[i]);
			return KH_EXIT_USAGE;
		}
	}
	if (!jsonl) {
		cli_error("feedback export: only --jsonl is supported; pass it explicitly");
		return KH_EXIT_USAGE;
	}
	if (kh_store_open_sqlite(db, NULL, &s, &err) != KH_OK) {
		cli_print_error(db, &err);
		return KH_EXIT_USAGE;
	}
	if (kh_store_feedback_list(s, print_record, &failed, &err) != KH_OK) {
		cli_print_error(db, &err);
		failed = 1;
	}
	kh_store_close(s);
	return failed ? KH_EXIT_FAIL : KH_EXIT_OK;
}

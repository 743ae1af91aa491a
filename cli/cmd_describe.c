/* cmd_describe.c - keyhole describe "TEXT": a free-text need becomes the
 * structured intent that `generate --intent` takes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "keyhole/describe.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: keyhole describe [OPTIONS] \"TEXT\"   (TEXT '-' reads stdin)\n\n"
		"Turns a plain-English need into an intent (the JSON generate --intent takes).\n"
		"Offline by default; a model endpoint is optional and never chooses actions.\n\n"
		"options:\n"
		"  --explain          also print how each phrase was read, and what was not\n"
		"  --json             print the whole result: intent, unparsed, notes, terms\n"
		"  --name NAME        the intent's name (default \"described\")\n"
		"  --llm-url URL      an OpenAI-compatible endpoint (env KEYHOLE_LLM_URL)\n"
		"  --llm-model M      its model (env KEYHOLE_LLM_MODEL)\n"
		"  --llm-timeout MS   request time limit in milliseconds (default 20000)\n"
		"  --offline          ignore KEYHOLE_LLM_URL\n"
		"  --actions-mode     ask the model for IAM actions, then scrub them against\n"
		"                     the catalog (for comparison only)\n"
		"The API key comes from KEYHOLE_LLM_API_KEY.\n"
		"Exit status: 0 with at least one grant, 1 when nothing could be placed.\n");
}

static void explain(const struct kh_describe_result *r)
{
	printf("\nsource: %s\n", r->source ? r->source : "(none named)");
	printf("grants:\n");
	for (size_t i = 0; i < r->n_grants; i++) {
		unsigned l = r->grants[i].levels;
		printf("  %-16s %-60s", r->grants[i].service, r->grants[i].arn ? r->grants[i].arn : "(any resource)");
		for (unsigned bit = 1; bit & KH_LEVEL_ALL; bit <<= 1)
			if (l & bit)
				printf(" %s", kh_level_name(bit));
		for (size_t k = 0; k < r->grants[i].n_actions; k++)
			printf(" %s", r->grants[i].actions[k]);
		printf("\n");
	}
	if (!r->n_grants)
		printf("  (none)\n");
	printf("how the words were read:\n");
	for (size_t i = 0; i < r->n_terms; i++)
		printf("  %-28s %s\n", r->terms[i].phrase, r->terms[i].meaning);
	printf("unparsed (not placed, not guessed):\n");
	for (size_t i = 0; i < r->n_unparsed; i++)
		printf("  \"%s\"\n", r->unparsed[i]);
	if (!r->n_unparsed)
		printf("  (nothing)\n");
	if (r->n_actions || r->n_scrubbed) {
		printf("actions the model proposed and the catalog knows:\n");
		for (size_t i = 0; i < r->n_actions; i++)
			printf("  %s\n", r->actions[i]);
		printf("scrubbed (unknown to the catalog):\n");
		for (size_t i = 0; i < r->n_scrubbed; i++)
			printf("  %s\n", r->scrubbed[i]);
	}
}

static void print_result(const struct kh_describe_result *r, int json, int expl)
{
	if (json) {
		struct kh_buf b;
		kh_buf_init(&b, 0);
		if (kh_describe_result_json(r, &b) == KH_OK)
			fputs(b.data, stdout);
		kh_buf_release(&b);
		return;
	}
	fputs(r->intent.data, stdout);
	if (expl)
		explain(r);
	for (size_t i = 0; i < r->n_notes; i++)
		cli_error("note: %s", r->notes[i]);
	for (size_t i = 0; !expl && i < r->n_unparsed; i++)
		cli_error("unparsed: \"%s\"", r->unparsed[i]);
	if (!expl && r->n_scrubbed)
		for (size_t i = 0; i < r->n_scrubbed; i++)
			cli_error("scrubbed unknown action: %s", r->scrubbed[i]);
}

static int want_arg(int i, int argc, char **argv)
{
	if (i + 1 < argc)
		return 1;
	cli_error("describe: %s needs a value", argv[i]);
	return 0;
}

int cmd_describe(int argc, char **argv)
{
	struct kh_describe_opts o = {0};
	struct kh_describe_result r;
	struct kh_error err = {0};
	const char *text = NULL;
	char *owned = NULL;
	int json = 0, expl = 0, offline = 0, rc;

	o.llm_url = getenv("KEYHOLE_LLM_URL");
	o.llm_model = getenv("KEYHOLE_LLM_MODEL");
	o.llm_api_key = getenv("KEYHOLE_LLM_API_KEY");
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return KH_EXIT_OK;
		} else if (strcmp(a, "--json") == 0) {
			json = 1;
		} else if (strcmp(a, "--explain") == 0) {
			expl = 1;
		} else if (strcmp(a, "--offline") == 0) {
			offline = 1;
		} else if (strcmp(a, "--actions-mode") == 0) {
			o.flags |= KH_DESCRIBE_ACTIONS_MODE;
		} else if ((strcmp(a, "--llm-url") == 0 || strcmp(a, "--llm-model") == 0 ||
			    strcmp(a, "--name") == 0 || strcmp(a, "--llm-timeout") == 0)) {
			if (!want_arg(i, argc, argv))
				return KH_EXIT_USAGE;
			if (strcmp(a, "--llm-url") == 0)
				o.llm_url = argv[++i];
			else if (strcmp(a, "--llm-model") == 0)
				o.llm_model = argv[++i];
			else if (strcmp(a, "--name") == 0)
				o.name = argv[++i];
			else
				o.timeout_ms = strtol(argv[++i], NULL, 10);
		} else if (a[0] == '-' && a[1]) {
			cli_error("describe: unknown option '%s'", a);
			usage(stderr);
			return KH_EXIT_USAGE;
		} else if (text) {
			cli_error("describe: one TEXT argument (quote the sentence)");
			return KH_EXIT_USAGE;
		} else {
			text = a;
		}
	}
	if (!text) {
		usage(stderr);
		return KH_EXIT_USAGE;
	}
	if (strcmp(text, "-") == 0 && !(text = owned = cli_read_file("-", 64 << 10, NULL)))
		return KH_EXIT_USAGE;
	if (offline)
		o.llm_url = NULL;
	kh_describe_result_init(&r);
	rc = kh_describe_parse(cli_catalog(), text, &o, &r, &err);
	if (rc != KH_OK) {
		cli_print_error("describe", &err);
		free(owned);
		return KH_EXIT_USAGE;
	}
	print_result(&r, json, expl);
	rc = r.n_grants || r.n_actions ? KH_EXIT_OK : KH_EXIT_FAIL;
	kh_describe_result_release(&r);
	free(owned);
	return rc;
}

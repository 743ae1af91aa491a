/* cmd_token.c - `keyhole token create|list|revoke`: the API tokens of
 * `keyhole serve`, kept (hashed) in its store. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "keyhole/store.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: keyhole token create --name NAME [--db FILE]\n"
		   "       keyhole token list [--db FILE] [--json]\n"
		   "       keyhole token revoke ID [--db FILE]\n\n"
		   "create prints the new token once on stdout; only its salted hash is stored.\n"
		   "The store defaults to keyhole.db, as for 'keyhole serve'.\n");
}

static void put_time(FILE *f, long long t)
{
	char buf[32] = "-";
	struct tm tm;
	time_t tt = (time_t)t;
	if (t > 0 && gmtime_r(&tt, &tm))
		strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
	fputs(buf, f);
}

static int print_token(void *ctx, const struct kh_token_info *t)
{
	int json = *(int *)ctx;
	if (json) {
		printf("{\"id\":%lld,\"name\":\"", t->id);
		for (const char *c = t->name; *c; c++)
			if (*c == '"' || *c == '\\')
				printf("\\%c", *c);
			else if ((unsigned char)*c < 0x20)
				printf("\\u%04x", *c);
			else
				putchar(*c);
		printf("\",\"created_at\":%lld,\"last_used_at\":%lld,\"revoked\":%s}\n",
		       t->created_at, t->last_used_at, t->revoked ? "true" : "false");
		return 0;
	}
	printf("%-5lld %-24s ", t->id, t->name);
	put_time(stdout, t->created_at);
	putchar(' ');
	put_time(stdout, t->last_used_at);
	printf(" %s\n", t->revoked ? "revoked" : "active");
	return 0;
}

static int run(struct kh_store *s, const char *verb, const char *name, const char *id_text,
	       int json)
{
	struct kh_error err = {0};
	char token[KH_TOKEN_MAX];
	long long id;
	char *end;

	if (strcmp(verb, "create") == 0) {
		if (kh_store_token_create(s, name, token, &id, &err) != KH_OK) {
			cli_print_error("token", &err);
			return KH_EXIT_USAGE;
		}
		printf("%s\n", token);
		fprintf(stderr, "keyhole: created token %lld '%s'; it is shown only this once\n", id,
			name);
		return KH_EXIT_OK;
	}
	if (strcmp(verb, "list") == 0) {
		if (!json)
			printf("%-5s %-24s %-20s %-20s %s\n", "ID", "NAME", "CREATED", "LAST USED",
			       "STATUS");
		if (kh_store_token_list(s, print_token, &json, &err) != KH_OK) {
			cli_print_error("token", &err);
			return KH_EXIT_FAIL;
		}
		return KH_EXIT_OK;
	}
	id = id_text ? strtoll(id_text, &end, 10) : 0;
	if (!id_text || *end || id <= 0) {
		cli_error("token revoke wants a token id (see 'keyhole token list')");
		return KH_EXIT_USAGE;
	}
	if (kh_store_token_revoke(s, id, &err) != KH_OK) {
		cli_print_error("token", &err);
		return KH_EXIT_FAIL;
	}
	fprintf(stderr, "keyhole: revoked token %lld\n", id);
	return KH_EXIT_OK;
}

int cmd_token(int argc, char **argv)
{
	const char *verb = argc > 1 ? argv[1] : "", *db = "keyhole.db", *name = NULL, *id = NULL;
	struct kh_store *s;
	struct kh_error err = {0};
	int json = 0, rc;

	if (strcmp(verb, "-h") == 0 || strcmp(verb, "--help") == 0) {
		usage(stdout);
		return KH_EXIT_OK;
	}
	if (strcmp(verb, "create") && strcmp(verb, "list") && strcmp(verb, "revoke")) {
		usage(stderr);
		return KH_EXIT_USAGE;
	}
	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--db") == 0 && i + 1 < argc)
			db = argv[++i];
		else if (strcmp(argv[i], "--name") == 0 && i + 1 < argc)
			name = argv[++i];
		else if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (argv[i][0] != '-' && !id)
			id = argv[i];
		else {
			cli_error("token: unexpected argument '%s'", argv[i]);
			return KH_EXIT_USAGE;
		}
	}
	if (strcmp(verb, "create") == 0 && !name) {
		cli_error("token create needs --name NAME");
		return KH_EXIT_USAGE;
	}
	if (kh_store_open_sqlite(db, NULL, &s, &err) != KH_OK) {
		cli_print_error(db, &err);
		return KH_EXIT_USAGE;
	}
	rc = run(s, verb, name, id, json);
	kh_store_close(s);
	return rc;
}

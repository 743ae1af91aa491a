/* main.c - keyhole's command dispatcher and shared CLI helpers. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "keyhole/buf.h"

struct kh_cli_globals kh_cli;

static const struct command {
	const char *name;
	kh_cmd_fn fn;
	const char *summary;
} commands[] = {
	{"generate", cmd_generate, "turn an intent into a least-privilege policy"},
	{"validate", cmd_validate, "lint a policy: unknown actions, resources, escalation, size"},
	{"simulate", cmd_simulate, "decide requests against policies, with the reasons"},
	{"check", cmd_check, "CI gates: no-new-access, access-not-granted, no-public-access"},
	{"rightsize", cmd_rightsize, "least privilege from CloudTrail: the policy a principal needs"},
	{"usage", cmd_usage, "who called what: principals and their actions from CloudTrail"},
	{"scan", cmd_scan, "CloudTrail logs into a mergeable usage summary (.khu)"},
	{"catalog", cmd_catalog, "browse the IAM service authorization catalog"},
	{"describe", cmd_describe, "turn a plain-English need into an intent (offline; model optional)"},
	{"serve", cmd_serve, "run the HTTP API (jobs, uploads, tokens in a SQLite store)"},
	{"token", cmd_token, "create, list and revoke API tokens of 'keyhole serve'"},
	{"feedback", cmd_feedback, "export feedback collected by 'keyhole serve'"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: keyhole [--catalog FILE] COMMAND [ARGS]\n\n"
		   "Least-privilege AWS IAM policies from intents and CloudTrail.\n\n"
		   "commands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\noptions:\n"
		   "  --catalog FILE  use this catalog file instead of the built-in one\n"
		   "  --version       print keyhole's and the catalog's versions\n"
		   "  -h, --help      show this help; 'keyhole COMMAND --help' for a command\n");
}

void cli_error(const char *fmt, ...)
{
	va_list ap;
	fputs("keyhole: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void cli_print_error(const char *file, const struct kh_error *err)
{
	const char *f = file ? file : "keyhole";
	if (err->line > 0)
		fprintf(stderr, "%s:%d:%d: error: %s%s%s\n", f, err->line, err->col, err->msg,
			err->path[0] ? " at " : "", err->path);
	else
		fprintf(stderr, "%s: error: %s%s%s\n", f, err->msg, err->path[0] ? " at " : "",
			err->path);
}

const struct kh_catalog *cli_catalog(void)
{
	static struct kh_catalog *cat;
	struct kh_error err = {0};
	int rc;

	if (cat)
		return cat;
	if (kh_cli.catalog_path)
		rc = kh_catalog_load_file(kh_cli.catalog_path, &cat, &err);
	else
		rc = kh_catalog_builtin(&cat, &err);
	if (rc != KH_OK) {
		cli_print_error(kh_cli.catalog_path ? kh_cli.catalog_path : "catalog", &err);
		exit(KH_EXIT_USAGE);
	}
	return cat;
}

int cli_write_file(const char *path, const char *data, size_t len)
{
	FILE *f = !path || strcmp(path, "-") == 0 ? stdout : fopen(path, "wb");
	int ok;

	if (!f) {
		cli_error("%s: %s", path, strerror(errno));
		return -1;
	}
	ok = fwrite(data, 1, len, f) == len;
	if (f != stdout)
		ok = fclose(f) == 0 && ok;
	else
		ok = fflush(f) == 0 && ok;
	if (!ok) {
		cli_error("%s: %s", path ? path : "standard output", strerror(errno));
		return -1;
	}
	return 0;
}

char *cli_read_file(const char *path, size_t max, size_t *len)
{
	FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	struct kh_buf b;
	char chunk[65536];
	size_t n;

	if (!f) {
		cli_error("%s: %s", path, strerror(errno));
		return NULL;
	}
	kh_buf_init(&b, max);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (kh_buf_add(&b, chunk, n) != KH_OK)
			break;
	if (ferror(f)) {
		cli_error("%s: %s", path, strerror(errno));
		kh_buf_release(&b);
		if (f != stdin)
			fclose(f);
		return NULL;
	}
	if (f != stdin)
		fclose(f);
	if (kh_buf_error(&b)) {
		cli_error("%s: %s (limit %zu bytes)", path, kh_strerror(kh_buf_error(&b)), max);
		kh_buf_release(&b);
		return NULL;
	}
	return kh_buf_detach(&b, len);
}

int main(int argc, char **argv)
{
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--catalog") == 0 && i + 1 < argc) {
			kh_cli.catalog_path = argv[++i];
		} else if (strcmp(argv[i], "--version") == 0) {
			printf("keyhole %s\ncatalog %s\n", KH_VERSION,
			       kh_catalog_version(cli_catalog()));
			return KH_EXIT_OK;
		} else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return KH_EXIT_OK;
		} else {
			cli_error("unknown option '%s'", argv[i]);
			usage(stderr);
			return KH_EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return KH_EXIT_USAGE;
	}
	for (size_t c = 0; c < sizeof(commands) / sizeof(commands[0]); c++)
		if (strcmp(argv[i], commands[c].name) == 0)
			return commands[c].fn(argc - i, argv + i);
	cli_error("unknown command '%s'; see 'keyhole --help'", argv[i]);
	return KH_EXIT_USAGE;
}

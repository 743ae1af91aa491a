/* cmd_check.c - keyhole check: policy gates for CI.
 * Exit 0 pass, 1 fail (findings), 2 usage or input error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "keyhole/eval.h"

#define MAX_POLICY_BYTES ((size_t)16 << 20)
#define MAX_LIST 256

static void usage(FILE *f)
{
	fprintf(f,
		"usage: keyhole check no-new-access --new NEW.json --reference OLD.json [--json]\n"
		"       keyhole check access-not-granted --policy P.json --actions A,B\n"
		"                     [--resources ARN...] [--json]\n"
		"       keyhole check no-public-access --resource-policy R.json\n"
		"                     [--type s3|sqs|sns|kms|lambda|secretsmanager|...] [--json]\n"
		"Exit: 0 pass, 1 fail, 2 usage or input error.\n");
}

static struct kh_policy *load(const char *path)
{
	size_t len;
	char *text;
	struct kh_policy *p = NULL;
	struct kh_error err = {0};

	if (!path)
		return NULL;
	if (!(text = cli_read_file(path, MAX_POLICY_BYTES, &len)))
		return NULL;
	if (kh_policy_parse(text, len, &p, &err) != KH_OK) {
		cli_print_error(path, &err);
		p = NULL;
	} else if (p->n_problems) {
		err = (struct kh_error){.code = KH_EINPUT, .line = p->problems[0].pos.line,
					.col = p->problems[0].pos.col};
		snprintf(err.path, sizeof(err.path), "%s", p->problems[0].path);
		snprintf(err.msg, sizeof(err.msg), "%s", p->problems[0].message);
		cli_print_error(path, &err);
		kh_policy_free(p);
		p = NULL;
	}
	free(text);
	return p;
}

static void print_json_result(const char *check, const struct kh_check_result *r)
{
	struct kh_buf b;
	kh_buf_init(&b, 0);
	kh_buf_printf(&b, "{\"check\":\"%s\",\"result\":\"%s\",\"findings\":[", check,
		      r->n ? "fail" : "pass");
	for (size_t i = 0; i < r->n; i++) {
		const struct kh_check_finding *f = &r->items[i];
		kh_buf_puts(&b, i ? ",{" : "{");
		if (f->action) {
			kh_buf_puts(&b, "\"action\":");
			kh_buf_put_json_string(&b, f->action);
			kh_buf_putc(&b, ',');
		}
		if (f->resource) {
			kh_buf_puts(&b, "\"resource\":");
			kh_buf_put_json_string(&b, f->resource);
			kh_buf_putc(&b, ',');
		}
		kh_buf_puts(&b, "\"reason\":");
		kh_buf_put_json_string(&b, f->reason);
		kh_buf_putc(&b, '}');
	}
	kh_buf_puts(&b, "]}\n");
	fputs(b.data, stdout);
	kh_buf_release(&b);
}

/* Text: one line per action with its resource patterns, or per reason. */
static void print_text_result(const char *check, const struct kh_check_result *r)
{
	printf("%s: %s\n", check, r->n ? "FAIL" : "pass");
	for (size_t i = 0; i < r->n; i++) {
		const struct kh_check_finding *f = &r->items[i];
		if (!f->action) {
			printf("  %s\n", f->reason);
			continue;
		}
		if (i && r->items[i - 1].action && strcmp(r->items[i - 1].action, f->action) == 0)
			continue;
		printf("  %s on %s", f->action, f->resource);
		for (size_t j = i + 1; j < r->n && r->items[j].action &&
				       strcmp(r->items[j].action, f->action) == 0;
		     j++)
			printf(", %s", r->items[j].resource);
		putchar('\n');
	}
}

static int finish(const char *check, int rc, struct kh_check_result *r, struct kh_error *err,
		  int json, const char *file)
{
	int status;
	if (rc != KH_OK) {
		cli_print_error(file, err);
		return KH_EXIT_USAGE;
	}
	if (json)
		print_json_result(check, r);
	else
		print_text_result(check, r);
	status = r->n ? KH_EXIT_FAIL : KH_EXIT_OK;
	kh_check_result_release(r);
	return status;
}

/* Splits a comma-separated list in place into out (at most max). */
static size_t split_list(char *s, const char **out, size_t max)
{
	size_t n = 0;
	for (char *p = s; p && *p && n < max;) {
		char *comma = strchr(p, ',');
		if (comma)
			*comma = '\0';
		if (*p)
			out[n++] = p;
		p = comma ? comma + 1 : NULL;
	}
	return n;
}

struct args {
	const char *new_path, *ref_path, *policy, *resource_policy, *type;
	char *actions;
	const char *resources[MAX_LIST];
	size_t n_resources;
	int json;
};

static int parse(int argc, char **argv, struct args *a)
{
	for (int i = 2; i < argc; i++) {
		const char *o = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		if (strcmp(o, "--json") == 0) {
			a->json = 1;
			continue;
		}
		if (!v) {
			cli_error("check: missing value after '%s'", o);
			return -1;
		}
		i++;
		if (strcmp(o, "--new") == 0)
			a->new_path = v;
		else if (strcmp(o, "--reference") == 0)
			a->ref_path = v;
		else if (strcmp(o, "--policy") == 0)
			a->policy = v;
		else if (strcmp(o, "--resource-policy") == 0)
			a->resource_policy = v;
		else if (strcmp(o, "--type") == 0)
			a->type = v;
		else if (strcmp(o, "--actions") == 0)
			a->actions = argv[i];
		else if (strcmp(o, "--resources") == 0) {
			/* --resources takes every following argument up to the next option */
			for (i--; i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0; i++)
				if (a->n_resources < MAX_LIST)
					a->n_resources += split_list(argv[i + 1],
								     a->resources + a->n_resources,
								     MAX_LIST - a->n_resources);
		} else {
			cli_error("check: unknown option '%s'", o);
			return -1;
		}
	}
	return 0;
}

static int run_no_new_access(struct args *a)
{
	struct kh_policy *n, *r;
	struct kh_check_result res;
	struct kh_error err = {0};
	int rc;

	if (!a->new_path || !a->ref_path) {
		cli_error("check no-new-access: give --new and --reference");
		return KH_EXIT_USAGE;
	}
	if (!(n = load(a->new_path)))
		return KH_EXIT_USAGE;
	if (!(r = load(a->ref_path))) {
		kh_policy_free(n);
		return KH_EXIT_USAGE;
	}
	rc = kh_check_no_new_access(cli_catalog(), n, r, &res, &err);
	kh_policy_free(n);
	kh_policy_free(r);
	return finish("no-new-access", rc, &res, &err, a->json, a->new_path);
}

static int run_access_not_granted(struct args *a)
{
	const char *actions[MAX_LIST];
	size_t na;
	struct kh_policy *p;
	struct kh_check_result res;
	struct kh_error err = {0};
	int rc;

	if (!a->policy || !a->actions) {
		cli_error("check access-not-granted: give --policy and --actions");
		return KH_EXIT_USAGE;
	}
	na = split_list(a->actions, actions, MAX_LIST);
	if (!(p = load(a->policy)))
		return KH_EXIT_USAGE;
	rc = kh_check_access_not_granted(cli_catalog(), p, actions, na, a->resources,
					 a->n_resources, &res, &err);
	kh_policy_free(p);
	return finish("access-not-granted", rc, &res, &err, a->json, a->policy);
}

static int run_no_public_access(struct args *a)
{
	struct kh_policy *p;
	struct kh_check_result res;
	struct kh_error err = {0};
	int rc;

	if (!a->resource_policy) {
		cli_error("check no-public-access: give --resource-policy");
		return KH_EXIT_USAGE;
	}
	if (!(p = load(a->resource_policy)))
		return KH_EXIT_USAGE;
	rc = kh_check_no_public_access(p, a->type, &res, &err);
	kh_policy_free(p);
	return finish("no-public-access", rc, &res, &err, a->json, a->resource_policy);
}

int cmd_check(int argc, char **argv)
{
	struct args a = {0};

	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? KH_EXIT_USAGE : KH_EXIT_OK;
	}
	if (parse(argc, argv, &a) != 0) {
		usage(stderr);
		return KH_EXIT_USAGE;
	}
	if (strcmp(argv[1], "no-new-access") == 0)
		return run_no_new_access(&a);
	if (strcmp(argv[1], "access-not-granted") == 0)
		return run_access_not_granted(&a);
	if (strcmp(argv[1], "no-public-access") == 0)
		return run_no_public_access(&a);
	cli_error("check: unknown check '%s'", argv[1]);
	usage(stderr);
	return KH_EXIT_USAGE;
}

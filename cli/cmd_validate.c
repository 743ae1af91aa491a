/* cmd_validate.c - `keyhole validate`: lint policies, optionally scrub them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "keyhole/buf.h"
#include "keyhole/policy.h"
#include "keyhole/validate.h"

#define MAX_POLICY_FILE ((size_t)16 << 20)
#define FAIL_NEVER (KH_SEV_ERROR + 1)

struct options {
	int json, fix;
	const char *out;
	int fail_on; /* a kh_severity, or FAIL_NEVER */
	struct kh_validate_opts vopts;
	int many;    /* several files: --json prints an array */
	int printed; /* JSON objects printed so far */
};

static void help(FILE *f)
{
	fprintf(f,
		"usage: keyhole validate [OPTIONS] POLICY.json|- [MORE.json ...]\n\n"
		"Lint IAM policies, like IAM Access Analyzer's validate-policy: unknown\n"
		"services, actions and condition keys (with the close names that exist),\n"
		"wildcards that match nothing, actions that support none of the\n"
		"statement's resources, invalid ARNs (and Region or account fields the\n"
		"service's ARNs never have), invalid condition operators,\n"
		"iam:PassRole on '*', Allow with NotAction/NotResource, '*' actions,\n"
		"privilege-escalation paths, redundant actions, duplicate Sids, the\n"
		"size quota, principals (and what a role trust policy may hold),\n"
		"condition keys some of a statement's actions do not take, and\n"
		"condition values. Every check and code is listed in docs/validate.md.\n\n"
		"Findings are printed as\n"
		"  FILE:LINE:COL: SEVERITY: CODE: MESSAGE [JSON.PATH]\n"
		"    fix: SUGGESTION\n"
		"sorted by line, column and code. Severities, gravest first: error,\n"
		"security-warning, warning, suggestion.\n\n"
		"options:\n"
		"  --json              print a JSON object per policy: findings (severity,\n"
		"                      code, path, line, column, message, fix) and totals;\n"
		"                      several policies print a JSON array\n"
		"  --fix               remove unknown actions and wildcards that match\n"
		"                      nothing (a statement left without actions goes too);\n"
		"                      write the policy to standard output and list the\n"
		"                      removals on standard error; with --json, add\n"
		"                      \"fixed_policy\" and \"removed\" to the object instead.\n"
		"                      One policy only. The exit status then judges the\n"
		"                      fixed policy\n"
		"  --out FILE          with --fix, write the fixed policy to FILE\n"
		"  --fail-on SEV       exit 1 when a finding is at or above SEV: error,\n"
		"                      security-warning (default), warning, suggestion,\n"
		"                      or none\n"
		"  --policy-type TYPE  managed (default, 6,144 characters), inline-role\n"
		"                      (10,240), inline-user (2,048), inline-group (5,120),\n"
		"                      resource (20,480; Principal required), trust (a\n"
		"                      role trust policy: 2,048; Principal required, no\n"
		"                      Resource, only the STS actions on a role) or scp\n"
		"                      (a service control policy: 5,120 characters,\n"
		"                      whitespace included; no Principal, and Allow is\n"
		"                      a ceiling, so the broad-grant warnings are off)\n"
		"  -h, --help          show this help\n\n"
		"exit status: 0 nothing at or above --fail-on, 1 something is, 2 a usage or\n"
		"input error (unreadable file, not JSON, not UTF-8, nested too deep).\n");
}

static int parse_args(int argc, char **argv, struct options *o, int *first_file)
{
	int i;
	enum kh_severity sev;

	for (i = 1; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		const char *a = argv[i];
		int has_arg = i + 1 < argc;
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			help(stdout);
			exit(KH_EXIT_OK);
		} else if (strcmp(a, "--json") == 0) {
			o->json = 1;
		} else if (strcmp(a, "--fix") == 0) {
			o->fix = 1;
		} else if (strcmp(a, "--out") == 0 && has_arg) {
			o->out = argv[++i];
		} else if (strcmp(a, "--fail-on") == 0 && has_arg) {
			a = argv[++i];
			if (strcmp(a, "none") == 0)
				o->fail_on = FAIL_NEVER;
			else if (kh_severity_parse(a, &sev) == KH_OK)
				o->fail_on = (int)sev;
			else
				return cli_error("validate: unknown severity '%s'", a), -1;
		} else if (strcmp(a, "--policy-type") == 0 && has_arg) {
			if (kh_policy_type_parse(argv[++i], &o->vopts.policy_type) != KH_OK)
				return cli_error("validate: unknown policy type '%s'", argv[i]), -1;
		} else {
			cli_error("validate: unknown option or missing argument '%s'", a);
			return -1;
		}
	}
	if (i >= argc)
		return cli_error("validate: no policy file; see 'keyhole validate --help'"), -1;
	if (o->fix && argc - i > 1)
		return cli_error("validate: --fix takes one policy"), -1;
	if (o->out && !o->fix)
		return cli_error("validate: --out needs --fix"), -1;
	*first_file = i;
	return 0;
}

static int write_text_file(const char *path, const struct kh_buf *b)
{
	FILE *f = fopen(path, "wb");
	int ok = f && fwrite(b->data, 1, b->len, f) == b->len;
	if (f && fclose(f) != 0)
		ok = 0;
	if (!ok)
		cli_error("%s: cannot write the fixed policy", path);
	return ok ? 0 : -1;
}

/* Scrubs policy in place; writes it (text mode) and the removals. Returns
 * the fixed policy's gravest finding, or -2 on failure. */
static int run_fix(const struct options *o, const char *name, struct kh_policy *policy,
		   struct kh_fix_result *removed)
{
	struct kh_findings after;
	struct kh_buf text;
	int max = -2;

	kh_findings_init(&after);
	kh_buf_init(&text, 0);
	if (kh_validate_fix(cli_catalog(), policy, removed) != KH_OK ||
	    kh_policy_write(policy, &text, 0) != KH_OK ||
	    (text.len && text.data[text.len - 1] != '\n' && kh_buf_putc(&text, '\n') != KH_OK)) {
		cli_error("%s: out of memory", name);
		goto done;
	}
	for (size_t i = 0; i < removed->n; i++)
		fprintf(stderr, "keyhole: %s:%d:%d: removed '%s' (%s) [%s]\n", name,
			removed->items[i].line, removed->items[i].col, removed->items[i].value,
			removed->items[i].code, removed->items[i].path);
	if (removed->statements_removed)
		fprintf(stderr, "keyhole: %s: removed %zu statement(s) left without actions\n",
			name, removed->statements_removed);
	if (o->out ? write_text_file(o->out, &text) != 0
		   : (!o->json && fwrite(text.data, 1, text.len, stdout) != text.len))
		goto done;
	if (kh_validate(cli_catalog(), policy, text.data, text.len, &o->vopts, &after) == KH_OK)
		max = kh_findings_max_severity(&after);
done:
	kh_findings_release(&after);
	kh_buf_release(&text);
	return max;
}

/* Validates one file and prints its report. Returns the exit status. */
static int validate_one(struct options *o, const char *path)
{
	const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
	struct kh_findings f;
	struct kh_fix_result removed;
	struct kh_policy *policy = NULL;
	struct kh_error err = {0};
	struct kh_buf out;
	size_t len;
	char *text = cli_read_file(path, MAX_POLICY_FILE, &len);
	int rc, max, status;

	if (!text)
		return KH_EXIT_USAGE;
	kh_findings_init(&f);
	kh_fix_result_init(&removed);
	kh_buf_init(&out, 0);
	rc = kh_validate_text(cli_catalog(), text, len, &o->vopts, &f, &policy, &err);
	if (rc == KH_ENOMEM) {
		cli_error("%s: out of memory", name);
		status = KH_EXIT_USAGE;
		goto done;
	}
	max = kh_findings_max_severity(&f);
	if (policy && o->fix)
		max = run_fix(o, name, policy, &removed);
	if (o->json) {
		if (o->printed++ > 0)
			kh_buf_puts(&out, ",\n");
		kh_findings_write_json(&f, name, &o->vopts, policy && o->fix ? policy : NULL,
				       policy && o->fix ? &removed : NULL, &out);
	} else if (!o->fix) {
		kh_findings_write_text(&f, name, &out);
	} else if (!policy) {
		kh_findings_write_text(&f, name, &out);
		fputs(out.data, stderr);
		kh_buf_reset(&out);
	}
	fputs(out.data, stdout);
	if (rc != KH_OK || max == -2)
		status = KH_EXIT_USAGE;
	else
		status = max >= o->fail_on ? KH_EXIT_FAIL : KH_EXIT_OK;
done:
	kh_buf_release(&out);
	kh_fix_result_release(&removed);
	kh_findings_release(&f);
	kh_policy_free(policy);
	free(text);
	return status;
}

int cmd_validate(int argc, char **argv)
{
	struct options o = {0};
	int first, status = KH_EXIT_OK;

	o.fail_on = KH_SEV_SECURITY_WARNING;
	if (parse_args(argc, argv, &o, &first) != 0)
		return KH_EXIT_USAGE;
	o.many = argc - first > 1;
	if (o.json && o.many)
		fputs("[\n", stdout);
	for (int i = first; i < argc; i++) {
		int s = validate_one(&o, argv[i]);
		if (s > status)
			status = s;
	}
	if (o.json && (o.many || o.printed))
		fputs(o.many ? "\n]\n" : "\n", stdout);
	return status;
}

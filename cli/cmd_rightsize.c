/* cmd_rightsize.c - `keyhole rightsize`: the least-privilege policy for
 * what a principal called, and the report on what it has now. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "keyhole/emit.h"
#include "keyhole/rightsize.h"
#include "logs_opts.h"

static const char rightsize_usage[] =
	"usage: keyhole rightsize (--logs PATH... | --usage FILE.khu...)\n"
	"                         (--principal ARN | --access-key KEY) [options]\n"
	"\n"
	"Writes the policy that allows exactly what the principal called (standard\n"
	"output) and a report of what was scanned, used, denied and unmapped (standard\n"
	"error, or --out-report). Exit status 1 if the policy would not allow every\n"
	"observed call, which would be a bug.\n"
	"\n"
	"  --principal ARN        a role (path optional), user, root or assumed-role session\n"
	"  --access-key KEY       the principal that signed with this key (AKIA.../ASIA...)\n"
	"  --current POLICY.json  the policy in place: report unused granted actions\n"
	"  --current-authz FILE   the same, from 'aws iam get-account-authorization-details'\n"
	"  --format F             json (default), terraform or cloudformation\n"
	"  --cfn-json             CloudFormation as JSON instead of YAML\n"
	"  --name NAME            policy name (default: the principal's name)\n"
	"  --report R             text (default), json or markdown\n"
	"  --out-report FILE      write the report here instead of standard error\n"
	"  --max-resources N      per action, before generalizing to a prefix wildcard (10)\n"
	"  --generalize region,account   write ${Region}/${Account} placeholders in ARNs\n"
	"  --include-denied       also grant the calls that were denied\n"
	"  --restrict-regions     add an aws:RequestedRegion condition with the observed\n"
	"                         regions (global services are left out)\n";

struct rightsize_args {
	const char *current, *current_authz, *out_report, *name;
	enum kh_format format;
	enum kh_report_format report;
	unsigned emit_flags;
	struct kh_rightsize_options rs;
};

static int parse_generalize(const char *v, unsigned *flags)
{
	while (*v) {
		size_t len = strcspn(v, ",");
		if (len == 6 && strncmp(v, "region", 6) == 0)
			*flags |= KH_RS_GENERALIZE_REGION;
		else if (len == 7 && strncmp(v, "account", 7) == 0)
			*flags |= KH_RS_GENERALIZE_ACCOUNT;
		else {
			cli_error("--generalize takes region, account or both, not '%.*s'", (int)len, v);
			return -1;
		}
		v += len + (v[len] == ',');
	}
	return 0;
}

/* Parses the options that are rightsize's own; returns 1 when argv[*i]
 * was one, 0 when not, -1 on a bad value. */
static int parse_own(struct rightsize_args *a, int argc, char **argv, int *i)
{
	const char *opt = argv[*i];
	const char *v = *i + 1 < argc ? argv[*i + 1] : NULL;
	char *end;

	if (strcmp(opt, "--cfn-json") == 0)
		return a->emit_flags |= KH_GEN_CFN_JSON, 1;
	if (strcmp(opt, "--include-denied") == 0)
		return a->rs.flags |= KH_RS_INCLUDE_DENIED, 1;
	if (strcmp(opt, "--restrict-regions") == 0)
		return a->rs.flags |= KH_RS_RESTRICT_REGIONS, 1;
	if (strcmp(opt, "--current") && strcmp(opt, "--current-authz") && strcmp(opt, "--format") &&
	    strcmp(opt, "--report") && strcmp(opt, "--out-report") && strcmp(opt, "--name") &&
	    strcmp(opt, "--max-resources") && strcmp(opt, "--generalize"))
		return 0;
	if (!v) {
		cli_error("%s needs a value", opt);
		return -1;
	}
	++*i;
	if (strcmp(opt, "--current") == 0)
		a->current = v;
	else if (strcmp(opt, "--current-authz") == 0)
		a->current_authz = v;
	else if (strcmp(opt, "--out-report") == 0)
		a->out_report = v;
	else if (strcmp(opt, "--name") == 0)
		a->rs.name = v;
	else if (strcmp(opt, "--format") == 0 && kh_format_parse(v, &a->format))
		return cli_error("unknown format '%s': json, terraform or cloudformation", v), -1;
	else if (strcmp(opt, "--report") == 0 && kh_report_format_parse(v, &a->report))
		return cli_error("unknown report '%s': text, json or markdown", v), -1;
	else if (strcmp(opt, "--generalize") == 0)
		return parse_generalize(v, &a->rs.flags) ? -1 : 1;
	else if (strcmp(opt, "--max-resources") == 0) {
		long n = strtol(v, &end, 10);
		if (*end || n <= 0 || n > 10000)
			return cli_error("--max-resources takes a positive number, not '%s'", v), -1;
		a->rs.max_resources = (size_t)n;
	}
	return 1;
}

static struct kh_policy *load_current(const struct rightsize_args *a, const char *principal)
{
	const char *path = a->current ? a->current : a->current_authz;
	struct kh_policy *p = NULL;
	struct kh_error err = {0};
	size_t len;
	char *text = cli_read_file(path, (size_t)64 << 20, &len);
	int rc;

	if (!text)
		return NULL;
	rc = a->current ? kh_policy_parse(text, len, &p, &err)
			: kh_authz_policy(text, len, principal, &p, &err);
	free(text);
	if (rc != KH_OK)
		cli_print_error(path, &err);
	return p;
}

/* The principal's last ARN segment, for the default policy name. */
static const char *short_name(const char *arn)
{
	const char *slash = strrchr(arn, '/');
	return slash ? slash + 1 : arn;
}

static int emit_all(const struct rightsize_args *a, const struct kh_rightsize_result *res)
{
	struct kh_buf policy, report;
	int status = KH_EXIT_OK;

	kh_buf_init(&policy, 0);
	kh_buf_init(&report, 0);
	if (kh_emit(&res->gen, a->format, a->emit_flags, &policy) != KH_OK ||
	    kh_rightsize_report(res, a->report, &report) != KH_OK) {
		cli_error("out of memory writing the output");
		status = KH_EXIT_USAGE;
	} else if (cli_write_file(NULL, policy.data, policy.len)) {
		status = KH_EXIT_USAGE;
	} else if (a->out_report ? cli_write_file(a->out_report, report.data, report.len)
				 : (fwrite(report.data, 1, report.len, stderr) != report.len)) {
		status = KH_EXIT_USAGE;
	}
	kh_buf_release(&policy);
	kh_buf_release(&report);
	return status;
}

static int run(struct logs_opts *o, struct rightsize_args *a)
{
	const struct kh_catalog *cat = cli_catalog();
	struct kh_usage *u = NULL;
	struct kh_policy *current = NULL;
	struct kh_rightsize_result res;
	struct kh_error err = {0};
	int status = logs_opts_load(o, cat, 1, &u);
	const char *principal = status == KH_EXIT_OK ? logs_opts_principal(o, u) : NULL;

	if (!principal)
		status = KH_EXIT_USAGE;
	if (status == KH_EXIT_OK && (a->current || a->current_authz) &&
	    !(current = load_current(a, principal)))
		status = KH_EXIT_USAGE;
	if (status == KH_EXIT_OK) {
		a->rs.principal = principal;
		a->rs.current = current;
		if (!a->rs.name)
			a->rs.name = short_name(principal);
		if (kh_rightsize(cat, u, &a->rs, &res, &err) != KH_OK) {
			cli_print_error(NULL, &err);
			status = KH_EXIT_USAGE;
		} else {
			res.gen.format = a->format;
			status = emit_all(a, &res);
			if (status == KH_EXIT_OK && res.coverage_allowed != res.coverage_total) {
				cli_error("the policy allows only %zu of %zu observed calls; please "
					  "report this as a bug",
					  res.coverage_allowed, res.coverage_total);
				status = KH_EXIT_FAIL;
			}
			kh_rightsize_result_release(&res);
		}
	}
	kh_policy_free(current);
	kh_usage_free(u);
	return status;
}

int cmd_rightsize(int argc, char **argv)
{
	struct logs_opts o = {0};
	struct rightsize_args a = {0};
	int status;

	a.format = KH_FORMAT_JSON;
	a.report = KH_REPORT_TEXT;
	for (int i = 1; i < argc; i++) {
		int r = logs_opts_parse(&o, argc, argv, &i);
		if (r == 0)
			r = parse_own(&a, argc, argv, &i);
		if (r < 0)
			goto usage_error;
		if (r > 0)
			continue;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("%s\n%s", rightsize_usage, logs_opts_help);
			logs_opts_release(&o);
			return KH_EXIT_OK;
		}
		cli_error("unknown option '%s'", argv[i]);
		goto usage_error;
	}
	if (a.current && a.current_authz) {
		cli_error("give --current or --current-authz, not both");
		goto usage_error;
	}
	status = run(&o, &a);
	logs_opts_release(&o);
	return status;
usage_error:
	fprintf(stderr, "%s", rightsize_usage);
	logs_opts_release(&o);
	return KH_EXIT_USAGE;
}

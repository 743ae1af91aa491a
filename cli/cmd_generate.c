/* cmd_generate.c - `keyhole generate`: an intent becomes a least-privilege
 * policy, rendered as JSON, Terraform or CloudFormation. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "keyhole/buf.h"
#include "keyhole/describe.h"
#include "keyhole/emit.h"
#include "keyhole/generate.h"

#define MAX_INTENT_BYTES ((size_t)1 << 20)

static const char generate_usage[] =
	"usage: keyhole generate --allow GRANT [--condition COND]... [--allow GRANT ...]\n"
	"                        [--name NAME] [--source SOURCE] [OPTIONS]\n"
	"       keyhole generate --intent FILE|- [OPTIONS]\n"
	"       keyhole generate --describe TEXT [--explain] [OPTIONS]\n"
	"\n"
	"Turns an intent into a least-privilege IAM policy. Every action comes from\n"
	"the catalog.\n"
	"\n"
	"GRANT is [SERVICE:]LEVELS[@ARN]:\n"
	"  s3:read,list@arn:aws:s3:::orders-bucket/*   actions that act on that ARN\n"
	"  dynamodb:read,write                          on the catalog's ARN templates\n"
	"  read@arn:aws:sns:us-east-1:123456789012:t    service taken from the ARN\n"
	"  sns:Publish@arn:aws:sns:us-east-1:123456789012:t\n"
	"                                               that one action, on that ARN\n"
	"LEVELS are list, read, write, tagging, permissions, describe (list+read) and\n"
	"admin (all five), and action names (Publish, Get*Attributes: they start with\n"
	"an upper-case letter or '*'), separated by commas.\n"
	"\n"
	"COND is OPERATOR:KEY=VALUE[,VALUE...] and applies to the --allow before it:\n"
	"  --condition 'StringEquals:aws:RequestedRegion=eu-west-1,eu-central-1'\n"
	"  --condition 'ForAnyValue:StringLike:aws:TagKeys=team*'\n"
	"KEY must be a condition key of the grant's service or a global aws: key.\n"
	"Values cannot contain commas here; use --intent for those.\n"
	"\n"
	"options:\n"
	"  --name NAME               role and policy name (default keyhole-generated)\n"
	"  --source SOURCE           the service the role is for: lambda, ec2, ecs, ...\n"
	"  --intent FILE|-           read the intent as JSON (see docs/generate.md); it\n"
	"                            may say \"describe\": \"TEXT\" instead of \"grants\"\n"
	"  --describe TEXT           the need in plain English (see docs/describe.md);\n"
	"                            offline unless KEYHOLE_LLM_URL/--llm-url is set\n"
	"  --explain                 print the intent read from the text first\n"
	"  --llm-url URL, --llm-model M   an OpenAI-compatible endpoint and model\n"
	"  --offline                 ignore KEYHOLE_LLM_URL\n"
	"  --format FORMAT           json (default), terraform or cloudformation\n"
	"  --with-trust              add the role and its trust policy for SOURCE\n"
	"  --compact                 replace runs of actions by exact wildcards\n"
	"  --include-wildcard-only   allow actions that take only Resource \"*\" on \"*\"\n"
	"                            (left out by default when a grant has an ARN)\n"
	"  --cfn-json                CloudFormation as JSON instead of YAML\n"
	"  --result                  print the whole result as JSON (policy, rendered,\n"
	"                            warnings, added and removed actions)\n"
	"  --quiet                   do not print warnings\n"
	"\n"
	"The output goes to standard output, warnings to standard error. Exit status\n"
	"0 on success (warnings included), 2 on a usage or input error.\n";

struct generate_opts {
	struct kh_intent intent;
	const char *intent_path, *describe;
	const char *name, *source, *format;
	struct kh_describe_opts llm;
	unsigned flags;
	int quiet, result, n_allow, explain;
};

static int usage_error(const char *fmt, const char *arg)
{
	fputs("keyhole: generate: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\n", stderr);
	fputs("see 'keyhole generate --help'\n", stderr);
	return KH_EXIT_USAGE;
}

static int flag_of(const char *arg, unsigned *flag)
{
	static const struct {
		const char *name;
		unsigned flag;
	} flags[] = {{"--with-trust", KH_GEN_WITH_TRUST},
		     {"--compact", KH_GEN_COMPACT},
		     {"--include-wildcard-only", KH_GEN_INCLUDE_WILDCARD_ONLY},
		     {"--cfn-json", KH_GEN_CFN_JSON}};
	for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
		if (strcmp(arg, flags[i].name) == 0) {
			*flag = flags[i].flag;
			return 1;
		}
	return 0;
}

/* Parses one option taking a value; returns -1 when arg is not one. */
static int value_opt(struct generate_opts *o, const char *arg, const char *val)
{
	struct kh_error err = {0};
	int rc = KH_OK;

	if (strcmp(arg, "--allow") == 0) {
		rc = kh_intent_add_allow(&o->intent, val, &err);
		o->n_allow++;
	} else if (strcmp(arg, "--condition") == 0) {
		rc = kh_intent_add_condition(&o->intent, val, &err);
	} else if (strcmp(arg, "--name") == 0) {
		o->name = val;
	} else if (strcmp(arg, "--source") == 0) {
		o->source = val;
	} else if (strcmp(arg, "--intent") == 0) {
		o->intent_path = val;
	} else if (strcmp(arg, "--describe") == 0) {
		o->describe = val;
	} else if (strcmp(arg, "--llm-url") == 0) {
		o->llm.llm_url = val;
	} else if (strcmp(arg, "--llm-model") == 0) {
		o->llm.llm_model = val;
	} else if (strcmp(arg, "--format") == 0) {
		o->format = val;
	} else {
		return -1;
	}
	if (rc != KH_OK) {
		cli_print_error("keyhole generate", &err);
		return KH_EXIT_USAGE;
	}
	return KH_EXIT_OK;
}

static int parse_args(struct generate_opts *o, int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		unsigned flag;
		int rc;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(generate_usage, stdout);
			exit(KH_EXIT_OK);
		} else if (flag_of(argv[i], &flag)) {
			o->flags |= flag;
		} else if (strcmp(argv[i], "--quiet") == 0) {
			o->quiet = 1;
		} else if (strcmp(argv[i], "--result") == 0) {
			o->result = 1;
		} else if (strcmp(argv[i], "--explain") == 0) {
			o->explain = 1;
		} else if (strcmp(argv[i], "--offline") == 0) {
			o->llm.llm_url = NULL;
			o->llm.llm_model = NULL;
		} else if (i + 1 < argc && (rc = value_opt(o, argv[i], argv[i + 1])) >= 0) {
			if (rc != KH_EXIT_OK)
				return rc;
			i++;
		} else {
			return usage_error("unknown option or missing value '%s'", argv[i]);
		}
	}
	if (!!o->intent_path + !!o->n_allow + !!o->describe > 1)
		return usage_error("%s", "give one of --intent, --allow and --describe");
	if (!o->intent_path && !o->n_allow && !o->describe)
		return usage_error("%s", "nothing to generate: give --allow, --intent or --describe");
	return KH_EXIT_OK;
}

/* Prints what was read from a description: the intent with --explain,
 * and always the phrases not placed and the notes. */
static void report_describe(const struct generate_opts *o, const struct kh_buf *intent,
			    const struct kh_describe_result *d)
{
	if (o->explain)
		fprintf(stderr, "keyhole: intent read from the description:\n%s\n", intent->data);
	if (o->quiet)
		return;
	for (size_t i = 0; i < d->n_unparsed; i++)
		fprintf(stderr, "keyhole: warning: NOT_UNDERSTOOD: '%s' was left out\n",
			d->unparsed[i]);
	for (size_t i = 0; i < d->n_notes; i++)
		fprintf(stderr, "keyhole: note: %s\n", d->notes[i]);
}

static int load_intent(struct generate_opts *o)
{
	struct kh_error err = {0};
	struct kh_describe_result d;
	struct kh_buf req, intent;
	const char *where = o->describe ? "--describe"
				       : strcmp(o->intent_path, "-") ? o->intent_path : "<stdin>";
	size_t len;
	char *text = NULL;
	int rc = KH_EXIT_OK;

	kh_buf_init(&req, MAX_INTENT_BYTES);
	kh_buf_init(&intent, MAX_INTENT_BYTES);
	kh_describe_result_init(&d);
	if (o->describe) {
		kh_buf_puts(&req, "{\"describe\": ");
		kh_buf_put_json_string(&req, o->describe);
		kh_buf_puts(&req, "}");
	} else if ((text = cli_read_file(o->intent_path, MAX_INTENT_BYTES, &len))) {
		kh_buf_add(&req, text, len);
		free(text);
	} else {
		rc = KH_EXIT_USAGE;
	}
	if (rc == KH_EXIT_OK &&
	    kh_describe_expand_intent(cli_catalog(), req.data, req.len, &o->llm, &intent, &d, &err))
		rc = KH_EXIT_USAGE;
	if (rc == KH_EXIT_OK && (o->describe || d.n_grants))
		report_describe(o, &intent, &d);
	if (rc == KH_EXIT_OK && kh_intent_parse_json(intent.data, intent.len, &o->intent, &err))
		rc = KH_EXIT_USAGE;
	if (rc != KH_EXIT_OK && err.msg[0])
		cli_print_error(where, &err);
	kh_describe_result_release(&d);
	kh_buf_release(&req);
	kh_buf_release(&intent);
	return rc;
}

/* Command-line values override the intent's. */
static int apply_overrides(struct generate_opts *o)
{
	struct kh_intent *in = &o->intent;
	if (o->format && kh_format_parse(o->format, &in->format))
		return usage_error("unknown format '%s'; use json, terraform or cloudformation",
				   o->format);
	if (o->name) {
		free(in->name);
		if (!(in->name = strdup(o->name)))
			return KH_EXIT_USAGE;
	}
	if (o->source) {
		free(in->source);
		if (!(in->source = strdup(o->source)))
			return KH_EXIT_USAGE;
	}
	return KH_EXIT_OK;
}

static void print_warnings(const struct kh_generate_result *res)
{
	for (size_t i = 0; i < res->n_warnings; i++)
		fprintf(stderr, "keyhole: warning: %s: %s\n", res->warnings[i].code,
			res->warnings[i].message);
}

static int render(struct generate_opts *o, const struct kh_generate_result *res)
{
	struct kh_buf out;
	int rc;

	kh_buf_init(&out, 0);
	if (o->result)
		rc = kh_emit_result_json(res, o->intent.format, res->flags, &out);
	else
		rc = kh_emit(res, o->intent.format, res->flags, &out);
	if (rc != KH_OK) {
		cli_error("generate: %s", kh_strerror(rc));
		kh_buf_release(&out);
		return KH_EXIT_USAGE;
	}
	fwrite(out.data, 1, out.len, stdout);
	kh_buf_release(&out);
	if (!o->quiet)
		print_warnings(res);
	return fflush(stdout) == 0 ? KH_EXIT_OK : KH_EXIT_USAGE;
}

int cmd_generate(int argc, char **argv)
{
	struct generate_opts o = {0};
	struct kh_generate_result res;
	struct kh_error err = {0};
	int rc;

	kh_intent_init(&o.intent);
	o.llm.llm_url = getenv("KEYHOLE_LLM_URL");
	o.llm.llm_model = getenv("KEYHOLE_LLM_MODEL");
	o.llm.llm_api_key = getenv("KEYHOLE_LLM_API_KEY");
	rc = parse_args(&o, argc, argv);
	if (rc == KH_EXIT_OK && (o.intent_path || o.describe))
		rc = load_intent(&o);
	if (rc == KH_EXIT_OK)
		rc = apply_overrides(&o);
	if (rc == KH_EXIT_OK) {
		if (kh_generate(cli_catalog(), &o.intent, o.flags, &res, &err) != KH_OK) {
			cli_print_error(o.intent_path ? o.intent_path : "keyhole generate", &err);
			rc = KH_EXIT_USAGE;
		} else {
			rc = render(&o, &res);
			kh_generate_result_release(&res);
		}
	}
	kh_intent_release(&o.intent);
	return rc;
}

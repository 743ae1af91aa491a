/* cmd_simulate.c - keyhole simulate: decide requests against policies. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "keyhole/eval.h"

#define MAX_POLICY_BYTES ((size_t)16 << 20)
#define MAX_REQUESTS_BYTES ((size_t)1 << 32)
#define MAX_CONTEXT 128

static void usage(FILE *f)
{
	fprintf(f,
		"usage: keyhole simulate --policy P.json [--policy ...] [--boundary B.json]\n"
		"         [--scp S.json]... [--resource-policy R.json] [--principal ARN]\n"
		"         [--anonymous] [--resource-account ID]\n"
		"         (--action ACTION --resource ARN [--context key=value]... |\n"
		"          --requests FILE.jsonl) [--json]\n\n"
		"Decides requests as AWS would and explains why. Each --scp is one level\n"
		"of the organization. A key given twice in --context is multivalued.\n"
		"--requests reads one JSON request per line: {\"action\", \"resource\",\n"
		"\"principal\", \"resource_account\", \"anonymous\", \"context\": {k: v | [v]}}\n"
		"and prints one decision per line.\n"
		"Exit: 0 allowed, 1 denied (single request), 2 usage or input error.\n");
}

/* Reads, parses and compiles one policy file into the engine. */
static int load_policy(struct kh_engine *e, enum kh_eval_kind kind, const char *path)
{
	size_t len;
	char *text = cli_read_file(path, MAX_POLICY_BYTES, &len);
	struct kh_policy *p = NULL;
	struct kh_error err = {0};
	int rc;

	if (!text)
		return -1;
	rc = kh_policy_parse(text, len, &p, &err);
	free(text);
	if (rc == KH_OK)
		rc = kh_engine_add(e, kind, p, path, &err);
	kh_policy_free(p);
	if (rc != KH_OK) {
		cli_print_error(path, &err);
		return -1;
	}
	return 0;
}

struct ctx_args {
	struct kh_eval_key keys[MAX_CONTEXT];
	const char *values[MAX_CONTEXT];
	char *names[MAX_CONTEXT];
	size_t n_keys, n_values;
};

/* Adds key=value; a repeated key becomes multivalued. Values of one key
 * must be given together, as keys keep their values contiguous. */
static int add_context(struct ctx_args *c, const char *arg)
{
	const char *eq = strchr(arg, '=');
	size_t klen;

	if (!eq || eq == arg) {
		cli_error("simulate: --context wants key=value, not '%s'", arg);
		return -1;
	}
	if (c->n_values == MAX_CONTEXT) {
		cli_error("simulate: too many --context values (limit %d)", MAX_CONTEXT);
		return -1;
	}
	klen = (size_t)(eq - arg);
	if (c->n_keys && strlen(c->names[c->n_keys - 1]) == klen &&
	    strncmp(c->names[c->n_keys - 1], arg, klen) == 0) {
		struct kh_eval_key *k = &c->keys[c->n_keys - 1];
		c->values[c->n_values++] = eq + 1;
		k->n_values++;
		k->is_array = 1;
		return 0;
	}
	for (size_t i = 0; i < c->n_keys; i++)
		if (strlen(c->names[i]) == klen && strncmp(c->names[i], arg, klen) == 0) {
			cli_error("simulate: give the values of '%s' one after another", c->names[i]);
			return -1;
		}
	c->names[c->n_keys] = strndup(arg, klen);
	if (!c->names[c->n_keys]) {
		cli_error("simulate: out of memory");
		return -1;
	}
	c->values[c->n_values] = eq + 1;
	c->keys[c->n_keys] = (struct kh_eval_key){.key = c->names[c->n_keys],
						  .values = &c->values[c->n_values], .n_values = 1};
	c->n_keys++;
	c->n_values++;
	return 0;
}

static int run_one(const struct kh_engine *e, const struct kh_eval_request *req, int json)
{
	struct kh_eval_result res;
	struct kh_buf out;

	kh_engine_evaluate(e, req, &res);
	kh_buf_init(&out, 0);
	if (kh_engine_explain(e, req, &res, json, &out) != KH_OK) {
		cli_error("simulate: %s", kh_strerror(kh_buf_error(&out)));
		kh_buf_release(&out);
		return KH_EXIT_USAGE;
	}
	fputs(out.data, stdout);
	if (json)
		fputc('\n', stdout);
	kh_buf_release(&out);
	return res.decision == KH_DECISION_ALLOW ? KH_EXIT_OK : KH_EXIT_FAIL;
}

/* One line per request: the JSON explanation, or "decision<TAB>action<TAB>resource". */
static int run_batch(const struct kh_engine *e, const char *path, int json)
{
	size_t len, line = 0;
	char *text = cli_read_file(path, MAX_REQUESTS_BYTES, &len);
	struct kh_buf out;
	int status = KH_EXIT_OK;

	if (!text)
		return KH_EXIT_USAGE;
	kh_buf_init(&out, 0);
	for (char *p = text, *nl; p < text + len; p = nl + 1) {
		struct kh_eval_request_json rj;
		struct kh_eval_result res;
		struct kh_error err = {0};
		nl = memchr(p, '\n', (size_t)(text + len - p));
		if (!nl)
			nl = text + len;
		line++;
		if (nl == p || (nl - p == 1 && *p == '\r'))
			continue;
		if (kh_eval_request_parse_json(p, (size_t)(nl - p), &rj, &err) != KH_OK) {
			err.line = (int)line;
			err.col = 0;
			cli_print_error(path, &err);
			status = KH_EXIT_USAGE;
			break;
		}
		kh_engine_evaluate(e, &rj.req, &res);
		kh_buf_reset(&out);
		if (json)
			kh_engine_explain(e, &rj.req, &res, 1, &out);
		else
			kh_buf_printf(&out, "%s\t%s\t%s", kh_decision_name(res.decision),
				      rj.req.action, rj.req.resource);
		kh_buf_putc(&out, '\n');
		fwrite(out.data, 1, out.len, stdout);
		kh_eval_request_json_release(&rj);
	}
	kh_buf_release(&out);
	free(text);
	return status;
}

struct opts {
	struct kh_eval_request req;
	struct ctx_args ctx;
	const char *requests;
	int json;
};

static int policy_kind(const char *opt)
{
	if (strcmp(opt, "--policy") == 0)
		return KH_EVAL_IDENTITY;
	if (strcmp(opt, "--boundary") == 0)
		return KH_EVAL_BOUNDARY;
	if (strcmp(opt, "--scp") == 0)
		return KH_EVAL_SCP;
	if (strcmp(opt, "--resource-policy") == 0)
		return KH_EVAL_RESOURCE;
	return -1;
}

static int parse_args(int argc, char **argv, struct kh_engine *e, struct opts *o)
{
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int kind = policy_kind(a);
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			exit(KH_EXIT_OK);
		} else if (strcmp(a, "--json") == 0) {
			o->json = 1;
		} else if (strcmp(a, "--anonymous") == 0) {
			o->req.anonymous = 1;
		} else if (!v) {
			cli_error("simulate: unknown option or missing value: '%s'", a);
			return -1;
		} else if (kind >= 0) {
			if (load_policy(e, (enum kh_eval_kind)kind, v) != 0)
				return -2;
			i++;
		} else if (strcmp(a, "--principal") == 0) {
			o->req.principal = argv[++i];
		} else if (strcmp(a, "--action") == 0) {
			o->req.action = argv[++i];
		} else if (strcmp(a, "--resource") == 0) {
			o->req.resource = argv[++i];
		} else if (strcmp(a, "--resource-account") == 0) {
			o->req.resource_account = argv[++i];
		} else if (strcmp(a, "--requests") == 0) {
			o->requests = argv[++i];
		} else if (strcmp(a, "--context") == 0) {
			if (add_context(&o->ctx, argv[++i]) != 0)
				return -1;
		} else {
			cli_error("simulate: unknown option '%s'", a);
			return -1;
		}
	}
	return 0;
}

int cmd_simulate(int argc, char **argv)
{
	struct kh_engine *e = NULL;
	struct opts *o = calloc(1, sizeof(*o));
	int status = KH_EXIT_USAGE, rc;

	if (!o || kh_engine_new(&e) != KH_OK) {
		cli_error("simulate: out of memory");
		free(o);
		return KH_EXIT_USAGE;
	}
	rc = parse_args(argc, argv, e, o);
	if (rc == -1)
		usage(stderr);
	if (rc == 0 && !o->requests && (!o->req.action || !o->req.resource)) {
		cli_error("simulate: give --action and --resource, or --requests FILE");
		usage(stderr);
		rc = -1;
	}
	if (rc == 0 && kh_engine_count(e, KH_EVAL_IDENTITY) + kh_engine_count(e, KH_EVAL_RESOURCE) == 0) {
		cli_error("simulate: give at least one --policy or --resource-policy");
		rc = -1;
	}
	if (rc == 0) {
		o->req.context = o->ctx.keys;
		o->req.n_context = o->ctx.n_keys;
		status = o->requests ? run_batch(e, o->requests, o->json)
				     : run_one(e, &o->req, o->json);
	}
	for (size_t i = 0; i < o->ctx.n_keys; i++)
		free(o->ctx.names[i]);
	free(o);
	kh_engine_free(e);
	return status;
}

/* cloudformation.c - the policy as a CloudFormation template: an
 * AWS::IAM::ManagedPolicy, and with trust an AWS::IAM::Role it is attached
 * to. The template is built as a JSON tree, then written as JSON or as YAML
 * with the short forms !Sub and !Ref. Resources with catalog placeholders go
 * through Fn::Sub: ${Partition}, ${Region} and ${Account} become the pseudo
 * parameters, name placeholders become template Parameters, and any other
 * "${" (an IAM policy variable) is written "${!" so Fn::Sub keeps it. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "emit/emit_int.h"
#include "generate/generate_int.h"

/* Appends s[0..len) so that Fn::Sub leaves it as it is: "${" -> "${!". */
static void put_literal(struct kh_buf *b, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		kh_buf_putc(b, s[i]);
		if (s[i] == '$' && i + 1 < len && s[i + 1] == '{') {
			kh_buf_puts(b, "{!");
			i++;
		}
	}
}

/* The Fn::Sub text for a resource, or NULL when it has no placeholder. */
static json_t *sub_resource(const char *s)
{
	const char *name, *ph;
	struct kh_buf b;
	size_t len;
	json_t *v;

	if (!kh__next_placeholder(s, &name, &len))
		return json_string(s);
	kh_buf_init(&b, 0);
	for (; (ph = kh__next_placeholder(s, &name, &len)); s = name + len + 1) {
		put_literal(&b, s, (size_t)(ph - s));
		switch (kh__pseudo_placeholder(name, len)) {
		case 'P': kh_buf_puts(&b, "${AWS::Partition}"); break;
		case 'R': kh_buf_puts(&b, "${AWS::Region}"); break;
		case 'A': kh_buf_puts(&b, "${AWS::AccountId}"); break;
		default: kh_buf_add(&b, ph, len + 3);
		}
	}
	put_literal(&b, s, strlen(s));
	v = kh_buf_error(&b) ? NULL : json_pack("{s:s%}", "Fn::Sub", b.data, b.len);
	kh_buf_release(&b);
	return v;
}

/* ---- the policy as a tree ------------------------------------------------
 * The tree json_loadb would read from kh_policy_write's text, built without
 * the text. *unsure is set where the two could differ (a byte outside
 * ASCII, a non-string value, a key repeated in one object); the caller then
 * takes the text path. */

static void tree_check_ascii(const char *s, int *unsure)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p >= 0x80)
			*unsure = 1;
}

static json_t *tree_string(const char *s, int *unsure)
{
	tree_check_ascii(s, unsure);
	return json_string(s);
}

/* Adds a member; a repeated key is one the text path would merge. */
static void tree_set(json_t *o, const char *key, json_t *v, int *unsure)
{
	tree_check_ascii(key, unsure);
	if (!v || json_object_get(o, key)) {
		json_decref(v);
		*unsure = 1;
		return;
	}
	if (json_object_set_new(o, key, v))
		*unsure = 1;
}

static json_t *tree_list(char *const *items, const enum kh_value_type *types, size_t n,
			 int is_array, int *unsure)
{
	json_t *a;

	for (size_t i = 0; types && i < n; i++)
		if (types[i] != KH_VALUE_STRING)
			*unsure = 1;
	if (!is_array && n == 1)
		return tree_string(items[0], unsure);
	if (!(a = json_array()))
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (json_array_append_new(a, tree_string(items[i], unsure)))
			*unsure = 1;
	return a;
}

static void tree_strlist(json_t *o, const char *key, const struct kh_strlist *l, int *unsure)
{
	if (l->present)
		tree_set(o, key, tree_list(l->items, NULL, l->n, l->is_array, unsure), unsure);
}

static void tree_principal(json_t *o, const char *key, const struct kh_principal *pr,
			   int *unsure)
{
	json_t *v;

	if (!pr->present)
		return;
	if (pr->is_star) {
		tree_set(o, key, json_string("*"), unsure);
		return;
	}
	if ((v = json_object()))
		for (size_t i = 0; i < pr->n_entries; i++)
			tree_strlist(v, pr->entries[i].type, &pr->entries[i].values, unsure);
	tree_set(o, key, v, unsure);
}

static void tree_conditions(json_t *o, const struct kh_statement *st, int *unsure)
{
	json_t *ops;

	if (!st->has_condition)
		return;
	if (!(ops = json_object()))
		*unsure = 1;
	for (size_t i = 0; ops && i < st->n_conditions;) {
		const char *op = st->conditions[i].op;
		json_t *keys = json_object();
		for (; i < st->n_conditions && strcmp(st->conditions[i].op, op) == 0; i++) {
			const struct kh_condition *c = &st->conditions[i];
			if (keys)
				tree_set(keys, c->key,
					 tree_list(c->values, c->types, c->n_values,
						   c->values_is_array, unsure),
					 unsure);
		}
		tree_set(ops, op, keys, unsure);
	}
	tree_set(o, "Condition", ops, unsure);
}

static json_t *tree_statement(const struct kh_statement *st, int *unsure)
{
	json_t *o = json_object();

	if (!o) {
		*unsure = 1;
		return NULL;
	}
	if (st->sid)
		tree_set(o, "Sid", tree_string(st->sid, unsure), unsure);
	if (st->effect_raw)
		tree_set(o, "Effect", tree_string(st->effect_raw, unsure), unsure);
	tree_principal(o, "Principal", &st->principal, unsure);
	tree_principal(o, "NotPrincipal", &st->not_principal, unsure);
	tree_strlist(o, "Action", &st->action, unsure);
	tree_strlist(o, "NotAction", &st->not_action, unsure);
	tree_strlist(o, "Resource", &st->resource, unsure);
	tree_strlist(o, "NotResource", &st->not_resource, unsure);
	tree_conditions(o, st, unsure);
	return o;
}

static json_t *policy_tree(const struct kh_policy *p, int *unsure)
{
	json_t *doc = json_object(), *sts;

	if (!doc) {
		*unsure = 1;
		return NULL;
	}
	if (p->version)
		tree_set(doc, "Version", tree_string(p->version, unsure), unsure);
	if (p->id)
		tree_set(doc, "Id", tree_string(p->id, unsure), unsure);
	if (!p->has_statement)
		return doc;
	if (!p->statement_is_array && p->n_statements == 1) {
		tree_set(doc, "Statement", tree_statement(&p->statements[0], unsure), unsure);
		return doc;
	}
	if (!(sts = json_array()))
		*unsure = 1;
	for (size_t i = 0; sts && i < p->n_statements; i++)
		if (json_array_append_new(sts, tree_statement(&p->statements[i], unsure)))
			*unsure = 1;
	tree_set(doc, "Statement", sts, unsure);
	return doc;
}

/* The policy document as a tree, its resources through sub_resource. */
static json_t *document(const struct kh_policy *p)
{
	struct kh_buf text;
	int unsure = 0;
	json_t *doc = policy_tree(p, &unsure), *sts;

	if (unsure) {
		json_decref(doc);
		doc = NULL;
		kh_buf_init(&text, 0);
		if (kh_policy_write(p, &text, 1) == KH_OK)
			doc = json_loadb(text.data, text.len, 0, NULL);
		kh_buf_release(&text);
	}
	if (!doc || !(sts = json_object_get(doc, "Statement")))
		return doc;
	for (size_t i = 0; i < json_array_size(sts); i++) {
		json_t *res = json_object_get(json_array_get(sts, i), "Resource");
		for (size_t j = 0; j < json_array_size(res); j++)
			json_array_set_new(res, j,
					   sub_resource(json_string_value(json_array_get(res, j))));
	}
	return doc;
}

static json_t *parameters(const struct kh_policy *p)
{
	struct kh__names names;
	json_t *o = json_object();

	if (!o || kh__collect_names(p, &names)) {
		json_decref(o);
		return NULL;
	}
	for (size_t i = 0; i < names.n; i++) {
		char desc[200];
		snprintf(desc, sizeof(desc), "The %s in the policy's resource ARNs", names.items[i]);
		json_object_set_new(o, names.items[i],
				    json_pack("{s:s,s:s}", "Type", "String", "Description", desc));
	}
	kh__names_free(&names);
	return o;
}

static json_t *template(const struct kh_generate_result *res, const char *logical)
{
	char role[160], policy[160], desc[200];
	json_t *t, *resources, *props, *params = parameters(res->policy);

	snprintf(role, sizeof(role), "%sRole", logical);
	snprintf(policy, sizeof(policy), "%sPolicy", logical);
	snprintf(desc, sizeof(desc), "Least-privilege IAM policy %s, generated by keyhole",
		 res->name);
	t = json_pack("{s:s,s:s}", "AWSTemplateFormatVersion", "2010-09-09", "Description", desc);
	if (!t || !params)
		goto fail;
	if (json_object_size(params))
		json_object_set(t, "Parameters", params);
	json_object_set_new(t, "Resources", resources = json_object());
	if (res->trust_policy)
		json_object_set_new(resources, role,
				    json_pack("{s:s,s:{s:s,s:o}}", "Type", "AWS::IAM::Role",
					      "Properties", "RoleName", res->name,
					      "AssumeRolePolicyDocument",
					      document(res->trust_policy)));
	props = json_pack("{s:s,s:o}", "ManagedPolicyName", res->name, "PolicyDocument",
			  document(res->policy));
	if (props && res->trust_policy)
		json_object_set_new(props, "Roles", json_pack("[{s:s}]", "Ref", role));
	json_object_set_new(resources, policy,
			    json_pack("{s:s,s:o}", "Type", "AWS::IAM::ManagedPolicy", "Properties",
				      props));
	json_decref(params);
	return t;
fail:
	json_decref(params);
	json_decref(t);
	return NULL;
}

/* ---- YAML --------------------------------------------------------------- */

/* Can s be written as a plain YAML scalar that reads back as this string? */
static int plain_ok(const char *s)
{
	static const char *const words[] = {"true", "false", "yes", "no",   "on",
					    "off",  "null",  "y",   "n",    "~"};
	if (!isalpha((unsigned char)s[0]))
		return 0;
	for (const char *p = s; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr(":._/*@+=,-", *p))
			return 0;
	if (s[strlen(s) - 1] == ':')
		return 0;
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (strcasecmp(s, words[i]) == 0)
			return 0;
	return 1;
}

static void yaml_scalar(struct kh_buf *b, const char *s)
{
	if (plain_ok(s))
		kh_buf_puts(b, s);
	else
		kh__put_json_string(b, s); /* YAML reads JSON escapes */
}

static void indent(struct kh_buf *b, int n)
{
	static const char spaces[] = "                                ";
	for (; n > (int)sizeof(spaces) - 1; n -= (int)sizeof(spaces) - 1)
		kh_buf_add(b, spaces, sizeof(spaces) - 1);
	if (n > 0)
		kh_buf_add(b, spaces, (size_t)n);
}

/* A one-member {"Fn::Sub": s} or {"Ref": s} object in its short form. */
static int yaml_tag(struct kh_buf *b, const json_t *v)
{
	const char *key;
	json_t *val;
	if (!json_is_object(v) || json_object_size(v) != 1)
		return 0;
	json_object_foreach((json_t *)v, key, val) {
		if (!json_is_string(val) || (strcmp(key, "Fn::Sub") && strcmp(key, "Ref")))
			return 0;
		if (!b)
			return 1;
		kh_buf_puts(b, strcmp(key, "Ref") == 0 ? "!Ref " : "!Sub ");
		yaml_scalar(b, json_string_value(val));
	}
	return 1;
}

static void yaml_value(struct kh_buf *b, const json_t *v, int depth, int inline_first);

/* Writes the members of an object; the first on the current line when
 * inline_first (after "- "). */
static void yaml_object(struct kh_buf *b, const json_t *v, int depth, int inline_first)
{
	const char *key;
	json_t *val;
	int first = 1;
	json_object_foreach((json_t *)v, key, val) {
		if (!(first && inline_first))
			indent(b, depth);
		first = 0;
		yaml_scalar(b, key);
		kh_buf_putc(b, ':');
		if (json_is_string(val) || yaml_tag(NULL, val) ||
		    (json_is_array(val) && !json_array_size(val)) ||
		    (json_is_object(val) && !json_object_size(val))) {
			kh_buf_putc(b, ' ');
			yaml_value(b, val, depth, 0);
		} else {
			kh_buf_putc(b, '\n');
			yaml_value(b, val, depth + 2, 0);
		}
	}
}

static void yaml_value(struct kh_buf *b, const json_t *v, int depth, int inline_first)
{
	if (json_is_string(v)) {
		yaml_scalar(b, json_string_value(v));
		kh_buf_putc(b, '\n');
	} else if (yaml_tag(b, v)) {
		kh_buf_putc(b, '\n');
	} else if (json_is_array(v)) {
		if (!json_array_size(v))
			kh_buf_puts(b, "[]\n");
		for (size_t i = 0; i < json_array_size(v); i++) {
			const json_t *e = json_array_get(v, i);
			indent(b, depth);
			kh_buf_puts(b, "- ");
			if (json_is_object(e) && json_object_size(e) && !yaml_tag(NULL, e))
				yaml_object(b, e, depth + 2, 1);
			else
				yaml_value(b, e, depth + 2, 0);
		}
	} else if (json_is_object(v)) {
		if (!json_object_size(v))
			kh_buf_puts(b, "{}\n");
		else
			yaml_object(b, v, depth, inline_first);
	} else {
		char *text = json_dumps(v, JSON_ENCODE_ANY);
		kh_buf_puts(b, text ? text : "null");
		kh_buf_putc(b, '\n');
		free(text);
	}
}

int kh__emit_cloudformation(const struct kh_generate_result *res, int as_json,
			    struct kh_buf *out)
{
	struct kh_buf logical;
	json_t *t;
	int rc = KH_OK;

	kh_buf_init(&logical, 256);
	kh__camel(&logical, res->name, strlen(res->name), 100);
	if (!logical.len)
		kh_buf_puts(&logical, "Generated");
	t = kh_buf_error(&logical) ? NULL : template(res, logical.data);
	kh_buf_release(&logical);
	if (!t)
		return KH_ENOMEM;
	if (as_json) {
		char *text = json_dumps(t, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		if (!text)
			rc = KH_ENOMEM;
		kh_buf_puts(out, text ? text : "");
		kh_buf_putc(out, '\n');
		free(text);
	} else {
		yaml_object(out, t, 0, 0);
	}
	json_decref(t);
	return rc ? rc : kh_buf_error(out);
}

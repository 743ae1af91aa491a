/* terraform.c - the policy as Terraform (HCL): an aws_iam_policy_document
 * data source and an aws_iam_policy; with trust, an aws_iam_role and its
 * policy attachment. Catalog placeholders become data sources and
 * variables; everything else in strings is escaped so Terraform reads it
 * literally (IAM policy variables such as ${aws:username} included). */
#include <ctype.h>
#include <string.h>

#include "emit/emit_int.h"

/* Appends s[0..len) escaped for an HCL quoted string, without quotes. */
static void put_escaped(struct kh_buf *b, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (c == '"' || c == '\\') {
			kh_buf_putc(b, '\\');
			kh_buf_putc(b, c);
		} else if (c == '\n') {
			kh_buf_puts(b, "\\n");
		} else if (c == '\r') {
			kh_buf_puts(b, "\\r");
		} else if (c == '\t') {
			kh_buf_puts(b, "\\t");
		} else if ((unsigned char)c < 0x20) {
			kh_buf_printf(b, "\\u%04x", (unsigned)c);
		} else if ((c == '$' || c == '%') && i + 1 < len && s[i + 1] == '{') {
			kh_buf_putc(b, c);
			kh_buf_putc(b, c); /* $${ and %%{ are literal */
		} else {
			kh_buf_putc(b, c);
		}
	}
}

static void put_string(struct kh_buf *b, const char *s)
{
	kh_buf_putc(b, '"');
	put_escaped(b, s, strlen(s));
	kh_buf_putc(b, '"');
}

/* A resource: placeholders become interpolations. */
static void put_resource(struct kh_buf *b, const char *s)
{
	const char *name, *ph;
	size_t len;

	kh_buf_putc(b, '"');
	while ((ph = kh__next_placeholder(s, &name, &len))) {
		put_escaped(b, s, (size_t)(ph - s));
		switch (kh__pseudo_placeholder(name, len)) {
		case 'P': kh_buf_puts(b, "${data.aws_partition.current.partition}"); break;
		case 'R': kh_buf_puts(b, "${data.aws_region.current.name}"); break;
		case 'A': kh_buf_puts(b, "${data.aws_caller_identity.current.account_id}"); break;
		default:
			kh_buf_puts(b, "${var.");
			kh__snake(b, name, len);
			kh_buf_putc(b, '}');
		}
		s = name + len + 1;
	}
	put_escaped(b, s, strlen(s));
	kh_buf_putc(b, '"');
}

/* A Terraform identifier from the policy name: lower case, '_' for the
 * characters HCL identifiers do not take. */
static void put_ident(struct kh_buf *b, const char *name)
{
	if (!isalpha((unsigned char)name[0]) && name[0] != '_')
		kh_buf_putc(b, 'p');
	for (; *name; name++)
		kh_buf_putc(b, isalnum((unsigned char)*name) ? (char)tolower((unsigned char)*name)
							      : '_');
}

static void put_list(struct kh_buf *b, const char *attr, const struct kh_strlist *l,
		     int resources)
{
	kh_buf_printf(b, "    %s = [\n", attr);
	for (size_t i = 0; i < l->n; i++) {
		kh_buf_puts(b, "      ");
		if (resources)
			put_resource(b, l->items[i]);
		else
			put_string(b, l->items[i]);
		kh_buf_puts(b, ",\n");
	}
	kh_buf_puts(b, "    ]\n");
}

static void put_condition(struct kh_buf *b, const struct kh_condition *c)
{
	kh_buf_puts(b, "\n    condition {\n      test     = ");
	put_string(b, c->op);
	kh_buf_puts(b, "\n      variable = ");
	put_string(b, c->key);
	kh_buf_puts(b, "\n      values   = [");
	for (size_t i = 0; i < c->n_values; i++) {
		kh_buf_puts(b, i ? ", " : "");
		put_string(b, c->values[i]);
	}
	kh_buf_puts(b, "]\n    }\n");
}

static void put_principals(struct kh_buf *b, const struct kh_principal *pr)
{
	for (size_t i = 0; i < pr->n_entries; i++) {
		const struct kh_principal_entry *e = &pr->entries[i];
		kh_buf_puts(b, "\n    principals {\n      type        = ");
		put_string(b, e->type);
		kh_buf_puts(b, "\n      identifiers = [");
		for (size_t j = 0; j < e->values.n; j++) {
			kh_buf_puts(b, j ? ", " : "");
			put_string(b, e->values.items[j]);
		}
		kh_buf_puts(b, "]\n    }\n");
	}
}

static void put_statement(struct kh_buf *b, const struct kh_statement *st)
{
	kh_buf_puts(b, "  statement {\n");
	if (st->sid) {
		kh_buf_puts(b, "    sid    = ");
		put_string(b, st->sid);
		kh_buf_putc(b, '\n');
	}
	kh_buf_printf(b, "    effect = \"%s\"\n",
		      st->effect == KH_EFFECT_DENY ? "Deny" : "Allow");
	put_list(b, "actions", &st->action, 0);
	if (st->resource.present)
		put_list(b, "resources", &st->resource, 1);
	put_principals(b, &st->principal);
	for (size_t i = 0; i < st->n_conditions; i++)
		put_condition(b, &st->conditions[i]);
	kh_buf_puts(b, "  }\n");
}

static void put_document(struct kh_buf *b, const char *ident, const char *suffix,
			 const struct kh_policy *p)
{
	kh_buf_printf(b, "data \"aws_iam_policy_document\" \"%s%s\" {\n", ident, suffix);
	for (size_t i = 0; i < p->n_statements; i++) {
		if (i)
			kh_buf_putc(b, '\n');
		put_statement(b, &p->statements[i]);
	}
	kh_buf_puts(b, "}\n\n");
}

/* Declares the data sources and variables the resources refer to. */
static int put_inputs(struct kh_buf *b, const struct kh_policy *p)
{
	static const char *const sources[] = {"aws_partition", "aws_region", "aws_caller_identity"};
	static const char pseudo[] = "PRA";
	int used[3] = {0};
	struct kh__names names;

	for (size_t i = 0; i < p->n_statements; i++)
		for (size_t j = 0; j < p->statements[i].resource.n; j++) {
			const char *s = p->statements[i].resource.items[j], *name;
			size_t len;
			while ((s = kh__next_placeholder(s, &name, &len))) {
				int k = kh__pseudo_placeholder(name, len);
				if (k)
					used[strchr(pseudo, k) - pseudo] = 1;
				s = name + len;
			}
		}
	for (size_t k = 0; k < 3; k++)
		if (used[k])
			kh_buf_printf(b, "data \"%s\" \"current\" {}\n", sources[k]);
	if (used[0] || used[1] || used[2])
		kh_buf_putc(b, '\n');
	if (kh__collect_names(p, &names))
		return KH_ENOMEM;
	for (size_t i = 0; i < names.n; i++) {
		kh_buf_puts(b, "variable \"");
		kh__snake(b, names.items[i], strlen(names.items[i]));
		kh_buf_printf(b, "\" {\n  description = \"The %s in the policy's resource ARNs\"\n"
				 "  type        = string\n}\n\n",
			      names.items[i]);
	}
	kh__names_free(&names);
	return KH_OK;
}

int kh__emit_terraform(const struct kh_generate_result *res, struct kh_buf *out)
{
	struct kh_buf id;
	int rc;

	kh_buf_init(&id, 1024);
	put_ident(&id, res->name);
	kh_buf_puts(out, "# Least-privilege IAM policy \"");
	put_escaped(out, res->name, strlen(res->name));
	kh_buf_puts(out, "\", generated by keyhole.\n\n");
	rc = put_inputs(out, res->policy);
	put_document(out, id.data, "", res->policy);
	kh_buf_printf(out, "resource \"aws_iam_policy\" \"%s\" {\n  name   = ", id.data);
	put_string(out, res->name);
	kh_buf_printf(out, "\n  policy = data.aws_iam_policy_document.%s.json\n}\n", id.data);
	if (res->trust_policy) {
		kh_buf_putc(out, '\n');
		put_document(out, id.data, "_assume_role", res->trust_policy);
		kh_buf_printf(out, "resource \"aws_iam_role\" \"%s\" {\n"
				   "  name               = ", id.data);
		put_string(out, res->name);
		kh_buf_printf(out,
			      "\n  assume_role_policy = "
			      "data.aws_iam_policy_document.%s_assume_role.json\n}\n\n"
			      "resource \"aws_iam_role_policy_attachment\" \"%s\" {\n"
			      "  role       = aws_iam_role.%s.name\n"
			      "  policy_arn = aws_iam_policy.%s.arn\n}\n",
			      id.data, id.data, id.data, id.data);
	}
	if (kh_buf_error(&id))
		rc = KH_ENOMEM;
	kh_buf_release(&id);
	return rc ? rc : kh_buf_error(out);
}

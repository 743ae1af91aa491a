/* values.c - checks on what condition values mean, once their form is
 * right: a wildcard under an operator that compares literally, Bool with
 * more than one value, and private address ranges in aws:SourceIp, which
 * only ever holds public addresses. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "validate/validate_int.h"

static int if_exists(const char *op)
{
	size_t n = strlen(op);
	return n > 8 && strcmp(op + n - 8, "IfExists") == 0;
}

/* The first '*' or '?' of v outside policy variables (${*} and ${?} stand
 * for the characters themselves), or 0. */
static char literal_wildcard(const char *v)
{
	for (const char *p = v; *p; p++) {
		if (p[0] == '$' && p[1] == '{') {
			if (!(p = strchr(p, '}')))
				return 0;
			continue;
		}
		if (*p == '*' || *p == '?')
			return *p;
	}
	return 0;
}

/* StringEquals and its kin match '*' and '?' as themselves. ArnEquals is
 * left alone: it matches wildcards exactly as ArnLike does. */
static void check_wildcards(struct vctx *vc, const struct kh_condition *c, const char *path,
			    const char *base_op, int set)
{
	int negated = strncmp(base_op, "StringNot", 9) == 0;
	char fix[96];

	if (strncmp(base_op, "String", 6) != 0 || strstr(base_op, "Like"))
		return;
	snprintf(fix, sizeof(fix), "use '%s%s%s' to match a pattern%s",
		 set == 1 ? "ForAllValues:" : set == 2 ? "ForAnyValue:" : "",
		 negated ? "StringNotLike" : "StringLike", if_exists(c->op) ? "IfExists" : "",
		 strstr(base_op, "IgnoreCase") ? " (it compares case-sensitively)" : "");
	for (size_t i = 0; i < c->n_values; i++) {
		char w = c->types[i] == KH_VALUE_STRING ? literal_wildcard(c->values[i]) : 0;
		if (w)
			vc_add(vc, KH_SEV_WARNING, "WILDCARD_WITHOUT_LIKE_OPERATOR", path,
			       c->value_pos[i], fix,
			       "'%s' holds '%c', but '%s' compares literally: it matches only a "
			       "value with that very character, not a pattern",
			       c->values[i], w, c->op);
	}
}

/* Bool compares the key's one value; a list of several is a mistake. */
static void check_multiple_bool(struct vctx *vc, const struct kh_condition *c,
				const char *path, const char *base_op, int set)
{
	int t = 0, f = 0;

	if (strcmp(base_op, "Bool") != 0 || set || c->n_values < 2)
		return;
	for (size_t i = 0; i < c->n_values; i++) {
		t |= strcasecmp(c->values[i], "true") == 0;
		f |= strcasecmp(c->values[i], "false") == 0;
	}
	vc_add(vc, KH_SEV_ERROR, "INVALID_CONDITION_MULTIPLE_BOOLEAN", path, c->value_pos[1],
	       "keep one value, true or false",
	       "'%s' takes one value, but '%s' lists %zu%s", c->op, c->key, c->n_values,
	       t && f ? ": with both true and false it only tests that the key is present" : "");
}

/* Private (RFC 1918, RFC 4193), loopback and link-local blocks. */
static const struct {
	int width, prefix;
	unsigned char net[16];
} private_blocks[] = {
	{32, 8, {10}},
	{32, 12, {172, 16}},
	{32, 16, {192, 168}},
	{32, 8, {127}},
	{32, 16, {169, 254}},
	{128, 7, {0xfc}},
	{128, 10, {0xfe, 0x80}},
	{128, 128, {[15] = 1}},
};

/* Does the range v lie wholly inside one of the blocks? */
static int private_range(const char *v)
{
	unsigned char bin[16];
	int width, prefix;

	if (!vc_parse_ip(v, bin, &width, &prefix))
		return 0;
	for (size_t b = 0; b < sizeof(private_blocks) / sizeof(private_blocks[0]); b++) {
		int bits = private_blocks[b].prefix, same = 1;
		if (private_blocks[b].width != width || prefix < bits)
			continue;
		for (int i = 0; i < bits && same; i++) {
			int m = 0x80 >> (i % 8);
			same = (bin[i / 8] & m) == (private_blocks[b].net[i / 8] & m);
		}
		if (same)
			return 1;
	}
	return 0;
}

/* aws:SourceIp holds the public address a request came from; a request
 * through a VPC endpoint holds none (aws:VpcSourceIp has that address). A
 * private range there never matches: IpAddress is then never true (with
 * IfExists, only when the key is absent) and NotIpAddress always. ERROR
 * when every range is private, since the condition is then constant;
 * WARNING when public ones sit beside it. */
static void check_private_ip(struct vctx *vc, const struct kh_condition *c, const char *path,
			     const char *base_op)
{
	int not = strcmp(base_op, "NotIpAddress") == 0, all;
	size_t n_private = 0;
	const char *effect;

	if ((!not && strcmp(base_op, "IpAddress") != 0) || strcasecmp(c->key, "aws:SourceIp") != 0)
		return;
	for (size_t i = 0; i < c->n_values; i++)
		n_private += (size_t)private_range(c->values[i]);
	all = n_private == c->n_values;
	if (!all)
		effect = not ? "this range excludes nothing" : "this range never matches";
	else if (not)
		effect = "this condition is true for every request";
	else if (if_exists(c->op))
		effect = "this condition holds only for requests without aws:SourceIp";
	else
		effect = "this condition never matches";
	for (size_t i = 0; i < c->n_values && n_private; i++) {
		if (!private_range(c->values[i]))
			continue;
		vc_add(vc, all ? KH_SEV_ERROR : KH_SEV_WARNING,
		       not ? "PRIVATE_NOT_IP_ADDRESS" : "PRIVATE_IP_ADDRESS", path, c->value_pos[i],
		       "for addresses inside a VPC use aws:VpcSourceIp, with aws:SourceVpc or "
		       "aws:SourceVpce",
		       "'%s' is a private, loopback or link-local range, but aws:SourceIp only "
		       "holds public addresses (none for a request through a VPC endpoint), so "
		       "%s",
		       c->values[i], effect);
	}
}

void vc_check_value_meaning(struct vctx *vc, const struct kh_condition *c, const char *path,
			    const char *base_op, int set)
{
	check_wildcards(vc, c, path, base_op, set);
	check_multiple_bool(vc, c, path, base_op, set);
	check_private_ip(vc, c, path, base_op);
}

/* values.c - checks on what condition values mean, once their form is
 * right: a wildcard under an operator that compares literally, Bool with
 * more than one value, private address ranges in aws:SourceIp (which only
 * ever holds public addresses), host bits after a CIDR mask, several bounds
 * of which one decides, identifiers of VPCs, VPC endpoints and Regions, and
 * policy variables under operators that do not expand them. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
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
 * when every range is private, since the condition is then constant; a
 * SUGGESTION (the _SUBSET codes) when public ones sit beside it. */
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
		vc_add(vc, all ? KH_SEV_ERROR : KH_SEV_SUGGESTION,
		       all ? (not ? "PRIVATE_NOT_IP_ADDRESS" : "PRIVATE_IP_ADDRESS")
			   : (not ? "PRIVATE_NOT_IP_ADDRESS_SUBSET" : "PRIVATE_IP_ADDRESS_SUBSET"),
		       path, c->value_pos[i],
		       "for addresses inside a VPC use aws:VpcSourceIp, with aws:SourceVpc or "
		       "aws:SourceVpce",
		       "'%s' is a private, loopback or link-local range, but aws:SourceIp only "
		       "holds public addresses (none for a request through a VPC endpoint), so "
		       "%s",
		       c->values[i], effect);
	}
}

/* A CIDR range with bits set after its prefix: IAM ignores them. */
static void check_host_bits(struct vctx *vc, const struct kh_condition *c, const char *path,
			    const char *base_op)
{
	char net[INET6_ADDRSTRLEN], fix[96];

	if (strcmp(base_op, "IpAddress") != 0 && strcmp(base_op, "NotIpAddress") != 0)
		return;
	for (size_t i = 0; i < c->n_values; i++) {
		unsigned char bin[16];
		int width, prefix, set = 0;
		if (!vc_parse_ip(c->values[i], bin, &width, &prefix) || prefix == width)
			continue;
		for (int b = prefix; b < width; b++) {
			set |= bin[b / 8] & (0x80 >> (b % 8));
			bin[b / 8] &= (unsigned char)~(0x80 >> (b % 8));
		}
		if (!set || !inet_ntop(width == 32 ? AF_INET : AF_INET6, bin, net, sizeof(net)))
			continue;
		snprintf(fix, sizeof(fix), "write '%s/%d'", net, prefix);
		vc_add(vc, KH_SEV_SUGGESTION, "IMPROVE_IP_RANGE", path, c->value_pos[i], fix,
		       "'%s' sets address bits after its /%d mask, which are ignored: the "
		       "range is %s/%d",
		       c->values[i], prefix, net, prefix);
	}
}

/* -?digits(.digits)? as a double; 0 when v is not a plain number. */
static int plain_number(const char *v, double *out)
{
	char *end;
	if (!*v || strspn(v, "-0123456789.") != strlen(v))
		return 0;
	*out = strtod(v, &end);
	return *end == '\0';
}

/* NumericLessThan with several values holds when the value is below any of
 * them, so only the greatest counts (the least for GreaterThan). */
static void check_redundant_bounds(struct vctx *vc, const struct kh_condition *c,
				   const char *path, const char *base_op, int set)
{
	int less = strncmp(base_op, "NumericLessThan", 15) == 0;
	size_t best = 0;
	double x, bx = 0;

	if (set || c->n_values < 2 || (!less && strncmp(base_op, "NumericGreaterThan", 18) != 0))
		return;
	for (size_t i = 0; i < c->n_values; i++) {
		if (!plain_number(c->values[i], &x))
			return;
		if (i == 0 || (less ? x > bx : x < bx)) {
			best = i;
			bx = x;
		}
	}
	vc_add(vc, KH_SEV_SUGGESTION, "REDUNDANT_CONDITION_VALUE_NUM", path, c->key_pos,
	       "keep only that value",
	       "'%s' with %zu values holds when '%s' is %s any of them, so only the %s, "
	       "'%s', decides",
	       c->op, c->n_values, c->key, less ? "below" : "above", less ? "greatest" : "least",
	       c->values[best]);
}

/* "vpc-" or "vpce-" then 8 or 17 letters and digits. */
static int valid_vpc_id(const char *v, const char *prefix)
{
	size_t n = strlen(prefix), rest;
	if (strncmp(v, prefix, n) != 0)
		return 0;
	rest = strlen(v + n);
	return (rest == 8 || rest == 17) &&
	       strspn(v + n, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") ==
		       rest;
}

/* Values that are written out (no wildcard, no variable) must be a VPC ID
 * in aws:SourceVpc, a VPC endpoint ID in aws:SourceVpce and a Region code
 * in aws:RequestedRegion. */
static void check_identifiers(struct vctx *vc, const struct kh_condition *c, const char *path,
			      const char *base_op)
{
	int vpc = strcasecmp(c->key, "aws:SourceVpc") == 0;
	int vpce = strcasecmp(c->key, "aws:SourceVpce") == 0;
	int region = strcasecmp(c->key, "aws:RequestedRegion") == 0;

	if ((!vpc && !vpce && !region) || strncmp(base_op, "String", 6) != 0)
		return;
	for (size_t i = 0; i < c->n_values; i++) {
		const char *v = c->values[i];
		if (c->types[i] != KH_VALUE_STRING || strpbrk(v, "*?") || strstr(v, "${"))
			continue;
		if (vpc && !valid_vpc_id(v, "vpc-"))
			vc_add(vc, KH_SEV_ERROR, "INVALID_VPC_FORMAT", path, c->value_pos[i],
			       "write the VPC's ID: 'vpc-' and 8 or 17 letters and digits",
			       "'%s' is not a VPC ID, so aws:SourceVpc never holds it", v);
		else if (vpce && !valid_vpc_id(v, "vpce-"))
			vc_add(vc, KH_SEV_ERROR, "INVALID_VPCE_FORMAT", path, c->value_pos[i],
			       "write the endpoint's ID: 'vpce-' and 8 or 17 letters and digits",
			       "'%s' is not a VPC endpoint ID, so aws:SourceVpce never holds it",
			       v);
		else if (region && !vc_is_region(v, strlen(v)))
			vc_add(vc, KH_SEV_ERROR, "INVALID_REGION", path, c->value_pos[i],
			       "write a Region code such as us-east-1",
			       "'%s' is not a Region code, so aws:RequestedRegion never holds it",
			       v);
	}
}

/* Does v hold a policy variable other than the escapes ${*}, ${?}, ${$}? */
static int has_variable(const char *v)
{
	for (const char *p = strstr(v, "${"); p; p = strstr(p + 2, "${"))
		if (!((p[2] == '*' || p[2] == '?' || p[2] == '$') && p[3] == '}'))
			return 1;
	return 0;
}

/* Only String and Arn operators replace a policy variable by its value. */
static void check_variable_operator(struct vctx *vc, const struct kh_condition *c,
				    const char *path, const char *base_op)
{
	const char *version = vc->policy->version;

	if (!version || strcmp(version, "2012-10-17") != 0 || strncmp(base_op, "String", 6) == 0 ||
	    strncmp(base_op, "Arn", 3) == 0)
		return;
	for (size_t i = 0; i < c->n_values; i++)
		if (c->types[i] == KH_VALUE_STRING && has_variable(c->values[i]))
			vc_add(vc, KH_SEV_ERROR, "INVALID_VARIABLE_FOR_OPERATOR", path,
			       c->value_pos[i],
			       "compare with a String or Arn operator, or write the value out",
			       "'%s' holds a policy variable, but '%s' does not expand variables "
			       "(only String and Arn operators do)",
			       c->values[i], c->op);
}

void vc_check_value_meaning(struct vctx *vc, const struct kh_condition *c, const char *path,
			    const char *base_op, int set)
{
	check_wildcards(vc, c, path, base_op, set);
	check_multiple_bool(vc, c, path, base_op, set);
	check_private_ip(vc, c, path, base_op);
	check_host_bits(vc, c, path, base_op);
	check_redundant_bounds(vc, c, path, base_op, set);
	check_identifiers(vc, c, path, base_op);
	check_variable_operator(vc, c, path, base_op);
}

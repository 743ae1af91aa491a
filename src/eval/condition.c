/* condition.c - Condition operators: compiling and evaluating.
 *
 * Semantics, after AWS's condition operator reference:
 * - values of one key are ORed; keys and operators are ANDed (decide.c);
 * - a negated operator (StringNotEquals, NotIpAddress, ...) is true when
 *   no policy value matches; it is true when the key is missing;
 * - ...IfExists is true when the key is missing;
 * - a single-valued operator never matches a multivalued key;
 * - ForAllValues is true when every request value matches (so when the key
 *   is missing or empty); ForAnyValue when at least one does (false when
 *   missing, unless IfExists);
 * - Null:true matches a missing key, Null:false a present one.
 * A policy value whose variable does not resolve matches nothing, and
 * makes a negated operator false as well.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "eval/eval_int.h"

static const struct opdef {
	const char *name;
	uint8_t family, cmp, negated;
} ops[] = {
	{"StringEquals", EV_F_STR_EQ, EV_CMP_EQ, 0},
	{"StringNotEquals", EV_F_STR_EQ, EV_CMP_EQ, 1},
	{"StringEqualsIgnoreCase", EV_F_STR_EQ_IC, EV_CMP_EQ, 0},
	{"StringNotEqualsIgnoreCase", EV_F_STR_EQ_IC, EV_CMP_EQ, 1},
	{"StringLike", EV_F_STR_LIKE, EV_CMP_EQ, 0},
	{"StringNotLike", EV_F_STR_LIKE, EV_CMP_EQ, 1},
	{"NumericEquals", EV_F_NUM, EV_CMP_EQ, 0},
	{"NumericNotEquals", EV_F_NUM, EV_CMP_EQ, 1},
	{"NumericLessThan", EV_F_NUM, EV_CMP_LT, 0},
	{"NumericLessThanEquals", EV_F_NUM, EV_CMP_LE, 0},
	{"NumericGreaterThan", EV_F_NUM, EV_CMP_GT, 0},
	{"NumericGreaterThanEquals", EV_F_NUM, EV_CMP_GE, 0},
	{"DateEquals", EV_F_DATE, EV_CMP_EQ, 0},
	{"DateNotEquals", EV_F_DATE, EV_CMP_EQ, 1},
	{"DateLessThan", EV_F_DATE, EV_CMP_LT, 0},
	{"DateLessThanEquals", EV_F_DATE, EV_CMP_LE, 0},
	{"DateGreaterThan", EV_F_DATE, EV_CMP_GT, 0},
	{"DateGreaterThanEquals", EV_F_DATE, EV_CMP_GE, 0},
	{"Bool", EV_F_BOOL, EV_CMP_EQ, 0},
	{"BinaryEquals", EV_F_BINARY, EV_CMP_EQ, 0},
	{"IpAddress", EV_F_IP, EV_CMP_EQ, 0},
	{"NotIpAddress", EV_F_IP, EV_CMP_EQ, 1},
	{"ArnEquals", EV_F_ARN, EV_CMP_EQ, 0},
	{"ArnLike", EV_F_ARN, EV_CMP_EQ, 0},
	{"ArnNotEquals", EV_F_ARN, EV_CMP_EQ, 1},
	{"ArnNotLike", EV_F_ARN, EV_CMP_EQ, 1},
	{"Null", EV_F_NULL, EV_CMP_EQ, 0},
};

/* ---- value parsing ---- */

int ev_parse_number(const char *s, size_t n, double *out)
{
	char tmp[64], *end;
	int digits = 0;

	if (n == 0 || n >= sizeof(tmp))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (isdigit((unsigned char)s[i]))
			digits = 1;
		else if (!strchr("+-.eE", s[i]) || s[i] == '\0')
			return -1;
	}
	if (!digits)
		return -1;
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	*out = strtod(tmp, &end);
	return *end == '\0' && isfinite(*out) ? 0 : -1;
}

static int take_digits(const char **p, const char *end, int count, int *v)
{
	*v = 0;
	for (int i = 0; i < count; i++, (*p)++) {
		if (*p >= end || !isdigit((unsigned char)**p))
			return -1;
		*v = *v * 10 + (**p - '0');
	}
	return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static long days_from_civil(long y, int m, int d)
{
	long era;
	unsigned yoe, doy, doe;
	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (unsigned)((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1);
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long)doe - 719468;
}

/* ISO 8601 (YYYY-MM-DD[Thh:mm[:ss[.fff]]][Z|+hh:mm]) or epoch seconds. */
int ev_parse_date(const char *s, size_t n, double *out)
{
	const char *p = s, *end = s + n;
	int y, mo, d, h = 0, mi = 0, sec = 0, zh, zm;
	double frac = 0, sign;
	size_t i = (n && s[0] == '-') ? 1 : 0;

	for (; i < n && isdigit((unsigned char)s[i]); i++)
		;
	if (n && i == n && n < 19 && !(n == 1 && s[0] == '-'))
		return ev_parse_number(s, n, out);
	if (take_digits(&p, end, 4, &y) || p >= end || *p++ != '-' ||
	    take_digits(&p, end, 2, &mo) || p >= end || *p++ != '-' ||
	    take_digits(&p, end, 2, &d) || mo < 1 || mo > 12 || d < 1 || d > 31)
		return -1;
	if (p < end && (*p == 'T' || *p == 't')) {
		p++;
		if (take_digits(&p, end, 2, &h) || p >= end || *p++ != ':' ||
		    take_digits(&p, end, 2, &mi) || h > 23 || mi > 59)
			return -1;
		if (p < end && *p == ':') {
			p++;
			if (take_digits(&p, end, 2, &sec) || sec > 60)
				return -1;
			if (p < end && *p == '.') {
				double scale = 0.1;
				if (++p >= end || !isdigit((unsigned char)*p))
					return -1;
				for (; p < end && isdigit((unsigned char)*p); p++, scale /= 10)
					frac += (*p - '0') * scale;
			}
		}
	}
	*out = (double)days_from_civil(y, mo, d) * 86400.0 + h * 3600 + mi * 60 + sec + frac;
	if (p == end)
		return 0;
	if ((*p == 'Z' || *p == 'z') && p + 1 == end)
		return 0;
	if (*p != '+' && *p != '-')
		return -1;
	sign = *p++ == '+' ? -1 : 1;
	if (take_digits(&p, end, 2, &zh) || p >= end || *p++ != ':' ||
	    take_digits(&p, end, 2, &zm) || p != end || zh > 23 || zm > 59)
		return -1;
	*out += sign * (zh * 3600 + zm * 60);
	return 0;
}

int ev_parse_ip(const char *s, size_t n, struct ev_ip *out, int allow_cidr)
{
	char tmp[64];
	const char *slash = memchr(s, '/', n);
	size_t alen = slash ? (size_t)(slash - s) : n;
	long bits;

	if (alen == 0 || alen >= sizeof(tmp) || (slash && !allow_cidr))
		return -1;
	memcpy(tmp, s, alen);
	tmp[alen] = '\0';
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, tmp, out->addr) == 1) {
		out->bits = 32;
	} else if (inet_pton(AF_INET6, tmp, out->addr) == 1) {
		out->v6 = 1;
		out->bits = 128;
	} else {
		return -1;
	}
	if (slash) {
		char *end;
		size_t blen = n - alen - 1;
		if (blen == 0 || blen > 3 || !isdigit((unsigned char)slash[1]))
			return -1;
		memcpy(tmp, slash + 1, blen);
		tmp[blen] = '\0';
		bits = strtol(tmp, &end, 10);
		if (*end || bits < 0 || bits > out->bits)
			return -1;
		out->bits = (uint8_t)bits;
	}
	return 0;
}

static int ip_in(const struct ev_ip *net, const struct ev_ip *ip)
{
	unsigned full = net->bits / 8, rest = net->bits % 8;
	if (net->v6 != ip->v6)
		return 0;
	if (memcmp(net->addr, ip->addr, full) != 0)
		return 0;
	if (rest) {
		uint8_t mask = (uint8_t)(0xff << (8 - rest));
		if ((net->addr[full] & mask) != (ip->addr[full] & mask))
			return 0;
	}
	return 1;
}

/* ---- compiling ---- */

static int parse_op(const char *op, struct ev_cond *c)
{
	size_t n = strlen(op);
	static const char sfx[] = "IfExists";

	c->set = EV_SET_NONE;
	if (strncasecmp(op, "ForAllValues:", 13) == 0) {
		c->set = EV_SET_ALL;
		op += 13;
		n -= 13;
	} else if (strncasecmp(op, "ForAnyValue:", 12) == 0) {
		c->set = EV_SET_ANY;
		op += 12;
		n -= 12;
	}
	c->if_exists = n > 8 && strncasecmp(op + n - 8, sfx, 8) == 0;
	if (c->if_exists)
		n -= 8;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		if (strlen(ops[i].name) == n && strncasecmp(ops[i].name, op, n) == 0) {
			c->family = ops[i].family;
			c->cmp = ops[i].cmp;
			c->negated = ops[i].negated;
			if (c->family == EV_F_NULL && (c->if_exists || c->set != EV_SET_NONE))
				return -1;
			return 0;
		}
	}
	return -1;
}

static int compile_value(struct kh_arena *a, struct ev_cond *c, const char *v,
			 struct ev_cval *out)
{
	size_t n = strlen(v);
	switch (c->family) {
	case EV_F_STR_EQ:
	case EV_F_BINARY:
		return ev_pat_compile(a, v, n, 0, 1, 0, &out->pat) == KH_OK ? 0 : -2;
	case EV_F_STR_EQ_IC:
		return ev_pat_compile(a, v, n, 0, 1, 1, &out->pat) == KH_OK ? 0 : -2;
	case EV_F_STR_LIKE:
		return ev_pat_compile(a, v, n, 1, 1, 0, &out->pat) == KH_OK ? 0 : -2;
	case EV_F_ARN:
		return ev_arn_compile(a, v, 1, &out->arn) == KH_OK ? 0 : -2;
	case EV_F_NUM:
		return ev_parse_number(v, n, &out->num);
	case EV_F_DATE:
		return ev_parse_date(v, n, &out->num);
	case EV_F_IP:
		return ev_parse_ip(v, n, &out->ip, 1);
	case EV_F_BOOL:
	case EV_F_NULL:
		if (strcasecmp(v, "true") == 0)
			out->boolean = 1;
		else if (strcasecmp(v, "false") == 0)
			out->boolean = 0;
		else
			return -1;
		return 0;
	}
	return -1;
}

static const char *family_noun(int family)
{
	switch (family) {
	case EV_F_NUM:
		return "number";
	case EV_F_DATE:
		return "date (ISO 8601 or epoch seconds)";
	case EV_F_IP:
		return "IP address or CIDR range";
	case EV_F_BOOL:
	case EV_F_NULL:
		return "boolean (\"true\" or \"false\")";
	default:
		return "value";
	}
}

/* Fills err with msg at the element's position and path. */
static int cond_error(struct kh_error *err, struct kh_pos pos, struct kh_buf *path,
		      const char *msg)
{
	int rc = kh_error_at(err, KH_EINPUT, pos.line, pos.col, path->data, "%s", msg);
	kh_buf_release(path);
	return rc;
}

int ev_cond_compile(struct kh_arena *a, const struct kh_condition *c, const char *path,
		    struct ev_cond *out, struct kh_error *err)
{
	struct ev_cval *v;
	struct kh_buf where, msg;
	int rc = KH_OK;

	memset(out, 0, sizeof(*out));
	kh_buf_init(&where, 159);
	kh_buf_init(&msg, 399);
	kh_buf_printf(&where, "%s.Condition.%s", path, c->op);
	if (parse_op(c->op, out) != 0) {
		kh_buf_printf(&msg, "unknown condition operator '%s'", c->op);
		rc = cond_error(err, c->op_pos, &where, msg.data);
		kh_buf_release(&msg);
		return rc;
	}
	kh_buf_printf(&where, ".%s", c->key);
	out->op = kh_arena_strndup(a, c->op, strlen(c->op));
	out->key = kh_arena_strndup(a, c->key, strlen(c->key));
	out->key_len = strlen(c->key);
	v = c->n_values ? kh_arena_alloc(a, c->n_values * sizeof(*v)) : NULL;
	if (!out->op || !out->key || (c->n_values && !v))
		rc = kh_error_set(err, KH_ENOMEM, "out of memory");
	for (size_t i = 0; rc == KH_OK && i < c->n_values; i++) {
		int vr = compile_value(a, out, c->values[i], &v[i]);
		if (vr == -2) {
			rc = kh_error_set(err, KH_ENOMEM, "out of memory");
		} else if (vr != 0) {
			if (c->values_is_array)
				kh_buf_printf(&where, "[%zu]", i);
			kh_buf_printf(&msg, "'%s' is not a valid %s for %s", c->values[i],
				      family_noun(out->family), c->op);
			rc = cond_error(err, c->value_pos[i], &where, msg.data);
		}
	}
	kh_buf_release(&where);
	kh_buf_release(&msg);
	out->v = v;
	out->n = c->n_values;
	return rc;
}

/* ---- evaluating ---- */

static int compare(int cmp, double req, double pol)
{
	switch (cmp) {
	case EV_CMP_LT:
		return req < pol;
	case EV_CMP_LE:
		return req <= pol;
	case EV_CMP_GT:
		return req > pol;
	case EV_CMP_GE:
		return req >= pol;
	default:
		return req == pol;
	}
}

/* Does request value s match policy value v? 1, 0, or -1 when it cannot
 * tell (a variable that does not resolve, a request value of the wrong
 * type). */
static int base_match(const struct ev_cond *c, const struct ev_cval *v, const char *s,
		      const struct kh_eval_request *r)
{
	size_t n = strlen(s);
	double d;
	struct ev_ip ip;

	switch (c->family) {
	case EV_F_STR_EQ:
	case EV_F_STR_LIKE:
	case EV_F_BINARY:
		return ev_pat_match(&v->pat, s, n, 0, r);
	case EV_F_STR_EQ_IC:
		return ev_pat_match(&v->pat, s, n, 1, r);
	case EV_F_ARN:
		return ev_arn_match_str(&v->arn, s, n, r);
	case EV_F_NUM:
		if (ev_parse_number(s, n, &d) != 0)
			return -1;
		return compare(c->cmp, d, v->num);
	case EV_F_DATE:
		if (ev_parse_date(s, n, &d) != 0)
			return -1;
		return compare(c->cmp, d, v->num);
	case EV_F_BOOL:
		if (strcasecmp(s, "true") == 0)
			return v->boolean == 1;
		if (strcasecmp(s, "false") == 0)
			return v->boolean == 0;
		return -1;
	case EV_F_IP:
		if (ev_parse_ip(s, n, &ip, 0) != 0)
			return -1;
		return ip_in(&v->ip, &ip);
	}
	return -1;
}

/* One request value against all policy values: ORed, or for a negated
 * operator, true when none matches and all could be decided. */
static int value_match(const struct ev_cond *c, const char *s, const struct kh_eval_request *r)
{
	for (size_t i = 0; i < c->n; i++) {
		int m = base_match(c, &c->v[i], s, r);
		if (!c->negated && m == 1)
			return 1;
		if (c->negated && m != 0)
			return 0;
	}
	return c->negated;
}

int ev_cond_eval(const struct ev_cond *c, const struct kh_eval_request *r)
{
	const struct kh_eval_key *k = ev_lookup(r, c->key, c->key_len);

	if (c->family == EV_F_NULL) {
		for (size_t i = 0; i < c->n; i++)
			if (c->v[i].boolean == (k == NULL))
				return 1;
		return 0;
	}
	if (c->set == EV_SET_NONE) {
		if (!k)
			return c->if_exists || c->negated;
		if (k->is_array || k->n_values != 1)
			return 0;
		return value_match(c, k->values[0], r);
	}
	if (!k)
		return c->set == EV_SET_ALL || c->if_exists;
	for (size_t i = 0; i < k->n_values; i++) {
		int m = value_match(c, k->values[i], r);
		if (c->set == EV_SET_ANY && m)
			return 1;
		if (c->set == EV_SET_ALL && !m)
			return 0;
	}
	return c->set == EV_SET_ALL;
}

/* anon.c - placeholders for what must not leave the machine.
 *
 * Before text is sent to a model, ARNs, s3:// URLs, 12-digit account IDs
 * and the resource names the offline parser finds are replaced by stable
 * placeholders (the same original always gets the same placeholder):
 * "arn:aws:sns:us-east-1:123456789012:alerts" becomes
 * "arn:aws:sns:us-east-1:111111111111:name-1". The reply is mapped back. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "llm/describe_int.h"

struct span {
	size_t off, len;
	int kind; /* 0 ARN, 1 s3:// URL, 2 account, 3 name */
};

static const char *find_original(const struct kh__anon *a, const char *s, size_t n)
{
	for (size_t i = 0; i < a->n; i++)
		if (strlen(a->pairs[i].original) == n && strncmp(a->pairs[i].original, s, n) == 0)
			return a->pairs[i].placeholder;
	return NULL;
}

static int add_pair(struct kh__anon *a, const char *ph, const char *orig, size_t n)
{
	struct kh__anon_pair *np = realloc(a->pairs, (a->n + 1) * sizeof(*np));
	if (!np)
		return KH_ENOMEM;
	a->pairs = np;
	np[a->n].placeholder = strdup(ph);
	np[a->n].original = strndup(orig, n);
	if (!np[a->n].placeholder || !np[a->n].original) {
		free(np[a->n].placeholder);
		free(np[a->n].original);
		return KH_ENOMEM;
	}
	a->n++;
	return KH_OK;
}

/* A fresh placeholder "<stem>-<n>" that the text does not contain. */
static int fresh(struct kh__anon *a, const char *text, const char *stem, struct kh_buf *out)
{
	for (unsigned n = 1;; n++) {
		kh_buf_reset(out);
		kh_buf_printf(out, "%s-%u", stem, n);
		if (kh_buf_error(out))
			return kh_buf_error(out);
		if (strstr(text, out->data))
			continue;
		int taken = 0;
		for (size_t i = 0; i < a->n && !taken; i++)
			taken = strstr(a->pairs[i].placeholder, out->data) != NULL &&
				strlen(a->pairs[i].placeholder) >= out->len;
		if (!taken)
			return KH_OK;
	}
}

static int name_placeholder(struct kh__anon *a, const char *text, const char *stem,
			    const char *s, size_t n, struct kh_buf *ph);

/* The placeholder of a 12-digit account ID: 111111111111 ... 999999999999,
 * then ACCOUNT_10 and on. */
static int account_placeholder(struct kh__anon *a, const char *text, const char *id,
			       struct kh_buf *out)
{
	const char *known = find_original(a, id, 12);
	size_t accounts = 0;

	kh_buf_reset(out);
	if (known)
		return kh_buf_puts(out, known);
	for (size_t i = 0; i < a->n; i++)
		accounts += strlen(a->pairs[i].original) == 12 &&
			    strspn(a->pairs[i].original, "0123456789") == 12;
	for (size_t k = 0; k < 12 && accounts < 9; k++)
		kh_buf_putc(out, (char)('1' + accounts));
	if (accounts >= 9 || strstr(text, out->data)) /* "ACCOUNT-10", unique */
		return name_placeholder(a, text, "ACCOUNT", id, 12, out);
	return kh_buf_error(out) ? kh_buf_error(out) : add_pair(a, out->data, id, 12);
}

/* A placeholder for a name, remembered; ph receives it. */
static int name_placeholder(struct kh__anon *a, const char *text, const char *stem,
			    const char *s, size_t n, struct kh_buf *ph)
{
	const char *known = find_original(a, s, n);
	kh_buf_reset(ph);
	if (known)
		return kh_buf_puts(ph, known);
	if (fresh(a, text, stem, ph) != KH_OK)
		return KH_ENOMEM;
	return add_pair(a, ph->data, s, n);
}

/* "arn:aws:sns:us-east-1:123456789012:alerts" -> account and resource
 * replaced; the partition, service, region and resource type stay. */
static int anon_arn(struct kh__anon *a, const char *text, const char *s, size_t n,
		    struct kh_buf *out)
{
	const char *f[6];
	size_t k = 0, i;
	struct kh_buf ph;
	int rc = KH_OK;

	f[k++] = s;
	for (i = 0; i < n && k < 6; i++)
		if (s[i] == ':')
			f[k++] = s + i + 1;
	if (k < 6)
		return kh_buf_add(out, s, n); /* not an ARN: nothing to hide but text */
	kh_buf_init(&ph, 256);
	kh_buf_add(out, s, (size_t)(f[4] - s));
	if (f[5] - f[4] == 13 && strspn(f[4], "0123456789") == 12) {
		rc = account_placeholder(a, text, f[4], &ph);
		kh_buf_puts(out, ph.data);
		kh_buf_putc(out, ':');
	} else {
		kh_buf_add(out, f[4], (size_t)(f[5] - f[4]));
	}
	{
		const char *res = f[5], *end = s + n;
		size_t type_len = strcspn(res, "/:");
		int s3 = strncmp(f[2], "s3:", 3) == 0;
		if (s3 || res + type_len >= end)
			type_len = 0;
		else
			type_len++;
		kh_buf_add(out, res, type_len);
		res += type_len;
		if (rc == KH_OK) {
			size_t name_len = s3 ? strcspn(res, "/") : (size_t)(end - res);
			if (name_len > (size_t)(end - res))
				name_len = (size_t)(end - res);
			rc = name_placeholder(a, text, s3 ? "bucket" : "name", res, name_len, &ph);
			kh_buf_puts(out, ph.data);
			res += name_len;
		}
		if (rc == KH_OK && res < end) { /* an S3 key: keep only a trailing '*' */
			size_t key_len = (size_t)(end - res) - 1;
			int star = end[-1] == '*';
			kh_buf_putc(out, '/');
			if (key_len - star > 0) {
				rc = name_placeholder(a, text, "path", res + 1, key_len - star, &ph);
				kh_buf_puts(out, ph.data);
			}
			if (star)
				kh_buf_putc(out, '*');
		}
	}
	kh_buf_release(&ph);
	return rc != KH_OK ? rc : kh_buf_error(out);
}

static int anon_url(struct kh__anon *a, const char *text, const char *s, size_t n,
		    struct kh_buf *out)
{
	struct kh_buf ph;
	size_t blen = strcspn(s + 5, "/");
	int rc;

	if (blen > n - 5)
		blen = n - 5;
	kh_buf_init(&ph, 256);
	rc = name_placeholder(a, text, "bucket", s + 5, blen, &ph);
	kh_buf_puts(out, "s3://");
	kh_buf_puts(out, ph.data);
	if (rc == KH_OK && 5 + blen + 1 < n) {
		rc = name_placeholder(a, text, "path", s + 5 + blen + 1, n - 5 - blen - 1, &ph);
		kh_buf_putc(out, '/');
		kh_buf_puts(out, ph.data);
	} else if (5 + blen < n) {
		kh_buf_putc(out, '/');
	}
	kh_buf_release(&ph);
	return rc != KH_OK ? rc : kh_buf_error(out);
}

/* Words that are ARNs, URLs or account IDs, with punctuation trimmed. */
static size_t find_spans(const char *text, size_t len, struct span *sp, size_t max)
{
	size_t n = 0, i = 0;
	while (i < len && n < max) {
		size_t s, e;
		while (i < len && (isspace((unsigned char)text[i]) || strchr("\"'`([{<", text[i])))
			i++;
		s = i;
		while (i < len && !isspace((unsigned char)text[i]))
			i++;
		e = i;
		while (e > s && strchr("\"'`)]}>,;.!?", text[e - 1]))
			e--;
		if (e - s > 4 && strncasecmp(text + s, "arn:", 4) == 0)
			sp[n++] = (struct span){s, e - s, 0};
		else if (e - s > 5 && strncasecmp(text + s, "s3://", 5) == 0)
			sp[n++] = (struct span){s, e - s, 1};
		else if (e - s == 12 && strspn(text + s, "0123456789") >= 12)
			sp[n++] = (struct span){s, e - s, 2};
	}
	return n;
}

static int cmp_span(const void *a, const void *b)
{
	const struct span *x = a, *y = b;
	return x->off < y->off ? -1 : x->off > y->off;
}

int kh__anon_text(const struct kh_catalog *cat, const char *text, size_t len,
		  struct kh__anon *a, struct kh_buf *out)
{
	size_t cap = len / 2 + 2, n, *names = NULL, n_names = 0, pos = 0;
	struct span *sp = malloc(cap * sizeof(*sp));
	struct kh_buf ph;
	int rc;

	if (!sp)
		return KH_ENOMEM;
	n = find_spans(text, len, sp, cap);
	rc = kh__describe_names(cat, text, len, &names, &n_names);
	for (size_t i = 0; rc == KH_OK && i < n_names && n < cap; i++)
		sp[n++] = (struct span){names[2 * i], names[2 * i + 1], 3};
	free(names);
	qsort(sp, n, sizeof(*sp), cmp_span);
	kh_buf_init(&ph, 256);
	for (size_t i = 0; rc == KH_OK && i < n; i++) {
		const char *s = text + sp[i].off;
		if (sp[i].off < pos)
			continue;
		kh_buf_add(out, text + pos, sp[i].off - pos);
		if (sp[i].kind == 0)
			rc = anon_arn(a, text, s, sp[i].len, out);
		else if (sp[i].kind == 1)
			rc = anon_url(a, text, s, sp[i].len, out);
		else if (sp[i].kind == 2)
			rc = account_placeholder(a, text, s, &ph);
		else
			rc = name_placeholder(a, text, "name", s, sp[i].len, &ph);
		if (sp[i].kind >= 2)
			kh_buf_puts(out, ph.data);
		pos = sp[i].off + sp[i].len;
	}
	kh_buf_add(out, text + pos, len - pos);
	kh_buf_release(&ph);
	free(sp);
	return rc != KH_OK ? rc : kh_buf_error(out);
}

int kh__anon_restore(const struct kh__anon *a, const char *s, struct kh_buf *out)
{
	while (*s) {
		const struct kh__anon_pair *best = NULL;
		size_t best_len = 0;
		for (size_t i = 0; i < a->n; i++) {
			size_t l = strlen(a->pairs[i].placeholder);
			if (l > best_len && strncmp(s, a->pairs[i].placeholder, l) == 0) {
				best = &a->pairs[i];
				best_len = l;
			}
		}
		if (best) {
			kh_buf_puts(out, best->original);
			s += best_len;
		} else {
			kh_buf_putc(out, *s++);
		}
	}
	return kh_buf_error(out);
}

void kh__anon_release(struct kh__anon *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->pairs[i].placeholder);
		free(a->pairs[i].original);
	}
	free(a->pairs);
	a->pairs = NULL;
	a->n = 0;
}

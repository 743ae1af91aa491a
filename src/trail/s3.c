/* s3.c - an S3 client just big enough to list and fetch CloudTrail logs:
 * ListObjectsV2 with pagination, GetObject, libcurl's SigV4 signing, and
 * the standard credential chain (see keyhole/s3.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "util/curl_dyn.h"

#include "keyhole/buf.h"
#include "keyhole/s3.h"
#include "trail/s3_int.h"

struct kh_s3 {
	CURL *curl;
	char *endpoint; /* without a trailing slash; NULL for AWS */
	char *region;
	char *access_key, *secret_key, *session_token;
	long timeout;
};

/* ---- credentials ------------------------------------------------------ */

static char *trim(char *s)
{
	char *end;
	while (*s == ' ' || *s == '\t')
		s++;
	end = s + strlen(s);
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r' || end[-1] == '\n'))
		*--end = '\0';
	return s;
}

/* Reads key = value pairs of [profile] from an INI-style credentials file. */
static int load_credentials_file(struct kh_s3 *s3, const char *path, const char *profile)
{
	FILE *f = fopen(path, "r");
	char line[1024];
	int in_profile = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		char *l = trim(line), *eq;
		if (*l == '[') {
			char *end = strchr(l, ']');
			if (end)
				*end = '\0';
			in_profile = strcmp(trim(l + 1), profile) == 0;
			continue;
		}
		if (!in_profile || *l == '#' || *l == ';' || !(eq = strchr(l, '=')))
			continue;
		*eq = '\0';
		char *key = trim(l), *value = trim(eq + 1);
		char **slot = strcmp(key, "aws_access_key_id") == 0	  ? &s3->access_key
			      : strcmp(key, "aws_secret_access_key") == 0 ? &s3->secret_key
			      : strcmp(key, "aws_session_token") == 0	  ? &s3->session_token
									  : NULL;
		if (slot) {
			free(*slot);
			*slot = strdup(value);
		}
	}
	fclose(f);
	return s3->access_key && s3->secret_key;
}

static int load_credentials(struct kh_s3 *s3, const char *profile, struct kh_error *err)
{
	const char *ak = getenv("AWS_ACCESS_KEY_ID"), *sk = getenv("AWS_SECRET_ACCESS_KEY");
	const char *file = getenv("AWS_SHARED_CREDENTIALS_FILE"), *home = getenv("HOME");
	char path[1024];

	if (ak && *ak && sk && *sk) {
		const char *tok = getenv("AWS_SESSION_TOKEN");
		s3->access_key = strdup(ak);
		s3->secret_key = strdup(sk);
		s3->session_token = tok && *tok ? strdup(tok) : NULL;
		return KH_OK;
	}
	if (!profile)
		profile = getenv("AWS_PROFILE");
	if (!profile || !*profile)
		profile = "default";
	if (!file && home) {
		snprintf(path, sizeof(path), "%s/.aws/credentials", home);
		file = path;
	}
	if (file && load_credentials_file(s3, file, profile))
		return KH_OK;
	return kh_error_set(err, KH_EINPUT,
			    "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, "
			    "or add profile '%s' to %s",
			    profile, file ? file : "~/.aws/credentials");
}

/* ---- client ----------------------------------------------------------- */

static char *dup_or_env(const char *v, const char *env1, const char *env2, const char *dflt)
{
	const char *s = v && *v ? v : getenv(env1);
	if (!s || !*s)
		s = getenv(env2);
	return strdup(s && *s ? s : dflt);
}

int kh_s3_new(const struct kh_s3_options *opts, struct kh_s3 **out, struct kh_error *err)
{
	struct kh_s3 *s3 = calloc(1, sizeof(*s3));
	int rc;

	*out = NULL;
	if (!s3)
		return kh_error_set(err, KH_ENOMEM, "out of memory");
	s3->region = dup_or_env(opts->region, "AWS_REGION", "AWS_DEFAULT_REGION", "us-east-1");
	s3->timeout = opts->timeout_seconds > 0 ? opts->timeout_seconds : 60;
	if (opts->endpoint_url) {
		size_t n = strlen(opts->endpoint_url);
		while (n && opts->endpoint_url[n - 1] == '/')
			n--;
		s3->endpoint = strndup(opts->endpoint_url, n);
	}
	rc = load_credentials(s3, opts->profile, err);
	if (rc == KH_OK)
		rc = kh__curl_load(err);
	if (rc == KH_OK && !(s3->curl = curl_easy_init()))
		rc = kh_error_set(err, KH_ENOMEM, "cannot start libcurl");
	if (rc != KH_OK) {
		kh_s3_free(s3);
		return rc;
	}
	*out = s3;
	return KH_OK;
}

void kh_s3_free(struct kh_s3 *s3)
{
	if (!s3)
		return;
	if (s3->curl)
		curl_easy_cleanup(s3->curl);
	free(s3->endpoint);
	free(s3->region);
	free(s3->access_key);
	free(s3->secret_key);
	free(s3->session_token);
	free(s3);
}

int kh_s3_parse_url(const char *url, char **bucket, char **prefix, struct kh_error *err)
{
	const char *b, *slash;

	*bucket = *prefix = NULL;
	if (strncmp(url, "s3://", 5) != 0 || !url[5] || url[5] == '/')
		return kh_error_set(err, KH_EUSAGE, "'%s' is not an s3://bucket/prefix URL", url);
	b = url + 5;
	slash = strchr(b, '/');
	*bucket = slash ? strndup(b, (size_t)(slash - b)) : strdup(b);
	*prefix = strdup(slash ? slash + 1 : "");
	if (!*bucket || !*prefix) {
		free(*bucket);
		free(*prefix);
		return kh_error_set(err, KH_ENOMEM, "out of memory");
	}
	return KH_OK;
}

/* Percent-encodes s as SigV4 canonical requests expect: everything but
 * A-Z a-z 0-9 - _ . ~ (and '/' when keep_slash). */
static void put_uri_encoded(struct kh_buf *b, const char *s, int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '-' || *p == '_' || *p == '.' || *p == '~' || (keep_slash && *p == '/')) {
			kh_buf_putc(b, (char)*p);
		} else {
			char esc[3] = {'%', hex[*p >> 4], hex[*p & 15]};
			kh_buf_add(b, esc, 3);
		}
	}
}

static void put_base_url(const struct kh_s3 *s3, struct kh_buf *url, const char *bucket)
{
	if (s3->endpoint) {
		kh_buf_printf(url, "%s/", s3->endpoint);
		put_uri_encoded(url, bucket, 0);
	} else {
		kh_buf_printf(url, "https://%s.s3.%s.amazonaws.com", bucket, s3->region);
	}
}

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
	struct kh_buf *body = ctx;
	return kh_buf_add(body, data, size * n) == KH_OK ? size * n : 0;
}

static const char *xml_text(const char *xml, const char *tag, struct kh_buf *out);

/* Runs a signed GET; on success body holds the response. */
static int s3_get(struct kh_s3 *s3, const char *url, struct kh_buf *body, struct kh_error *err)
{
	struct curl_slist *headers = NULL;
	char sigv4[128], userpwd[1024], token[2048];
	long status = 0;
	CURLcode cc;

	curl_easy_reset(s3->curl);
	snprintf(sigv4, sizeof(sigv4), "aws:amz:%s:s3", s3->region);
	snprintf(userpwd, sizeof(userpwd), "%s:%s", s3->access_key, s3->secret_key);
	headers = curl_slist_append(headers, "x-amz-content-sha256: UNSIGNED-PAYLOAD");
	if (s3->session_token) {
		snprintf(token, sizeof(token), "x-amz-security-token: %s", s3->session_token);
		headers = curl_slist_append(headers, token);
	}
	curl_easy_setopt(s3->curl, CURLOPT_URL, url);
	curl_easy_setopt(s3->curl, CURLOPT_AWS_SIGV4, sigv4);
	curl_easy_setopt(s3->curl, CURLOPT_USERPWD, userpwd);
	curl_easy_setopt(s3->curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(s3->curl, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(s3->curl, CURLOPT_WRITEDATA, body);
	curl_easy_setopt(s3->curl, CURLOPT_TIMEOUT, s3->timeout);
	curl_easy_setopt(s3->curl, CURLOPT_NOSIGNAL, 1L);
	cc = curl_easy_perform(s3->curl);
	curl_easy_getinfo(s3->curl, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(headers);
	if (cc == CURLE_WRITE_ERROR && kh_buf_error(body))
		return kh_error_set(err, KH_ELIMIT, "%s: response larger than %zu bytes", url,
				    body->max);
	if (cc != CURLE_OK)
		return kh_error_set(err, KH_ENETWORK, "%s: %s", url, curl_easy_strerror(cc));
	if (status != 200) {
		struct kh_buf code, msg;
		kh_buf_init(&code, 256);
		kh_buf_init(&msg, 1024);
		xml_text(body->data, "Code", &code);
		xml_text(body->data, "Message", &msg);
		kh_error_set(err, status == 403 || status == 404 ? KH_EINPUT : KH_ENETWORK,
			     "%s: HTTP %ld %s%s%s", url, status, code.data, msg.len ? ": " : "",
			     msg.data);
		kh_buf_release(&code);
		kh_buf_release(&msg);
		return err ? err->code : KH_ENETWORK;
	}
	return KH_OK;
}

/* ---- XML -------------------------------------------------------------- */

/* Appends the text of the first <tag>...</tag> at or after xml, with the
 * five XML entities and numeric references decoded. Returns the position
 * after the closing tag, or NULL when there is none. */
static const char *xml_text(const char *xml, const char *tag, struct kh_buf *out)
{
	char open[64], close[64];
	const char *start, *end;

	snprintf(open, sizeof(open), "<%s>", tag);
	snprintf(close, sizeof(close), "</%s>", tag);
	if (!xml || !(start = strstr(xml, open)))
		return NULL;
	start += strlen(open);
	if (!(end = strstr(start, close)))
		return NULL;
	for (const char *p = start; p < end; p++) {
		static const struct {
			const char *name;
			char c;
		} ents[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'},
			    {"&apos;", '\''}};
		size_t i;
		if (*p != '&') {
			kh_buf_putc(out, *p);
			continue;
		}
		for (i = 0; i < sizeof(ents) / sizeof(ents[0]); i++)
			if (strncmp(p, ents[i].name, strlen(ents[i].name)) == 0)
				break;
		if (i < sizeof(ents) / sizeof(ents[0])) {
			kh_buf_putc(out, ents[i].c);
			p += strlen(ents[i].name) - 1;
		} else if (p[1] == '#') {
			char *semi;
			long cp = p[2] == 'x' ? strtol(p + 3, &semi, 16) : strtol(p + 2, &semi, 10);
			if (*semi == ';' && cp > 0 && cp < 0x80) {
				kh_buf_putc(out, (char)cp);
				p = semi;
			} else {
				kh_buf_putc(out, '&');
			}
		} else {
			kh_buf_putc(out, '&');
		}
	}
	return end + strlen(close);
}

static int listing_add_object(struct kh_s3_listing *l, const char *block_start, const char *end)
{
	struct kh_buf key, size;
	char *block = strndup(block_start, (size_t)(end - block_start));
	struct kh_s3_object *objs;
	int rc = KH_ENOMEM;

	if (!block)
		return KH_ENOMEM;
	kh_buf_init(&key, 4096);
	kh_buf_init(&size, 64);
	if (!xml_text(block, "Key", &key) || !xml_text(block, "Size", &size)) {
		rc = KH_EINPUT;
		goto out;
	}
	objs = realloc(l->objects, (l->n_objects + 1) * sizeof(*objs));
	if (!objs)
		goto out;
	l->objects = objs;
	objs[l->n_objects].size = strtoull(size.data, NULL, 10);
	if (!(objs[l->n_objects].key = kh_buf_detach(&key, NULL)))
		goto out;
	l->n_objects++;
	rc = KH_OK;
out:
	free(block);
	kh_buf_release(&key);
	kh_buf_release(&size);
	return rc;
}

int kh__s3_parse_listing_page(const char *xml, struct kh_s3_listing *l)
{
	const char *p = xml, *start, *end;
	while ((start = strstr(p, "<Contents>")) && (end = strstr(start, "</Contents>"))) {
		int rc = listing_add_object(l, start, end);
		if (rc)
			return rc;
		p = end + strlen("</Contents>");
	}
	return KH_OK;
}

int kh_s3_list(struct kh_s3 *s3, const char *bucket, const char *prefix,
	       struct kh_s3_listing *out, struct kh_error *err)
{
	struct kh_buf url, body, token, truncated;
	int rc = KH_OK;

	memset(out, 0, sizeof(*out));
	kh_buf_init(&url, 8192);
	kh_buf_init(&body, (size_t)64 << 20);
	kh_buf_init(&token, 4096);
	kh_buf_init(&truncated, 16);
	do {
		/* Query parameters in sorted order, as the canonical request has them. */
		kh_buf_reset(&url);
		put_base_url(s3, &url, bucket);
		kh_buf_putc(&url, '?');
		if (token.len) {
			kh_buf_puts(&url, "continuation-token=");
			put_uri_encoded(&url, token.data, 0);
			kh_buf_putc(&url, '&');
		}
		kh_buf_puts(&url, "list-type=2&prefix=");
		put_uri_encoded(&url, prefix, 0);
		kh_buf_reset(&body);
		if ((rc = s3_get(s3, url.data, &body, err)))
			break;
		if ((rc = kh__s3_parse_listing_page(body.data, out))) {
			kh_error_set(err, rc, "s3://%s/%s: malformed ListObjectsV2 response", bucket,
				     prefix);
			break;
		}
		kh_buf_reset(&token);
		kh_buf_reset(&truncated);
		xml_text(body.data, "IsTruncated", &truncated);
		if (strcmp(truncated.data, "true") == 0 &&
		    !xml_text(body.data, "NextContinuationToken", &token)) {
			rc = kh_error_set(err, KH_EINPUT, "s3://%s/%s: truncated listing without a token",
					  bucket, prefix);
			break;
		}
	} while (token.len);
	kh_buf_release(&url);
	kh_buf_release(&body);
	kh_buf_release(&token);
	kh_buf_release(&truncated);
	if (rc)
		kh_s3_listing_release(out);
	return rc;
}

void kh_s3_listing_release(struct kh_s3_listing *l)
{
	for (size_t i = 0; i < l->n_objects; i++)
		free(l->objects[i].key);
	free(l->objects);
	memset(l, 0, sizeof(*l));
}

int kh_s3_get(struct kh_s3 *s3, const char *bucket, const char *key, size_t max,
	      unsigned char **data, size_t *len, struct kh_error *err)
{
	struct kh_buf url, body;
	int rc;

	*data = NULL;
	*len = 0;
	kh_buf_init(&url, 8192);
	kh_buf_init(&body, max);
	put_base_url(s3, &url, bucket);
	kh_buf_putc(&url, '/');
	put_uri_encoded(&url, key, 1);
	rc = s3_get(s3, url.data, &body, err);
	if (rc == KH_OK) {
		*data = (unsigned char *)kh_buf_detach(&body, len);
		if (!*data)
			rc = kh_error_set(err, KH_ENOMEM, "out of memory");
	}
	kh_buf_release(&url);
	kh_buf_release(&body);
	return rc;
}

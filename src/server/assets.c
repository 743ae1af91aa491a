/* assets.c - the web UI: GET / and GET /assets/{name}, from the files of
 * web/ that assets_data.S links into the binary. Every answer carries an
 * ETag (a hash of the bytes), is revalidated rather than cached blindly,
 * and goes out with the strict Content-Security-Policy of the UI. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "server/server_int.h"

/* One embedded file; the table ends with a NULL name. */
struct kh__asset {
	const char *name; /* the file name under web/, NUL-terminated */
	const char *data;
	const char *end;
};

extern const struct kh__asset kh_web_assets[];

static const struct kh__asset *asset_find(const char *name)
{
	for (const struct kh__asset *a = kh_web_assets; a->name; a++)
		if (strcmp(a->name, name) == 0)
			return a;
	return NULL;
}

static const char *content_type(const char *name)
{
	static const struct { const char *ext, *type; } types[] = {
		{".html", "text/html; charset=utf-8"},
		{".css", "text/css; charset=utf-8"},
		{".js", "text/javascript; charset=utf-8"},
		{".mjs", "text/javascript; charset=utf-8"},
		{".json", "application/json"},
		{".svg", "image/svg+xml"},
		{".png", "image/png"},
		{".ico", "image/x-icon"},
	};
	const char *dot = strrchr(name, '.');

	for (size_t i = 0; dot && i < sizeof(types) / sizeof(types[0]); i++)
		if (strcmp(dot, types[i].ext) == 0)
			return types[i].type;
	return "application/octet-stream";
}

/* A strong validator: FNV-1a 64 of the bytes, quoted. */
static void put_etag(const struct kh__asset *a, char *out, size_t size)
{
	uint64_t h = 0xcbf29ce484222325u;
	for (const char *p = a->data; p < a->end; p++)
		h = (h ^ (unsigned char)*p) * 0x100000001b3u;
	snprintf(out, size, "\"%016llx\"", (unsigned long long)h);
}

static void serve(struct kh__req *req, struct kh__resp *resp, const struct kh__asset *a)
{
	resp->web_page = 1;
	resp->cache_control = "no-cache";
	put_etag(a, resp->etag, sizeof(resp->etag));
	if (req->if_none_match[0] && strstr(req->if_none_match, resp->etag)) {
		resp->status = 304;
		resp->content_type = content_type(a->name);
		return;
	}
	kh_buf_add(&resp->body, a->data, (size_t)(a->end - a->data));
	resp->status = kh_buf_error(&resp->body) ? 500 : 200;
	resp->content_type = content_type(a->name);
}

void kh__web_index(struct kh__req *req, struct kh__resp *resp)
{
	const struct kh__asset *a = asset_find("index.html");
	if (!a) {
		kh__resp_error(resp, 404, "not_found", "this build has no web UI");
		return;
	}
	serve(req, resp, a);
}

void kh__web_asset(struct kh__req *req, struct kh__resp *resp)
{
	const struct kh__asset *a = asset_find(req->route_arg);
	if (!a) {
		kh__resp_error(resp, 404, "not_found", "no such asset");
		return;
	}
	serve(req, resp, a);
}

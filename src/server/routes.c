/* routes.c - the route table, response helpers, and the small handlers:
 * health, metrics, OpenAPI, docs, the catalog and the log roots. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "server/server_int.h"
#include "util/jsonpos.h"

static void h_healthz(struct kh__req *req, struct kh__resp *resp);
static void h_metrics(struct kh__req *req, struct kh__resp *resp);
static void h_openapi(struct kh__req *req, struct kh__resp *resp);
static void h_docs(struct kh__req *req, struct kh__resp *resp);
static void h_services(struct kh__req *req, struct kh__resp *resp);
static void h_service(struct kh__req *req, struct kh__resp *resp);

/* Order matters only for the metrics output; keep it stable. */
static const struct kh__route routes[] = {
	{"GET", "/healthz", h_healthz, 0},
	{"GET", "/metrics", h_metrics, 0},
	{"GET", "/openapi.json", h_openapi, 0},
	{"GET", "/docs", h_docs, 0},
	{"POST", "/v1/policies/generate", kh__api_generate, KH_ROUTE_AUTH},
	{"POST", "/v1/policies/validate", kh__api_validate, KH_ROUTE_AUTH},
	{"POST", "/v1/uploads", kh__api_upload, KH_ROUTE_AUTH | KH_ROUTE_UPLOAD},
	{"POST", "/v1/rightsize", kh__api_rightsize_start, KH_ROUTE_AUTH},
	{"GET", "/v1/rightsize/{id}", kh__api_rightsize_get, KH_ROUTE_AUTH | KH_ROUTE_ARG},
	{"DELETE", "/v1/rightsize/{id}", kh__api_rightsize_cancel, KH_ROUTE_AUTH | KH_ROUTE_ARG},
	{"GET", "/v1/catalog/services", h_services, KH_ROUTE_AUTH},
	{"GET", "/v1/catalog/services/{prefix}", h_service, KH_ROUTE_AUTH | KH_ROUTE_ARG},
	{"POST", "/v1/feedback", kh__api_feedback, KH_ROUTE_AUTH},
	{"POST", "/v1/intents/describe", kh__api_describe, KH_ROUTE_AUTH},
	{"GET", "/v1/log-roots", kh__api_log_roots, KH_ROUTE_AUTH},
	{"GET", "/", kh__web_index, 0},
	{"GET", "/assets/{name}", kh__web_asset, KH_ROUTE_ARG},
};
#define N_ROUTES (sizeof(routes) / sizeof(routes[0]))

size_t kh__route_count(void)
{
	return N_ROUTES;
}

const struct kh__route *kh__route_at(size_t i)
{
	return i < N_ROUTES ? &routes[i] : NULL;
}

size_t kh__route_index(const struct kh__route *r)
{
	return r ? (size_t)(r - routes) : N_ROUTES;
}

/* Does path fit pattern? For {arg} patterns, copies the last segment. */
static int path_fits(const struct kh__route *r, const char *path, char *arg, size_t arg_size)
{
	const char *brace;
	size_t prefix, n;

	if (!(r->flags & KH_ROUTE_ARG))
		return strcmp(r->pattern, path) == 0;
	brace = strchr(r->pattern, '{');
	prefix = (size_t)(brace - r->pattern);
	if (strncmp(r->pattern, path, prefix) != 0)
		return 0;
	n = strlen(path + prefix);
	if (n == 0 || n >= arg_size || strchr(path + prefix, '/'))
		return 0;
	memcpy(arg, path + prefix, n + 1);
	return 1;
}

const struct kh__route *kh__route_match(const char *method, const char *path, char *arg,
					size_t arg_size, const char **allow)
{
	static _Thread_local char allow_buf[64];
	size_t used = 0;

	*allow = NULL;
	allow_buf[0] = '\0';
	for (size_t i = 0; i < N_ROUTES; i++) {
		if (!path_fits(&routes[i], path, arg, arg_size))
			continue;
		if (strcmp(routes[i].method, method) == 0)
			return &routes[i];
		used += (size_t)snprintf(allow_buf + used, sizeof(allow_buf) - used, "%s%s",
					 used ? ", " : "", routes[i].method);
		if (used >= sizeof(allow_buf))
			used = sizeof(allow_buf) - 1;
		*allow = allow_buf;
	}
	return NULL;
}

/* ---- response helpers ---------------------------------------------- */

void kh__resp_error(struct kh__resp *resp, int status, const char *code, const char *fmt, ...)
{
	struct kh_buf msg;
	va_list ap;

	kh_buf_init(&msg, 2048);
	va_start(ap, fmt);
	kh_buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	kh_buf_reset(&resp->body);
	resp->status = status;
	resp->content_type = NULL;
	kh_buf_puts(&resp->body, "{\"error\":{\"code\":");
	kh_buf_put_json_string(&resp->body, code);
	kh_buf_puts(&resp->body, ",\"message\":");
	kh_buf_put_json_string(&resp->body, kh_buf_error(&msg) ? "error" : msg.data);
	kh_buf_puts(&resp->body, "}}\n");
	kh_buf_release(&msg);
}

void kh__resp_json(struct kh__resp *resp, int status, json_t *v)
{
	char *text = v ? json_dumps(v, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
	json_decref(v);
	if (!text) {
		kh__resp_error(resp, 500, "internal", "out of memory");
		return;
	}
	kh_buf_reset(&resp->body);
	kh_buf_puts(&resp->body, text);
	kh_buf_putc(&resp->body, '\n');
	free(text);
	resp->status = kh_buf_error(&resp->body) ? 500 : status;
	resp->content_type = NULL;
}

json_t *kh__body_object(struct kh__req *req, struct kh__resp *resp)
{
	json_error_t jerr;
	json_t *v;

	if (req->body.len == 0) {
		kh__resp_error(resp, 400, "bad_request", "the request body is empty; expected a"
			       " JSON object");
		return NULL;
	}
	v = kh_json_load(req->body.data, req->body.len, JSON_REJECT_DUPLICATES, &jerr);
	if (!v) {
		kh__resp_error(resp, 400, "invalid_json", "%d:%d: invalid JSON: %s",
			       jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	if (!json_is_object(v)) {
		json_decref(v);
		kh__resp_error(resp, 400, "bad_request", "the request body must be a JSON object");
		return NULL;
	}
	return v;
}

/* ---- small handlers ------------------------------------------------ */

static void h_healthz(struct kh__req *req, struct kh__resp *resp)
{
	resp->status = 200;
	kh_buf_puts(&resp->body, "{\"status\":\"ok\"}\n");
}

static void h_metrics(struct kh__req *req, struct kh__resp *resp)
{
	kh__metrics_render(req->srv, &resp->body);
	resp->status = kh_buf_error(&resp->body) ? 500 : 200;
	resp->content_type = "text/plain; version=0.0.4; charset=utf-8";
}

static void h_openapi(struct kh__req *req, struct kh__resp *resp)
{
	size_t len;
	const char *text = kh__openapi_text(&len);
	kh_buf_add(&resp->body, text, len);
	resp->status = 200;
}

static void h_docs(struct kh__req *req, struct kh__resp *resp)
{
	kh_buf_add(&resp->body, req->srv->docs_html.data, req->srv->docs_html.len);
	resp->status = 200;
	resp->content_type = "text/html; charset=utf-8";
}

static int build_services(struct kh_server *srv)
{
	const struct kh_catalog *cat = srv->cfg.catalog;
	struct kh_buf *b = &srv->services_json;

	kh_buf_puts(b, "{\"catalog_version\":");
	kh_buf_put_json_string(b, kh_catalog_version(cat));
	kh_buf_puts(b, ",\"services\":[");
	for (size_t i = 0; i < kh_catalog_service_count(cat); i++) {
		const struct kh_service *s = kh_catalog_service_at(cat, i);
		kh_buf_printf(b, "%s{\"actions\":%zu,\"name\":", i ? "," : "", s->n_actions);
		kh_buf_put_json_string(b, s->name);
		kh_buf_puts(b, ",\"prefix\":");
		kh_buf_put_json_string(b, s->prefix);
		kh_buf_putc(b, '}');
	}
	kh_buf_puts(b, "]}\n");
	return kh_buf_error(b);
}

static void h_services(struct kh__req *req, struct kh__resp *resp)
{
	struct kh_server *srv = req->srv;
	int rc = KH_OK;

	pthread_mutex_lock(&srv->services_lock);
	if (srv->services_json.len == 0)
		rc = build_services(srv);
	pthread_mutex_unlock(&srv->services_lock);
	if (rc != KH_OK) {
		kh_buf_reset(&srv->services_json);
		kh__resp_error(resp, 500, "internal", "cannot list services");
		return;
	}
	kh_buf_add(&resp->body, srv->services_json.data, srv->services_json.len);
	resp->status = 200;
}

static void put_level(struct kh_buf *b, const struct kh_service *svc, unsigned bit, int first)
{
	const struct kh_action **acts = NULL;
	size_t n = 0;

	if (!first)
		kh_buf_putc(b, ',');
	kh_buf_put_json_string(b, kh_level_name(bit));
	kh_buf_puts(b, ":[");
	if (kh_service_actions_at_level(svc, bit, &acts, &n) != KH_OK)
		b->err = b->err ? b->err : KH_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		if (i)
			kh_buf_putc(b, ',');
		kh_buf_put_json_string(b, acts[i]->name);
	}
	kh_buf_putc(b, ']');
	free(acts);
}

static void h_service(struct kh__req *req, struct kh__resp *resp)
{
	const struct kh_service *svc =
		kh_catalog_service(req->srv->cfg.catalog, req->route_arg, strlen(req->route_arg));
	struct kh_buf *b = &resp->body;

	if (!svc) {
		kh__resp_error(resp, 404, "not_found", "unknown service prefix");
		return;
	}
	kh_buf_puts(b, "{\"actions_by_level\":{");
	for (unsigned bit = KH_LEVEL_LIST, first = 1; bit <= KH_LEVEL_PERMISSIONS; bit <<= 1) {
		put_level(b, svc, bit, (int)first);
		first = 0;
	}
	kh_buf_printf(b, "},\"actions\":%zu,\"name\":", svc->n_actions);
	kh_buf_put_json_string(b, svc->name);
	kh_buf_puts(b, ",\"prefix\":");
	kh_buf_put_json_string(b, svc->prefix);
	kh_buf_puts(b, "}\n");
	resp->status = kh_buf_error(b) ? 500 : 200;
}

/* Names only: the directories stay on the server. */
void kh__api_log_roots(struct kh__req *req, struct kh__resp *resp)
{
	const struct kh_server_config *c = &req->srv->cfg;
	json_t *list = json_array();

	for (size_t i = 0; list && i < c->n_log_roots; i++)
		json_array_append_new(list, json_pack("{s:s}", "name", c->log_roots[i].name));
	kh__resp_json(resp, 200, list ? json_pack("{s:o}", "log_roots", list) : NULL);
}

/* docs.c - the embedded OpenAPI document (src/server/openapi.json, linked
 * in by openapi_data.S) and the /docs HTML page built from it at startup. */
#include <stdlib.h>
#include <string.h>

#include "server/server_int.h"

extern const char kh_openapi_data[];
extern const char kh_openapi_data_end[];

const char *kh__openapi_text(size_t *len)
{
	*len = (size_t)(kh_openapi_data_end - kh_openapi_data);
	return kh_openapi_data;
}

static void put_html(struct kh_buf *b, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': kh_buf_puts(b, "&lt;"); break;
		case '>': kh_buf_puts(b, "&gt;"); break;
		case '&': kh_buf_puts(b, "&amp;"); break;
		case '"': kh_buf_puts(b, "&quot;"); break;
		default: kh_buf_putc(b, *s);
		}
	}
}

static const char *str(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* A schema or example, pretty-printed in a <pre>. */
static void put_json_block(struct kh_buf *b, const char *title, json_t *v)
{
	char *text;
	if (!v)
		return;
	text = json_dumps(v, JSON_INDENT(2) | JSON_SORT_KEYS);
	kh_buf_printf(b, "<p><b>%s</b></p><pre>", title);
	put_html(b, text);
	kh_buf_puts(b, "</pre>\n");
	free(text);
}

static void put_operation(struct kh_buf *b, const char *path, const char *method, json_t *op)
{
	const char *code;
	json_t *resp, *params = json_object_get(op, "parameters"), *p;
	size_t i;

	kh_buf_puts(b, "<section><h3><code>");
	for (const char *m = method; *m; m++)
		kh_buf_putc(b, (char)(*m >= 'a' && *m <= 'z' ? *m - 32 : *m));
	kh_buf_putc(b, ' ');
	put_html(b, path);
	kh_buf_puts(b, "</code></h3>\n<p>");
	put_html(b, str(op, "summary"));
	kh_buf_puts(b, "</p>\n");
	if (str(op, "description")) {
		kh_buf_puts(b, "<p>");
		put_html(b, str(op, "description"));
		kh_buf_puts(b, "</p>\n");
	}
	json_array_foreach(params, i, p) {
		kh_buf_puts(b, "<p>Parameter <code>");
		put_html(b, str(p, "name"));
		kh_buf_puts(b, "</code> (");
		put_html(b, str(p, "in"));
		kh_buf_puts(b, "): ");
		put_html(b, str(p, "description"));
		kh_buf_puts(b, "</p>\n");
	}
	put_json_block(b, "Request body", json_object_get(op, "requestBody"));
	kh_buf_puts(b, "<p><b>Responses</b></p><ul>\n");
	json_object_foreach(json_object_get(op, "responses"), code, resp) {
		kh_buf_puts(b, "<li><code>");
		put_html(b, code);
		kh_buf_puts(b, "</code> ");
		put_html(b, str(resp, "description"));
		kh_buf_puts(b, "</li>\n");
	}
	kh_buf_puts(b, "</ul></section>\n");
}

int kh__docs_render(struct kh_buf *b)
{
	size_t len;
	const char *text = kh__openapi_text(&len);
	json_t *doc = json_loadb(text, len, 0, NULL), *ops, *op;
	json_t *info = json_object_get(doc, "info");
	const char *path, *method;
	int rc;

	if (!doc)
		return KH_EINTERNAL;
	kh_buf_puts(b, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
		       "<title>");
	put_html(b, str(info, "title"));
	kh_buf_puts(b, " API</title><style>body{font-family:sans-serif;max-width:60em;"
		       "margin:auto;padding:1em}pre{background:#f4f4f4;padding:.5em;"
		       "overflow:auto}section{border-top:1px solid #ccc}</style></head><body>\n<h1>");
	put_html(b, str(info, "title"));
	kh_buf_puts(b, " ");
	put_html(b, str(info, "version"));
	kh_buf_puts(b, "</h1>\n<p>");
	put_html(b, str(info, "description"));
	kh_buf_puts(b, "</p>\n<p>Machine-readable: <a href=\"/openapi.json\">/openapi.json</a>"
		       "</p>\n");
	json_object_foreach(json_object_get(doc, "paths"), path, ops) {
		json_object_foreach(ops, method, op) {
			if (json_is_object(op) && json_object_get(op, "responses"))
				put_operation(b, path, method, op);
		}
	}
	kh_buf_puts(b, "</body></html>\n");
	json_decref(doc);
	rc = kh_buf_error(b);
	return rc;
}

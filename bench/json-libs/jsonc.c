#include <stdio.h>
#include <string.h>
#include <json-c/json.h>
#include "libs.h"
int parse_jsonc(const char *text, size_t len)
{
	struct json_tokener *tok = json_tokener_new_ex(JSON_TOKENER_DEFAULT_DEPTH);
	json_object *v = json_tokener_parse_ex(tok, text, (int)len);
	json_tokener_free(tok);
	json_object_put(v);
	return v != NULL;
}
void error_jsonc(const char *bad, char *msg, size_t n)
{
	struct json_tokener *tok = json_tokener_new();
	json_object_put(json_tokener_parse_ex(tok, bad, (int)strlen(bad)));
	snprintf(msg, n, "byte %zu only: %s", json_tokener_get_parse_end(tok),
		 json_tokener_error_desc(json_tokener_get_error(tok)));
	json_tokener_free(tok);
}

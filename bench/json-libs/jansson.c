#include <stdio.h>
#include <string.h>
#include <jansson.h>
#include "libs.h"
int parse_jansson(const char *text, size_t len)
{
	json_error_t e;
	json_t *v = json_loadb(text, len, 0, &e);
	json_decref(v);
	return v != NULL;
}
void error_jansson(const char *bad, char *msg, size_t n)
{
	json_error_t e;
	json_t *v = json_loadb(bad, strlen(bad), 0, &e);
	json_decref(v);
	snprintf(msg, n, "line %d column %d: %s", e.line, e.column, e.text);
}

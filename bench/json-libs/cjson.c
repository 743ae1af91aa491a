#include <stdio.h>
#include <string.h>
#include <cjson/cJSON.h>
#include "libs.h"
int parse_cjson(const char *text, size_t len)
{
	cJSON *v = cJSON_ParseWithLength(text, len);
	cJSON_Delete(v);
	return v != NULL;
}
void error_cjson(const char *bad, char *msg, size_t n)
{
	cJSON *v = cJSON_Parse(bad);
	cJSON_Delete(v);
	snprintf(msg, n, "byte %ld only, no message", (long)(cJSON_GetErrorPtr() - bad));
}

/* libs.h - one parse and one error report per candidate library. */
#include <stddef.h>
int parse_jansson(const char *text, size_t len);
int parse_jsonc(const char *text, size_t len);
int parse_cjson(const char *text, size_t len);
void error_jansson(const char *bad, char *msg, size_t n);
void error_jsonc(const char *bad, char *msg, size_t n);
void error_cjson(const char *bad, char *msg, size_t n);

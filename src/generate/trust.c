/* trust.c - the role trust policy for a workload's source service, from the
 * table compiled in from data/trust-principals.tsv. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "generate/generate_int.h"

extern const char kh_trust_data[];

#define MAX_SOURCES 128

/* The table, split once into NUL-terminated fields in static storage. */
static struct {
	char text[8192];
	const char *source[MAX_SOURCES], *principal[MAX_SOURCES];
	size_t n;
} table;
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void table_load(void)
{
	size_t len = strlen(kh_trust_data);
	char *line = table.text;

	if (len >= sizeof(table.text))
		len = sizeof(table.text) - 1; /* a unit test keeps the file small */
	memcpy(table.text, kh_trust_data, len);
	while (*line && table.n < MAX_SOURCES) {
		char *end = strchr(line, '\n');
		char *tab;
		if (end)
			*end = '\0';
		tab = strchr(line, '\t');
		if (line[0] != '#' && tab && tab > line && tab[1]) {
			*tab = '\0';
			table.source[table.n] = line;
			table.principal[table.n++] = tab + 1;
		}
		if (!end)
			break;
		line = end + 1;
	}
}

const char *kh_trust_principal(const char *source)
{
	pthread_once(&table_once, table_load);
	for (size_t i = 0; i < table.n; i++)
		if (strcmp(table.source[i], source) == 0)
			return table.principal[i];
	return NULL;
}

int kh_trust_sources(struct kh_buf *out)
{
	pthread_once(&table_once, table_load);
	for (size_t i = 0; i < table.n; i++) {
		if (i)
			kh_buf_puts(out, ", ");
		kh_buf_puts(out, table.source[i]);
	}
	return kh_buf_error(out);
}

/* Sets the statement's Principal to {"Service": principal}. policy.h has no
 * principal builder, so the entry is filled here the way kh_policy_free
 * releases it. */
static int set_service_principal(struct kh_statement *st, const char *principal)
{
	struct kh_principal_entry *e = calloc(1, sizeof(*e));
	if (!e)
		return KH_ENOMEM;
	st->principal.entries = e;
	st->principal.n_entries = 1;
	st->principal.present = 1;
	if (!(e->type = strdup("Service")))
		return KH_ENOMEM;
	return kh_strlist_add(&e->values, principal);
}

struct kh_policy *kh__trust_policy(const char *principal, const char *source)
{
	struct kh_policy *p = kh_policy_new();
	struct kh_statement *st;
	struct kh_buf sid;

	if (!p)
		return NULL;
	kh_buf_init(&sid, 256);
	kh_buf_puts(&sid, "AllowAssumeRoleBy");
	kh__camel(&sid, source, strlen(source), 64);
	st = kh_buf_error(&sid) ? NULL : kh_policy_add_statement(p, sid.data, KH_EFFECT_ALLOW);
	kh_buf_release(&sid);
	if (!st || set_service_principal(st, principal) ||
	    kh_strlist_add(&st->action, "sts:AssumeRole")) {
		kh_policy_free(p);
		return NULL;
	}
	return p;
}

/* cmd_usage.c - `keyhole usage`: who called what. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "logs_opts.h"

static const char usage_usage[] =
	"usage: keyhole usage (--logs PATH... | --usage FILE.khu...) [--principal ARN] [--json]\n"
	"\n"
	"Without --principal: every principal with its calls, distinct actions, regions,\n"
	"errors and first/last seen. With --principal: that principal's actions.\n";


static void put_principal_row(struct kh_buf *b, const struct kh_usage_principal *p, int json,
			      int first)
{
	size_t actions = 0;
	char f[32], l[32];

	for (size_t i = 0; i < p->n_entries; i++)
		actions += p->entries[i]->cls == KH_USAGE_USED;
	if (json) {
		kh_buf_puts(b, first ? "\n  {\"principal\":" : ",\n  {\"principal\":");
		kh_buf_put_json_string(b, p->arn);
		kh_buf_printf(b, ",\"calls\":%llu,\"actions\":%zu,\"errors\":%llu,\"first\":\"%s\","
				 "\"last\":\"%s\",\"regions\":[",
			      p->calls, actions, p->errors, kh_usage_time_text(p->first, f),
			      kh_usage_time_text(p->last, l));
		for (size_t i = 0; i < p->n_regions; i++) {
			if (i)
				kh_buf_putc(b, ',');
			kh_buf_put_json_string(b, p->regions[i]);
		}
		kh_buf_puts(b, "]}");
		return;
	}
	kh_buf_printf(b, "%-64s %7llu %7zu %6llu  %s  %s  ", p->arn, p->calls, actions, p->errors,
		      kh_usage_time_text(p->first, f), kh_usage_time_text(p->last, l));
	for (size_t i = 0; i < p->n_regions; i++)
		kh_buf_printf(b, "%s%s", i ? "," : "", p->regions[i]);
	kh_buf_putc(b, '\n');
}

static void put_actions(struct kh_buf *b, const struct kh_usage_principal *p, int json)
{
	char f[32], l[32];
	if (json)
		kh_buf_puts(b, "[");
	for (size_t i = 0; i < p->n_entries; i++) {
		const struct kh_usage_entry *e = p->entries[i];
		if (json) {
			kh_buf_puts(b, i ? ",\n  {\"name\":" : "\n  {\"name\":");
			kh_buf_put_json_string(b, e->name);
			kh_buf_printf(b, ",\"class\":\"%s\",\"count\":%llu,\"first\":\"%s\",\"last\":\"%s\","
					 "\"resources\":%zu}",
				      kh_usage_class_name(e->cls), e->count, kh_usage_time_text(e->first, f),
				      kh_usage_time_text(e->last, l), e->n_resources);
		} else {
			kh_buf_printf(b, "%-14s %-52s %7llu  %s  %s\n", kh_usage_class_name(e->cls),
				      e->name, e->count, kh_usage_time_text(e->first, f),
				      kh_usage_time_text(e->last, l));
		}
	}
	if (json)
		kh_buf_puts(b, p->n_entries ? "\n]\n" : "]\n");
}

int cmd_usage(int argc, char **argv)
{
	struct logs_opts o = {0};
	const struct kh_usage_principal **ps;
	struct kh_usage *u = NULL;
	struct kh_buf b;
	size_t n;
	int json = 0, status;

	for (int i = 1; i < argc; i++) {
		int r = logs_opts_parse(&o, argc, argv, &i);
		if (r < 0)
			goto usage_error;
		if (r > 0)
			continue;
		if (strcmp(argv[i], "--json") == 0) {
			json = 1;
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("%s\n%s", usage_usage, logs_opts_help);
			logs_opts_release(&o);
			return KH_EXIT_OK;
		} else {
			cli_error("unknown option '%s'", argv[i]);
			goto usage_error;
		}
	}
	status = logs_opts_load(&o, cli_catalog(), 0, &u);
	if (status != KH_EXIT_OK || kh_usage_principals(u, &ps, &n) != KH_OK) {
		kh_usage_free(u);
		logs_opts_release(&o);
		return KH_EXIT_USAGE;
	}
	kh_buf_init(&b, 0);
	if (o.principal || o.access_key) {
		const char *key = logs_opts_principal(&o, u);
		status = KH_EXIT_USAGE;
		for (size_t i = 0; key && i < n; i++)
			if (strcmp(ps[i]->arn, key) == 0) {
				put_actions(&b, ps[i], json);
				status = KH_EXIT_OK;
			}
	} else {
		if (!json)
			kh_buf_printf(&b, "%-64s %7s %7s %6s  %-20s  %-20s  %s\n", "principal", "calls",
				      "actions", "errors", "first seen", "last seen", "regions");
		else
			kh_buf_putc(&b, '[');
		for (size_t i = 0; i < n; i++)
			put_principal_row(&b, ps[i], json, i == 0);
		if (json)
			kh_buf_puts(&b, n ? "\n]\n" : "]\n");
	}
	if (status == KH_EXIT_OK && cli_write_file(NULL, b.data, b.len))
		status = KH_EXIT_USAGE;
	kh_buf_release(&b);
	kh_usage_free(u);
	logs_opts_release(&o);
	return status;
usage_error:
	fprintf(stderr, "%s", usage_usage);
	logs_opts_release(&o);
	return KH_EXIT_USAGE;
}

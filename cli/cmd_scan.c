/* cmd_scan.c - `keyhole scan`: CloudTrail logs into a usage summary. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "logs_opts.h"

static const char scan_usage[] =
	"usage: keyhole scan --logs PATH... [--out FILE.khu] [options]\n"
	"\n"
	"Reads CloudTrail logs and writes what every principal called (actions with\n"
	"counts, first and last seen, resources, denied and unmapped calls) as a usage\n"
	"summary. Summaries of different shards (days, accounts, S3 prefixes) merge\n"
	"exactly: 'keyhole rightsize --usage a.khu b.khu ...'. See docs/usage-format.md.\n"
	"\n"
	"  --out FILE             write the summary here (default: standard output)\n"
	"  --keep-resources N     distinct resources kept per action (default 64)\n"
	"  --access-key KEY       only events signed with this access key\n"
	"  --principal ARN        only events of this principal\n";

int cmd_scan(int argc, char **argv)
{
	struct logs_opts o = {0};
	const char *out_path = NULL;
	struct kh_usage *u = NULL;
	struct kh_buf b;
	int status;

	for (int i = 1; i < argc; i++) {
		int r = logs_opts_parse(&o, argc, argv, &i);
		if (r < 0)
			goto usage_error;
		if (r > 0)
			continue;
		if (strcmp(argv[i], "--out") == 0 && i + 1 < argc) {
			out_path = argv[++i];
		} else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			printf("%s\n%s", scan_usage, logs_opts_help);
			logs_opts_release(&o);
			return KH_EXIT_OK;
		} else {
			cli_error("unknown option '%s'", argv[i]);
			goto usage_error;
		}
	}
	if (o.n_usages) {
		cli_error("scan reads logs (--logs); to merge summaries use 'keyhole rightsize --usage'");
		goto usage_error;
	}
	status = logs_opts_load(&o, cli_catalog(), 1, &u);
	if (status != KH_EXIT_OK) {
		logs_opts_release(&o);
		return status;
	}
	kh_buf_init(&b, 0);
	if (kh_usage_write(u, &b) != KH_OK) {
		cli_error("out of memory writing the summary");
		status = KH_EXIT_USAGE;
	} else if (cli_write_file(out_path, b.data, b.len) != 0) {
		status = KH_EXIT_USAGE;
	} else if (out_path) {
		const struct kh_usage_scan *s = kh_usage_scan_stats(u);
		fprintf(stderr, "keyhole: %s: %llu files (%llu skipped), %llu events\n", out_path,
			s->files, s->files_skipped, s->events);
	}
	kh_buf_release(&b);
	kh_usage_free(u);
	logs_opts_release(&o);
	return status;
usage_error:
	fprintf(stderr, "%s", scan_usage);
	logs_opts_release(&o);
	return KH_EXIT_USAGE;
}

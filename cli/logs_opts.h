/* logs_opts.h - the options `scan`, `usage` and `rightsize` share: where
 * the logs are, which time window and regions, and how to read them. */
#ifndef KEYHOLE_LOGS_OPTS_H
#define KEYHOLE_LOGS_OPTS_H

#include <stddef.h>

#include "keyhole/mapping.h"
#include "keyhole/scan.h"
#include "keyhole/usage.h"

struct logs_opts {
	const char **logs;   /* --logs PATH (repeatable; several paths may follow) */
	size_t n_logs;
	const char **usages; /* --usage FILE.khu (repeatable) */
	size_t n_usages;
	const char **regions; /* NULL-terminated */
	size_t n_regions;
	const char *since, *until;
	const char *principal, *access_key;
	const char *endpoint_url, *profile, *s3_region;
	int threads, strict, quiet;
	size_t keep_resources;
};

/* Usage lines for the shared options, for each command's --help. */
extern const char logs_opts_help[];

/* If argv[*i] is a shared option, consumes it (and its values), advancing
 * *i to the last argument used, and returns 1; 0 when it is not one;
 * -1 (message printed) on a bad value. */
int logs_opts_parse(struct logs_opts *o, int argc, char **argv, int *i);
void logs_opts_release(struct logs_opts *o);

/* Scans --logs or reads and merges --usage files into *out. Prints skipped
 * files and, on a TTY, progress to stderr. Returns a CLI exit status. */
int logs_opts_load(const struct logs_opts *o, const struct kh_catalog *cat, int with_principal,
		   struct kh_usage **out);

/* Finds the summary's principal that --principal names (a role ARN with or
 * without its path, an assumed-role session, a user, root), or the only
 * principal seen with --access-key. Prints why not and returns NULL. */
const char *logs_opts_principal(const struct logs_opts *o, struct kh_usage *u);

#endif

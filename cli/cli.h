/* cli.h - shared helpers of the keyhole command line.
 *
 * The CLI is the only layer that prints or exits. Each command lives in its
 * own cmd_*.c and has the signature of kh_cmd_fn. Exit statuses: 0 success,
 * 1 a finding or check failed, 2 a usage or input error.
 */
#ifndef KEYHOLE_CLI_H
#define KEYHOLE_CLI_H

#include <stddef.h>

#include "keyhole/catalog.h"
#include "keyhole/error.h"

#define KH_EXIT_OK 0
#define KH_EXIT_FAIL 1
#define KH_EXIT_USAGE 2

typedef int (*kh_cmd_fn)(int argc, char **argv);

/* Global options, parsed before the command name. */
struct kh_cli_globals {
	const char *catalog_path; /* --catalog FILE, or NULL for the built-in */
};
extern struct kh_cli_globals kh_cli;

/* Loads the catalog once (built-in or --catalog); on failure prints the
 * error and exits 2. The catalog lives until the process exits. */
const struct kh_catalog *cli_catalog(void);

/* Reads a whole file ("-" is stdin) into a malloc()'ed, NUL-terminated
 * buffer that the caller free()s. On failure prints "keyhole: path: reason"
 * and returns NULL. Refuses files over max bytes. */
char *cli_read_file(const char *path, size_t max, size_t *len);

/* Writes len bytes to path, or to stdout when path is NULL or "-". On
 * failure prints "keyhole: path: reason" and returns -1. */
int cli_write_file(const char *path, const char *data, size_t len);

/* Prints "keyhole: " + message to stderr. */
void cli_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Prints a kh_error as "file:line:col: error: message" (or without the
 * position when unknown). */
void cli_print_error(const char *file, const struct kh_error *err);

/* Command entry points. */
int cmd_catalog(int argc, char **argv);
int cmd_validate(int argc, char **argv);
int cmd_generate(int argc, char **argv);
int cmd_simulate(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_describe(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_token(int argc, char **argv);
int cmd_feedback(int argc, char **argv);
int cmd_scan(int argc, char **argv);
int cmd_usage(int argc, char **argv);
int cmd_rightsize(int argc, char **argv);

#endif

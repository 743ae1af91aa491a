/* cmd_serve.c - `keyhole serve`: the HTTP API over a SQLite store.
 *
 * Prints JSON lines on stderr: one when listening, one per request (the
 * access log) and one when stopped. SIGTERM or SIGINT stops gracefully. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#include "keyhole/server.h"
#include "keyhole/store.h"

#define MAX_LOG_ROOTS 32

static void usage(FILE *f)
{
	fprintf(f,
		"usage: keyhole serve [--listen HOST:PORT] [--db FILE] [--data-dir DIR]\n"
		"                     [--logs-root NAME=DIR]... [--workers N] [--threads N]\n"
		"                     [--max-body BYTES] [--max-upload BYTES] [--rate-limit N]\n"
		"                     [--upload-ttl SECONDS] [--insecure-no-auth]\n\n"
		"Serves the JSON API (/v1), /healthz, /metrics, /openapi.json and /docs.\n\n"
		"  --listen HOST:PORT   address to bind (default 127.0.0.1:8080; [::1]:8080 for"
		" IPv6;\n"
		"                       port 0 picks a free port)\n"
		"  --db FILE            the SQLite store (default keyhole.db)\n"
		"  --data-dir DIR       where uploads are kept (default: the store's directory)\n"
		"  --logs-root NAME=DIR a CloudTrail directory that requests may name as NAME\n"
		"  --workers N          right-sizing job workers (default 2)\n"
		"  --threads N          HTTP threads (default: the number of CPUs)\n"
		"  --max-body BYTES     request body limit (default 1 MB)\n"
		"  --max-upload BYTES   upload body limit (default 64 MB)\n"
		"  --rate-limit N       requests per second per token (default 50, burst 2N)\n"
		"  --upload-ttl SECONDS how long uploads are kept (default 86400)\n"
		"  --insecure-no-auth   allow a non-loopback address without any API token\n\n"
		"Authentication is on as soon as a token exists ('keyhole token create').\n"
		"Test hook: KEYHOLE_TEST_SLOW_JOBS=1 replaces the right-sizing runner with a\n"
		"slow pretend one (about 3 s per job) so tests can interrupt a running job.\n");
}

static void log_line(void *ctx, const char *line)
{
	fprintf(stderr, "%s\n", line);
}

static int parse_size(const char *s, unsigned long long *out)
{
	char *end;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return errno || end == s || *end || *s == '-' ? -1 : 0;
}

/* Splits HOST:PORT (HOST may be [v6]) into host (in buf) and port. */
static int parse_listen(const char *s, char *host, size_t host_size, unsigned *port)
{
	const char *colon = strrchr(s, ':');
	unsigned long long p;
	size_t n;

	if (!colon || parse_size(colon + 1, &p) != 0 || p > 65535)
		return -1;
	n = (size_t)(colon - s);
	if (n >= 2 && s[0] == '[' && s[n - 1] == ']') {
		s++;
		n -= 2;
	}
	if (n == 0 || n >= host_size)
		return -1;
	memcpy(host, s, n);
	host[n] = '\0';
	*port = (unsigned)p;
	return 0;
}

static int add_log_root(struct kh_log_root *roots, size_t *n, char *spec)
{
	char *eq = strchr(spec, '=');
	struct stat st;

	if (!eq || eq == spec || !eq[1] || *n >= MAX_LOG_ROOTS) {
		cli_error("--logs-root wants NAME=DIR (at most %d)", MAX_LOG_ROOTS);
		return -1;
	}
	*eq = '\0';
	for (const char *c = spec; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '_' || *c == '-' || *c == '.') ||
		    c - spec >= 64 || strcmp(spec, ".") == 0 || strcmp(spec, "..") == 0) {
			cli_error("--logs-root: name '%s' must be 1-64 of [A-Za-z0-9_.-]", spec);
			return -1;
		}
	if (stat(eq + 1, &st) != 0 || !S_ISDIR(st.st_mode)) {
		cli_error("--logs-root %s: '%s' is not a directory", spec, eq + 1);
		return -1;
	}
	roots[*n].name = spec;
	roots[*n].path = realpath(eq + 1, NULL);
	if (!roots[*n].path)
		return -1;
	(*n)++;
	return 0;
}

/* Parses options into cfg; returns 0, or an exit status. */
static int parse_args(int argc, char **argv, struct kh_server_config *cfg, const char **db,
		      const char **data_dir, struct kh_log_root *roots, char *host,
		      size_t host_size)
{
	unsigned long long v;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
		int num = 0;
		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return -1;
		} else if (strcmp(a, "--insecure-no-auth") == 0) {
			cfg->insecure_no_auth = 1;
			continue;
		}
		if (!val) {
			cli_error("serve: option '%s' needs a value (or is unknown)", a);
			return KH_EXIT_USAGE;
		}
		i++;
		if (strcmp(a, "--listen") == 0) {
			if (parse_listen(val, host, host_size, &cfg->port) != 0) {
				cli_error("--listen wants HOST:PORT, not '%s'", val);
				return KH_EXIT_USAGE;
			}
			cfg->host = host;
		} else if (strcmp(a, "--db") == 0) {
			*db = val;
		} else if (strcmp(a, "--data-dir") == 0) {
			*data_dir = val;
		} else if (strcmp(a, "--logs-root") == 0) {
			if (add_log_root(roots, &cfg->n_log_roots, argv[i]) != 0)
				return KH_EXIT_USAGE;
		} else {
			num = 1;
		}
		if (!num)
			continue;
		if (parse_size(val, &v) != 0 || v > (1ull << 40)) {
			cli_error("serve: '%s' wants a number, not '%s'", a, val);
			return KH_EXIT_USAGE;
		}
		if (strcmp(a, "--workers") == 0 && v >= 1 && v <= 64)
			cfg->job_workers = (unsigned)v;
		else if (strcmp(a, "--threads") == 0 && v >= 1 && v <= 256)
			cfg->http_threads = (unsigned)v;
		else if (strcmp(a, "--max-body") == 0 && v >= 1)
			cfg->max_body = (size_t)v;
		else if (strcmp(a, "--max-upload") == 0 && v >= 1)
			cfg->max_upload = (size_t)v;
		else if (strcmp(a, "--rate-limit") == 0 && v >= 1)
			cfg->rate_per_sec = (double)v;
		else if (strcmp(a, "--upload-ttl") == 0 && v >= 1)
			cfg->upload_ttl = (long long)v;
		else {
			cli_error("serve: unknown option '%s' or value '%s' out of range", a, val);
			return KH_EXIT_USAGE;
		}
	}
	return 0;
}

static int wait_for_signal(void)
{
	sigset_t set;
	int sig = 0;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigwait(&set, &sig);
	return sig;
}

int cmd_serve(int argc, char **argv)
{
	struct kh_server_config cfg = {0};
	struct kh_log_root roots[MAX_LOG_ROOTS];
	const char *db = "keyhole.db", *data_dir = NULL, *slow = getenv("KEYHOLE_TEST_SLOW_JOBS");
	char host[256];
	struct kh_store *store;
	struct kh_server *srv;
	struct kh_error err = {0};
	sigset_t set;
	int rc, sig;

	rc = parse_args(argc, argv, &cfg, &db, &data_dir, roots, host, sizeof(host));
	if (rc != 0)
		return rc < 0 ? KH_EXIT_OK : rc;
	cfg.log_roots = roots;
	cfg.catalog = cli_catalog();
	cfg.log = log_line;
	cfg.run = slow && strcmp(slow, "1") == 0 ? kh_job_run_test_slow : kh_job_run_rightsize;
	cfg.run_ctx = (void *)cli_catalog();
	if (kh_store_open_sqlite(db, data_dir, &store, &err) != KH_OK) {
		cli_print_error(db, &err);
		return KH_EXIT_USAGE;
	}
	cfg.store = store;
	/* Signals go to sigwait below, not to the server's threads. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (kh_server_start(&cfg, &srv, &err) != KH_OK) {
		cli_print_error("serve", &err);
		kh_store_close(store);
		return KH_EXIT_USAGE;
	}
	fprintf(stderr, "{\"event\":\"listening\",\"url\":\"http://%s%s%s:%u\"}\n",
		strchr(cfg.host ? cfg.host : "", ':') ? "[" : "",
		cfg.host ? cfg.host : "127.0.0.1", strchr(cfg.host ? cfg.host : "", ':') ? "]" : "",
		kh_server_port(srv));
	sig = wait_for_signal();
	fprintf(stderr, "{\"event\":\"stopping\",\"signal\":%d}\n", sig);
	kh_server_stop(srv, 10);
	kh_store_close(store);
	for (size_t i = 0; i < cfg.n_log_roots; i++)
		free((char *)roots[i].path);
	fprintf(stderr, "{\"event\":\"stopped\"}\n");
	return KH_EXIT_OK;
}

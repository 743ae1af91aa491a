/* catalog_int.h - the catalog's private layout, shared by its files. */
#ifndef KEYHOLE_CATALOG_INT_H
#define KEYHOLE_CATALOG_INT_H

#include "keyhole/catalog.h"
#include "util/util.h"

#include <pthread.h>
#include <stdatomic.h>

/* Services are parsed on first use: load time only indexes the file. */
struct kh_service_block {
	const char *start; /* the service's R/K/A lines in the catalog text */
	size_t len;
	size_t first_line;
	atomic_int loaded;
};

struct kh_catalog {
	const char *text; /* the catalog file (read-only; copied blocks are parsed) */
	size_t text_len;
	char *owned;      /* the copy of text, when it had to be copied */
	const char *version;
	struct kh_service *services; /* sorted by prefix; "aws" last, unlisted */
	size_t n_services;
	const struct kh_service *globals; /* the "aws" pseudo-service, or NULL */
	size_t n_actions;
	struct kh_ptrmap service_map; /* prefix -> service */
	struct kh_service_block *blocks; /* parallel to services */
	pthread_mutex_t lock;            /* guards lazy parsing and the arena */
	struct kh_arena arena;
};

/* Parses svc's block if that has not happened yet. Thread-safe. */
void kh__service_ensure(const struct kh_catalog *cat, const struct kh_service *svc);

/* kh_arn_matches_template by the general token search alone, even for a
 * concrete ARN: the unit tests hold the fast path to it. */
int kh__arn_matches_template_tokens(const char *arn, const char *tmpl, int last_spans_path);

#endif

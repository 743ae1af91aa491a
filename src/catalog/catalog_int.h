/* catalog_int.h - the catalog's private layout, shared by its files. */
#ifndef KEYHOLE_CATALOG_INT_H
#define KEYHOLE_CATALOG_INT_H

#include "keyhole/catalog.h"
#include "util/util.h"

struct kh_catalog {
	char *text; /* the catalog file, split in place: strings point here */
	const char *version;
	struct kh_service *services; /* sorted by prefix; [0] may be "aws" */
	size_t n_services;
	const struct kh_service *globals; /* the "aws" pseudo-service, or NULL */
	size_t n_actions;
	struct kh_ptrmap service_map; /* prefix -> service */
	struct kh_ptrmap action_map;  /* full name -> action */
	struct kh_arena arena;
};

#endif

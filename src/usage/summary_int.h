/* summary_int.h - the usage summary's private layout, shared by summary.c
 * (aggregation) and summary_io.c (the written form). */
#ifndef KEYHOLE_SUMMARY_INT_H
#define KEYHOLE_SUMMARY_INT_H

#include "keyhole/usage.h"
#include "util/util.h"

struct kh__usage_entry {
	struct kh_usage_entry pub;
};

#define KH__RECENT_ENTRIES 32

struct kh__usage_principal {
	struct kh_usage_principal pub;
	struct kh_strmap entries; /* "<class>\x1f<name>" -> struct kh__usage_entry */
	struct kh_strmap regions; /* set of region names */
	/* Entries found lately, by the address of the name asked for: callers
	 * pass the catalog's action names, so most lookups end here. */
	struct {
		const char *name;
		struct kh__usage_entry *entry;
	} recent[KH__RECENT_ENTRIES];
};

struct kh_usage {
	size_t max_resources;
	struct kh_strmap principals; /* arn -> struct kh__usage_principal */
	struct kh_usage_scan scan;
	struct kh_strmap data_services; /* set of prefixes with data events */
	const struct kh_usage_principal **sorted;
	size_t n_sorted;
	int dirty;
	struct kh__usage_principal *last; /* of the previous lookup: events come in runs */
};

struct kh__usage_principal *kh__usage_principal_get(struct kh_usage *u, const char *arn);
struct kh__usage_entry *kh__usage_entry_get(struct kh__usage_principal *p,
					    enum kh_usage_class cls, const char *name);
int kh__usage_entry_add_resource(struct kh__usage_entry *e, const char *res, size_t max);
int kh__usage_class_parse(const char *s);

#endif

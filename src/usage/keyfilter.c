/* keyfilter.c - pruning S3 keys of the CloudTrail delivery layout
 *   AWSLogs/[o-ORG/]ACCOUNT/CloudTrail/REGION/YYYY/MM/DD/FILE
 * by date and region before anything is fetched. */
#include <string.h>

#include "keyhole/scan.h"
#include "usage/scan_int.h"

/* A day of slack on each side: delivery folders are by UTC day, and an
 * event near midnight can land in the neighbouring day's folder. */
#define DAY 86400LL

static int ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int region_wanted(const char *region, size_t len, const struct kh_trail_filter *f)
{
	if (!f->regions)
		return 1;
	/* Global services (IAM, STS, CloudFront, ...) log to us-east-1. */
	if (len == 9 && strncmp(region, "us-east-1", 9) == 0)
		return 1;
	for (const char *const *r = f->regions; *r; r++)
		if (strlen(*r) == len && strncmp(*r, region, len) == 0)
			return 1;
	return 0;
}

int kh__trail_key_wanted(const char *key, const struct kh_trail_filter *f)
{
	const char *ct, *region, *date, *slash;
	long long day;

	if (strstr(key, "/CloudTrail-Digest/") || strstr(key, "CloudTrail-Insight"))
		return 0;
	if (!ends_with(key, ".json.gz") && !ends_with(key, ".json") && !ends_with(key, ".jsonl") &&
	    !ends_with(key, ".gz"))
		return 0;
	ct = strstr(key, "/CloudTrail/");
	if (!ct)
		return 1; /* not the delivery layout: nothing to prune by */
	region = ct + strlen("/CloudTrail/");
	if (!(slash = strchr(region, '/')))
		return 1;
	if (!region_wanted(region, (size_t)(slash - region), f))
		return 0;
	date = slash + 1;
	if (strlen(date) < 10 || date[4] != '/' || date[7] != '/')
		return 1;
	{
		char iso[11] = {date[0], date[1], date[2], date[3], '-', date[5], date[6],
				'-', date[8], date[9], '\0'};
		day = kh_parse_event_time(iso, 10);
	}
	if (day < 0)
		return 1;
	if (f->since && day + 2 * DAY <= f->since)
		return 0;
	if (f->until && day - DAY >= f->until)
		return 0;
	return 1;
}

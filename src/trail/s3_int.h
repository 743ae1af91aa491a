/* s3_int.h - the S3 client's internals, for its fuzzer. */
#ifndef KH_S3_INT_H
#define KH_S3_INT_H

#include "keyhole/s3.h"

/* Adds the <Contents> blocks (Key, Size) of one ListObjectsV2 page, a
 * NUL-terminated XML body from the network, to l. KH_EINPUT for a block
 * without Key or Size; KH_ENOMEM. */
int kh__s3_parse_listing_page(const char *xml, struct kh_s3_listing *l);

#endif

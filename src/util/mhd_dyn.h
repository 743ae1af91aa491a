/* mhd_dyn.h - libmicrohttpd, loaded on first use, for the same reason as
 * curl_dyn.h: only `keyhole serve` needs it, and linking it (with GnuTLS)
 * costs every other command milliseconds at start. Include after
 * <microhttpd.h> and call kh__mhd_load() before the first MHD_* call.
 * Internal. */
#ifndef KEYHOLE_MHD_DYN_H
#define KEYHOLE_MHD_DYN_H

#include <microhttpd.h>

#include "keyhole/error.h"

struct kh__mhd_api {
	__typeof__(MHD_start_daemon) *start_daemon;
	__typeof__(MHD_stop_daemon) *stop_daemon;
	__typeof__(MHD_quiesce_daemon) *quiesce_daemon;
	__typeof__(MHD_get_daemon_info) *get_daemon_info;
	__typeof__(MHD_lookup_connection_value) *lookup_connection_value;
	__typeof__(MHD_create_response_from_buffer) *create_response_from_buffer;
	__typeof__(MHD_add_response_header) *add_response_header;
	__typeof__(MHD_queue_response) *queue_response;
	__typeof__(MHD_destroy_response) *destroy_response;
};

int kh__mhd_load(struct kh_error *err);
const struct kh__mhd_api *kh__mhd(void);

#ifndef KH_DYNLIB_IMPL
#define MHD_start_daemon (kh__mhd()->start_daemon)
#define MHD_stop_daemon (kh__mhd()->stop_daemon)
#define MHD_quiesce_daemon (kh__mhd()->quiesce_daemon)
#define MHD_get_daemon_info (kh__mhd()->get_daemon_info)
#define MHD_lookup_connection_value (kh__mhd()->lookup_connection_value)
#define MHD_create_response_from_buffer (kh__mhd()->create_response_from_buffer)
#define MHD_add_response_header (kh__mhd()->add_response_header)
#define MHD_queue_response (kh__mhd()->queue_response)
#define MHD_destroy_response (kh__mhd()->destroy_response)
#endif

#endif

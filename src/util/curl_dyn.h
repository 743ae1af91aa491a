/* curl_dyn.h - libcurl, loaded on first use.
 *
 * libcurl and its dependencies (TLS, Kerberos, LDAP, ...) cost several
 * milliseconds of dynamic linking at every start, yet only s3:// sources
 * and the optional model endpoint need them. Files that use libcurl
 * include this header after <curl/curl.h>: the curl_* calls then go through
 * a table filled by dlopen the first time kh__curl_load() succeeds. Call
 * kh__curl_load() before the first curl_* call. Internal. */
#ifndef KEYHOLE_CURL_DYN_H
#define KEYHOLE_CURL_DYN_H

#include <curl/curl.h>

#include "keyhole/error.h"

struct kh__curl_api {
	__typeof__(curl_easy_init) *easy_init;
	__typeof__(curl_easy_setopt) *easy_setopt;
	__typeof__(curl_easy_perform) *easy_perform;
	__typeof__(curl_easy_getinfo) *easy_getinfo;
	__typeof__(curl_easy_cleanup) *easy_cleanup;
	__typeof__(curl_easy_reset) *easy_reset;
	__typeof__(curl_easy_strerror) *easy_strerror;
	__typeof__(curl_slist_append) *slist_append;
	__typeof__(curl_slist_free_all) *slist_free_all;
};

/* Loads libcurl once (thread-safe). KH_OK, or KH_EINTERNAL with a message
 * naming the missing library. */
int kh__curl_load(struct kh_error *err);
const struct kh__curl_api *kh__curl(void);

#ifndef KH_DYNLIB_IMPL
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_easy_init (kh__curl()->easy_init)
#define curl_easy_setopt (kh__curl()->easy_setopt)
#define curl_easy_perform (kh__curl()->easy_perform)
#define curl_easy_getinfo (kh__curl()->easy_getinfo)
#define curl_easy_cleanup (kh__curl()->easy_cleanup)
#define curl_easy_reset (kh__curl()->easy_reset)
#define curl_easy_strerror (kh__curl()->easy_strerror)
#define curl_slist_append (kh__curl()->slist_append)
#define curl_slist_free_all (kh__curl()->slist_free_all)
#endif

#endif

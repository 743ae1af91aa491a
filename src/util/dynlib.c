/* dynlib.c - loading libcurl and libmicrohttpd on first use (see
 * curl_dyn.h and mhd_dyn.h). */
#define KH_DYNLIB_IMPL
#include <dlfcn.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <string.h>
#include <sys/types.h>

#include "util/curl_dyn.h"
#include "util/mhd_dyn.h"

struct lib {
	const char *soname, *package;
	void **slots;
	const char *const *names;
	size_t n;
	pthread_once_t once;
	int ok;
	char error[256];
};

static struct kh__curl_api curl_api;
static const char *const curl_names[] = {
	"curl_easy_init",     "curl_easy_setopt",  "curl_easy_perform",
	"curl_easy_getinfo",  "curl_easy_cleanup", "curl_easy_reset",
	"curl_easy_strerror", "curl_slist_append", "curl_slist_free_all",
};
static struct lib curl_lib = {"libcurl.so.4", "libcurl4", (void **)&curl_api, curl_names,
			      sizeof(curl_names) / sizeof(curl_names[0]), PTHREAD_ONCE_INIT, 0, ""};

static struct kh__mhd_api mhd_api;
static const char *const mhd_names[] = {
	"MHD_start_daemon",	   "MHD_stop_daemon",
	"MHD_quiesce_daemon",	   "MHD_get_daemon_info",
	"MHD_lookup_connection_value", "MHD_create_response_from_buffer",
	"MHD_add_response_header", "MHD_queue_response",
	"MHD_destroy_response",
};
static struct lib mhd_lib = {"libmicrohttpd.so.12", "libmicrohttpd12", (void **)&mhd_api,
			     mhd_names, sizeof(mhd_names) / sizeof(mhd_names[0]),
			     PTHREAD_ONCE_INIT, 0, ""};

/* The tables are arrays of function pointers in name order. */
_Static_assert(sizeof(struct kh__curl_api) == sizeof(curl_names) / sizeof(curl_names[0]) *
						     sizeof(void *),
	       "curl table and names disagree");
_Static_assert(sizeof(struct kh__mhd_api) == sizeof(mhd_names) / sizeof(mhd_names[0]) *
						    sizeof(void *),
	       "microhttpd table and names disagree");

static void load(struct lib *l)
{
	void *h = dlopen(l->soname, RTLD_NOW | RTLD_LOCAL);

	if (!h) {
		snprintf(l->error, sizeof(l->error), "cannot load %s (Debian package %s): %s",
			 l->soname, l->package, dlerror());
		return;
	}
	for (size_t i = 0; i < l->n; i++) {
		void *sym = dlsym(h, l->names[i]);
		if (!sym) {
			snprintf(l->error, sizeof(l->error), "%s lacks %s", l->soname, l->names[i]);
			return;
		}
		/* POSIX guarantees function pointers round-trip through void *. */
		memcpy(&l->slots[i], &sym, sizeof(sym));
	}
	l->ok = 1;
}

static void load_curl(void)
{
	load(&curl_lib);
}

static void load_mhd(void)
{
	load(&mhd_lib);
}

int kh__curl_load(struct kh_error *err)
{
	pthread_once(&curl_lib.once, load_curl);
	return curl_lib.ok ? KH_OK : kh_error_set(err, KH_EINTERNAL, "%s", curl_lib.error);
}

const struct kh__curl_api *kh__curl(void)
{
	return &curl_api;
}

int kh__mhd_load(struct kh_error *err)
{
	pthread_once(&mhd_lib.once, load_mhd);
	return mhd_lib.ok ? KH_OK : kh_error_set(err, KH_EINTERNAL, "%s", mhd_lib.error);
}

const struct kh__mhd_api *kh__mhd(void)
{
	return &mhd_api;
}

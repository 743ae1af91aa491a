/* server.c - the daemon: binding, request lifecycle, body limits, the
 * access log and graceful shutdown (see keyhole/server.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>
#include <sodium.h>

#include "server/server_int.h"
#include "util/mhd_dyn.h"

#define KH_MB ((size_t)1 << 20)

uint64_t kh__now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- responses ----------------------------------------------------- */

static int queue(struct kh__req *req, struct MHD_Connection *conn, struct kh__resp *resp)
{
	size_t len;
	char *body = kh_buf_detach(&resp->body, &len);
	struct MHD_Response *r;
	int ok;

	if (!body) {
		body = NULL;
		len = 0;
		resp->status = MHD_HTTP_INTERNAL_SERVER_ERROR;
	}
	r = MHD_create_response_from_buffer(len, body ? body : (void *)"",
					    body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type",
				resp->content_type ? resp->content_type : "application/json");
	MHD_add_response_header(r, "X-Request-Id", req->id);
	MHD_add_response_header(r, "Cache-Control",
				resp->cache_control ? resp->cache_control : "no-store");
	MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
	if (resp->etag[0])
		MHD_add_response_header(r, "ETag", resp->etag);
	if (resp->web_page) {
		/* Scripts, styles and requests come from this server only; no
		 * inline code, no framing. */
		MHD_add_response_header(r, "Content-Security-Policy",
					"default-src 'none'; script-src 'self'; style-src 'self';"
					" img-src 'self' data:; connect-src 'self'; base-uri 'none';"
					" form-action 'none'; frame-ancestors 'none'");
		MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
		MHD_add_response_header(r, "X-Frame-Options", "DENY");
	}
	if (resp->retry_after[0])
		MHD_add_response_header(r, "Retry-After", resp->retry_after);
	if (resp->allow)
		MHD_add_response_header(r, "Allow", resp->allow);
	if (resp->bearer_challenge)
		MHD_add_response_header(r, "WWW-Authenticate", "Bearer realm=\"keyhole\"");
	req->status = resp->status;
	req->responded = 1;
	ok = MHD_queue_response(conn, (unsigned)resp->status, r);
	MHD_destroy_response(r);
	return ok;
}

static void resp_init(struct kh__resp *resp)
{
	memset(resp, 0, sizeof(*resp));
	kh_buf_init(&resp->body, 0);
}

/* ---- request lifecycle --------------------------------------------- */

static struct kh__req *req_new(struct kh_server *srv, const char *method, const char *url)
{
	struct kh__req *req = calloc(1, sizeof(*req));
	unsigned long long seq;

	if (!req)
		return NULL;
	req->srv = srv;
	req->method = method;
	req->start_ns = kh__now_ns();
	snprintf(req->path, sizeof(req->path), "%s", url);
	seq = atomic_fetch_add(&srv->request_seq, 1) + 1;
	snprintf(req->id, sizeof(req->id), "%08llx%08llx",
		 (unsigned long long)(srv->id_salt & 0xffffffffu), seq & 0xffffffffull);
	atomic_fetch_add(&srv->active_requests, 1);
	return req;
}

static size_t body_limit(const struct kh__req *req)
{
	const struct kh_server_config *c = &req->srv->cfg;
	return req->route && (req->route->flags & KH_ROUTE_UPLOAD) ? c->max_upload : c->max_body;
}

/* Checks done before any body byte is read: route, method, auth, declared
 * size. Returns 1 when a response was queued. */
static int preflight(struct kh__req *req, struct MHD_Connection *conn)
{
	struct kh__resp resp;
	const char *allow = NULL, *len_hdr, *auth, *etag;
	int stop = 0;

	resp_init(&resp);
	req->route = kh__route_match(req->method, req->path, req->route_arg,
				     sizeof(req->route_arg), &allow);
	if (!req->route) {
		if (allow) {
			kh__resp_error(&resp, 405, "method_not_allowed",
				       "method %s is not allowed here", req->method);
			resp.allow = allow;
		} else {
			kh__resp_error(&resp, 404, "not_found", "no such route");
		}
		stop = 1;
	}
	etag = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "If-None-Match");
	if (etag)
		snprintf(req->if_none_match, sizeof(req->if_none_match), "%s", etag);
	if (!stop && (req->route->flags & KH_ROUTE_AUTH)) {
		auth = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Authorization");
		stop = kh__auth_check(req, auth, &resp) != 0;
	}
	len_hdr = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "Content-Length");
	if (!stop && len_hdr && strtoull(len_hdr, NULL, 10) > body_limit(req)) {
		kh__resp_error(&resp, 413, "payload_too_large",
			       "request body is larger than the limit of %zu bytes",
			       body_limit(req));
		stop = 1;
	}
	kh_buf_init(&req->body, body_limit(req) + 1);
	if (stop)
		queue(req, conn, &resp);
	kh_buf_release(&resp.body);
	return stop;
}

static void dispatch(struct kh__req *req, struct MHD_Connection *conn)
{
	struct kh__resp resp;

	resp_init(&resp);
	if (req->too_large)
		kh__resp_error(&resp, 413, "payload_too_large",
			       "request body is larger than the limit of %zu bytes",
			       body_limit(req));
	else
		req->route->handler(req, &resp);
	if (resp.status == 0)
		kh__resp_error(&resp, 500, "internal", "the handler produced no response");
	queue(req, conn, &resp);
	kh_buf_release(&resp.body);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_size, void **con_cls)
{
	struct kh_server *srv = cls;
	struct kh__req *req = *con_cls;

	if (!req) {
		req = req_new(srv, method, url);
		if (!req)
			return MHD_NO;
		*con_cls = req;
		preflight(req, conn);
		return MHD_YES;
	}
	if (req->responded) {
		*upload_size = 0; /* an early response: drop the rest */
		return MHD_YES;
	}
	if (*upload_size) {
		if (!req->too_large && kh_buf_add(&req->body, upload_data, *upload_size) != KH_OK)
			req->too_large = 1;
		*upload_size = 0;
		return MHD_YES;
	}
	dispatch(req, conn);
	return MHD_YES;
}

static void log_request(struct kh_server *srv, struct kh__req *req, double seconds)
{
	struct kh_buf line;

	if (!srv->cfg.log)
		return;
	kh_buf_init(&line, 4096);
	kh_buf_puts(&line, "{\"method\":");
	kh_buf_put_json_string(&line, req->method);
	kh_buf_puts(&line, ",\"path\":");
	kh_buf_put_json_string(&line, req->path);
	kh_buf_printf(&line, ",\"status\":%d,\"latency_ms\":%.3f,\"request_id\":\"%s\"}",
		      req->status, seconds * 1000.0, req->id);
	if (!kh_buf_error(&line))
		srv->cfg.log(srv->cfg.log_ctx, line.data);
	kh_buf_release(&line);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct kh_server *srv = cls;
	struct kh__req *req = *con_cls;
	double seconds;

	if (!req)
		return;
	if (!req->responded)
		req->status = 499; /* the client went away or timed out */
	seconds = (double)(kh__now_ns() - req->start_ns) / 1e9;
	kh__metrics_record(srv, req->route, req->status, seconds);
	log_request(srv, req, seconds);
	kh_buf_release(&req->body);
	free(req);
	*con_cls = NULL;
	atomic_fetch_sub(&srv->active_requests, 1);
}

/* ---- start and stop ------------------------------------------------ */

static int parse_addr(const char *host, unsigned port, struct sockaddr_storage *ss,
		      int *loopback)
{
	struct sockaddr_in *in4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons((uint16_t)port);
		*loopback = (ntohl(in4->sin_addr.s_addr) >> 24) == 127;
		return 0;
	}
	if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
		return 0;
	}
	return -1;
}

static void apply_defaults(struct kh_server_config *c)
{
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	if (!c->host)
		c->host = "127.0.0.1";
	if (!c->http_threads)
		c->http_threads = cpus > 0 ? (unsigned)cpus : 2;
	if (!c->job_workers)
		c->job_workers = 2;
	if (!c->connection_limit)
		c->connection_limit = 1024;
	if (!c->timeout_seconds)
		c->timeout_seconds = 30;
	if (!c->max_body)
		c->max_body = KH_MB;
	if (!c->max_upload)
		c->max_upload = 64 * KH_MB;
	if (!c->upload_ttl)
		c->upload_ttl = 86400;
	if (c->rate_per_sec <= 0)
		c->rate_per_sec = 50;
	if (c->rate_burst <= 0)
		c->rate_burst = 2 * c->rate_per_sec;
	if (!c->run)
		c->run = kh_job_run_unavailable;
}

static int check_bind_policy(struct kh_server *srv, int loopback, struct kh_error *err)
{
	int tokens;
	if (loopback || srv->cfg.insecure_no_auth)
		return KH_OK;
	tokens = kh_store_token_active_count(srv->cfg.store, err);
	if (tokens < 0)
		return tokens;
	if (tokens == 0)
		return kh_error_set(err, KH_EUSAGE,
				    "refusing to listen on %s without any API token; create one"
				    " with 'keyhole token create' or pass --insecure-no-auth",
				    srv->cfg.host);
	return KH_OK;
}

static int start_daemon(struct kh_server *srv, const struct sockaddr_storage *ss,
			struct kh_error *err)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC;
	const union MHD_DaemonInfo *info;

	int rc = kh__mhd_load(err);

	if (rc != KH_OK)
		return rc;
	if (ss->ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	srv->daemon = MHD_start_daemon(
		flags, srv->cfg.port, NULL, NULL, on_request, srv,
		MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)ss,
		MHD_OPTION_THREAD_POOL_SIZE, srv->cfg.http_threads,
		MHD_OPTION_CONNECTION_LIMIT, srv->cfg.connection_limit,
		MHD_OPTION_CONNECTION_TIMEOUT, srv->cfg.timeout_seconds,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)256 * 1024,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
		MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u,
		MHD_OPTION_END);
	if (!srv->daemon)
		return kh_error_set(err, KH_EIO, "cannot listen on %s:%u: %s", srv->cfg.host,
				    srv->cfg.port, strerror(errno ? errno : EADDRINUSE));
	info = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_BIND_PORT);
	srv->port = info ? info->port : srv->cfg.port;
	return KH_OK;
}

static void server_free(struct kh_server *srv)
{
	kh__metrics_free(srv);
	kh__auth_release(srv);
	kh_buf_release(&srv->services_json);
	kh_buf_release(&srv->docs_html);
	pthread_mutex_destroy(&srv->jobs_lock);
	pthread_cond_destroy(&srv->jobs_cond);
	pthread_mutex_destroy(&srv->rate_lock);
	pthread_mutex_destroy(&srv->services_lock);
	free(srv);
}

int kh_server_start(const struct kh_server_config *cfg, struct kh_server **out,
		    struct kh_error *err)
{
	struct kh_server *srv;
	struct sockaddr_storage ss;
	int loopback = 0, rc;

	*out = NULL;
	if (!cfg->store || !cfg->catalog)
		return kh_error_set(err, KH_EUSAGE, "the server needs a store and a catalog");
	srv = calloc(1, sizeof(*srv));
	if (!srv || sodium_init() < 0) {
		free(srv);
		return kh_error_set(err, KH_ENOMEM, "out of memory");
	}
	srv->cfg = *cfg;
	apply_defaults(&srv->cfg);
	pthread_mutex_init(&srv->jobs_lock, NULL);
	pthread_cond_init(&srv->jobs_cond, NULL);
	pthread_mutex_init(&srv->rate_lock, NULL);
	kh_buf_init(&srv->services_json, 0);
	kh_buf_init(&srv->docs_html, 0);
	pthread_mutex_init(&srv->services_lock, NULL);
	randombytes_buf(&srv->id_salt, sizeof(srv->id_salt));
	srv->llm_url = getenv("KEYHOLE_LLM_URL");
	srv->llm_model = getenv("KEYHOLE_LLM_MODEL");
	srv->llm_api_key = getenv("KEYHOLE_LLM_API_KEY");

	if (parse_addr(srv->cfg.host, srv->cfg.port, &ss, &loopback) != 0)
		rc = kh_error_set(err, KH_EUSAGE, "'%s' is not an IP address", srv->cfg.host);
	else
		rc = check_bind_policy(srv, loopback, err);
	if (rc == KH_OK && (kh__metrics_init(srv) != 0 || kh__docs_render(&srv->docs_html) != 0))
		rc = kh_error_set(err, KH_ENOMEM, "cannot prepare the server's documents");
	if (rc == KH_OK) {
		int n = kh_store_job_requeue_stale(srv->cfg.store, 0, err);
		rc = n < 0 ? n : KH_OK;
	}
	if (rc == KH_OK)
		rc = start_daemon(srv, &ss, err);
	if (rc == KH_OK && (rc = kh__jobs_start(srv, err)) != KH_OK)
		MHD_stop_daemon(srv->daemon);
	if (rc != KH_OK) {
		server_free(srv);
		return rc;
	}
	*out = srv;
	return KH_OK;
}

unsigned kh_server_port(const struct kh_server *srv)
{
	return srv->port;
}

void kh_server_stop(struct kh_server *srv, unsigned grace_seconds)
{
	uint64_t deadline;

	if (!srv)
		return;
	/* Stop accepting; connections already open keep being served. */
	MHD_quiesce_daemon(srv->daemon);
	deadline = kh__now_ns() + (uint64_t)grace_seconds * 1000000000u;
	while (atomic_load(&srv->active_requests) > 0 && kh__now_ns() < deadline)
		usleep(10000);
	kh__jobs_stop(srv);
	MHD_stop_daemon(srv->daemon);
	server_free(srv);
}

/* metrics.c - request counters, a latency histogram, job and scan figures,
 * written as Prometheus text. Counters are atomics: no lock on the hot path. */
#include <stdlib.h>
#include <string.h>

#include "server/server_int.h"

/* Status codes counted one by one; anything else goes to "other". */
static const int statuses[] = {200, 201, 202, 204, 400, 401, 404, 405, 409,
			       413, 429, 499, 500, 501, 503};
#define N_STATUS (sizeof(statuses) / sizeof(statuses[0]) + 1)

/* Upper bounds of the latency buckets, in seconds. */
static const double bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
				0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define N_BOUNDS (sizeof(bounds) / sizeof(bounds[0]))

struct kh__metrics {
	size_t n_routes; /* routes plus one for unmatched paths */
	atomic_ullong *requests; /* [route][status] */
	atomic_ullong buckets[N_BOUNDS + 1];
	atomic_ullong count;
	atomic_ullong sum_us;
	atomic_llong scan_bytes;
};

int kh__metrics_init(struct kh_server *srv)
{
	struct kh__metrics *m = calloc(1, sizeof(*m));
	if (!m)
		return -1;
	m->n_routes = kh__route_count() + 1;
	m->requests = calloc(m->n_routes * N_STATUS, sizeof(*m->requests));
	if (!m->requests) {
		free(m);
		return -1;
	}
	srv->metrics = m;
	return 0;
}

void kh__metrics_free(struct kh_server *srv)
{
	if (srv->metrics)
		free(srv->metrics->requests);
	free(srv->metrics);
	srv->metrics = NULL;
}

static size_t status_index(int status)
{
	for (size_t i = 0; i < N_STATUS - 1; i++)
		if (statuses[i] == status)
			return i;
	return N_STATUS - 1;
}

void kh__metrics_record(struct kh_server *srv, const struct kh__route *route, int status,
			double seconds)
{
	struct kh__metrics *m = srv->metrics;
	size_t b = 0;

	atomic_fetch_add(&m->requests[kh__route_index(route) * N_STATUS + status_index(status)], 1);
	while (b < N_BOUNDS && seconds > bounds[b])
		b++;
	atomic_fetch_add(&m->buckets[b], 1);
	atomic_fetch_add(&m->count, 1);
	atomic_fetch_add(&m->sum_us, (unsigned long long)(seconds * 1e6));
}

void kh__metrics_add_scan_bytes(struct kh_server *srv, long long bytes)
{
	atomic_fetch_add(&srv->metrics->scan_bytes, bytes);
}

static void render_requests(struct kh__metrics *m, struct kh_buf *out)
{
	kh_buf_puts(out, "# HELP keyhole_http_requests_total HTTP requests by route and status.\n"
			 "# TYPE keyhole_http_requests_total counter\n");
	for (size_t r = 0; r < m->n_routes; r++) {
		const struct kh__route *route = kh__route_at(r);
		for (size_t s = 0; s < N_STATUS; s++) {
			unsigned long long n = atomic_load(&m->requests[r * N_STATUS + s]);
			if (!n)
				continue;
			kh_buf_printf(out, "keyhole_http_requests_total{method=\"%s\",route=\"%s\","
				      "status=\"", route ? route->method : "",
				      route ? route->pattern : "unmatched");
			if (s < N_STATUS - 1)
				kh_buf_printf(out, "%d", statuses[s]);
			else
				kh_buf_puts(out, "other");
			kh_buf_printf(out, "\"} %llu\n", n);
		}
	}
}

static void render_latency(struct kh__metrics *m, struct kh_buf *out)
{
	unsigned long long cum = 0;

	kh_buf_puts(out, "# HELP keyhole_http_request_duration_seconds Request latency.\n"
			 "# TYPE keyhole_http_request_duration_seconds histogram\n");
	for (size_t b = 0; b <= N_BOUNDS; b++) {
		cum += atomic_load(&m->buckets[b]);
		if (b < N_BOUNDS)
			kh_buf_printf(out, "keyhole_http_request_duration_seconds_bucket{le=\"%g\"} %llu\n",
				      bounds[b], cum);
		else
			kh_buf_printf(out, "keyhole_http_request_duration_seconds_bucket{le=\"+Inf\"}"
				      " %llu\n", cum);
	}
	kh_buf_printf(out, "keyhole_http_request_duration_seconds_sum %.6f\n"
		      "keyhole_http_request_duration_seconds_count %llu\n",
		      (double)atomic_load(&m->sum_us) / 1e6, atomic_load(&m->count));
}

void kh__metrics_render(struct kh_server *srv, struct kh_buf *out)
{
	struct kh__metrics *m = srv->metrics;
	long long counts[KH_JOB_NSTATUS];

	render_requests(m, out);
	render_latency(m, out);
	kh_buf_puts(out, "# HELP keyhole_jobs Right-sizing jobs in the store by status.\n"
			 "# TYPE keyhole_jobs gauge\n");
	if (kh_store_job_counts(srv->cfg.store, counts, NULL) == KH_OK)
		for (int s = 0; s < KH_JOB_NSTATUS; s++)
			kh_buf_printf(out, "keyhole_jobs{status=\"%s\"} %lld\n",
				      kh_job_status_name(s), counts[s]);
	kh_buf_printf(out, "# HELP keyhole_scan_bytes_total CloudTrail bytes received and"
		      " scanned.\n# TYPE keyhole_scan_bytes_total counter\n"
		      "keyhole_scan_bytes_total %lld\n", (long long)atomic_load(&m->scan_bytes));
}

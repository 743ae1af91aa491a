/* auth.c - bearer tokens on /v1 and a token-bucket rate limit per token.
 *
 * Authentication is on as soon as the store holds one unrevoked token, so
 * `keyhole token create` on a running server takes effect at once. Tokens
 * are checked by the store (salted hash, constant-time comparison). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "server/server_int.h"

#define N_BUCKETS 256

struct kh__bucket {
	long long token_id; /* 0: free */
	double tokens;
	uint64_t last_ns;
};

void kh__auth_release(struct kh_server *srv)
{
	free(srv->buckets);
	srv->buckets = NULL;
}

/* Takes one request from the token's bucket; returns 0, or the seconds
 * to wait before the next request would be allowed. */
static unsigned take(struct kh_server *srv, long long token_id)
{
	double rate = srv->cfg.rate_per_sec, burst = srv->cfg.rate_burst;
	uint64_t now = kh__now_ns();
	struct kh__bucket *b = NULL;
	unsigned wait = 0;

	pthread_mutex_lock(&srv->rate_lock);
	if (!srv->buckets)
		srv->buckets = calloc(N_BUCKETS, sizeof(*srv->buckets));
	if (srv->buckets) {
		size_t i = (size_t)token_id % N_BUCKETS;
		for (size_t probe = 0; probe < N_BUCKETS; probe++, i = (i + 1) % N_BUCKETS)
			if (srv->buckets[i].token_id == token_id || !srv->buckets[i].token_id) {
				b = &srv->buckets[i];
				break;
			}
		if (!b) /* full: share the home slot rather than fail open */
			b = &srv->buckets[(size_t)token_id % N_BUCKETS];
	}
	if (b) {
		if (b->token_id != token_id) {
			b->token_id = token_id;
			b->tokens = burst;
			b->last_ns = now;
		}
		b->tokens += (double)(now - b->last_ns) / 1e9 * rate;
		if (b->tokens > burst)
			b->tokens = burst;
		b->last_ns = now;
		if (b->tokens >= 1.0)
			b->tokens -= 1.0;
		else
			wait = (unsigned)((1.0 - b->tokens) / rate) + 1;
	}
	pthread_mutex_unlock(&srv->rate_lock);
	return wait;
}

/* Returns the token in "Bearer <token>", or NULL. */
static const char *bearer(const char *h)
{
	if (!h || strncasecmp(h, "Bearer ", 7) != 0)
		return NULL;
	h += 7;
	while (*h == ' ')
		h++;
	return *h ? h : NULL;
}

int kh__auth_check(struct kh__req *req, const char *authorization, struct kh__resp *resp)
{
	struct kh_server *srv = req->srv;
	const char *token;
	char copy[KH_TOKEN_MAX];
	long long id = 0;
	unsigned wait;
	int n = kh_store_token_active_count(srv->cfg.store, NULL);

	if (n < 0) {
		kh__resp_error(resp, 503, "unavailable", "the token store is unavailable");
		return -1;
	}
	if (n == 0)
		return 0;
	token = bearer(authorization);
	if (!token) {
		kh__resp_error(resp, 401, "unauthorized",
			       "this route needs an 'Authorization: Bearer <token>' header");
		resp->bearer_challenge = 1;
		return -1;
	}
	/* Trailing spaces are not part of the token. */
	size_t len = strcspn(token, " \t");
	int ok = len < sizeof(copy);
	if (ok) {
		memcpy(copy, token, len);
		copy[len] = '\0';
		ok = kh_store_token_verify(srv->cfg.store, copy, &id, NULL) == KH_OK;
	}
	if (!ok) {
		kh__resp_error(resp, 401, "unauthorized", "the bearer token is invalid or revoked");
		resp->bearer_challenge = 1;
		return -1;
	}
	req->token_id = id;
	wait = take(srv, id);
	if (wait) {
		kh__resp_error(resp, 429, "rate_limited",
			       "too many requests for this token; retry in %u s", wait);
		snprintf(resp->retry_after, sizeof(resp->retry_after), "%u", wait);
		return -1;
	}
	return 0;
}

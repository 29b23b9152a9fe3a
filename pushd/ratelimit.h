/* ratelimit.h: abuse limits per client IP (token buckets and a connection count), and the per-connection
 * budget of client WebSocket messages. */
#ifndef PUSHD_RATELIMIT_H
#define PUSHD_RATELIMIT_H

#include "config.h"

enum limit {
	LIMIT_CONNS,     /* open WebSockets per IP: --max-conns-per-ip */
	LIMIT_CONN_RATE, /* new WebSockets per second per IP: --conn-rate */
	LIMIT_HTTP,      /* HTTP requests per second per IP: --http-rate */
	LIMIT_WS_MSG,    /* client WebSocket messages per second per connection: --ws-msg-rate */
	LIMIT_HTTP_CONNS, /* open HTTP connections (not yet WebSockets) per IP: --max-http-conns-per-ip */
	LIMIT_COUNT
};

/* A token bucket: rate tokens a second, up to twice the rate. */
struct rate_bucket {
	double tokens, last;
};

/* Keeps the configured rates. */
void limits_init(const struct config *cfg);
/* Frees the per-IP table. */
void limits_free(void);
/* 1 when ip may open one more WebSocket (LIMIT_CONNS) or HTTP connection (LIMIT_HTTP_CONNS), or spend one
 * token of a rate; refusals are
 * counted in /metrics and logged at most once per IP and limit every LIMITS_LOG_INTERVAL seconds. */
int limits_allow(const char *ip, enum limit kind);
/* Fills the message budget of a new WebSocket connection (--ws-msg-rate). */
void limits_message_budget(struct rate_bucket *b);
/* 1 when the connection may send one more message (a token of its budget); a refusal is counted and logged
 * under ip like the per-IP limits. */
int limits_allow_message(struct rate_bucket *b, const char *ip);
/* An accepted WebSocket of ip opened (+1) or closed (-1). */
void limits_conn_add(const char *ip, int delta);
/* An accepted HTTP connection of ip opened (+1), or closed or became a WebSocket (-1). */
void limits_http_conn_add(const char *ip, int delta);

#define LIMITS_LOG_INTERVAL 10

#endif

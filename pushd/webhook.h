/* webhook.h: outgoing HTTP POSTs with libcurl's multi interface, driven by the libwebsockets loop.
 * No redirects, bounded time and answer size, https only unless --webhook-allow-http, and no connection
 * to loopback/private/link-local/unique-local addresses unless --webhook-allow-private, checked on each
 * address libcurl is about to connect to. */
#ifndef PUSHD_WEBHOOK_H
#define PUSHD_WEBHOOK_H

#include <curl/curl.h>
#include <libwebsockets.h>

#include "config.h"

/* Longest answer body read; the rest is not waited for. */
#define WEBHOOK_MAX_ANSWER 65536

/* How one POST ended. status is 0 when no HTTP answer came (see curl_code and error). */
struct webhook_result {
	long status;
	CURLcode curl_code;
	const char *error;     /* NULL after an HTTP answer; valid during the callback only */
	long retry_after;      /* seconds of a Retry-After answer header; 0 without */
	int refused;           /* the destination's address is not allowed (--webhook-allow-private) */
	double seconds;
};

typedef void (*webhook_done_fn)(void *owner, const struct webhook_result *r);

/* Sets up the multi handle; sockets are adopted into vh with the "webhook" protocol. Returns -1 on failure. */
int webhook_init(struct lws_context *ctx, struct lws_vhost *vh, const struct config *cfg);
/* Starts a POST of body (copied) with headers (taken over); fn is called once, from the loop, never from inside
 * webhook_post. Returns -1 when it could not start (headers are freed then too). */
int webhook_post(const char *url, const char *body, struct curl_slist *headers, webhook_done_fn fn, void *owner);
/* 1 when addr (an AF_INET or AF_INET6 sockaddr) is loopback, private, link-local, unique-local or otherwise
 * not a public unicast address. */
int webhook_address_is_private(const struct sockaddr *addr);
/* Abandons every transfer without calling back, before the lws context is destroyed. */
void webhook_stop(void);
/* Frees libcurl's state, after the lws context is destroyed. */
void webhook_free(void);
/* The "webhook" protocol callback for adopted libcurl sockets. */
int webhook_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);

#endif

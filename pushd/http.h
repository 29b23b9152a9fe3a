/* http.h: the REST API, health endpoints and Prometheus metrics. */
#ifndef PUSHD_HTTP_H
#define PUSHD_HTTP_H

#include <libwebsockets.h>

#include "config.h"

struct http_req;

/* Keeps the configuration for body limits. */
void http_init(const struct config *cfg);
/* Answers a request at once with {"error":message} (used to refuse WebSocket upgrades). */
void http_refuse(struct lws *wsi, int status, const char *message);
/* HTTP callbacks of the dashboard protocol; *slot is the per-session request state. */
int http_callback(struct lws *wsi, enum lws_callback_reasons reason, struct http_req **slot, void *in, size_t len);

#endif

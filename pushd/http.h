/* http.h: the REST API, health endpoints and Prometheus metrics. */
#ifndef PUSHD_HTTP_H
#define PUSHD_HTTP_H

#include <libwebsockets.h>

#include "config.h"
#include "persona.h"

struct http_req;

/* Keeps the configuration for body limits. */
void http_init(const struct config *cfg);
/* Answers a request at once with {"error":message} (used to refuse WebSocket upgrades). */
void http_refuse(struct lws *wsi, int status, const char *message);
/* Routes a GET path to an API route: its index, or -1; persona (PERSONA_ID_MAX + 1 bytes) gets the id,
 * empty when invalid (or for /api/personas), *variant the variant id of /api/variants/{persona_id}/{variant_id}
 * (a pointer into path), else NULL. */
int http_get_route(const char *path, char *persona, const char **variant);
/* Checks a request's framing and sizes (framing.h); returns -1 after answering 400/411/414/431, else 0. */
int http_check_head(struct lws *wsi);
/* FILTER_HTTP_CONNECTION: http_check_head, then --http-rate per client IP; returns -1 after answering, else 0. */
int http_filter(struct lws *wsi);
/* HTTP callbacks of the dashboard protocol; *slot is the per-session request state. */
int http_callback(struct lws *wsi, enum lws_callback_reasons reason, struct http_req **slot, void *in, size_t len);

#endif

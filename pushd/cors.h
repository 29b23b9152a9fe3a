/* cors.h: the origin allow-list: WebSocket upgrades and the CORS headers of the REST API. */
#ifndef PUSHD_CORS_H
#define PUSHD_CORS_H

#include <libwebsockets.h>

#include "config.h"

/* Splits --allowed-origins; returns -1 when out of memory. */
int cors_init(const struct config *cfg);
/* Frees the list. */
void cors_free(void);
/* 1 when origin may use pushd: the list is empty, origin is NULL (not a browser) or listed. */
int cors_origin_allowed(const char *origin);
/* 1 when the request's Origin header may use pushd. */
int cors_request_allowed(struct lws *wsi);
/* 1 when the request may change state: no Origin, a listed one, or with no list the page's own. */
int cors_write_allowed(struct lws *wsi);
/* Adds Access-Control-Allow-Origin (and Vary) for the request's Origin, plus the preflight headers
 * when preflight is 1; returns non-zero when the header buffer is full. */
int cors_add_headers(struct lws *wsi, int preflight, unsigned char **p, unsigned char *end);

#endif

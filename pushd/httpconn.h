/* httpconn.h: guards of each HTTP connection: the per-IP cap (--max-http-conns-per-ip), the request
 * deadline (--http-timeout-ms: 408 and a close) and the answer to methods libwebsockets does not serve. */
#ifndef PUSHD_HTTPCONN_H
#define PUSHD_HTTPCONN_H

#include <libwebsockets.h>

#include "config.h"

/* Keeps the configuration. */
void httpconn_init(const struct config *cfg);
/* A connection was accepted: counts it for its IP and starts the request deadline; -1 closes it (cap). */
int httpconn_accept(struct lws *wsi);
/* The request is fully received (headers, and the body if any): the deadline stops. */
void httpconn_request_in(struct lws *wsi);
/* An answer went out and the connection waits for the next request: the deadline starts again. */
void httpconn_answered(struct lws *wsi);
/* The connection became a WebSocket: it leaves the HTTP count and its deadline. */
void httpconn_upgraded(struct lws *wsi);
/* The connection is gone (WSI_DESTROY of a dashboard connection). */
void httpconn_destroy(struct lws *wsi);
/* RAW_RX after libwebsockets handed over a request it cannot parse as HTTP (CONNECT, an unknown method,
 * plain HTTP on the TLS port): answers 405, 501 or 400 and returns -1 to close. */
int httpconn_raw_request(struct lws *wsi, const char *in, size_t len);

#endif

/* httpconn.c: guards of each HTTP connection. libwebsockets 4.1 re-arms its body timeout on every byte and
 * never answers CONNECT, so a slow or silent client could hold a descriptor for ever: each connection gets
 * a deadline for its request and each IP a cap of open HTTP connections. */
#include "httpconn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clientaddr.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "ratelimit.h"

struct httpconn {
	lws_sorted_usec_list_t deadline;
	struct lws *wsi;
	int counted;   /* holds one of its IP's --max-http-conns-per-ip places */
	char ip[48];
};

static const struct config *cfg;

/* Keeps the configuration. */
void httpconn_init(const struct config *config) { cfg = config; }

/* Timer: the request was not complete in time; 408 (RFC 9110 15.5.9) and a close. */
static void deadline_cb(lws_sorted_usec_list_t *sul)
{
	struct httpconn *c = lws_container_of(sul, struct httpconn, deadline);
	metrics_request("request_timeout", 408);
	log_event(LOG_INFO, "http_timeout", NULL, c->ip, json_pack("{s:i}", "timeout_ms", cfg->http_timeout_ms));
	http_refuse(c->wsi, 408, "request timeout");
	lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
}

/* (Re)starts the request deadline. */
static void deadline_start(struct httpconn *c)
{
	lws_sul_schedule(lws_get_context(c->wsi), 0, &c->deadline, deadline_cb,
			 (lws_usec_t)cfg->http_timeout_ms * LWS_US_PER_MS);
}

/* Gives back the connection's place in its IP's count. */
static void release(struct httpconn *c)
{
	if (c->counted)
		limits_http_conn_add(c->ip, -1);
	c->counted = 0;
}

/*
 * A connection was accepted: counted for its IP, with a deadline; -1 closes it when the IP is at its cap.
 * Only the TCP peer is known at accept, so a trusted proxy (--trusted-proxies), which carries many clients,
 * is not capped; its clients are still held to every per-IP limit that sees their forwarded address.
 */
int httpconn_accept(struct lws *wsi)
{
	struct httpconn *c = calloc(1, sizeof(*c));
	if (!c)
		return -1;
	c->wsi = wsi;
	lws_get_peer_simple(wsi, c->ip, sizeof(c->ip));
	if (!clientaddr_trusted(c->ip)) {
		if (!limits_allow(c->ip, LIMIT_HTTP_CONNS)) { /* counted and logged by limits */
			free(c);
			return -1;
		}
		limits_http_conn_add(c->ip, 1);
		c->counted = 1;
	}
	lws_set_opaque_user_data(wsi, c);
	deadline_start(c);
	return 0;
}

/* The request is fully received: the deadline stops until the answer is out. */
void httpconn_request_in(struct lws *wsi)
{
	struct httpconn *c = lws_get_opaque_user_data(wsi);
	if (c)
		lws_sul_cancel(&c->deadline);
}

/* The answer is out and the connection is kept alive: the next request has the same time. */
void httpconn_answered(struct lws *wsi)
{
	struct httpconn *c = lws_get_opaque_user_data(wsi);
	if (c) /* counted or not (a trusted proxy is not): every kept-alive connection has the same time */
		deadline_start(c);
}

/* The connection became a WebSocket, which --max-conns-per-ip and the ping timeout govern. */
void httpconn_upgraded(struct lws *wsi)
{
	httpconn_destroy(wsi); /* a WebSocket has its own timers and limits: nothing of this is needed any more */
}

/* The connection is gone. */
void httpconn_destroy(struct lws *wsi)
{
	struct httpconn *c = lws_get_opaque_user_data(wsi);
	if (!c)
		return;
	lws_set_opaque_user_data(wsi, NULL);
	lws_sul_cancel(&c->deadline);
	release(c);
	free(c);
}

/* Writes a complete answer on a connection libwebsockets switched to raw mode (no HTTP helpers there). */
static void raw_answer(struct lws *wsi, int status, const char *reason, const char *error)
{
	unsigned char buf[LWS_PRE + 512];
	char body[128];
	int blen = snprintf(body, sizeof(body), "{\"error\":\"%s\"}", error);
	int n = snprintf((char *)buf + LWS_PRE, sizeof(buf) - LWS_PRE,
			 "HTTP/1.1 %d %s\r\ncontent-type: application/json\r\ncontent-length: %d\r\n%s"
			 "connection: close\r\n\r\n%s", status, reason, blen,
			 status == 405 ? "allow: GET, HEAD, POST, OPTIONS\r\n" : "", body);
	lws_write(wsi, buf + LWS_PRE, (size_t)n, LWS_WRITE_RAW);
}

/* A request libwebsockets cannot serve as HTTP: CONNECT gets 405, any other unknown method 501 (RFC 9110
 * 9.1), plain HTTP on the TLS port 400; then the connection closes. */
int httpconn_raw_request(struct lws *wsi, const char *in, size_t len)
{
	struct httpconn *c = lws_get_opaque_user_data(wsi);
	int tls_port = *cfg->tls_cert && !lws_is_ssl(wsi);
	int connect = len >= 8 && !memcmp(in, "CONNECT ", 8);
	int status = tls_port ? 400 : connect ? 405 : 501;

	if (tls_port)
		raw_answer(wsi, status, "Bad Request", "this port speaks TLS");
	else if (connect)
		raw_answer(wsi, status, "Method Not Allowed", "method not allowed");
	else
		raw_answer(wsi, status, "Not Implemented", "method not implemented");
	metrics_request("bad_method", status);
	log_event(LOG_INFO, "http_bad_method", NULL, c ? c->ip : NULL, json_pack("{s:i}", "status", status));
	return -1;
}

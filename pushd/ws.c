/* ws.c: the WebSocket side of /dashboard/ws/{persona_id}: handshake checks, client messages, and
 * one lws_write per WRITEABLE callback, draining control, then stream, then the persona's ring and panels. */
#include "ws.h"

#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "clientaddr.h"
#include "clientmsg.h"
#include "cors.h"
#include "http.h"
#include "hub.h"
#include "ratelimit.h"
#include "log.h"
#include "metrics.h"
#include "url.h"

#define WS_PREFIX "/dashboard/ws/"
#define MAX_CONTROL_QUEUE 64

static const struct config *cfg;
static struct msg *pong_msg;
static unsigned open_count;    /* connected clients */
static unsigned closing_count; /* clients sent a 1001 by ws_close_all */

/* How many WebSocket clients are connected. */
unsigned ws_open_count(void) { return open_count; }

/* Prepares the shared pong message. */
int ws_init(const struct config *config)
{
	static const char pong[] = "{\"type\":\"pong\"}";
	cfg = config;
	pong_msg = msg_new(pong, sizeof(pong) - 1, 0, 0);
	return pong_msg ? 0 : -1;
}

/* Frees the shared pong message. */
void ws_free(void)
{
	msg_unref(pong_msg);
	pong_msg = NULL;
}

/* Asks lws for a WRITEABLE callback. */
void ws_wake(struct ws_client *c) { lws_callback_on_writable(c->wsi); }

/* Extracts and checks the persona id of an upgrade request; returns 0, or the HTTP status to refuse with. */
static int ws_path_persona(struct lws *wsi, char *persona)
{
	char uri[256];
	int n = lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI);
	int rc = n < 0 ? URL_NOT_FOUND : url_ws_persona(uri, (size_t)n, WS_PREFIX, persona);
	return rc == URL_OK ? 0 : rc == URL_NOT_FOUND ? HTTP_STATUS_NOT_FOUND : HTTP_STATUS_BAD_REQUEST;
}

/* Checks one URI argument "name[=value]" for last_event_id; counts it in *seen and parses its value. */
static int ws_resume_fragment(const char *arg, int *seen, int64_t *id)
{
	static const char name[] = "last_event_id";
	size_t len = sizeof(name) - 1;
	if (strncmp(arg, name, len) || (arg[len] && arg[len] != '='))
		return 0;
	++*seen;
	return arg[len] == '=' && !url_event_id(arg + len + 1, id) ? 0 : -1;
}

/* Reads ?last_event_id=N; returns 1 and sets *id when present and valid, 0 when absent, -1 when malformed
 * (anything but decimal digits within bigint, no value, or given twice). Every argument is looked at, however
 * long the ones before it (an access_token). */
static int ws_resume_arg(struct lws *wsi, int64_t *id)
{
	int size = lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_URI_ARGS) + 1, seen = 0, bad = 0;
	char *arg = size > 1 ? malloc((size_t)size) : NULL;
	for (int i = 0; arg && lws_hdr_copy_fragment(wsi, arg, size, WSI_TOKEN_HTTP_URI_ARGS, i) >= 0; i++)
		bad |= ws_resume_fragment(arg, &seen, id);
	free(arg);
	return bad || seen > 1 ? -1 : seen;
}

/* Queues {"type":"error","message":...}; a client flooding us without reading is closed. */
static int ws_send_control(struct ws_client *c, struct msg *m)
{
	if (!m || c->control.len >= MAX_CONTROL_QUEUE) {
		msg_unref(m);
		lws_close_reason(c->wsi, LWS_CLOSE_STATUS_POLICY_VIOLATION, (unsigned char *)"too many requests", 17);
		return -1;
	}
	msgq_push(&c->control, m);
	ws_wake(c);
	return 0;
}

/* Answers a bad client message with an error; the connection stays open. */
static int ws_send_error(struct ws_client *c, const char *message)
{
	json_t *err = json_pack("{s:s,s:s}", "type", "error", "message", message);
	struct msg *m = msg_from_json(err);
	json_decref(err);
	metrics_inc(M_WS_BAD_MESSAGES);
	log_event(LOG_INFO, "ws_bad_message", c->persona_id, c->ip, json_pack("{s:s}", "message", message));
	return ws_send_control(c, m);
}

/* Marks a client for a close with code and reason on its next WRITEABLE. */
static void ws_close_with(struct ws_client *c, enum lws_close_status code, const char *reason)
{
	c->closing = 1;
	lws_close_reason(c->wsi, code, (unsigned char *)reason, strlen(reason));
	ws_wake(c);
}

/* Timer: the token expired without an in-band refresh. */
static void ws_expiry_cb(lws_sorted_usec_list_t *sul)
{
	struct ws_client *c = lws_container_of(sul, struct ws_client, expiry);
	metrics_inc(M_AUTH_EXPIRED);
	log_event(LOG_INFO, "ws_token_expired", c->persona_id, c->ip, json_pack("{s:I}", "exp", (json_int_t)c->exp));
	ws_close_with(c, (enum lws_close_status)WS_CLOSE_TOKEN_EXPIRED, "token expired");
}

/* Sets the token expiry of a client and (re)arms the timer that closes it at exp + leeway. */
static void ws_set_expiry(struct ws_client *c, int64_t exp)
{
	double left = (double)(exp + auth_leeway()) - now_epoch();
	c->exp = exp;
	lws_sul_schedule(lws_get_context(c->wsi), 0, &c->expiry, ws_expiry_cb,
			 left > 0 ? (lws_usec_t)(left * LWS_US_PER_SEC) : 1);
}

/* Handles {"type":"auth","token":...}: a valid token for the same persona moves the expiry. */
static int ws_refresh_token(struct ws_client *c, const char *token)
{
	const char *why;
	int64_t exp;
	if (!auth_enabled())
		return ws_send_error(c, "access control is off");
	if (auth_check(token, c->persona_id, 0, &exp, &why))
		return ws_send_error(c, why);
	ws_set_expiry(c, exp);
	log_event(LOG_INFO, "ws_token_refreshed", c->persona_id, c->ip, json_pack("{s:I}", "exp", (json_int_t)exp));
	json_t *ok = json_pack("{s:s,s:I}", "type", "auth_ok", "exp", (json_int_t)exp);
	struct msg *m = msg_from_json(ok);
	json_decref(ok);
	return ws_send_control(c, m);
}

/* Handles one complete client message. */
static int ws_handle_message(struct ws_client *c, const char *text, size_t len)
{
	int64_t last_id = 0;
	const char *error;
	char token[AUTH_TOKEN_MAX];

	switch (client_msg_parse(text, len, &last_id, token, sizeof(token), &error)) {
	case CMSG_PING:
		return ws_send_control(c, msg_ref(pong_msg));
	case CMSG_REFRESH:
		hub_request_snapshot(c, 0);
		return 0;
	case CMSG_RESUME:
		log_event(LOG_INFO, "ws_resume", c->persona_id, c->ip,
			  json_pack("{s:I}", "last_event_id", (json_int_t)last_id));
		hub_request_resume(c, last_id);
		return 0;
	case CMSG_AUTH:
		return ws_refresh_token(c, token);
	default:
		return ws_send_error(c, error);
	}
}

/* Reassembles fragments; a binary message closes the connection with 1003, one above --max-frame-size
 * with 1009, one past --ws-msg-rate with 4029. */
static int ws_receive(struct ws_client *c, const char *in, size_t len)
{
	if (lws_is_first_fragment(c->wsi)) {
		c->rx_len = 0;
		if (lws_frame_is_binary(c->wsi)) { /* the protocol is JSON text; never parse bytes as text */
			log_event(LOG_INFO, "ws_binary_refused", c->persona_id, c->ip, NULL);
			lws_close_reason(c->wsi, LWS_CLOSE_STATUS_UNACCEPTABLE_OPCODE, (unsigned char *)"binary frames not accepted", 26);
			return -1;
		}
		if (!limits_allow_message(&c->msg_budget, c->ip)) {
			lws_close_reason(c->wsi, (enum lws_close_status)WS_CLOSE_RATE_LIMITED, (unsigned char *)"rate limit exceeded", 19);
			return -1;
		}
	}
	if (c->rx_len + len > (size_t)cfg->max_frame_size) {
		log_event(LOG_WARN, "ws_frame_too_large", c->persona_id, c->ip, NULL);
		lws_close_reason(c->wsi, LWS_CLOSE_STATUS_MESSAGE_TOO_LARGE, (unsigned char *)"message too large", 17);
		return -1;
	}
	if (!c->rx && !(c->rx = malloc((size_t)cfg->max_frame_size)))
		return -1;
	memcpy(c->rx + c->rx_len, in, len);
	c->rx_len += len;
	if (!lws_is_final_fragment(c->wsi) || lws_remaining_packet_payload(c->wsi))
		return 0;
	int rc = ws_handle_message(c, c->rx, c->rx_len);
	free(c->rx); /* idle clients keep no receive buffer */
	c->rx = NULL;
	c->rx_len = 0;
	return rc;
}

/* The expiry of the token the upgrade carried (checked by ws_admit); returns -1 when it is no longer valid. */
static int ws_token_exp(struct lws *wsi, const char *persona, int64_t *exp)
{
	const char *why;
	return auth_enabled() && auth_check_request(wsi, persona, 0, exp, &why) ? -1 : 0;
}

/* A new connection: join the persona, then initial_data or a resume. */
static int ws_established(struct lws *wsi, struct ws_client *c)
{
	int64_t last_id = 0;
	memset(c, 0, sizeof(*c));
	c->wsi = wsi;
	client_addr(wsi, c->ip, sizeof(c->ip));
	limits_message_budget(&c->msg_budget);
	int resume = ws_resume_arg(wsi, &last_id);
	if (ws_path_persona(wsi, c->persona_id) || resume < 0 || ws_token_exp(wsi, c->persona_id, &c->exp) ||
	    hub_attach(c))
		return -1;
	if (auth_enabled())
		ws_set_expiry(c, c->exp);
	limits_conn_add(c->ip, 1);
	metrics_gauge_add(G_WS_ACTIVE, 1);
	open_count++;
	metrics_inc(M_WS_CONNECTIONS_TOTAL);
	log_event(LOG_INFO, "ws_connected", c->persona_id, c->ip,
		  resume ? json_pack("{s:I}", "last_event_id", (json_int_t)last_id) : NULL);
	if (resume)
		hub_request_resume(c, last_id);
	else
		hub_request_snapshot(c, 0);
	return 0;
}

/* Writes exactly one message: control first, then the private stream, then the shared ring and panels. */
static int ws_writeable(struct ws_client *c)
{
	if (c->closing)
		return -1;
	struct msg *m = msgq_pop(&c->control);
	if (!m)
		m = msgq_pop(&c->stream);
	if (!m)
		m = hub_next_live_msg(c);
	if (!m)
		return 0;
	int n = lws_write(c->wsi, msg_text(m), m->len, LWS_WRITE_TEXT);
	if (m->event_id) {
		metrics_inc(M_EVENTS_RELAYED);
		if (m->created_at > 0)
			metrics_observe(H_COMMIT_TO_SEND, now_epoch() - m->created_at);
	}
	msg_unref(m);
	if (n < 0)
		return -1;
	if (c->control.len || c->stream.len || hub_live_pending(c))
		ws_wake(c);
	return 0;
}

/* The connection is gone: leave the persona and free what the client held. */
static void ws_closed(struct ws_client *c)
{
	if (!c->persona)
		return;
	log_event(LOG_INFO, "ws_disconnected", c->persona_id, c->ip, NULL);
	lws_sul_cancel(&c->expiry);
	limits_conn_add(c->ip, -1);
	hub_detach(c);
	msgq_clear(&c->control);
	msgq_clear(&c->stream);
	free(c->rx);
	c->rx = NULL;
	metrics_gauge_add(G_WS_ACTIVE, -1);
	open_count--;
}

/* Marks one client for a 1001 close on its next WRITEABLE. */
static void ws_close_one(struct ws_client *c)
{
	closing_count++;
	ws_close_with(c, LWS_CLOSE_STATUS_GOINGAWAY, "server shutting down");
}

/* Sends close 1001 to every client; returns how many were open. */
unsigned ws_close_all(void)
{
	closing_count = 0;
	hub_for_each_client(ws_close_one);
	return closing_count;
}

/* Refuses an upgrade with status and message, with a log line; returns -1. */
static int ws_refuse(struct lws *wsi, int status, const char *message)
{
	char ip[CLIENT_ADDR_MAX];
	client_addr(wsi, ip, sizeof(ip));
	log_event(LOG_INFO, "ws_refused", NULL, ip, json_pack("{s:i,s:s}", "status", status, "reason", message));
	http_refuse(wsi, status, message);
	return -1;
}

/* Checks an upgrade request: path and persona, the resume id, --max-clients, origin, per-IP limits, then the
 * token. Returns 0 to accept, -1 after answering with an HTTP error. */
static int ws_admit(struct lws *wsi)
{
	char persona[PERSONA_ID_MAX + 1], ip[CLIENT_ADDR_MAX];
	const char *why;
	int64_t last_id;
	int status = ws_path_persona(wsi, persona);

	if (status) {
		http_refuse(wsi, status, status == HTTP_STATUS_BAD_REQUEST ? "invalid persona id" : "not found");
		return -1;
	}
	if (ws_resume_arg(wsi, &last_id) < 0) /* before the upgrade, so a client can tell and stop retrying */
		return ws_refuse(wsi, HTTP_STATUS_BAD_REQUEST, "invalid last_event_id");
	if (cfg->max_clients && open_count >= (unsigned)cfg->max_clients) {
		metrics_inc(M_MAX_CLIENTS_REFUSED);
		return ws_refuse(wsi, HTTP_STATUS_SERVICE_UNAVAILABLE, "server full");
	}
	if (!cors_request_allowed(wsi)) {
		metrics_inc(M_ORIGIN_REFUSED);
		return ws_refuse(wsi, HTTP_STATUS_FORBIDDEN, "origin not allowed");
	}
	client_addr(wsi, ip, sizeof(ip));
	if (!limits_allow(ip, LIMIT_CONNS) || !limits_allow(ip, LIMIT_CONN_RATE)) {
		http_refuse(wsi, 429, "too many connections"); /* counted and logged by limits */
		return -1;
	}
	status = auth_enabled() ? auth_check_request(wsi, persona, 0, NULL, &why) : 0;
	if (status)
		metrics_inc(M_AUTH_REFUSED);
	return status ? ws_refuse(wsi, status, why) : 0;
}

/* WebSocket callbacks of the dashboard protocol. */
int ws_callback(struct lws *wsi, enum lws_callback_reasons reason, struct ws_client *c, void *in, size_t len)
{
	switch (reason) {
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		return ws_admit(wsi);
	case LWS_CALLBACK_ESTABLISHED:
		return ws_established(wsi, c);
	case LWS_CALLBACK_RECEIVE:
		return ws_receive(c, in, len);
	case LWS_CALLBACK_SERVER_WRITEABLE:
		return ws_writeable(c);
	case LWS_CALLBACK_CLOSED:
		ws_closed(c);
		return 0;
	default:
		return 0;
	}
}

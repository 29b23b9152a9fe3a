/* ws.c: the WebSocket side of /dashboard/ws/{persona_id}: handshake checks, client messages, and
 * one lws_write per WRITEABLE callback, draining control, then stream, then the persona's ring. */
#include "ws.h"

#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "hub.h"
#include "log.h"
#include "metrics.h"

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
static int ws_path_persona(struct lws *wsi, char *persona, size_t size)
{
	char uri[256];
	int n = lws_hdr_copy(wsi, uri, sizeof(uri), WSI_TOKEN_GET_URI);
	size_t prefix = strlen(WS_PREFIX);
	if (n < 0 || strncmp(uri, WS_PREFIX, prefix))
		return HTTP_STATUS_NOT_FOUND;
	if (!persona_id_valid(uri + prefix, (size_t)n - prefix))
		return HTTP_STATUS_BAD_REQUEST;
	size_t len = (size_t)n - prefix; /* at most PERSONA_ID_MAX, checked above */
	if (len >= size)
		return HTTP_STATUS_BAD_REQUEST;
	memcpy(persona, uri + prefix, len);
	persona[len] = '\0';
	return 0;
}

/* Parses ?last_event_id=N; returns 1 and sets *id when present and valid, 0 when absent, -1 when invalid. */
static int ws_resume_arg(struct lws *wsi, int64_t *id)
{
	char buf[48];
	char *end;
	const char *value = lws_get_urlarg_by_name(wsi, "last_event_id=", buf, sizeof(buf));
	if (!value)
		return 0;
	long long v = strtoll(value, &end, 10);
	if (!*value || *end || v < 0)
		return -1;
	*id = v;
	return 1;
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

/* Handles {"type":"resume","last_event_id":N}. */
static int ws_handle_resume(struct ws_client *c, json_t *root)
{
	json_t *id = json_object_get(root, "last_event_id");
	if (!json_is_integer(id) || json_integer_value(id) < 0)
		return ws_send_error(c, "resume needs a non-negative integer last_event_id");
	log_event(LOG_INFO, "ws_resume", c->persona_id, c->ip,
		  json_pack("{s:I}", "last_event_id", json_integer_value(id)));
	hub_request_resume(c, json_integer_value(id));
	return 0;
}

/* Handles one complete client message. */
static int ws_handle_message(struct ws_client *c, const char *text, size_t len)
{
	json_t *root = json_loadb(text, len, 0, NULL);
	const char *type = json_string_value(json_object_get(root, "type"));
	int rc = 0;

	if (!root || !json_is_object(root))
		rc = ws_send_error(c, "invalid JSON");
	else if (!type)
		rc = ws_send_error(c, "message needs a string \"type\"");
	else if (!strcmp(type, "ping"))
		rc = ws_send_control(c, msg_ref(pong_msg));
	else if (!strcmp(type, "refresh"))
		hub_request_snapshot(c, 0);
	else if (!strcmp(type, "resume"))
		rc = ws_handle_resume(c, root);
	else
		rc = ws_send_error(c, "unknown message type");
	json_decref(root);
	return rc;
}

/* Reassembles fragments; a message above --max-frame-size closes the connection with 1009. */
static int ws_receive(struct ws_client *c, const char *in, size_t len)
{
	if (lws_is_first_fragment(c->wsi))
		c->rx_len = 0;
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

/* A new connection: join the persona, then initial_data or a resume. */
static int ws_established(struct lws *wsi, struct ws_client *c)
{
	int64_t last_id = 0;
	memset(c, 0, sizeof(*c));
	c->wsi = wsi;
	lws_get_peer_simple(wsi, c->ip, sizeof(c->ip));
	int resume = ws_resume_arg(wsi, &last_id);
	if (ws_path_persona(wsi, c->persona_id, sizeof(c->persona_id)) || resume < 0 || hub_attach(c))
		return -1;
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

/* Writes exactly one message: control first, then the private stream, then the shared ring. */
static int ws_writeable(struct ws_client *c)
{
	if (c->closing)
		return -1;
	struct msg *m = msgq_pop(&c->control);
	if (!m)
		m = msgq_pop(&c->stream);
	if (!m)
		m = hub_next_ring_msg(c);
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
	if (c->control.len || c->stream.len || hub_ring_pending(c))
		ws_wake(c);
	return 0;
}

/* The connection is gone: leave the persona and free what the client held. */
static void ws_closed(struct ws_client *c)
{
	if (!c->persona)
		return;
	log_event(LOG_INFO, "ws_disconnected", c->persona_id, c->ip, NULL);
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
	static const char reason[] = "server shutting down";
	c->closing = 1;
	closing_count++;
	lws_close_reason(c->wsi, LWS_CLOSE_STATUS_GOINGAWAY, (unsigned char *)reason, sizeof(reason) - 1);
	ws_wake(c);
}

/* Sends close 1001 to every client; returns how many were open. */
unsigned ws_close_all(void)
{
	closing_count = 0;
	hub_for_each_client(ws_close_one);
	return closing_count;
}

/* WebSocket callbacks of the dashboard protocol. */
int ws_callback(struct lws *wsi, enum lws_callback_reasons reason, struct ws_client *c, void *in, size_t len)
{
	char persona[PERSONA_ID_MAX + 1];
	int status;

	switch (reason) {
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		status = ws_path_persona(wsi, persona, sizeof(persona));
		if (status)
			http_refuse(wsi, status, status == HTTP_STATUS_BAD_REQUEST ? "invalid persona id" : "not found");
		return status ? -1 : 0;
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

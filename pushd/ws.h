/* ws.h: one WebSocket client of /dashboard/ws/{persona_id}. */
#ifndef PUSHD_WS_H
#define PUSHD_WS_H

#include <stdint.h>

#include <libwebsockets.h>

#include "clientaddr.h"
#include "config.h"
#include "msg.h"
#include "panels.h"
#include "persona.h"
#include "ratelimit.h"

enum client_state {
	CS_SNAPSHOT, /* waiting for the persona's next dashboard snapshot */
	CS_RESUME,   /* resuming after last_id: waiting to choose between ring and replay */
	CS_REPLAY,   /* a replay query from the event log is running */
	CS_LIVE      /* following the persona's ring */
};

struct persona;
struct pg_query;

struct ws_client {
	struct lws *wsi;
	struct persona *persona;
	struct ws_client *prev, *next; /* the persona's clients */
	enum client_state state;
	int resync;                    /* the awaited snapshot replaces a lost backlog */
	int snapshot_gap;              /* its snapshot was older than the ring: the replay fills the gap */
	int closing;                   /* a close frame is due on the next WRITEABLE */
	int64_t last_id;               /* newest event the client has or has queued */
	uint64_t pos;                  /* next ring sequence number to consider */
	struct msgq control;           /* pong and error: sent first */
	struct msgq stream;            /* initial_data, resumed, replayed events: before ring entries */
	struct pg_query *replay;
	struct panels_seen panels;     /* hashes of the panel sections last sent */
	char *rx;                      /* a client message being reassembled from fragments */
	size_t rx_len;
	int resume_ack;                /* a resume is due its "resumed" answer (or a resync when beyond the newest event) */
	struct rate_bucket msg_budget; /* --ws-msg-rate: this connection's message tokens */
	char ip[CLIENT_ADDR_MAX];      /* the client address (clientaddr.c): the peer, or a trusted proxy's client */
	char persona_id[PERSONA_ID_MAX + 1];
	int64_t exp;                   /* with access control: the token's exp, in epoch seconds */
	lws_sorted_usec_list_t expiry; /* closes the connection with WS_CLOSE_TOKEN_EXPIRED at exp + leeway */
};

#define WS_CLOSE_TOKEN_EXPIRED 4001 /* the token expired and no newer one came in band */
#define WS_CLOSE_RATE_LIMITED 4029  /* more messages than --ws-msg-rate allows on this connection */

/* Prepares shared messages; returns -1 on failure. */
int ws_init(const struct config *cfg);
/* Frees shared messages. */
void ws_free(void);
/* Asks lws for a WRITEABLE callback. */
void ws_wake(struct ws_client *c);
/* How many WebSocket clients are connected. */
unsigned ws_open_count(void);
/* Sends close 1001 to every client; returns how many were open. */
unsigned ws_close_all(void);
/* WebSocket callbacks of the dashboard protocol; c is the per-session data. */
int ws_callback(struct lws *wsi, enum lws_callback_reasons reason, struct ws_client *c, void *in, size_t len);

#endif

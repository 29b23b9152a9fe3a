/* hub.h: personas and their event streams: snapshot, live ring, catch-up after gaps, replay on resume, live panels. */
#ifndef PUSHD_HUB_H
#define PUSHD_HUB_H

#include "config.h"
#include "ws.h"

/* Prepares the persona table; returns -1 on failure. */
int hub_init(struct lws_context *ctx, const struct config *cfg);
/* Stops the retry timer, before the lws context is destroyed. */
void hub_stop(void);
/* Frees every persona (none should remain). */
void hub_free(void);
/* Adds a client to its persona (c->persona_id), creating the persona on first use. */
int hub_attach(struct ws_client *c);
/* Removes a client; the persona goes when its last client does. */
void hub_detach(struct ws_client *c);
/* Gives the client a fresh initial_data (marked as a resync when resync is 1), then the live stream. */
void hub_request_snapshot(struct ws_client *c, int resync);
/* Gives the client every event after last_id (or a resync when too many, or when last_id is beyond the
 * persona's newest event), then the live stream. */
void hub_request_resume(struct ws_client *c, int64_t last_id);
/* The next message for a live client (a reference): a due panels_update or the next ring message, or NULL.
 * Starts a resync when it fell behind the ring. */
struct msg *hub_next_live_msg(struct ws_client *c);
/* 1 when a live client has ring entries it has not yet considered, or panels it is due. */
int hub_live_pending(const struct ws_client *c);
/* Calls fn for every client. */
void hub_for_each_client(void (*fn)(struct ws_client *c));
/* pg event handlers. */
void hub_on_notify(const char *payload);
void hub_on_listen_up(void);
void hub_on_listen_down(void);
void hub_on_pool_ready(void);

#endif

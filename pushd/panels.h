/* panels.h: live panels of one persona (the derived dashboard sections), recomputed by one query at most once
 * per --panels-interval-ms after its events and shared by all its clients, each of which keeps only one hash
 * per section of what it was last sent, so a panels_update carries only the sections that changed. */
#ifndef PUSHD_PANELS_H
#define PUSHD_PANELS_H

#include <stdint.h>

#include <libwebsockets.h>

#include "config.h"
#include "msg.h"

#define PANEL_SECTIONS 7

/* One client's view of its persona's panels. */
struct panels_seen {
	uint64_t hash[PANEL_SECTIONS]; /* of each section as last sent to the client; 0: never sent */
	unsigned version;              /* the persona's panels version last considered for the client */
	int64_t floor;                 /* the client's initial_data reflects this event: older panels are not sent */
};

struct panels;

/* Keeps the configuration and the context for the timers. */
void panels_init(struct lws_context *ctx, const struct config *cfg);
/* The panels of a persona (its id must outlive them); changed(owner) is called when a new version differs.
 * NULL when --panels-interval-ms is 0 (off) or memory is short: every function below accepts NULL. */
struct panels *panels_new(const char *persona_id, void (*changed)(void *owner), void *owner);
/* Cancels the timer, before the lws context goes. */
void panels_stop(struct panels *pn);
/* Frees the panels, cancelling their query. */
void panels_free(struct panels *pn);
/* Events arrived: the panels are recomputed once the interval since the last query has passed. */
void panels_touch(struct panels *pn);
/* A client resumes: computes the panels now (within the interval) when they never were. */
void panels_want(struct panels *pn);
/* Forgets what the client was sent: its next panels_update has every section, and none older than floor. */
void panels_seen_reset(struct panels_seen *s, int64_t floor);
/* The event id the current panels reflect (0: none yet). */
int64_t panels_event_id(const struct panels *pn);
/* 1 when the client has not yet considered the current version. */
int panels_due(const struct panels *pn, const struct panels_seen *s);
/* The panels_update the client is due (a reference), or NULL when it is not due or nothing changed for it. */
struct msg *panels_next(struct panels *pn, struct panels_seen *s);

#endif

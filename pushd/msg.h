/* msg.h: encoded WebSocket text messages, reference counted so one encoding serves every client. */
#ifndef PUSHD_MSG_H
#define PUSHD_MSG_H

#include "clock.h"
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <libwebsockets.h>

struct msg {
	unsigned refs;
	int64_t event_id;       /* the event a variant_update carries; 0 for other messages */
	double created_at;      /* the event's created_at in epoch seconds, for latency; 0 if none */
	size_t len;
	unsigned char buf[];    /* LWS_PRE bytes of headroom, then len bytes of text */
};

/* Copies text into a new message with one reference. */
struct msg *msg_new(const char *text, size_t len, int64_t event_id, double created_at);
/* Encodes a JSON value compactly into a new message; does not consume it. */
struct msg *msg_from_json(const json_t *value);
/* Encodes {"type":"variant_update","timestamp":created_at,"data":data_json} once. */
struct msg *msg_variant_update(int64_t event_id, const char *created_at, const char *data_json);
/* Takes one more reference. */
struct msg *msg_ref(struct msg *m);
/* Drops one reference; frees at zero. NULL is ignored. */
void msg_unref(struct msg *m);
/* The text of a message, after its headroom. */
static inline unsigned char *msg_text(struct msg *m) { return m->buf + LWS_PRE; }

/* A FIFO of message references, for one client's private messages. */
struct msgq_node;
struct msgq {
	struct msgq_node *head, *tail;
	unsigned len;
};

/* Appends a reference (consumed) to the queue; returns -1 on allocation failure. */
int msgq_push(struct msgq *q, struct msg *m);
/* Removes the oldest message and returns its reference, or NULL. */
struct msg *msgq_pop(struct msgq *q);
/* Drops every message. */
void msgq_clear(struct msgq *q);

#endif

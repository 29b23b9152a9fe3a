/* msg.c: encoded messages, their queues and the timestamps they carry. */
#define _GNU_SOURCE
#include "msg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct msgq_node {
	struct msgq_node *next;
	struct msg *m;
};

/* Copies text into a new message with one reference. */
struct msg *msg_new(const char *text, size_t len, int64_t event_id, double created_at)
{
	struct msg *m = malloc(sizeof(*m) + LWS_PRE + len);
	if (!m)
		return NULL;
	m->refs = 1;
	m->event_id = event_id;
	m->created_at = created_at;
	m->len = len;
	memcpy(m->buf + LWS_PRE, text, len);
	return m;
}

/* Encodes a JSON value compactly into a new message. */
struct msg *msg_from_json(const json_t *value)
{
	char *text = json_dumps(value, JSON_COMPACT);
	if (!text)
		return NULL;
	struct msg *m = msg_new(text, strlen(text), 0, 0);
	free(text);
	return m;
}

/* Encodes a variant_update once; the timestamp is escaped, data is already JSON text. */
struct msg *msg_variant_update(int64_t event_id, const char *created_at, const char *data_json)
{
	json_t *ts = json_string(created_at);
	char *ts_text = ts ? json_dumps(ts, JSON_ENCODE_ANY) : NULL;
	char *text = NULL;
	struct msg *m = NULL;

	json_decref(ts);
	if (ts_text && asprintf(&text, "{\"type\":\"variant_update\",\"timestamp\":%s,\"data\":%s}", ts_text,
				data_json) >= 0) {
		m = msg_new(text, strlen(text), event_id, iso8601_to_epoch(created_at));
		free(text);
	}
	free(ts_text);
	return m;
}

/* Takes one more reference. */
struct msg *msg_ref(struct msg *m)
{
	m->refs++;
	return m;
}

/* Drops one reference; frees at zero. */
void msg_unref(struct msg *m)
{
	if (m && --m->refs == 0)
		free(m);
}

/* Appends a reference to the queue. */
int msgq_push(struct msgq *q, struct msg *m)
{
	struct msgq_node *n = malloc(sizeof(*n));
	if (!n) {
		msg_unref(m);
		return -1;
	}
	n->next = NULL;
	n->m = m;
	if (q->tail)
		q->tail->next = n;
	else
		q->head = n;
	q->tail = n;
	q->len++;
	return 0;
}

/* Removes the oldest message and returns its reference. */
struct msg *msgq_pop(struct msgq *q)
{
	struct msgq_node *n = q->head;
	if (!n)
		return NULL;
	struct msg *m = n->m;
	q->head = n->next;
	if (!q->head)
		q->tail = NULL;
	q->len--;
	free(n);
	return m;
}

/* Drops every message. */
void msgq_clear(struct msgq *q)
{
	struct msg *m;
	while ((m = msgq_pop(q)))
		msg_unref(m);
}

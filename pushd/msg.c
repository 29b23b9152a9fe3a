/* msg.c: encoded messages, their queues and the timestamps they carry. */
#define _GNU_SOURCE
#include "msg.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* Parses "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)" (a space instead of T too). */
double iso8601_to_epoch(const char *text)
{
	struct tm tm = {0};
	int consumed = 0, oh = 0, om = 0;
	double frac = 0;
	char sign = 0;

	if (sscanf(text, "%4d-%2d-%2d%*1[T ]%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
		   &tm.tm_min, &tm.tm_sec, &consumed) != 6)
		return 0;
	text += consumed;
	if (*text == '.') {
		char *end;
		frac = strtod(text, &end);
		text = end;
	}
	if ((*text == '+' || *text == '-') && sscanf(text, "%c%2d:%2d", &sign, &oh, &om) < 2)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	double offset = (oh * 3600.0 + om * 60.0) * (sign == '-' ? -1 : 1);
	return (double)timegm(&tm) + frac - offset;
}

/* Current wall clock in epoch seconds. */
double now_epoch(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Current monotonic clock in seconds. */
double now_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
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

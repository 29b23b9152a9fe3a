/* pg.h: non-blocking libpq connections inside the libwebsockets loop: one LISTEN connection and query pools
 * (primary readers, optional standby readers, writers), every query bounded by --query-timeout-ms. */
#ifndef PUSHD_PG_H
#define PUSHD_PG_H

#include <libpq-fe.h>
#include <libwebsockets.h>

#include "config.h"

/* Receives a query's result (NULL when there is none: pg_failure() says why); pg frees it after the call. */
typedef void (*pg_result_fn)(void *owner, PGresult *res);

/* Why a query ended without a result. */
enum pg_failure {
	PG_FAIL_DOWN,    /* no connection for it, or its connection broke */
	PG_FAIL_BUSY,    /* its queue was full, or no connection came free within --query-timeout-ms */
	PG_FAIL_TIMEOUT, /* it ran past --query-timeout-ms (the server's own bound missed): cancelled on the server */
};

struct pg_events {
	void (*notify)(const char *payload); /* one NOTIFY on channel variant_dashboard */
	void (*listen_up)(void);             /* LISTEN is active again: events may have been missed */
	void (*listen_down)(void);           /* the LISTEN connection is gone */
	void (*pool_ready)(void);            /* a query connection became usable */
	void (*alert)(void);                 /* a NOTIFY on channel variant_dashboard_alerts: an alert is due */
};

struct pg_query;

/* Starts connecting; sockets are adopted into vh with the "pg" protocol. Returns -1 on failure. */
int pg_start(struct lws_context *ctx, struct lws_vhost *vh, const struct config *cfg, const struct pg_events *ev);
/* Queues a parameterised query for the primary; fn is called later, never from inside pg_submit. NULL: not queued
 * (pg_failure() says why). */
struct pg_query *pg_submit(const char *sql, int nparams, const char *const *params, pg_result_fn fn, void *owner);
/* pg_submit for the ingestion calls: they run on the --writer-pool connections, never on a reader's. */
struct pg_query *pg_submit_writer(const char *sql, int nparams, const char *const *params, pg_result_fn fn,
				  void *owner);
/* pg_submit for reads that tolerate replication lag: they run on the --read-database-url connections when
 * set and up, on the primary otherwise. */
struct pg_query *pg_submit_read(const char *sql, int nparams, const char *const *params, pg_result_fn fn, void *owner);
/* 1 when reads go to a standby, whose answers may lag behind the primary's notifications. */
int pg_reads_may_lag(void);
/* Why the last query failed without a result: valid in a callback given NULL, and after a pg_submit* NULL. */
enum pg_failure pg_failure(void);
/* Forgets a query: its callback will not be called. */
void pg_cancel(struct pg_query *q);
/* 1 while LISTEN is active. */
int pg_listen_is_up(void);
/* Stops reconnecting and calling callbacks, before the lws context is destroyed. */
void pg_stop(void);
/* Frees every connection and query, after the lws context is destroyed. */
void pg_free(void);
/* The "pg" protocol callback for adopted libpq sockets. */
int pg_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len);

#endif

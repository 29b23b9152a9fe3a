/* metrics.h: counters and histograms exported in the Prometheus text format. */
#ifndef PUSHD_METRICS_H
#define PUSHD_METRICS_H

#include <stddef.h>

enum counter {
	M_EVENTS_RECEIVED,      /* notifications read from the LISTEN connection */
	M_EVENTS_TRUNCATED,     /* notifications without data, read back from the log */
	M_EVENTS_CAUGHT_UP,     /* events read from the log after a gap (reconnect, truncation) */
	M_EVENTS_RELAYED,       /* variant_update messages written to clients */
	M_EVENTS_REPLAYED,      /* events replayed to resuming clients from the log */
	M_RESYNCS,              /* clients that fell behind their backlog and got a fresh initial_data */
	M_RESUMES_AHEAD,        /* resumes from an id beyond the persona's newest event, answered with a resync */
	M_DB_RECONNECTS,        /* database connections lost and re-established */
	M_READ_FALLBACKS,       /* reads meant for --read-database-url that ran on the primary */
	M_SNAPSHOT_GAPS,        /* snapshots older than their persona's ring, completed from the event log */
	M_WS_BAD_MESSAGES,      /* invalid client messages answered with an error */
	M_WS_CONNECTIONS_TOTAL, /* WebSocket connections accepted */
	M_LIMITED_REQUESTS,     /* HTTP requests answered 429 by --http-rate */
	M_LIMITED_CONNECTIONS,  /* WebSocket upgrades answered 429 by --max-conns-per-ip or --conn-rate */
	M_LIMITED_MESSAGES,     /* WebSockets closed 4029 by --ws-msg-rate */
	M_MAX_CLIENTS_REFUSED,  /* WebSocket upgrades answered 503 by --max-clients */
	M_ORIGIN_REFUSED,       /* WebSocket upgrades and preflights refused by --allowed-origins */
	M_AUTH_REFUSED,         /* requests and upgrades answered 401 or 403 */
	M_AUTH_EXPIRED,         /* WebSockets closed 4001 when their token expired */
	M_DB_QUERY_TIMEOUTS,    /* queries given up: still queued, or running, past --query-timeout-ms */
	M_PANELS_QUERIES,       /* panels queries started (at most one per persona per --panels-interval-ms) */
	M_PANELS_UPDATES,       /* panels_update messages handed to clients */
	M_COUNTER_COUNT
};

enum gauge { G_WS_ACTIVE, G_PERSONAS_ACTIVE, G_DB_LISTEN_UP, G_DB_READ_UP, G_GAUGE_COUNT };

enum histogram { H_PROCESSING, H_COMMIT_TO_SEND, H_HISTOGRAM_COUNT };

/* Adds one to a counter. */
void metrics_inc(enum counter c);
/* Adds n to a counter. */
void metrics_add(enum counter c, unsigned long n);
/* Adds delta to a gauge. */
void metrics_gauge_add(enum gauge g, long delta);
/* Sets a gauge. */
void metrics_gauge_set(enum gauge g, long value);
/* Records one observation in seconds. */
void metrics_observe(enum histogram h, double seconds);
/* Counts one HTTP request by endpoint and status. */
void metrics_request(const char *endpoint, int status);
/* Renders everything; returns a malloc'd text and its length, or NULL. */
char *metrics_render(size_t *len);
/* Frees the request table at exit. */
void metrics_free(void);

#endif

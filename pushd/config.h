/* config.h: pushd settings, filled from one option table (flags, environment, defaults). */
#ifndef PUSHD_CONFIG_H
#define PUSHD_CONFIG_H

#include <stdio.h>

struct config {
	char *database_url;       /* libpq conninfo or URI; empty: libpq PG* environment */
	char *bind;               /* listen address; empty: all interfaces */
	int port;
	char *web_root;           /* static dashboard files served under /dashboard/ */
	int db_pool;              /* reader connections beside the LISTEN connection and the writers */
	int max_queued_queries;
	int max_backlog_messages; /* per persona ring = per client backlog */
	int max_backlog_bytes;
	int max_frame_size;       /* largest client WebSocket message accepted */
	int max_body_size;        /* largest POST body accepted */
	int resync_threshold;     /* most events replayed on resume before a resync */
	int ping_interval;        /* seconds idle before a WebSocket ping */
	int ping_timeout;         /* seconds without a valid frame before hang-up */
	int reconnect_min_ms;
	int reconnect_max_ms;
	int connect_timeout_ms;
	int shutdown_timeout_ms;
	char *log_level;
	char *writer_database_url; /* ingestion connections; empty: database_url */
	int writer_pool;           /* ingestion connections, apart from the readers' */
	int query_timeout_ms;      /* statement_timeout and lock_timeout of every session; queue and query bound */
	char *read_database_url;   /* standby for REST reads and snapshots; empty: database_url */
	char *jwt_secret;          /* HS256 key; any of the three jwt keys switches access control on */
	char *jwt_secret_file;
	char *jwt_public_key;      /* PEM file: RS256 (RSA) or ES256 (P-256) */
	char *jwt_issuer;          /* required iss when set */
	char *jwt_audience;        /* required aud when set */
	int jwt_leeway;            /* seconds of clock skew allowed on exp and nbf */
	int max_clients;           /* WebSocket clients in all; 0: no limit */
	int max_conns_per_ip;      /* open WebSockets per client IP; 0: no limit */
	int conn_rate;             /* new WebSockets per second per IP (burst twice that); 0: no limit */
	int http_rate;             /* HTTP requests per second per IP (burst twice that); 0: no limit */
	int max_http_conns_per_ip; /* open HTTP connections (not yet WebSockets) per IP; 0: no limit */
	int http_timeout_ms;       /* a request must be complete this long after the connection or the last answer */
	int ws_msg_rate;           /* client WebSocket messages per second per connection (burst twice that); 0: no limit */
	char *trusted_proxies;     /* comma list of proxy CIDRs whose forwarding headers name the client */
	char *allowed_origins;     /* comma list for WebSocket upgrades and CORS; empty: any origin */
	char *tls_cert;            /* PEM certificate chain; with tls_key serves https and wss */
	char *tls_key;
	int webhook_concurrency;     /* webhook requests in flight in all; 0: no delivery */
	int webhook_per_destination; /* in flight per webhook, over every pushd */
	int webhook_timeout_ms;
	int webhook_max_age;         /* seconds of retries after the alert */
	int webhook_retry_min_ms;
	int webhook_retry_max_ms;
	int webhook_poll_ms;
	int webhook_allow_http;      /* flag */
	int webhook_allow_private;   /* flag */
	char *public_url;            /* base of the dashboard links in Slack alerts */
	int panels_interval_ms;    /* live panels: shortest time between two panels queries of a persona; 0: off */
};

/* Fills cfg from defaults, environment and argv; returns 0 to run, 1 to exit 0, -1 on error. */
int config_load(struct config *cfg, int argc, char **argv);
/* Frees the strings config_load allocated. */
void config_free(struct config *cfg);

#endif

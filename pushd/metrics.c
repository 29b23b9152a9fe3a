/* metrics.c: Prometheus text exposition of pushd's counters and histograms. */
#define _GNU_SOURCE
#include "metrics.h"
#include "outbox.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_BUCKETS 14

struct hist {
	const char *name, *help;
	unsigned long buckets[N_BUCKETS + 1]; /* last one is +Inf */
	unsigned long count;
	double sum;
};

struct request_count {
	const char *endpoint; /* a string literal of http.c */
	int status;
	unsigned long count;
};

static const double bounds[N_BUCKETS] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01,
					 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5};

static const char *const counter_names[M_COUNTER_COUNT][2] = {
	{"dashboard_events_received_total", "Notifications read from PostgreSQL"},
	{"dashboard_events_truncated_total", "Notifications too big for NOTIFY, read back from the event log"},
	{"dashboard_events_caught_up_total", "Events read from the event log after a gap (reconnect or truncation)"},
	{"dashboard_events_relayed_total", "variant_update messages written to WebSocket clients"},
	{"dashboard_events_replayed_total", "Events replayed to resuming clients from the event log"},
	{"dashboard_slow_client_resyncs_total", "Clients that fell behind their backlog and were resynced"},
	{"dashboard_resumes_beyond_newest_total", "Resumes from an id beyond the persona's newest event, answered with a resync"},
	{"dashboard_db_reconnects_total", "Database connections lost and re-established"},
	{"dashboard_db_read_fallbacks_total", "Reads meant for the standby (--read-database-url) that ran on the primary"},
	{"dashboard_snapshot_gaps_total", "Snapshots older than their persona's ring, followed by the missing events from the primary"},
	{"dashboard_ws_bad_messages_total", "Invalid client messages answered with an error"},
	{"dashboard_ws_connections_total", "WebSocket connections accepted"},
	{"dashboard_rate_limited_requests_total", "HTTP requests answered 429 (--http-rate)"},
	{"dashboard_rate_limited_connections_total", "WebSocket upgrades answered 429 (--max-conns-per-ip, --conn-rate)"},
	{"dashboard_rate_limited_messages_total", "WebSockets closed with 4029 (--ws-msg-rate)"},
	{"dashboard_max_clients_refused_total", "WebSocket upgrades answered 503 (--max-clients)"},
	{"dashboard_origin_refused_total", "WebSocket upgrades and CORS preflights from an origin not allowed"},
	{"dashboard_auth_refused_total", "Requests and WebSocket upgrades answered 401 or 403"},
	{"dashboard_auth_expired_total", "WebSockets closed with 4001 when their token expired"},
	{"dashboard_db_query_timeouts_total", "Queries given up after --query-timeout-ms: still queued (503) or running (504, cancelled on the server)"},
	{"dashboard_panels_queries_total", "Live panels queries started: at most one per persona per --panels-interval-ms"},
	{"dashboard_panels_updates_total", "panels_update messages sent to WebSocket clients"},
};

static const char *const gauge_names[G_GAUGE_COUNT][2] = {
	{"websocket_connections_active", "Open WebSocket connections"},
	{"dashboard_personas_active", "Personas with at least one WebSocket client"},
	{"dashboard_db_listen_up", "1 while the LISTEN connection is up"},
	{"dashboard_db_read_up", "1 while a --read-database-url connection is up"},
};

static unsigned long counters[M_COUNTER_COUNT];
static long gauges[G_GAUGE_COUNT];
static struct hist hists[H_HISTOGRAM_COUNT] = {
	{.name = "variant_processing_duration_seconds", .help = "Time to parse, encode and fan out one notification"},
	{.name = "dashboard_commit_to_send_seconds", .help = "From an event's created_at to its write to a client"},
};
static struct request_count *requests;
static size_t n_requests;

/* Adds one to a counter. */
void metrics_inc(enum counter c) { counters[c]++; }
/* Adds n to a counter. */
void metrics_add(enum counter c, unsigned long n) { counters[c] += n; }
/* Adds delta to a gauge. */
void metrics_gauge_add(enum gauge g, long delta) { gauges[g] += delta; }
/* Sets a gauge. */
void metrics_gauge_set(enum gauge g, long value) { gauges[g] = value; }

/* Records one observation in seconds. */
void metrics_observe(enum histogram h, double seconds)
{
	struct hist *hi = &hists[h];
	int i = 0;
	while (i < N_BUCKETS && seconds > bounds[i])
		i++;
	hi->buckets[i]++;
	hi->count++;
	hi->sum += seconds;
}

/* Counts one HTTP request; the (endpoint, status) table is tiny and grows on demand. */
void metrics_request(const char *endpoint, int status)
{
	for (size_t i = 0; i < n_requests; i++)
		if (requests[i].status == status && !strcmp(requests[i].endpoint, endpoint)) {
			requests[i].count++;
			return;
		}
	struct request_count *grown = realloc(requests, (n_requests + 1) * sizeof(*grown));
	if (!grown)
		return;
	requests = grown;
	requests[n_requests++] = (struct request_count){endpoint, status, 1};
}

/* Writes one histogram in exposition format. */
static void render_hist(FILE *out, const struct hist *hi)
{
	unsigned long cumulative = 0;
	fprintf(out, "# HELP %s %s\n# TYPE %s histogram\n", hi->name, hi->help, hi->name);
	for (int i = 0; i < N_BUCKETS; i++) {
		cumulative += hi->buckets[i];
		fprintf(out, "%s_bucket{le=\"%g\"} %lu\n", hi->name, bounds[i], cumulative);
	}
	fprintf(out, "%s_bucket{le=\"+Inf\"} %lu\n%s_sum %.6f\n%s_count %lu\n", hi->name, hi->count, hi->name, hi->sum,
		hi->name, hi->count);
}

/* Renders everything into a malloc'd buffer. */
char *metrics_render(size_t *len)
{
	char *text = NULL;
	FILE *out = open_memstream(&text, len);
	if (!out)
		return NULL;
	fprintf(out, "# HELP dashboard_requests_total HTTP requests by endpoint and status\n"
		     "# TYPE dashboard_requests_total counter\n");
	for (size_t i = 0; i < n_requests; i++)
		fprintf(out, "dashboard_requests_total{endpoint=\"%s\",status=\"%d\"} %lu\n", requests[i].endpoint,
			requests[i].status, requests[i].count);
	for (int i = 0; i < M_COUNTER_COUNT; i++)
		fprintf(out, "# HELP %s %s\n# TYPE %s counter\n%s %lu\n", counter_names[i][0], counter_names[i][1],
			counter_names[i][0], counter_names[i][0], counters[i]);
	for (int i = 0; i < G_GAUGE_COUNT; i++)
		fprintf(out, "# HELP %s %s\n# TYPE %s gauge\n%s %ld\n", gauge_names[i][0], gauge_names[i][1],
			gauge_names[i][0], gauge_names[i][0], gauges[i]);
	for (int i = 0; i < H_HISTOGRAM_COUNT; i++)
		render_hist(out, &hists[i]);
	outbox_metrics_render(out);
	fclose(out);
	return text;
}

/* Frees the request table at exit (for leak checkers). */
void metrics_free(void)
{
	free(requests);
	requests = NULL;
	n_requests = 0;
}

/* ratelimit.c: per-IP token buckets. Each IP that talks to pushd gets an entry in a small hash table; an
 * entry without open WebSockets whose buckets have refilled is dropped when its chain is next walked.
 * Client WebSocket messages are budgeted per connection instead: many well-behaved clients share one address
 * (an office NAT, a proxy), and a connection's messages cost pushd per connection; what one address can send
 * stays bounded by --max-conns-per-ip times --ws-msg-rate. */
#include "ratelimit.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "metrics.h"
#include "msg.h"

#define N_BUCKETS 4096
#define IDLE_SECONDS 60

struct ip_entry {
	struct ip_entry *next;
	char ip[48];
	unsigned open[LIMIT_COUNT];         /* open connections, for LIMIT_CONNS and LIMIT_HTTP_CONNS */
	double last_seen;
	struct rate_bucket buckets[LIMIT_COUNT];
	double logged[LIMIT_COUNT];         /* when a refusal was last logged */
	unsigned long refused[LIMIT_COUNT]; /* refusals since then */
};

static const char *const limit_names[LIMIT_COUNT] = {"conns_per_ip", "conn_rate", "http_rate", "ws_msg_rate",
						     "http_conns_per_ip"};
static const enum counter limit_counters[LIMIT_COUNT] = {M_LIMITED_CONNECTIONS, M_LIMITED_CONNECTIONS,
							   M_LIMITED_REQUESTS, M_LIMITED_MESSAGES,
							   M_LIMITED_CONNECTIONS};
static const struct config *cfg;
static struct ip_entry *table[N_BUCKETS];

/* Keeps the configured rates. */
void limits_init(const struct config *config) { cfg = config; }

/* Frees the per-IP table. */
void limits_free(void)
{
	for (int b = 0; b < N_BUCKETS; b++)
		while (table[b]) {
			struct ip_entry *e = table[b];
			table[b] = e->next;
			free(e);
		}
}

/* The configured value of a limit: a count for LIMIT_CONNS and LIMIT_HTTP_CONNS, a rate per second for the
 * others; 0: off. */
static int limit_value(enum limit kind)
{
	switch (kind) {
	case LIMIT_CONNS:
		return cfg->max_conns_per_ip;
	case LIMIT_CONN_RATE:
		return cfg->conn_rate;
	case LIMIT_HTTP:
		return cfg->http_rate;
	case LIMIT_HTTP_CONNS:
		return cfg->max_http_conns_per_ip;
	default:
		return cfg->ws_msg_rate;
	}
}

/* FNV-1a hash of an address. */
static unsigned ip_hash(const char *ip)
{
	unsigned h = 2166136261u;
	for (; *ip; ip++)
		h = (h ^ (unsigned char)*ip) * 16777619u;
	return h % N_BUCKETS;
}

/* The entry of ip, created on first use; idle entries met on the way are dropped. NULL: out of memory. */
static struct ip_entry *entry_for(const char *ip, double now)
{
	struct ip_entry **link = &table[ip_hash(ip)], *e;
	while ((e = *link)) {
		if (!strcmp(e->ip, ip))
			return e;
		if (!e->open[LIMIT_CONNS] && !e->open[LIMIT_HTTP_CONNS] && now - e->last_seen > IDLE_SECONDS) {
			*link = e->next;
			free(e);
		} else {
			link = &e->next;
		}
	}
	if (!(e = calloc(1, sizeof(*e))))
		return NULL;
	snprintf(e->ip, sizeof(e->ip), "%s", ip);
	for (int k = 0; k < LIMIT_COUNT; k++)
		e->buckets[k] = (struct rate_bucket){2.0 * limit_value((enum limit)k), now};
	e->next = table[ip_hash(ip)];
	table[ip_hash(ip)] = e;
	return e;
}

/* Refills a bucket of rate tokens per second (capacity twice the rate) and takes one token if there is one. */
static int bucket_take(struct rate_bucket *b, int rate, double now)
{
	b->tokens += (now - b->last) * rate;
	if (b->tokens > 2.0 * rate)
		b->tokens = 2.0 * rate;
	b->last = now;
	if (b->tokens < 1)
		return 0;
	b->tokens -= 1;
	return 1;
}

/* Counts a refusal and logs it, at most once per entry and limit per interval. */
static void refused(struct ip_entry *e, enum limit kind, double now)
{
	metrics_inc(limit_counters[kind]);
	e->refused[kind]++;
	if (e->logged[kind] && now - e->logged[kind] < LIMITS_LOG_INTERVAL)
		return;
	log_event(LOG_WARN, "rate_limited", NULL, e->ip,
		  json_pack("{s:s,s:i,s:i}", "limit", limit_names[kind], "value", limit_value(kind), "refused",
			    (int)e->refused[kind]));
	e->logged[kind] = now;
	e->refused[kind] = 0;
}

/* 1 when ip may open one more WebSocket or spend one token of a rate. */
int limits_allow(const char *ip, enum limit kind)
{
	int value = limit_value(kind);
	double now = now_mono();
	struct ip_entry *e = value ? entry_for(ip, now) : NULL;
	if (!e)
		return 1; /* the limit is off (or memory is short: fail open rather than lock everyone out) */
	e->last_seen = now;
	int counted = kind == LIMIT_CONNS || kind == LIMIT_HTTP_CONNS;
	int ok = counted ? e->open[kind] < (unsigned)value : bucket_take(&e->buckets[kind], value, now);
	if (!ok)
		refused(e, kind, now);
	return ok;
}

/* Fills the message budget of a new WebSocket connection. */
void limits_message_budget(struct rate_bucket *b)
{
	*b = (struct rate_bucket){2.0 * cfg->ws_msg_rate, now_mono()};
}

/* 1 when the connection may send one more message; a refusal is counted and logged under ip. */
int limits_allow_message(struct rate_bucket *b, const char *ip)
{
	double now = now_mono();
	if (!cfg->ws_msg_rate || bucket_take(b, cfg->ws_msg_rate, now))
		return 1;
	struct ip_entry *e = entry_for(ip, now);
	if (e)
		refused(e, LIMIT_WS_MSG, now);
	else
		metrics_inc(M_LIMITED_MESSAGES);
	return 0;
}

/* Counts an open connection of ip for a LIMIT_CONNS or LIMIT_HTTP_CONNS limit: +1 opened, -1 gone. */
static void open_add(const char *ip, enum limit kind, int delta)
{
	double now = now_mono();
	struct ip_entry *e = limit_value(kind) ? entry_for(ip, now) : NULL;
	if (!e)
		return;
	e->last_seen = now;
	if (delta > 0)
		e->open[kind]++;
	else if (e->open[kind] > 0)
		e->open[kind]--;
}

/* An accepted WebSocket of ip opened (+1) or closed (-1). */
void limits_conn_add(const char *ip, int delta) { open_add(ip, LIMIT_CONNS, delta); }

/* An accepted HTTP connection of ip opened (+1), or closed or became a WebSocket (-1). */
void limits_http_conn_add(const char *ip, int delta) { open_add(ip, LIMIT_HTTP_CONNS, delta); }

/* hub.c: per-persona event streams.
 *
 * Each persona with clients has one ring of encoded variant_update messages shared by all its clients.
 * The ring holds every event of the persona with id in (ring.base_id, head]: it starts at the
 * last_event_id of a dashboard snapshot and grows from NOTIFY, or from the event log (events_after)
 * whenever a notification may have been missed (LISTEN reconnected, payload truncated). Because per
 * persona id order is commit order (docs/EVENTS.md), "every event after id N" is exact: no loss, no dup. */
#include "hub.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "log.h"
#include "metrics.h"
#include "notify.h"
#include "panels.h"
#include "pg.h"
#include "ring.h"

#define N_BUCKETS 1024
#define CATCHUP_BATCH 1000

static const char snapshot_sql[] =
	"SELECT d::text, coalesce((d->>'last_event_id')::bigint, 0) FROM variant_dashboard.dashboard_metrics($1) AS d";
static const char events_sql[] =
	"SELECT event_id, to_json(created_at)#>>'{}', data::text FROM variant_dashboard.events_after($1, $2, $3)";

struct persona {
	struct persona *hnext;
	char id[PERSONA_ID_MAX + 1];
	struct ws_client *clients;
	unsigned nclients;
	unsigned want_snapshot;     /* clients in CS_SNAPSHOT */
	struct ring ring;
	int head_known;             /* a snapshot has set ring.base_id */
	int64_t head;               /* newest event id the ring covers */
	int needs_catchup;          /* notifications may have been missed after head */
	int snapshot_on_primary;    /* the standby lags too far: take the next snapshot on the primary */
	struct pg_query *snapshot_q, *catchup_q;
	struct msgq pending;        /* notifications held while head is unknown or a catch-up is due */
	struct panels *panels;      /* live panels; NULL when off */
};

static struct {
	const struct config *cfg;
	struct lws_context *ctx;
	struct persona *buckets[N_BUCKETS];
	lws_sorted_usec_list_t retry_timer;
} hub;

static void persona_advance(struct persona *p);
static void persona_panels_changed(void *owner);

/* FNV-1a hash of a persona id. */
static unsigned persona_hash(const char *id)
{
	unsigned h = 2166136261u;
	for (; *id; id++)
		h = (h ^ (unsigned char)*id) * 16777619u;
	return h % N_BUCKETS;
}

/* The persona with this id, or NULL. */
static struct persona *persona_find(const char *id)
{
	for (struct persona *p = hub.buckets[persona_hash(id)]; p; p = p->hnext)
		if (!strcmp(p->id, id))
			return p;
	return NULL;
}

/* Creates a persona and starts learning its head from a snapshot. */
static struct persona *persona_new(const char *id)
{
	struct persona *p = calloc(1, sizeof(*p));
	if (!p || ring_init(&p->ring, (unsigned)hub.cfg->max_backlog_messages, (size_t)hub.cfg->max_backlog_bytes)) {
		free(p);
		return NULL;
	}
	snprintf(p->id, sizeof(p->id), "%s", id);
	p->panels = panels_new(p->id, persona_panels_changed, p);
	if (hub.cfg->panels_interval_ms && !p->panels) {
		ring_free(&p->ring);
		free(p);
		return NULL;
	}
	unsigned b = persona_hash(id);
	p->hnext = hub.buckets[b];
	hub.buckets[b] = p;
	metrics_gauge_add(G_PERSONAS_ACTIVE, 1);
	return p;
}

/* Frees a persona without clients, cancelling its queries. */
static void persona_free(struct persona *p)
{
	struct persona **link = &hub.buckets[persona_hash(p->id)];
	while (*link != p)
		link = &(*link)->hnext;
	*link = p->hnext;
	pg_cancel(p->snapshot_q);
	pg_cancel(p->catchup_q);
	panels_free(p->panels);
	ring_free(&p->ring);
	msgq_clear(&p->pending);
	metrics_gauge_add(G_PERSONAS_ACTIVE, -1);
	free(p);
}

/* Moves a client to a new state, keeping the persona's snapshot waiter count. */
static void client_set_state(struct ws_client *c, enum client_state st)
{
	if (c->state == CS_SNAPSHOT)
		c->persona->want_snapshot--;
	if (st == CS_SNAPSHOT)
		c->persona->want_snapshot++;
	c->state = st;
}

/* Appends an event to the ring and wakes the live clients; the panels will follow. */
static void persona_append(struct persona *p, struct msg *m)
{
	ring_push(&p->ring, m);
	p->head = m->event_id;
	panels_touch(p->panels);
	for (struct ws_client *c = p->clients; c; c = c->next)
		if (c->state == CS_LIVE)
			ws_wake(c);
}

/* Applies held notifications once the ring is known to be complete up to head. */
static void persona_flush_pending(struct persona *p)
{
	struct msg *m;
	if (!p->head_known || p->needs_catchup || p->catchup_q)
		return;
	while ((m = msgq_pop(&p->pending))) {
		if (m->event_id > p->head)
			persona_append(p, m);
		else
			msg_unref(m);
	}
}

/* Builds {"type":"initial_data"[,"resync":true],"data":<snapshot>}. */
static struct msg *initial_data_msg(const char *snapshot, int resync)
{
	size_t len = strlen(snapshot) + 64;
	char *text = malloc(len);
	if (!text)
		return NULL;
	int n = snprintf(text, len, "{\"type\":\"initial_data\",%s\"data\":%s}", resync ? "\"resync\":true," : "",
			 snapshot);
	struct msg *m = msg_new(text, (size_t)n, 0, 0);
	free(text);
	return m;
}

static void client_resume_decide(struct ws_client *c, int force_ring);

/* Queues a snapshot for one waiting client, then the events after it: from the ring, or from the log on the
 * primary when the snapshot is older than the ring (a lagging standby), so the client ends up current. */
static void client_take_snapshot(struct ws_client *c, struct msg *const initial[2], int64_t snapshot_id)
{
	struct persona *p = c->persona;
	if (!initial[c->resync])
		return; /* stays waiting: persona_advance asks again */
	msgq_push(&c->stream, msg_ref(initial[c->resync]));
	c->last_id = snapshot_id;
	c->panels.floor = snapshot_id;
	c->snapshot_gap = snapshot_id < p->ring.base_id;
	if (c->snapshot_gap) {
		metrics_inc(M_SNAPSHOT_GAPS);
		log_event(LOG_INFO, "snapshot_behind", p->id, c->ip,
			  json_pack("{s:I,s:I}", "last_event_id", (json_int_t)snapshot_id, "ring_base_id",
				    (json_int_t)p->ring.base_id));
	}
	client_set_state(c, CS_RESUME);
	client_resume_decide(c, 0);
	ws_wake(c);
}

/* Logs a failed query (NULL result: the connection failed); returns 1 when res is unusable. */
static int query_failed(PGresult *res, ExecStatusType want, const char *what, const char *persona)
{
	if (res && PQresultStatus(res) == want)
		return 0;
	log_event(LOG_WARN, "query_failed", persona, NULL,
		  json_pack("{s:s,s:s}", "query", what, "error", res ? PQresultErrorMessage(res) : "connection lost"));
	return 1;
}

/* 1 when events_after refused because events after the id may have expired (SQLSTATE VDEXP, retention). */
static int events_expired(PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	return state && !strcmp(state, "VDEXP");
}

/* A persona snapshot arrived: it sets the head of a new persona and serves every waiting client. */
static void snapshot_done(void *owner, PGresult *res)
{
	struct persona *p = owner;
	p->snapshot_q = NULL;
	if (query_failed(res, PGRES_TUPLES_OK, "dashboard_metrics", p->id) || PQntuples(res) != 1)
		return; /* the retry timer asks again */
	const char *snapshot = PQgetvalue(res, 0, 0);
	int64_t snapshot_id = strtoll(PQgetvalue(res, 0, 1), NULL, 10);
	p->snapshot_on_primary = 0;
	if (!p->head_known) {
		p->head_known = 1;
		p->head = snapshot_id;
		p->ring.base_id = snapshot_id;
		p->needs_catchup |= pg_reads_may_lag(); /* a standby may miss events notified before the persona */
	}
	struct msg *initial[2] = {initial_data_msg(snapshot, 0), initial_data_msg(snapshot, 1)};
	for (struct ws_client *c = p->clients; c; c = c->next)
		if (c->state == CS_SNAPSHOT)
			client_take_snapshot(c, initial, snapshot_id);
	msg_unref(initial[0]);
	msg_unref(initial[1]);
	persona_flush_pending(p);
	persona_advance(p);
}

/* Encodes one events_after row as a variant_update. */
static struct msg *row_msg(PGresult *res, int row)
{
	return msg_variant_update(strtoll(PQgetvalue(res, row, 0), NULL, 10), PQgetvalue(res, row, 1),
				  PQgetvalue(res, row, 2));
}

/* Events read back from the log after a possible gap: appended in id order, then held notifications. */
static void catchup_done(void *owner, PGresult *res)
{
	struct persona *p = owner;
	p->catchup_q = NULL;
	if (events_expired(res)) { /* the gap reaches past the retention: nobody can be caught up; all resync */
		log_event(LOG_WARN, "catchup_expired", p->id, NULL, json_pack("{s:I}", "after", (json_int_t)p->head));
		for (struct ws_client *c = p->clients; c; c = c->next)
			if (c->state != CS_SNAPSHOT)
				hub_request_snapshot(c, 1);
		persona_flush_pending(p);
		persona_advance(p);
		return;
	}
	if (query_failed(res, PGRES_TUPLES_OK, "events_after", p->id)) {
		p->needs_catchup = 1;
		return;
	}
	int rows = PQntuples(res);
	for (int i = 0; i < rows; i++) {
		struct msg *m = row_msg(res, i);
		if (m && m->event_id > p->head) {
			metrics_inc(M_EVENTS_CAUGHT_UP);
			persona_append(p, m);
		} else {
			msg_unref(m);
		}
	}
	if (rows == CATCHUP_BATCH)
		p->needs_catchup = 1;
	persona_flush_pending(p);
	persona_advance(p);
}

/* Submits events_after(persona, after, limit) with text parameters. */
static struct pg_query *submit_events_after(const char *persona, int64_t after, int limit, pg_result_fn fn,
					    void *owner)
{
	char after_text[24], limit_text[16];
	snprintf(after_text, sizeof(after_text), "%lld", (long long)after);
	snprintf(limit_text, sizeof(limit_text), "%d", limit);
	const char *params[] = {persona, after_text, limit_text};
	return pg_submit(events_sql, 3, params, fn, owner);
}

static void replay_done(void *owner, PGresult *res);

/* Answers a resume once the persona's newest event is known: "resumed", or a resync initial_data when the
 * client claims an id beyond that event (a restored database, a failover, another persona's id), which it
 * would otherwise wait on in silence. Returns 1 when the client goes to a resync or has to wait. */
static int client_resume_answer(struct ws_client *c)
{
	struct persona *p = c->persona;
	char ack[80];
	if (c->last_id > p->head) {
		if (p->needs_catchup || p->catchup_q)
			return 1; /* the head may be behind the log: decide after the catch-up */
		metrics_inc(M_RESUMES_AHEAD);
		log_event(LOG_WARN, "resume_beyond_newest", p->id, c->ip,
			  json_pack("{s:I,s:I}", "last_event_id", (json_int_t)c->last_id, "newest_event_id",
				    (json_int_t)p->head));
		hub_request_snapshot(c, 1);
		return 1;
	}
	int n = snprintf(ack, sizeof(ack), "{\"type\":\"resumed\",\"last_event_id\":%lld}", (long long)c->last_id);
	msgq_push(&c->stream, msg_new(ack, (size_t)n, 0, 0));
	c->resume_ack = 0;
	ws_wake(c);
	return 0;
}

/* Chooses how a resuming client catches up: from the ring when it covers last_id, else from the log. A
 * resume read from the log is acknowledged once the log has answered, since its events may have expired. */
static void client_resume_decide(struct ws_client *c, int force_ring)
{
	struct persona *p = c->persona;
	int from_ring = force_ring || c->last_id >= p->ring.base_id;
	if (from_ring && c->resume_ack && client_resume_answer(c))
		return;
	if (from_ring) {
		c->pos = p->ring.first_seq;
		client_set_state(c, CS_LIVE);
		ws_wake(c);
		return;
	}
	c->replay = submit_events_after(p->id, c->last_id, hub.cfg->resync_threshold + 1, replay_done, c);
	if (c->replay)
		client_set_state(c, CS_REPLAY);
}

/* Missed events read for one resuming client: queued privately, or a resync when there are too many. */
static void replay_done(void *owner, PGresult *res)
{
	struct ws_client *c = owner;
	c->replay = NULL;
	if (events_expired(res)) { /* the missed events are gone (retention): a fresh snapshot, never a gap */
		metrics_inc(M_RESYNCS);
		log_event(LOG_INFO, "resume_expired", c->persona_id, c->ip,
			  json_pack("{s:I}", "last_event_id", (json_int_t)c->last_id));
		hub_request_snapshot(c, 1);
		return;
	}
	if (query_failed(res, PGRES_TUPLES_OK, "events_after", c->persona_id)) {
		client_set_state(c, CS_RESUME);
		return;
	}
	int rows = PQntuples(res);
	if (rows > hub.cfg->resync_threshold) {
		metrics_inc(M_RESYNCS);
		c->persona->snapshot_on_primary |= c->snapshot_gap; /* the standby lags too far to catch up from */
		hub_request_snapshot(c, 1);
		return;
	}
	if (c->resume_ack && client_resume_answer(c))
		return;
	for (int i = 0; i < rows; i++) {
		struct msg *m = row_msg(res, i);
		if (m && !msgq_push(&c->stream, m))
			c->last_id = m->event_id;
	}
	metrics_add(M_EVENTS_REPLAYED, (unsigned long)rows);
	client_resume_decide(c, rows == 0);
	ws_wake(c);
}

/* Starts whatever the persona needs next: a snapshot, a catch-up, resume decisions. */
static void persona_advance(struct persona *p)
{
	if (!p->snapshot_q && (!p->head_known || p->want_snapshot)) {
		const char *params[] = {p->id};
		if (!pg_listen_is_up())
			p->needs_catchup = 1;
		p->snapshot_q = (p->snapshot_on_primary ? pg_submit : pg_submit_read)(snapshot_sql, 1, params,
											  snapshot_done, p);
	}
	if (p->head_known && p->needs_catchup && !p->catchup_q && pg_listen_is_up()) {
		p->catchup_q = submit_events_after(p->id, p->head, CATCHUP_BATCH, catchup_done, p);
		if (p->catchup_q)
			p->needs_catchup = 0;
	}
	for (struct ws_client *c = p->clients; c && p->head_known; c = c->next)
		if (c->state == CS_RESUME)
			client_resume_decide(c, 0);
}

/* Calls persona_advance for every persona. */
static void hub_kick(void)
{
	for (int b = 0; b < N_BUCKETS; b++)
		for (struct persona *p = hub.buckets[b]; p; p = p->hnext)
			persona_advance(p);
}

/* Timer: retries whatever failed (a query on a broken connection, say) once a second. */
static void retry_cb(lws_sorted_usec_list_t *sul)
{
	hub_kick();
	lws_sul_schedule(hub.ctx, 0, sul, retry_cb, LWS_US_PER_SEC);
}

/* Prepares the persona table and the retry timer. */
int hub_init(struct lws_context *ctx, const struct config *cfg)
{
	hub.cfg = cfg;
	hub.ctx = ctx;
	panels_init(ctx, cfg);
	lws_sul_schedule(ctx, 0, &hub.retry_timer, retry_cb, LWS_US_PER_SEC);
	return 0;
}

/* Stops the retry and panels timers, before the lws context goes. */
void hub_stop(void)
{
	lws_sul_cancel(&hub.retry_timer);
	for (int b = 0; b < N_BUCKETS; b++)
		for (struct persona *p = hub.buckets[b]; p; p = p->hnext)
			panels_stop(p->panels);
}

/* Frees every persona. */
void hub_free(void)
{
	for (int b = 0; b < N_BUCKETS; b++)
		while (hub.buckets[b])
			persona_free(hub.buckets[b]);
}

/* Adds a client to its persona. */
int hub_attach(struct ws_client *c)
{
	struct persona *p = persona_find(c->persona_id);
	if (!p && !(p = persona_new(c->persona_id)))
		return -1;
	c->persona = p;
	c->prev = NULL;
	c->next = p->clients;
	if (p->clients)
		p->clients->prev = c;
	p->clients = c;
	p->nclients++;
	c->state = CS_RESUME; /* neutral until a request_* call */
	return 0;
}

/* Removes a client; the persona goes with its last client. */
void hub_detach(struct ws_client *c)
{
	struct persona *p = c->persona;
	if (!p)
		return;
	pg_cancel(c->replay);
	c->replay = NULL;
	client_set_state(c, CS_RESUME);
	if (c->prev)
		c->prev->next = c->next;
	else
		p->clients = c->next;
	if (c->next)
		c->next->prev = c->prev;
	c->persona = NULL;
	if (--p->nclients == 0)
		persona_free(p);
}

/* Drops what the client was about to receive before switching stream. */
static void client_reset_stream(struct ws_client *c)
{
	pg_cancel(c->replay);
	c->replay = NULL;
	c->snapshot_gap = 0;
	c->resume_ack = 0;
	msgq_clear(&c->stream);
	panels_seen_reset(&c->panels, 0);
}

/* Gives the client a fresh initial_data, then the live stream. */
void hub_request_snapshot(struct ws_client *c, int resync)
{
	client_reset_stream(c);
	c->resync = resync;
	client_set_state(c, CS_SNAPSHOT);
	persona_advance(c->persona);
}

/* Gives the client every event after last_id, then the live stream; "resumed" goes first once the persona's
 * newest event is known (client_resume_answer). */
void hub_request_resume(struct ws_client *c, int64_t last_id)
{
	client_reset_stream(c);
	c->last_id = last_id;
	c->resume_ack = 1;
	client_set_state(c, CS_RESUME);
	panels_want(c->persona->panels); /* a resumed client gets the current panels */
	persona_advance(c->persona);
}

/* The next ring message for a live client, or NULL; resyncs a client the ring has left behind. */
static struct msg *next_ring_msg(struct ws_client *c)
{
	struct ring *r = &c->persona->ring;
	if (c->pos < r->first_seq) {
		if (r->base_id > c->last_id) {
			metrics_inc(M_RESYNCS);
			log_event(LOG_WARN, "slow_client_resync", c->persona_id, c->ip,
				  json_pack("{s:I,s:I}", "last_event_id", (json_int_t)c->last_id, "ring_base_id",
					    (json_int_t)r->base_id));
			hub_request_snapshot(c, 1);
			return NULL;
		}
		c->pos = r->first_seq;
	}
	while (c->pos < ring_end(r)) {
		struct msg *m = ring_at(r, c->pos++);
		if (m->event_id > c->last_id) {
			c->last_id = m->event_id;
			return msg_ref(m);
		}
	}
	return NULL;
}

/* 1 when the client has ring entries it has not yet considered. */
static int ring_pending(const struct ws_client *c) { return c->pos < ring_end(&c->persona->ring); }

/* The next message for a live client, or NULL: its due panels_update once it has the events the panels
 * reflect (or nothing else to read), else the next ring message. */
struct msg *hub_next_live_msg(struct ws_client *c)
{
	struct panels *pn = c->persona->panels;
	struct msg *m = NULL;
	if (c->state != CS_LIVE)
		return NULL;
	if (panels_due(pn, &c->panels) && (c->last_id >= panels_event_id(pn) || !ring_pending(c)))
		m = panels_next(pn, &c->panels);
	return m ? m : next_ring_msg(c);
}

/* 1 when a live client has ring entries it has not yet considered, or panels it is due. */
int hub_live_pending(const struct ws_client *c)
{
	return c->state == CS_LIVE && (ring_pending(c) || panels_due(c->persona->panels, &c->panels));
}

/* New panels: wakes the live clients that are due them. */
static void persona_panels_changed(void *owner)
{
	struct persona *p = owner;
	for (struct ws_client *c = p->clients; c; c = c->next)
		if (hub_live_pending(c))
			ws_wake(c);
}

/* Calls fn for every client. */
void hub_for_each_client(void (*fn)(struct ws_client *c))
{
	for (int b = 0; b < N_BUCKETS; b++)
		for (struct persona *p = hub.buckets[b]; p; p = p->hnext)
			for (struct ws_client *c = p->clients; c; c = c->next)
				fn(c);
}

/* Routes one event into its persona's ring, holding it while the ring may have a gap. */
static void persona_receive(struct persona *p, struct msg *m)
{
	if (!p->head_known || p->needs_catchup || p->catchup_q) {
		if (p->pending.len >= (unsigned)hub.cfg->max_backlog_messages) {
			msgq_clear(&p->pending); /* the catch-up reads them from the log instead */
			p->needs_catchup = 1;
		}
		msgq_push(&p->pending, m);
	} else if (m->event_id > p->head) {
		persona_append(p, m);
	} else {
		msg_unref(m);
	}
}

/* One NOTIFY payload: parsed and encoded once for all clients of its persona. */
void hub_on_notify(const char *payload)
{
	double start = now_mono();
	struct notification n;
	json_t *root = notify_parse(payload, strlen(payload), &n);
	struct persona *p = n.persona_id ? persona_find(n.persona_id) : NULL;

	metrics_inc(M_EVENTS_RECEIVED);
	if (n.truncated) {
		metrics_inc(M_EVENTS_TRUNCATED);
		if (p) {
			p->needs_catchup = 1;
			persona_advance(p);
		}
	} else if (!n.m) {
		log_event(LOG_WARN, "bad_notification", NULL, NULL, json_pack("{s:s}", "payload", payload));
	}
	if (n.m && p)
		persona_receive(p, n.m);
	else
		msg_unref(n.m);
	json_decref(root);
	metrics_observe(H_PROCESSING, now_mono() - start);
}

/* LISTEN is back: every persona reads what it may have missed. */
void hub_on_listen_up(void) { hub_kick(); }

/* LISTEN is gone: every persona will need a catch-up. */
void hub_on_listen_down(void)
{
	for (int b = 0; b < N_BUCKETS; b++)
		for (struct persona *p = hub.buckets[b]; p; p = p->hnext)
			p->needs_catchup = 1;
}

/* A query connection is usable: retry what waited for one. */
void hub_on_pool_ready(void) { hub_kick(); }

/* panels.c: live panels. After events, a persona's panels are recomputed by one query on the readers at most
 * once per --panels-interval-ms (measured from query start to query start, so a slow query never overlaps the
 * next). Each section is kept as the text the database gave and its 64-bit hash; a client keeps only the
 * hashes of what it was sent. The message for a set of changed sections is encoded once per version and
 * shared by every client that needs that set (with one version behind them, all of them). */
#include "panels.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "clock.h"
#include "log.h"
#include "metrics.h"
#include "pg.h"

#define N_MASKS (1u << PANEL_SECTIONS)

/* The message's section names, in the column order of panels_sql. */
static const char *const section_names[PANEL_SECTIONS] = {
	"summary", "performance_leaders", "early_kills_today", "recent_kills", "pattern_fatigue_warnings",
	"optimization_opportunities", "active_variant_ids"};

/* The sections of dashboard_metrics as separate texts, so pushd hashes and splices them without parsing. */
static const char panels_sql[] =
	"SELECT coalesce((d->>'last_event_id')::bigint, 0), (d->'summary')::text, (d->'performance_leaders')::text, "
	"(d->'early_kills_today')::text, (d->'recent_kills')::text, (d->'pattern_fatigue_warnings')::text, "
	"(d->'optimization_opportunities')::text, "
	"coalesce((SELECT jsonb_agg(v->'id') FROM jsonb_array_elements(d->'active_variants') v), '[]')::text "
	"FROM variant_dashboard.dashboard_metrics($1) AS d";

struct panels {
	const char *persona_id;
	void (*changed)(void *owner);
	void *owner;
	struct pg_query *q;
	lws_sorted_usec_list_t timer;
	int timer_armed;
	int dirty;                        /* events arrived since the last query started */
	double last_start;                /* monotonic start of the last query */
	unsigned version;                 /* bumped when a section changes; 0: never computed */
	int64_t event_id;                 /* the event the panels reflect */
	char *text[PANEL_SECTIONS];
	size_t len[PANEL_SECTIONS];
	uint64_t hash[PANEL_SECTIONS];
	struct msg *by_mask[N_MASKS];     /* this version's message for each set of changed sections, once built */
};

static struct {
	struct lws_context *ctx;
	const struct config *cfg;
} panels_ctx;

/* Keeps the configuration and the context for the timers. */
void panels_init(struct lws_context *ctx, const struct config *cfg)
{
	panels_ctx.ctx = ctx;
	panels_ctx.cfg = cfg;
}

/* The panels of a persona, or NULL when live panels are off (or memory is short). */
struct panels *panels_new(const char *persona_id, void (*changed)(void *owner), void *owner)
{
	if (!panels_ctx.cfg->panels_interval_ms)
		return NULL;
	struct panels *pn = calloc(1, sizeof(*pn));
	if (pn) {
		pn->persona_id = persona_id;
		pn->changed = changed;
		pn->owner = owner;
	}
	return pn;
}

/* Drops this version's encoded messages. */
static void panels_forget_messages(struct panels *pn)
{
	for (unsigned m = 0; m < N_MASKS; m++) {
		msg_unref(pn->by_mask[m]);
		pn->by_mask[m] = NULL;
	}
}

/* Cancels the timer, before the lws context goes. */
void panels_stop(struct panels *pn)
{
	if (pn && pn->timer_armed)
		lws_sul_cancel(&pn->timer);
	if (pn)
		pn->timer_armed = 0;
}

/* Frees the panels, cancelling their query and timer. */
void panels_free(struct panels *pn)
{
	if (!pn)
		return;
	panels_stop(pn);
	pg_cancel(pn->q);
	panels_forget_messages(pn);
	for (int i = 0; i < PANEL_SECTIONS; i++)
		free(pn->text[i]);
	free(pn);
}

static void panels_timer_cb(lws_sorted_usec_list_t *sul);

/* Arms the timer for the first moment a query may start: one interval after the last one started. */
static void panels_schedule(struct panels *pn)
{
	if (pn->q || pn->timer_armed)
		return;
	double wait = pn->last_start + panels_ctx.cfg->panels_interval_ms / 1000.0 - now_mono();
	pn->timer_armed = 1;
	lws_sul_schedule(panels_ctx.ctx, 0, &pn->timer, panels_timer_cb,
			 wait > 0 ? (lws_usec_t)(wait * LWS_US_PER_SEC) : 1);
}

/* Events arrived: recompute once the interval allows. */
void panels_touch(struct panels *pn)
{
	if (!pn)
		return;
	pn->dirty = 1;
	panels_schedule(pn);
}

/* A client resumes: compute the panels when they never were. */
void panels_want(struct panels *pn)
{
	if (pn && !pn->version)
		panels_touch(pn);
}

/* FNV-1a 64 of a section's text, never 0 (0 means "never sent"). */
static uint64_t section_hash(const char *text, size_t len)
{
	uint64_t h = 14695981039346656037ull;
	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)text[i]) * 1099511628211ull;
	return h ? h : 1;
}

/* Stores the sections of a result row; returns 1 when any of them changed. */
static int panels_store(struct panels *pn, PGresult *res)
{
	int changed = 0;
	for (int i = 0; i < PANEL_SECTIONS; i++) {
		const char *text = PQgetisnull(res, 0, i + 1) ? "null" : PQgetvalue(res, 0, i + 1);
		size_t len = strlen(text);
		uint64_t h = section_hash(text, len);
		char *copy = h == pn->hash[i] ? NULL : malloc(len + 1);
		if (!copy)
			continue; /* unchanged (or no memory: the old text stays, consistent with its hash) */
		memcpy(copy, text, len + 1);
		free(pn->text[i]);
		pn->text[i] = copy;
		pn->len[i] = len;
		pn->hash[i] = h;
		changed = 1;
	}
	return changed;
}

/* The panels query finished: a newer result becomes the current version, and the clients are told. */
static void panels_done(void *owner, PGresult *res)
{
	struct panels *pn = owner;
	pn->q = NULL;
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1 || PQnfields(res) != PANEL_SECTIONS + 1) {
		log_event(LOG_WARN, "query_failed", pn->persona_id, NULL,
			  json_pack("{s:s,s:s}", "query", "panels", "error", res ? PQresultErrorMessage(res) : "no result"));
		panels_touch(pn); /* retried after the interval */
		return;
	}
	int64_t event_id = strtoll(PQgetvalue(res, 0, 0), NULL, 10);
	if (event_id >= pn->event_id) { /* a lagging standby's older answer never replaces newer panels */
		pn->event_id = event_id;
		if (panels_store(pn, res)) {
			panels_forget_messages(pn);
			pn->version = pn->version + 1 ? pn->version + 1 : 1;
			pn->changed(pn->owner);
		}
	}
	if (pn->dirty)
		panels_schedule(pn);
}

/* Timer: starts the panels query for the events that arrived. */
static void panels_timer_cb(lws_sorted_usec_list_t *sul)
{
	struct panels *pn = lws_container_of(sul, struct panels, timer);
	const char *params[] = {pn->persona_id};
	pn->timer_armed = 0;
	if (now_mono() < pn->last_start + panels_ctx.cfg->panels_interval_ms / 1000.0) {
		panels_schedule(pn); /* the timer fired a little early: the interval is a hard bound */
		return;
	}
	pn->last_start = now_mono();
	pn->dirty = 0;
	metrics_inc(M_PANELS_QUERIES);
	pn->q = pg_submit_read(panels_sql, 1, params, panels_done, pn);
	if (!pn->q)
		panels_touch(pn); /* no connection: try again after the interval */
}

/* Forgets what the client was sent. */
void panels_seen_reset(struct panels_seen *s, int64_t floor)
{
	memset(s, 0, sizeof(*s));
	s->floor = floor;
}

/* The event id the current panels reflect. */
int64_t panels_event_id(const struct panels *pn) { return pn ? pn->event_id : 0; }

/* 1 when the client has not yet considered the current version. */
int panels_due(const struct panels *pn, const struct panels_seen *s) { return pn && pn->version != s->version; }

/* Encodes {"type":"panels_update","last_event_id":N,"data":{<the sections of mask>}}. */
static struct msg *panels_encode(const struct panels *pn, unsigned mask)
{
	size_t cap = 96, len;
	const char *sep = "";
	for (int i = 0; i < PANEL_SECTIONS; i++)
		if (mask & (1u << i))
			cap += strlen(section_names[i]) + pn->len[i] + 4;
	char *text = malloc(cap);
	if (!text)
		return NULL;
	len = (size_t)snprintf(text, cap, "{\"type\":\"panels_update\",\"last_event_id\":%lld,\"data\":{",
			       (long long)pn->event_id);
	for (int i = 0; i < PANEL_SECTIONS; i++) {
		if (!(mask & (1u << i)))
			continue;
		len += (size_t)snprintf(text + len, cap - len, "%s\"%s\":", sep, section_names[i]);
		sep = ",";
		memcpy(text + len, pn->text[i], pn->len[i]);
		len += pn->len[i];
	}
	memcpy(text + len, "}}", 2);
	struct msg *m = msg_new(text, len + 2, 0, 0);
	free(text);
	return m;
}

/* The client's due panels_update: the sections whose hash differs from what it was sent. */
struct msg *panels_next(struct panels *pn, struct panels_seen *s)
{
	unsigned mask = 0;
	if (!panels_due(pn, s))
		return NULL;
	s->version = pn->version;
	if (pn->event_id <= s->floor)
		return NULL; /* its initial_data is as new: these panels would take it back */
	for (int i = 0; i < PANEL_SECTIONS; i++)
		if (s->hash[i] != pn->hash[i])
			mask |= 1u << i;
	if (!mask || (!pn->by_mask[mask] && !(pn->by_mask[mask] = panels_encode(pn, mask))))
		return NULL;
	memcpy(s->hash, pn->hash, sizeof(s->hash));
	metrics_inc(M_PANELS_UPDATES);
	return msg_ref(pn->by_mask[mask]);
}

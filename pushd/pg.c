/* pg.c: libpq connections driven by libwebsockets' poll loop.
 *
 * Each libpq socket is dup()ed and adopted as an lws "raw file" wsi: lws polls it and calls us on
 * POLLIN/POLLOUT, and closes only its duplicate, so libpq keeps ownership of its own descriptor.
 * No thread, no busy polling: every step of connect, send and receive is event driven.
 *
 * Every query is bounded three ways (--query-timeout-ms): on the server (statement_timeout and
 * lock_timeout, set on every session at connect), in the queue (a query that got no connection in time
 * fails with PG_FAIL_BUSY without running) and by a timer of the connection running it (a little beyond
 * the server's bound: the owner gets PG_FAIL_TIMEOUT and the server a cancel request). Reads, replays and
 * ingestion run on connections of their own, so a stuck write never delays a read. */
#define _GNU_SOURCE
#include "pg.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "metrics.h"

enum pgc_state { PGC_DOWN, PGC_CONNECTING, PGC_SETUP, PGC_IDLE, PGC_BUSY };

/* Which server a query connection talks to, and which queries it runs. */
enum pg_role {
	ROLE_PRIMARY, /* --database-url: replay, and the reads without a standby of their own */
	ROLE_WRITER,  /* --writer-pool connections (--writer-database-url or --database-url): the ingestion calls */
	ROLE_READ,    /* --read-database-url: REST reads and snapshots */
	ROLE_COUNT
};

/* How long pushd's own timer waits beyond the server's statement_timeout before it gives up on a query. */
#define PG_TIMEOUT_GRACE_MS 1000

static const char *const role_names[ROLE_COUNT] = {"reader", "writer", "read"};

struct pgc {
	PGconn *conn;
	struct lws *wsi;             /* the adopted duplicate of PQsocket() */
	int fd;                      /* the libpq socket the wsi watches */
	enum pgc_state state;
	int is_listener;
	enum pg_role role;           /* of a pool connection */
	int want_write;              /* while connecting: PQconnectPoll asked for POLLOUT */
	struct pg_query *current;
	PGresult *result;            /* last result of the current query */
	lws_sorted_usec_list_t timer; /* reconnect delay or connect timeout */
	lws_sorted_usec_list_t writable_timer; /* asks lws for POLLOUT from outside its callbacks */
	lws_sorted_usec_list_t query_timer; /* the running query's deadline, then the cancel's */
	int cancel_sent;             /* the running query timed out: its owner has its answer, the server a cancel */
	unsigned backoff_ms;
};

struct pg_query {
	struct pg_query *next;
	const char *sql;             /* a string literal */
	int nparams;
	enum pg_role role;           /* the connections that may run it */
	char **params;
	pg_result_fn fn;             /* NULL once cancelled */
	void *owner;
	int running;
	lws_usec_t deadline;         /* still queued then: it fails with PG_FAIL_BUSY */
};

/* The queries of one role waiting for a connection, oldest first. */
struct pg_queue {
	struct pg_query *head, *tail;
	int len;
	lws_sorted_usec_list_t timer; /* fires at the head's deadline */
};

static struct {
	struct lws_context *ctx;
	struct lws_vhost *vh;
	const struct config *cfg;
	struct pg_events ev;
	struct pgc listener;
	struct pgc *pool;            /* primary readers, standby readers (--read-database-url), then the writers */
	int npool;
	int has_standby;             /* --read-database-url names a server of its own */
	int reads_on_primary;        /* reads currently fall back to the primary (logged once per episode) */
	struct pg_queue queues[ROLE_COUNT];
	char setup_sql[128];         /* the session bounds every connection sets before its first query */
	char listen_sql[192];        /* the same, then LISTEN (events and alerts), for the listener */
	enum pg_failure failure;     /* why the last query failed without a result (pg_failure) */
	int stopping;
	lws_sorted_usec_list_t dispatch_timer;
} pg;

static void pgc_lost(struct pgc *c, const char *why);
static void pgc_connect(struct pgc *c);
static void queue_timeout_cb(lws_sorted_usec_list_t *sul);

/* Frees a query and its copied parameters. */
static void query_free(struct pg_query *q)
{
	for (int i = 0; i < q->nparams; i++)
		free(q->params[i]);
	free(q->params);
	free(q);
}

/* Hands a query's result to its owner once (never after pg_stop); why says what a NULL res means. */
static void query_finish(struct pg_query *q, PGresult *res, enum pg_failure why)
{
	pg_result_fn fn = q->fn;
	q->fn = NULL;
	pg.failure = why;
	if (fn && !pg.stopping)
		fn(q->owner, res);
}

/* Schedules a queue's timer for the deadline of its oldest query. */
static void queue_arm(struct pg_queue *qu)
{
	lws_usec_t now = lws_now_usecs();
	if (qu->head)
		lws_sul_schedule(pg.ctx, 0, &qu->timer, queue_timeout_cb,
				 qu->head->deadline > now ? qu->head->deadline - now : 1);
}

/* Adds a query to its role's queue: at the back, or at the front for one that already waited. */
static void queue_push(struct pg_query *q, int front)
{
	struct pg_queue *qu = &pg.queues[q->role];
	qu->len++;
	if (front || !qu->head) {
		q->next = qu->head;
		qu->head = q;
		if (!qu->tail)
			qu->tail = q;
		queue_arm(qu);
		return;
	}
	q->next = NULL;
	qu->tail->next = q;
	qu->tail = q;
}

/* Unlinks a queued query; returns 0, or -1 when it is not queued. */
static int queue_unlink(struct pg_query *q)
{
	struct pg_queue *qu = &pg.queues[q->role];
	struct pg_query **link = &qu->head, *prev = NULL;
	while (*link && *link != q) {
		prev = *link;
		link = &(*link)->next;
	}
	if (!*link)
		return -1;
	*link = q->next;
	if (qu->tail == q)
		qu->tail = prev;
	qu->len--;
	return 0;
}

/* Unlinks and returns the oldest query waiting for a connection of role, or NULL. */
static struct pg_query *queue_pop(enum pg_role role)
{
	struct pg_query *q = pg.queues[role].head;
	if (q)
		queue_unlink(q);
	return q;
}

/* Timer: fails the queued queries no connection of their role took within --query-timeout-ms. */
static void queue_timeout_cb(lws_sorted_usec_list_t *sul)
{
	struct pg_queue *qu = lws_container_of(sul, struct pg_queue, timer);
	lws_usec_t now = lws_now_usecs();
	int expired = 0;
	struct pg_query *q;

	while ((q = qu->head) && q->deadline <= now) {
		queue_unlink(q);
		query_finish(q, NULL, PG_FAIL_BUSY);
		query_free(q);
		expired++;
	}
	if (expired) {
		metrics_add(M_DB_QUERY_TIMEOUTS, (unsigned long)expired);
		log_event(LOG_WARN, "db_queue_timeout", NULL, NULL,
			  json_pack("{s:s,s:i,s:i}", "role", role_names[qu - pg.queues], "queries", expired,
				    "timeout_ms", pg.cfg->query_timeout_ms));
	}
	queue_arm(qu);
}

/* Stops watching the socket: the wsi (and the duplicate descriptor) is closed by lws soon after. */
static void pgc_unwatch(struct pgc *c)
{
	if (!c->wsi)
		return;
	lws_set_opaque_user_data(c->wsi, NULL);
	lws_set_timeout(c->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
	c->wsi = NULL;
	c->fd = -1;
}

/* Makes lws poll the current libpq socket (it can change while connecting); returns -1 on failure. */
static int pgc_watch(struct pgc *c)
{
	int fd = PQsocket(c->conn);
	if (c->wsi && fd == c->fd)
		return 0;
	pgc_unwatch(c);
	lws_sock_file_fd_type desc;
	desc.filefd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	if (desc.filefd < 0)
		return -1;
	c->wsi = lws_adopt_descriptor_vhost(pg.vh, LWS_ADOPT_RAW_FILE_DESC, desc, "pg", NULL);
	if (!c->wsi) {
		close(desc.filefd);
		return -1;
	}
	lws_set_opaque_user_data(c->wsi, c);
	c->fd = fd;
	return 0;
}

/* Timer: asks lws to report the socket writable. */
static void pgc_writable_cb(lws_sorted_usec_list_t *sul)
{
	struct pgc *c = lws_container_of(sul, struct pgc, writable_timer);
	if (c->wsi)
		lws_callback_on_writable(c->wsi);
}

/* Waits for POLLOUT. lws drops a writable request made inside the WRITEABLE callback of a raw
 * descriptor, which is where libpq usually asks to write again, so the request goes through a timer. */
static void pgc_want_writable(struct pgc *c)
{
	lws_sul_schedule(pg.ctx, 0, &c->writable_timer, pgc_writable_cb, 1);
}

/* Sends buffered query bytes; waits for POLLOUT when the socket is full. */
static void pgc_flush(struct pgc *c)
{
	int r = PQflush(c->conn);
	if (r < 0)
		pgc_lost(c, "flush failed");
	else if (r > 0)
		pgc_want_writable(c);
}

/* 1 when a query connection of this role can take queries now or soon. */
static int pool_is_up(enum pg_role role)
{
	for (int i = 0; i < pg.npool; i++)
		if (pg.pool[i].state >= PGC_IDLE && pg.pool[i].role == role)
			return 1;
	return 0;
}

/* Counts a read sent to the primary instead of the standby; logs the first of each episode. */
static void read_fallback(const char *why)
{
	metrics_inc(M_READ_FALLBACKS);
	if (pg.reads_on_primary)
		return;
	pg.reads_on_primary = 1;
	log_event(LOG_WARN, "db_read_fallback", NULL, NULL, json_pack("{s:s}", "reason", why));
}

/* The role of the connections that run a query meant for role: the primary stands in for a missing standby. */
static enum pg_role route(enum pg_role role)
{
	if (role != ROLE_READ)
		return role;
	if (!pg.has_standby)
		return ROLE_PRIMARY;
	if (!pool_is_up(ROLE_READ)) {
		read_fallback("standby down");
		return ROLE_PRIMARY;
	}
	return role;
}

/* Timer: the running query outlived the server's bound by PG_TIMEOUT_GRACE_MS. Its owner is answered now
 * (PG_FAIL_TIMEOUT) and the server asked to cancel it; when the server has still not answered one more
 * --query-timeout-ms later, the connection is dropped, so a hung server cannot keep it. */
static void pgc_query_timeout_cb(lws_sorted_usec_list_t *sul)
{
	struct pgc *c = lws_container_of(sul, struct pgc, query_timer);
	if (c->state != PGC_BUSY)
		return;
	if (c->cancel_sent) {
		pgc_lost(c, "query cancel not honoured");
		return;
	}
	c->cancel_sent = 1;
	metrics_inc(M_DB_QUERY_TIMEOUTS);
	char error[256] = "";
	/* PQcancel blocks the loop while it connects to the server and sends the request (one local round trip).
	 * libpq 15 has no non-blocking cancel (PQcancelStart came with PostgreSQL 17), and this is the rare path. */
	PGcancel *cancel = PQgetCancel(c->conn);
	int sent = cancel && PQcancel(cancel, error, sizeof(error));
	PQfreeCancel(cancel);
	log_event(LOG_WARN, "db_query_timeout", NULL, NULL,
		  json_pack("{s:s,s:s,s:i,s:b,s:s}", "role", role_names[c->role], "query", c->current->sql, "timeout_ms",
			    pg.cfg->query_timeout_ms, "cancel_sent", sent, "error", error));
	query_finish(c->current, NULL, PG_FAIL_TIMEOUT);
	lws_sul_schedule(pg.ctx, 0, &c->query_timer, pgc_query_timeout_cb, (lws_usec_t)pg.cfg->query_timeout_ms * 1000);
}

/* Sends a query on an idle pool connection and starts its timer. */
static void pgc_send(struct pgc *c, struct pg_query *q)
{
	c->current = q;
	c->state = PGC_BUSY;
	c->cancel_sent = 0;
	q->running = 1;
	if (!PQsendQueryParams(c->conn, q->sql, q->nparams, NULL, (const char *const *)q->params, NULL, NULL, 0)) {
		pgc_lost(c, "send failed");
		return;
	}
	lws_sul_schedule(pg.ctx, 0, &c->query_timer, pgc_query_timeout_cb,
			 ((lws_usec_t)pg.cfg->query_timeout_ms + PG_TIMEOUT_GRACE_MS) * 1000);
	pgc_flush(c);
}

/* Hands queued queries to idle pool connections (a timer callback, so never re-entrant). */
static void dispatch_cb(lws_sorted_usec_list_t *sul)
{
	(void)sul;
	for (int i = 0; i < pg.npool; i++) {
		struct pgc *c = &pg.pool[i];
		struct pg_query *q = c->state == PGC_IDLE ? queue_pop(c->role) : NULL;
		if (q)
			pgc_send(c, q);
	}
}

/* Runs dispatch_cb on the next loop turn. */
static void dispatch_soon(void)
{
	if (!pg.stopping)
		lws_sul_schedule(pg.ctx, 0, &pg.dispatch_timer, dispatch_cb, 1);
}

/* Queues a query meant for the standby for the primary (at the front when it already waited); 0 when it can run
 * there. */
static int requeue_on_primary(struct pg_query *q, const char *why, int front)
{
	if (q->role != ROLE_READ || !pool_is_up(ROLE_PRIMARY))
		return -1;
	read_fallback(why);
	q->role = ROLE_PRIMARY;
	q->running = 0;
	queue_push(q, front);
	dispatch_soon();
	return 0;
}

/* Fails (or, from the standby, moves to the primary) the queued queries c would run: none of its role is left. */
static void fail_queue(const struct pgc *c)
{
	struct pg_query *q;
	while ((q = queue_pop(c->role))) {
		if (q->fn && !requeue_on_primary(q, "standby down", 0))
			continue;
		query_finish(q, NULL, PG_FAIL_DOWN);
		query_free(q);
	}
}

/* 1 when a standby cancelled the query on a recovery conflict: the primary can answer it instead. */
static int recovery_conflict(const struct pgc *c, const PGresult *res)
{
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
	return c->role == ROLE_READ && state && (!strcmp(state, "40001") || !strcmp(state, "40P01"));
}

/* The session bounds are set (and LISTEN is active on the listener): the connection takes work. */
static void pgc_setup_done(struct pgc *c, PGresult *res)
{
	int ok = res && PQresultStatus(res) == PGRES_COMMAND_OK;
	PQclear(res);
	if (!ok) {
		pgc_lost(c, c->is_listener ? "LISTEN failed" : "session setup failed");
		return;
	}
	lws_sul_cancel(&c->timer);
	c->backoff_ms = (unsigned)pg.cfg->reconnect_min_ms;
	c->state = PGC_IDLE;
	if (c->is_listener) {
		metrics_gauge_set(G_DB_LISTEN_UP, 1);
		log_event(LOG_INFO, "db_listening", NULL, NULL, NULL);
		pg.ev.listen_up();
		return;
	}
	if (c->role == ROLE_READ) {
		metrics_gauge_set(G_DB_READ_UP, 1);
		if (pg.reads_on_primary)
			log_event(LOG_INFO, "db_read_restored", NULL, NULL, NULL);
		pg.reads_on_primary = 0;
	}
	pg.ev.pool_ready();
	dispatch_soon();
}

/* Finishes the current query: the session setup, or a pool query whose owner gets the result. */
static void pgc_query_done(struct pgc *c)
{
	struct pg_query *q = c->current;
	PGresult *res = c->result;
	c->current = NULL;
	c->result = NULL;
	lws_sul_cancel(&c->query_timer);
	if (c->state == PGC_SETUP) {
		pgc_setup_done(c, res);
		return;
	}
	c->state = PGC_IDLE;
	if (q->fn && recovery_conflict(c, res) && !requeue_on_primary(q, "recovery conflict", 1)) {
		PQclear(res);
		return;
	}
	query_finish(q, res, PG_FAIL_DOWN);
	PQclear(res);
	query_free(q);
	dispatch_soon();
}

/* Reads what the server sent: notifications, then results while a query runs. */
static void pgc_readable(struct pgc *c)
{
	PGnotify *n;

	if (!PQconsumeInput(c->conn)) {
		pgc_lost(c, "connection lost");
		return;
	}
	while ((n = PQnotifies(c->conn))) {
		if (c->is_listener && !strcmp(n->relname, "variant_dashboard_alerts"))
			pg.ev.alert();
		else if (c->is_listener)
			pg.ev.notify(n->extra);
		PQfreemem(n);
	}
	while ((c->state == PGC_BUSY || c->state == PGC_SETUP) && !PQisBusy(c->conn)) {
		PGresult *res = PQgetResult(c->conn);
		if (!res) {
			pgc_query_done(c);
			return;
		}
		PQclear(c->result); /* the setup's statements answer one by one; the last one tells (an error stops them) */
		c->result = res;
	}
}

/* Warns once per role (reader, writer, read) when pushd connected as a superuser: it needs far less. */
static void pgc_check_role(const struct pgc *c)
{
	static int warned[ROLE_COUNT];
	const char *super = PQparameterStatus(c->conn, "is_superuser");
	if (!super || strcmp(super, "on") || warned[c->role])
		return;
	warned[c->role] = 1;
	log_event(LOG_WARN, "db_superuser", NULL, NULL,
		  json_pack("{s:s,s:s,s:s}", "role", role_names[c->role], "user", PQuser(c->conn), "hint",
			    "connect as a role with only the grants pushd needs"));
}

/* The connection is established: it sets its session bounds (and LISTENs, on the listener) before any query.
 * A SET after connect, not the `options` startup parameter, which poolers such as PgBouncer refuse. */
static void pgc_connected(struct pgc *c)
{
	PQsetnonblocking(c->conn, 1);
	log_event(LOG_INFO, "db_connected", NULL, NULL,
		  json_pack("{s:b,s:b,s:b,s:i}", "listener", c->is_listener, "writer", c->role == ROLE_WRITER, "read",
			    c->role == ROLE_READ, "backend_pid", PQbackendPID(c->conn)));
	pgc_check_role(c);
	c->state = PGC_SETUP;
	if (!PQsendQuery(c->conn, c->is_listener ? pg.listen_sql : pg.setup_sql))
		pgc_lost(c, "setup send failed");
	else
		pgc_flush(c);
}

/* Advances a non-blocking connection attempt by one PQconnectPoll step. */
static void pgc_connect_step(struct pgc *c, int writable)
{
	if (writable != c->want_write)
		return;
	PostgresPollingStatusType r = PQconnectPoll(c->conn);
	if (r == PGRES_POLLING_FAILED) {
		pgc_lost(c, "connect failed");
		return;
	}
	if (r == PGRES_POLLING_OK) {
		pgc_connected(c);
		return;
	}
	c->want_write = r == PGRES_POLLING_WRITING;
	if (pgc_watch(c)) {
		pgc_lost(c, "cannot watch socket");
		return;
	}
	if (c->want_write)
		pgc_want_writable(c);
}

/* Handles POLLIN or POLLOUT on a connection's socket. */
static void pgc_on_io(struct pgc *c, int writable)
{
	if (c->state == PGC_CONNECTING)
		pgc_connect_step(c, writable);
	else if (writable)
		pgc_flush(c);
	else
		pgc_readable(c);
}

/* Timer: a reconnect delay ended, or a connection attempt (its session setup included) took too long. */
static void pgc_timer_cb(lws_sorted_usec_list_t *sul)
{
	struct pgc *c = lws_container_of(sul, struct pgc, timer);
	if (c->state == PGC_CONNECTING || c->state == PGC_SETUP)
		pgc_lost(c, "connect timeout");
	else if (c->state == PGC_DOWN)
		pgc_connect(c);
}

/* The conninfo of a connection: the writers' falls back to --database-url. */
static const char *pgc_conninfo(const struct pgc *c)
{
	if (c->role == ROLE_WRITER && *pg.cfg->writer_database_url)
		return pg.cfg->writer_database_url;
	return c->role == ROLE_READ ? pg.cfg->read_database_url : pg.cfg->database_url;
}

/* Starts a non-blocking connection attempt. */
static void pgc_connect(struct pgc *c)
{
	static const char *const app_names[ROLE_COUNT] = {"pushd", "pushd-writer", "pushd-read"};
	const char *keys[] = {"dbname", "application_name", NULL};
	const char *url = pgc_conninfo(c);
	const char *vals[] = {*url ? url : NULL, c->is_listener ? "pushd-listen" : app_names[c->role], NULL};

	c->conn = PQconnectStartParams(keys, vals, 1);
	c->state = PGC_CONNECTING;
	if (!c->conn || PQstatus(c->conn) == CONNECTION_BAD || pgc_watch(c)) {
		pgc_lost(c, "connect start failed");
		return;
	}
	c->want_write = 1;
	pgc_want_writable(c);
	lws_sul_schedule(pg.ctx, 0, &c->timer, pgc_timer_cb, (lws_usec_t)pg.cfg->connect_timeout_ms * 1000);
}

/* Tells the rest of pushd what losing this connection means. */
static void pgc_report_loss(struct pgc *c, int was_up)
{
	if (c->is_listener && was_up) {
		metrics_gauge_set(G_DB_LISTEN_UP, 0);
		pg.ev.listen_down();
	}
	if (c->role == ROLE_READ && !pool_is_up(ROLE_READ))
		metrics_gauge_set(G_DB_READ_UP, 0);
	if (!c->is_listener && !pool_is_up(c->role))
		fail_queue(c);
}

/* Drops a broken connection, fails its query and schedules a reconnect with capped backoff. */
static void pgc_lost(struct pgc *c, const char *why)
{
	int was_up = c->state >= PGC_IDLE;
	struct pg_query *q = c->current;

	log_event(pg.stopping ? LOG_DEBUG : was_up ? LOG_WARN : LOG_INFO, "db_connection_lost", NULL, NULL,
		  json_pack("{s:s,s:s,s:b,s:s,s:i}", "reason", why, "error", c->conn ? PQerrorMessage(c->conn) : "",
			    "listener", c->is_listener, "role", role_names[c->role], "retry_ms", (int)c->backoff_ms));
	if (was_up)
		metrics_inc(M_DB_RECONNECTS);
	pgc_unwatch(c);
	lws_sul_cancel(&c->query_timer);
	PQclear(c->result);
	PQfinish(c->conn);
	c->conn = NULL;
	c->result = NULL;
	c->current = NULL;
	c->state = PGC_DOWN;
	if (pg.stopping) {
		if (q)
			query_free(q);
		return;
	}
	lws_sul_schedule(pg.ctx, 0, &c->timer, pgc_timer_cb, (lws_usec_t)c->backoff_ms * 1000);
	c->backoff_ms = c->backoff_ms * 2 > (unsigned)pg.cfg->reconnect_max_ms ? (unsigned)pg.cfg->reconnect_max_ms
										: c->backoff_ms * 2;
	if (q && q->fn && !requeue_on_primary(q, "standby lost", 1))
		q = NULL;
	if (q) {
		query_finish(q, NULL, PG_FAIL_DOWN);
		query_free(q);
	}
	pgc_report_loss(c, was_up);
}

/* Starts every connection: the listener, --db-pool readers (and as many on a standby), --writer-pool writers. */
int pg_start(struct lws_context *ctx, struct lws_vhost *vh, const struct config *cfg, const struct pg_events *ev)
{
	pg.ctx = ctx;
	pg.vh = vh;
	pg.cfg = cfg;
	pg.ev = *ev;
	pg.has_standby = *cfg->read_database_url && strcmp(cfg->read_database_url, cfg->database_url);
	pg.npool = cfg->db_pool * (1 + pg.has_standby) + cfg->writer_pool;
	pg.pool = calloc((size_t)pg.npool, sizeof(*pg.pool));
	if (!pg.pool)
		return -1;
	snprintf(pg.setup_sql, sizeof(pg.setup_sql), "SET statement_timeout = %d; SET lock_timeout = %d",
		 cfg->query_timeout_ms, cfg->query_timeout_ms);
	snprintf(pg.listen_sql, sizeof(pg.listen_sql), "%s; LISTEN variant_dashboard; LISTEN variant_dashboard_alerts",
		 pg.setup_sql);
	pg.listener.is_listener = 1;
	for (int i = cfg->db_pool; i < pg.npool; i++)
		pg.pool[i].role = i < cfg->db_pool * 2 && pg.has_standby ? ROLE_READ : ROLE_WRITER;
	for (int i = -1; i < pg.npool; i++) {
		struct pgc *c = i < 0 ? &pg.listener : &pg.pool[i];
		c->fd = -1;
		c->backoff_ms = (unsigned)cfg->reconnect_min_ms;
		pgc_connect(c);
	}
	return 0;
}

/* Copies the parameters so callers may pass stack buffers. */
static char **copy_params(int nparams, const char *const *params)
{
	char **copy = calloc((size_t)nparams + 1, sizeof(*copy));
	for (int i = 0; copy && i < nparams; i++)
		if (params[i] && !(copy[i] = strdup(params[i]))) {
			for (int j = 0; j < i; j++)
				free(copy[j]);
			free(copy);
			return NULL;
		}
	return copy;
}

/* Queues a parameterised query for the connections of role (or the primary standing in for a standby); NULL
 * when none is up (PG_FAIL_DOWN) or its queue is full (PG_FAIL_BUSY). */
static struct pg_query *submit(enum pg_role role, const char *sql, int nparams, const char *const *params,
			       pg_result_fn fn, void *owner)
{
	pg.failure = PG_FAIL_DOWN;
	if (pg.stopping || !pool_is_up(role = route(role)))
		return NULL;
	pg.failure = PG_FAIL_BUSY;
	if (pg.queues[role].len >= pg.cfg->max_queued_queries)
		return NULL;
	struct pg_query *q = calloc(1, sizeof(*q));
	if (!q || !(q->params = copy_params(nparams, params))) {
		free(q);
		return NULL;
	}
	q->sql = sql;
	q->nparams = nparams;
	q->role = role;
	q->fn = fn;
	q->owner = owner;
	q->deadline = lws_now_usecs() + (lws_usec_t)pg.cfg->query_timeout_ms * 1000;
	queue_push(q, 0);
	dispatch_soon();
	return q;
}

/* Queues a parameterised query for the primary. */
struct pg_query *pg_submit(const char *sql, int nparams, const char *const *params, pg_result_fn fn, void *owner)
{
	return submit(ROLE_PRIMARY, sql, nparams, params, fn, owner);
}

/* Queues a parameterised ingestion call for the writer pool. */
struct pg_query *pg_submit_writer(const char *sql, int nparams, const char *const *params, pg_result_fn fn,
				  void *owner)
{
	return submit(ROLE_WRITER, sql, nparams, params, fn, owner);
}

/* Queues a parameterised read that tolerates replication lag. */
struct pg_query *pg_submit_read(const char *sql, int nparams, const char *const *params, pg_result_fn fn, void *owner)
{
	return submit(ROLE_READ, sql, nparams, params, fn, owner);
}

/* 1 when reads go to a standby, whose answers may lag behind the primary's notifications. */
int pg_reads_may_lag(void) { return pg.has_standby; }

/* Why the last query failed without a result. */
enum pg_failure pg_failure(void) { return pg.failure; }

/* Forgets a query: unlinked when still queued, muted when already running. */
void pg_cancel(struct pg_query *q)
{
	if (!q)
		return;
	if (q->running)
		q->fn = NULL;
	else if (!queue_unlink(q))
		query_free(q);
}

/* 1 while LISTEN is active. */
int pg_listen_is_up(void) { return pg.listener.state == PGC_IDLE; }

/* Stops reconnecting and calling callbacks. */
void pg_stop(void)
{
	pg.stopping = 1;
	lws_sul_cancel(&pg.dispatch_timer);
	for (int r = 0; r < ROLE_COUNT; r++)
		lws_sul_cancel(&pg.queues[r].timer);
	for (int i = -1; i < pg.npool; i++) {
		struct pgc *c = i < 0 ? &pg.listener : &pg.pool[i];
		lws_sul_cancel(&c->timer);
		lws_sul_cancel(&c->writable_timer);
		lws_sul_cancel(&c->query_timer);
	}
}

/* Frees every connection and query. */
void pg_free(void)
{
	struct pg_query *q;
	for (int i = -1; i < pg.npool; i++) {
		struct pgc *c = i < 0 ? &pg.listener : &pg.pool[i];
		c->wsi = NULL;
		if (c->current)
			query_free(c->current);
		PQclear(c->result);
		PQfinish(c->conn);
	}
	for (int r = 0; r < ROLE_COUNT; r++)
		while ((q = queue_pop(r)))
			query_free(q);
	free(pg.pool);
	memset(&pg, 0, sizeof(pg));
}

/* The "pg" protocol callback: socket readiness for the connection stored as opaque user data. */
int pg_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct pgc *c = lws_get_opaque_user_data(wsi);
	(void)user;
	(void)in;
	(void)len;
	switch (reason) {
	case LWS_CALLBACK_RAW_RX_FILE:
	case LWS_CALLBACK_RAW_WRITEABLE_FILE:
		if (!c)
			return -1;
		pgc_on_io(c, reason == LWS_CALLBACK_RAW_WRITEABLE_FILE);
		return 0;
	case LWS_CALLBACK_RAW_CLOSE_FILE:
		if (c && c->wsi == wsi) {
			c->wsi = NULL;
			pgc_lost(c, "socket closed");
		}
		return 0;
	default:
		return 0;
	}
}

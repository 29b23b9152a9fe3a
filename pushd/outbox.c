/* outbox.c: the alert deliverer.
 *
 * A claim (claim_alerts) leases up to the free --webhook-concurrency slots of due rows, at most
 * --webhook-per-destination in flight per webhook over every pushd of the database, FOR UPDATE SKIP
 * LOCKED: replicas claim side by side and each row goes to one of them. The lease lasts the request
 * timeout plus a margin, so the rows of a pushd that died mid-request are claimed again after it
 * (at least once across crashes). Each attempt ends with finish_alert: 2xx delivered, 410 failed and the
 * webhook disabled, 408/429/5xx/timeouts/connection errors retried after an exponential backoff with
 * jitter (or Retry-After when longer) until --webhook-max-age, anything else failed with its status.
 * All queries run on the writer pool, whose role needs variant_dashboard_delivery (scripts/roles.sql). */
#define _GNU_SOURCE
#include "outbox.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alertmsg.h"
#include "clock.h"
#include "log.h"
#include "pg.h"
#include "webhook.h"

/* The lease beyond the request timeout: time to record the verdict. */
#define LEASE_MARGIN_MS 5000

enum result { R_DELIVERED, R_RETRY, R_FAILED, R_GONE, R_DEAD, R_COUNT };
static const char *const result_names[R_COUNT] = {"delivered", "retry", "failed", "gone", "dead"};

/* One attempt in flight, then its verdict on its way to the database. */
struct delivery {
	struct alert a;
	char *lease_token;
	char *destination;   /* scheme://host[:port] only: paths and queries may hold tokens */
	int attempts;
	char *strings;       /* the row's texts, freed with it */
	json_t *payload;
	struct pg_query *q;
	struct delivery *next;
};

static struct {
	struct lws_context *ctx;
	const struct config *cfg;
	int in_flight;               /* requests running */
	struct pg_query *claim;      /* the claim in flight */
	struct pg_query *stats;      /* the queue statistics query in flight */
	int claim_again;             /* woken while a claim ran */
	int claim_failing;           /* the last claim failed (logged once per episode) */
	struct delivery *running;    /* deliveries whose request is in flight */
	struct delivery *finishing;  /* deliveries whose verdict is being written */
	unsigned long results[R_COUNT];
	long long queue_depth;
	double oldest_pending;
	lws_sorted_usec_list_t poll_timer, soon_timer, retry_timer;
	double retry_due;            /* monotonic time the retry timer fires; 0: not armed */
	int stopping;
} ob;

static void claim(void);

/* Frees a delivery. */
static void delivery_free(struct delivery *d)
{
	json_decref(d->payload);
	free(d->lease_token);
	free(d->destination);
	free(d->strings);
	free(d);
}

/* Timer: claims as soon as the loop is free (never from inside a pg or curl callback's caller chain). */
static void soon_cb(lws_sorted_usec_list_t *sul)
{
	(void)sul;
	claim();
}

void outbox_wake(void)
{
	if (ob.cfg && ob.cfg->webhook_concurrency && !ob.stopping)
		lws_sul_schedule(ob.ctx, 0, &ob.soon_timer, soon_cb, 1);
}

/* Timer: the earliest retry this pushd scheduled falls due. */
static void retry_cb(lws_sorted_usec_list_t *sul)
{
	(void)sul;
	ob.retry_due = 0;
	claim();
}

/* Claims again when a retry falls due, so a short backoff is not stretched to --webhook-poll-ms. */
static void arm_retry(double delay_ms)
{
	double due = now_mono() + delay_ms / 1000.0;
	if (ob.retry_due && ob.retry_due <= due)
		return;
	ob.retry_due = due;
	lws_sul_schedule(ob.ctx, 0, &ob.retry_timer, retry_cb, (lws_usec_t)(delay_ms * 1000.0) + 1);
}

/* The retry delay of an attempt: min * 2^(attempts-1) capped, jittered into [delay/2, delay], and at least
 * the destination's Retry-After. */
static double retry_delay_ms(int attempts, long retry_after)
{
	double delay = ob.cfg->webhook_retry_min_ms;
	for (int i = 1; i < attempts && delay < ob.cfg->webhook_retry_max_ms; i++)
		delay *= 2;
	if (delay > ob.cfg->webhook_retry_max_ms)
		delay = ob.cfg->webhook_retry_max_ms;
	delay = delay / 2 + (double)rand() / RAND_MAX * delay / 2;
	return retry_after * 1000.0 > delay ? retry_after * 1000.0 : delay;
}

/* What an answer (or its absence) means for the row. */
static enum result classify(const struct webhook_result *r)
{
	if (r->refused || r->curl_code == CURLE_UNSUPPORTED_PROTOCOL || r->curl_code == CURLE_URL_MALFORMAT)
		return R_FAILED; /* a policy refusal: retrying changes nothing */
	if (!r->status)
		return R_RETRY;
	if (r->status >= 200 && r->status < 300)
		return R_DELIVERED;
	if (r->status == 410)
		return R_GONE;
	if (r->status == 408 || r->status == 429 || r->status >= 500)
		return R_RETRY;
	return R_FAILED;
}

/* Logs one attempt as a JSON line: no body, no URL path or query, no secret. */
static void log_attempt(const struct delivery *d, const struct webhook_result *r, enum result res)
{
	log_event(res == R_DELIVERED ? LOG_INFO : LOG_WARN, "webhook_attempt", d->a.persona_id, NULL,
		  json_pack("{s:I,s:I,s:s,s:s,s:i,s:s,s:i,s:s?,s:I}", "outbox_id", (json_int_t)d->a.outbox_id, "webhook_id",
			    (json_int_t)d->a.webhook_id, "alert_type", d->a.alert_type, "destination", d->destination,
			    "attempt", d->attempts, "result", result_names[res], "http_status", (int)r->status, "error",
			    r->error, "duration_ms", (json_int_t)(r->seconds * 1000.0)));
}

/* Takes d out of a list. */
static void unlink_delivery(struct delivery **list, struct delivery *d)
{
	for (struct delivery **p = list; *p; p = &(*p)->next)
		if (*p == d) {
			*p = d->next;
			return;
		}
}

/* finish_alert's answer: counts a delivery that turned dead, then frees it. */
static void on_finished(void *owner, PGresult *res)
{
	struct delivery *d = owner;
	unlink_delivery(&ob.finishing, d);
	if (res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1 && !strcmp(PQgetvalue(res, 0, 0), "dead"))
		ob.results[R_DEAD]++;
	else if (!res || PQresultStatus(res) != PGRES_TUPLES_OK)
		log_event(LOG_WARN, "webhook_verdict_lost", d->a.persona_id, NULL,
			  json_pack("{s:I,s:s}", "outbox_id", (json_int_t)d->a.outbox_id, "error",
				    res ? PQresultErrorMessage(res) : "no database connection"));
	delivery_free(d);
}

/* Formats epoch seconds as an ISO 8601 UTC timestamp with milliseconds. */
static void iso_utc(double epoch, char *out, size_t len)
{
	time_t secs = (time_t)epoch;
	struct tm tm;
	gmtime_r(&secs, &tm);
	size_t n = strftime(out, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(out + n, len - n, ".%03dZ", (int)((epoch - (double)secs) * 1000.0));
}

/* Writes the attempt's verdict; the delivery waits on ob.finishing meanwhile. */
static void finish(struct delivery *d, enum result res, const struct webhook_result *r)
{
	static const char *const outcomes[R_COUNT] = {"delivered", "retry", "failed", "gone", "retry"};
	char id[32], status[16], retry_at[40], max_age[24];
	snprintf(id, sizeof(id), "%lld", d->a.outbox_id);
	snprintf(status, sizeof(status), "%ld", r->status);
	snprintf(max_age, sizeof(max_age), "%lld", (long long)ob.cfg->webhook_max_age * 1000);
	double delay_ms = retry_delay_ms(d->attempts, r->retry_after);
	iso_utc(now_epoch() + delay_ms / 1000.0, retry_at, sizeof(retry_at));
	if (res == R_RETRY)
		arm_retry(delay_ms);
	char error[300];
	if (r->status && res != R_DELIVERED)
		snprintf(error, sizeof(error), "HTTP %ld", r->status);
	else
		snprintf(error, sizeof(error), "%s", r->error ? r->error : "");
	const char *params[7] = {id, d->lease_token, outcomes[res], r->status ? status : NULL, *error ? error : NULL,
				 res == R_RETRY ? retry_at : NULL, max_age};
	d->next = ob.finishing;
	ob.finishing = d;
	d->q = pg_submit_writer("SELECT variant_dashboard.finish_alert($1, $2, $3, $4, $5, $6, $7)", 7, params,
				on_finished, d);
	if (!d->q)
		on_finished(d, NULL); /* the lease runs out and the row is claimed again */
}

/* webhook.c's callback: one attempt ended. */
static void on_answer(void *owner, const struct webhook_result *r)
{
	struct delivery *d = owner;
	enum result res = classify(r);
	unlink_delivery(&ob.running, d);
	ob.in_flight--;
	ob.results[res]++;
	log_attempt(d, r, res);
	finish(d, res, r);
	outbox_wake();
}

/* The headers of a POST: content type, delivery id and, with a secret, the signature. */
static struct curl_slist *delivery_headers(const struct delivery *d, const char *secret, const char *body)
{
	char line[256], sig[160];
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	snprintf(line, sizeof(line), "X-Variant-Dashboard-Delivery: %lld", d->a.outbox_id);
	h = h ? curl_slist_append(h, line) : NULL;
	h = h ? curl_slist_append(h, "Expect:") : NULL; /* no 100-continue round trip */
	if (h && secret && alertmsg_signature(secret, (long long)now_epoch(), body, sig, sizeof(sig)) == 0) {
		snprintf(line, sizeof(line), "X-Variant-Dashboard-Signature: %s", sig);
		h = curl_slist_append(h, line);
	}
	return h;
}

/* The destination without path, query or credentials, for logs. */
static char *destination_of(const char *url)
{
	const char *host = strstr(url, "://");
	size_t end = host ? (size_t)(host - url) + 3 + strcspn(host + 3, "/?#") : strlen(url);
	return strndup(url, end);
}

/* Builds a delivery from claim row i (columns as claim_alerts returns them); NULL on failure. */
static struct delivery *delivery_from_row(PGresult *res, int i)
{
	struct delivery *d = calloc(1, sizeof(*d));
	if (!d)
		return NULL;
	d->a.outbox_id = atoll(PQgetvalue(res, i, 0));
	d->lease_token = strdup(PQgetvalue(res, i, 1));
	d->attempts = atoi(PQgetvalue(res, i, 2));
	d->a.webhook_id = atoll(PQgetvalue(res, i, 4));
	d->destination = destination_of(PQgetvalue(res, i, 5));
	/* one block for the texts the alert points into */
	size_t n = strlen(PQgetvalue(res, i, 3)) + strlen(PQgetvalue(res, i, 8)) + strlen(PQgetvalue(res, i, 9)) +
		   strlen(PQgetvalue(res, i, 10)) + 4;
	d->strings = malloc(n);
	d->payload = json_loads(PQgetvalue(res, i, 12), 0, NULL);
	if (!d->lease_token || !d->destination || !d->strings || !d->payload) {
		delivery_free(d);
		return NULL;
	}
	char *p = d->strings;
	d->a.created_at = p;
	p = stpcpy(p, PQgetvalue(res, i, 3)) + 1;
	d->a.alert_type = p;
	p = stpcpy(p, PQgetvalue(res, i, 8)) + 1;
	d->a.persona_id = p;
	p = stpcpy(p, PQgetvalue(res, i, 9)) + 1;
	d->a.variant_id = PQgetisnull(res, i, 10) ? NULL : p;
	stpcpy(p, PQgetvalue(res, i, 10));
	d->a.event_id = atoll(PQgetvalue(res, i, 11));
	d->a.payload = d->payload;
	return d;
}

/* Starts the POST of claim row i. */
static void deliver_row(PGresult *res, int i)
{
	struct delivery *d = delivery_from_row(res, i);
	if (!d)
		return; /* out of memory: the lease runs out and the row comes back */
	const char *format = PQgetvalue(res, i, 6);
	char *body = !strcmp(format, "slack") ? alertmsg_slack(&d->a, ob.cfg->public_url) : alertmsg_json(&d->a);
	const char *secret = PQgetisnull(res, i, 7) ? NULL : PQgetvalue(res, i, 7);
	struct curl_slist *headers = body ? delivery_headers(d, secret, body) : NULL;
	if (!headers || webhook_post(PQgetvalue(res, i, 5), body, headers, on_answer, d)) {
		free(body);
		delivery_free(d);
		return;
	}
	free(body);
	d->next = ob.running;
	ob.running = d;
	ob.in_flight++;
}

/* claim_alerts' answer: starts each row's POST; claims again when the claim came back full. */
static void on_claimed(void *owner, PGresult *res)
{
	int asked = (int)(long)owner;
	ob.claim = NULL;
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK) {
		if (!ob.claim_failing)
			log_event(LOG_WARN, "webhook_claim_failed", NULL, NULL,
				  json_pack("{s:s}", "error", res ? PQresultErrorMessage(res) : "no database connection"));
		ob.claim_failing = 1;
		return;
	}
	ob.claim_failing = 0;
	for (int i = 0; i < PQntuples(res); i++)
		deliver_row(res, i);
	if (PQntuples(res) == asked || ob.claim_again) {
		ob.claim_again = 0;
		outbox_wake();
	}
}

/* Claims as many due rows as there are free slots. */
static void claim(void)
{
	int free_slots = ob.cfg->webhook_concurrency - ob.in_flight;
	if (ob.stopping || free_slots <= 0)
		return;
	if (ob.claim) {
		ob.claim_again = 1;
		return;
	}
	char max_rows[16], per_webhook[16], lease_ms[16];
	snprintf(max_rows, sizeof(max_rows), "%d", free_slots);
	snprintf(per_webhook, sizeof(per_webhook), "%d", ob.cfg->webhook_per_destination);
	snprintf(lease_ms, sizeof(lease_ms), "%d", ob.cfg->webhook_timeout_ms + LEASE_MARGIN_MS);
	const char *params[3] = {max_rows, per_webhook, lease_ms};
	ob.claim = pg_submit_writer("SELECT * FROM variant_dashboard.claim_alerts($1, $2, $3)", 3, params, on_claimed,
				    (void *)(long)free_slots);
}

/* alert_queue_stats' answer: the /metrics gauges. */
static void on_stats(void *owner, PGresult *res)
{
	(void)owner;
	ob.stats = NULL;
	if (res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1) {
		ob.queue_depth = atoll(PQgetvalue(res, 0, 0));
		ob.oldest_pending = atof(PQgetvalue(res, 0, 1));
	}
}

/* Timer: the periodic claim (retries falling due, expired leases) and the queue statistics. */
static void poll_cb(lws_sorted_usec_list_t *sul)
{
	(void)sul;
	claim();
	if (!ob.stats && !ob.stopping)
		ob.stats = pg_submit_writer("SELECT * FROM variant_dashboard.alert_queue_stats()", 0, NULL, on_stats, NULL);
	lws_sul_schedule(ob.ctx, 0, &ob.poll_timer, poll_cb, (lws_usec_t)ob.cfg->webhook_poll_ms * 1000);
}

int outbox_init(struct lws_context *ctx, const struct config *cfg)
{
	ob.ctx = ctx;
	ob.cfg = cfg;
	if (!cfg->webhook_concurrency)
		return 0;
	srand((unsigned)(now_epoch() * 1000.0));
	lws_sul_schedule(ctx, 0, &ob.poll_timer, poll_cb, 1);
	return 0;
}

void outbox_metrics_render(FILE *out)
{
	fprintf(out, "# HELP dashboard_webhook_deliveries_total Webhook delivery attempts by result (dead: retries "
		     "ran out)\n# TYPE dashboard_webhook_deliveries_total counter\n");
	for (int i = 0; i < R_COUNT; i++)
		fprintf(out, "dashboard_webhook_deliveries_total{result=\"%s\"} %lu\n", result_names[i], ob.results[i]);
	fprintf(out, "# HELP dashboard_webhook_queue_depth Pending alert deliveries in the outbox\n"
		     "# TYPE dashboard_webhook_queue_depth gauge\ndashboard_webhook_queue_depth %lld\n"
		     "# HELP dashboard_webhook_oldest_pending_seconds Age of the oldest pending alert delivery\n"
		     "# TYPE dashboard_webhook_oldest_pending_seconds gauge\ndashboard_webhook_oldest_pending_seconds %.3f\n"
		     "# HELP dashboard_webhook_in_flight Webhook requests running in this pushd\n"
		     "# TYPE dashboard_webhook_in_flight gauge\ndashboard_webhook_in_flight %d\n",
		ob.queue_depth, ob.oldest_pending, ob.in_flight);
}

void outbox_stop(void)
{
	ob.stopping = 1;
	lws_sul_cancel(&ob.poll_timer);
	lws_sul_cancel(&ob.soon_timer);
	lws_sul_cancel(&ob.retry_timer);
	while (ob.running) { /* webhook_stop() drops their requests without calling back */
		struct delivery *d = ob.running;
		ob.running = d->next;
		delivery_free(d);
	}
	while (ob.finishing) {
		struct delivery *d = ob.finishing;
		ob.finishing = d->next;
		pg_cancel(d->q);
		delivery_free(d);
	}
}

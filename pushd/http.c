/* http.c: REST endpoints answered asynchronously from the query pool, plus health and metrics. */
#include "http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libpq-fe.h>

#include "auth.h"
#include "clientaddr.h"
#include "cors.h"
#include "framing.h"
#include "httpconn.h"
#include "ratelimit.h"
#include "log.h"
#include "metrics.h"
#include "msg.h"
#include "persona.h"
#include "pg.h"
#include "url.h"

struct http_req {
	struct lws *wsi;
	char path[512];
	int path_cut;           /* the path did not fit: it matches no route (never one matched on a cut path) */
	const char *endpoint;   /* metrics label */
	const char *post_sql;   /* the ingestion function a POST calls */
	int status;
	const char *content_type;
	struct msg *body;       /* the response, with LWS_PRE headroom */
	struct pg_query *q;
	char *token;            /* with access control: the request's token, NULL when it has none */
	char *post;             /* request body being read */
	size_t post_len;
	int post_too_big;
	int head;               /* HEAD: the GET answer's headers without its body */
	char ip[CLIENT_ADDR_MAX];
	double start;
};

/* What a GET route takes from the request besides the persona id in its path. */
enum route_kind {
	ROUTE_PERSONA,  /* prefix{persona_id}suffix: $1 */
	ROUTE_VARIANT,  /* prefix{persona_id}/{variant_id}: $1, $2; no row is a 404 */
	ROUTE_HISTORY,  /* prefix{persona_id}?from=&to=&max_points=&variant_id=: $1 to $5 */
	ROUTE_PERSONAS, /* the path is prefix: $1 is the token's persona ids as a JSON array, NULL for all */
};

struct get_route {
	const char *prefix, *suffix, *sql, *endpoint;
	enum route_kind kind;
};

struct post_route {
	const char *path, *sql, *endpoint;
};

/* The history range: from defaults to one hour before to, to to the database's now(). */
static const char history_sql[] =
	"SELECT variant_dashboard.variant_history($1::text, coalesce(to_timestamp($2::float8), "
	"coalesce(to_timestamp($3::float8), now()) - interval '1 hour'), coalesce(to_timestamp($3::float8), now()), "
	"$4::integer, $5::text)::text";
/* The variant only when it belongs to the persona: another persona's variant is as unknown as a missing one. */
static const char variant_sql[] =
	"SELECT variant_dashboard.variant_detail(v.id)::text FROM variant_dashboard.variants AS v "
	"WHERE v.persona_id = $1 AND v.id = $2";
static const char personas_sql[] =
	"SELECT jsonb_build_object('personas', coalesce(jsonb_agg(to_jsonb(p) ORDER BY p.persona_id), '[]'))::text "
	"FROM variant_dashboard.personas() AS p WHERE $1::jsonb IS NULL OR $1::jsonb ? p.persona_id";

/* The first match wins: /api/variants/{persona_id}/active before /api/variants/{persona_id}/{variant_id}. */
static const struct get_route get_routes[] = {
	{"/api/metrics/", "", "SELECT variant_dashboard.dashboard_metrics($1)::text", "api_metrics", ROUTE_PERSONA},
	{"/api/variants/", "/active", "SELECT variant_dashboard.active_variants($1)::text", "api_active_variants",
	 ROUTE_PERSONA},
	{"/api/optimization/", "", "SELECT variant_dashboard.optimization_suggestions($1)::text", "api_optimization",
	 ROUTE_PERSONA},
	{"/api/fatigue/", "", "SELECT variant_dashboard.fatigue_warnings($1)::text", "api_fatigue", ROUTE_PERSONA},
	{"/api/probabilities/", "", "SELECT variant_dashboard.variant_probabilities($1)::text", "api_probabilities",
	 ROUTE_PERSONA},
	{"/api/history/", "", history_sql, "api_history", ROUTE_HISTORY},
	{"/api/variants/", NULL, variant_sql, "api_variant", ROUTE_VARIANT},
	{"/api/personas", NULL, personas_sql, "api_personas", ROUTE_PERSONAS},
};

static const struct post_route post_routes[] = {
	{"/api/events/performance-update", "SELECT variant_dashboard.handle_performance_update($1, $2::jsonb)",
	 "api_performance_update"},
	{"/api/events/early-kill", "SELECT variant_dashboard.handle_early_kill_event($1, $2::jsonb)", "api_early_kill"},
};

static const struct config *cfg;

/* Keeps the configuration for body limits. */
void http_init(const struct config *config) { cfg = config; }

/* Encodes a JSON value (consumed) as a response body. */
static struct msg *json_body(json_t *value)
{
	struct msg *m = value ? msg_from_json(value) : NULL;
	json_decref(value);
	return m;
}

/* Sets the response and asks for WRITEABLE to send it; a NULL body becomes a 500. */
static void http_respond(struct http_req *r, int status, const char *content_type, struct msg *body)
{
	if (!body) {
		status = HTTP_STATUS_INTERNAL_SERVER_ERROR;
		body = msg_new("{\"error\":\"out of memory\"}", 25, 0, 0);
	}
	r->status = status;
	r->content_type = content_type;
	r->body = body;
	lws_callback_on_writable(r->wsi);
}

/* Responds {"error": message}. */
static void http_error(struct http_req *r, int status, const char *message)
{
	http_respond(r, status, "application/json", json_body(json_pack("{s:s}", "error", message)));
}

/* The REST status of a SQLSTATE: a specific code before its class, the first match wins (README: REST errors). */
static const struct {
	const char *prefix;
	int status;
} sqlstate_statuses[] = {
	{"23505", 409}, /* unique_violation: the kill lost a race to another */
	{"55000", 409}, /* object_not_in_prerequisite_state: variant already killed */
	{"23503", 404}, /* foreign_key_violation: unknown variant */
	{"57014", 504}, /* query_canceled: statement_timeout, or pushd's cancel */
	{"55P03", 504}, /* lock_not_available: lock_timeout */
	{"40P01", 503}, /* deadlock_detected: retryable */
	{"40001", 503}, /* serialization_failure: retryable */
	{"22", 400},    /* data exception: the caller's values */
	{"23", 400},    /* other integrity constraints: the caller's values */
	{"P0", 400},    /* raised by the extension's checks */
	{"02", 400},    /* no data */
	{"42704", 400}, /* undefined_object named in the input */
	{"08", 503},    /* connection exception */
	{"53", 503},    /* insufficient resources */
	{"57", 503},    /* operator intervention: shutdown, crash recovery */
};

/* Maps a failed query's SQLSTATE to a status; 500 for anything unexpected (a bug, not the caller's mistake). */
static int pg_error_status(const char *state)
{
	for (size_t i = 0; state && i < sizeof(sqlstate_statuses) / sizeof(sqlstate_statuses[0]); i++)
		if (!strncmp(state, sqlstate_statuses[i].prefix, strlen(sqlstate_statuses[i].prefix)))
			return sqlstate_statuses[i].status;
	return HTTP_STATUS_INTERNAL_SERVER_ERROR;
}

/* Answers a query that ended without a result (pg_failure() says why): 503 or 504, logged. */
static void http_no_result(struct http_req *r)
{
	enum pg_failure why = pg_failure();
	int status = why == PG_FAIL_TIMEOUT ? HTTP_STATUS_GATEWAY_TIMEOUT : HTTP_STATUS_SERVICE_UNAVAILABLE;
	const char *message = why == PG_FAIL_TIMEOUT ? "query timed out"
			      : why == PG_FAIL_BUSY  ? "database busy: no connection free in time"
						     : "database unavailable";
	log_event(LOG_WARN, "query_failed", NULL, r->ip,
		  json_pack("{s:s,s:i,s:s}", "path", r->path, "status", status, "error", message));
	http_error(r, status, message);
}

/* Responds with the database's own error message (and hint) for a failed query; 5xx answers are logged. */
static void http_pg_error(struct http_req *r, const PGresult *res)
{
	if (!res) {
		http_no_result(r);
		return;
	}
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	const char *primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
	const char *hint = PQresultErrorField(res, PG_DIAG_MESSAGE_HINT);
	int status = pg_error_status(state);
	json_t *err = json_pack("{s:s,s:s}", "error", primary ? primary : "query failed", "sqlstate", state ? state : "");
	if (hint)
		json_object_set_new(err, "hint", json_string(hint));
	if (status >= 500)
		log_event(status == HTTP_STATUS_INTERNAL_SERVER_ERROR ? LOG_ERROR : LOG_WARN, "query_failed", NULL, r->ip,
			  json_pack("{s:s,s:i,s:s,s:s}", "path", r->path, "status", status, "sqlstate", state ? state : "",
				    "error", primary ? primary : ""));
	http_respond(r, status, "application/json", json_body(err));
}

/* A GET query finished: its single jsonb value is the response; no row (a variant route) is a 404. */
static void get_done(void *owner, PGresult *res)
{
	struct http_req *r = owner;
	r->q = NULL;
	if (res && PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 0) {
		http_error(r, HTTP_STATUS_NOT_FOUND, "variant not found in this persona");
		return;
	}
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		http_pg_error(r, res);
		return;
	}
	const char *value = PQgetisnull(res, 0, 0) ? "null" : PQgetvalue(res, 0, 0);
	http_respond(r, HTTP_STATUS_OK, "application/json", msg_new(value, strlen(value), 0, 0));
}

/* An ingestion call finished: 200 with the event id (null when the update was stale). */
static void post_done(void *owner, PGresult *res)
{
	struct http_req *r = owner;
	r->q = NULL;
	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK || PQntuples(res) != 1) {
		http_pg_error(r, res);
		return;
	}
	int stale = PQgetisnull(res, 0, 0);
	json_t *ok = json_pack("{s:s,s:o}", "status", stale ? "unchanged" : "success", "event_id",
			       stale ? json_null() : json_integer(strtoll(PQgetvalue(res, 0, 0), NULL, 10)));
	http_respond(r, HTTP_STATUS_OK, "application/json", json_body(ok));
}

/* Submits a query for the request (ingestion on the writer pool, reads on the readers), or answers 503 when it
 * cannot be queued. */
static void http_query(struct http_req *r, const char *sql, int nparams, const char *const *params, pg_result_fn fn)
{
	r->q = (r->post_sql ? pg_submit_writer : pg_submit_read)(sql, nparams, params, fn, r);
	if (!r->q)
		http_no_result(r);
}

/* Answers the endpoints that need no database; returns 0 when the path is not one of them. */
static int http_local(struct http_req *r)
{
	size_t len;
	char *text;
	int ready = pg_listen_is_up();

	if (!strcmp(r->path, "/")) {
		r->endpoint = "root";
		http_respond(r, HTTP_STATUS_OK, "application/json",
			     json_body(json_pack("{s:s,s:s}", "status", "healthy", "service", "variant-dashboard-api")));
	} else if (!strcmp(r->path, "/healthz")) {
		r->endpoint = "healthz";
		http_respond(r, HTTP_STATUS_OK, "application/json", json_body(json_pack("{s:s}", "status", "ok")));
	} else if (!strcmp(r->path, "/readyz")) {
		r->endpoint = "readyz";
		http_respond(r, ready ? HTTP_STATUS_OK : HTTP_STATUS_SERVICE_UNAVAILABLE, "application/json",
			     json_body(json_pack("{s:s}", "status", ready ? "ready" : "database unavailable")));
	} else if (!strcmp(r->path, "/metrics")) {
		r->endpoint = "metrics";
		text = metrics_render(&len);
		http_respond(r, HTTP_STATUS_OK, "text/plain; version=0.0.4", text ? msg_new(text, len, 0, 0) : NULL);
		free(text);
	} else {
		return 0;
	}
	return 1;
}

/* The length of the persona id when path is one of route's; 0 when not (ROUTE_PERSONAS: 1 for its path). */
static size_t route_match(const struct get_route *route, const char *path, const char **variant)
{
	switch (route->kind) {
	case ROUTE_VARIANT:
		return url_persona_segment(path, route->prefix, variant);
	case ROUTE_PERSONAS:
		return !strcmp(path, route->prefix);
	default:
		return url_persona_match(path, route->prefix, route->suffix);
	}
}

/* Routes a GET path to an API route: its index, or -1; persona gets the id (empty when invalid), *variant the
 * variant id of a variant route (else NULL). */
int http_get_route(const char *path, char *persona, const char **variant)
{
	*variant = NULL;
	*persona = '\0';
	for (size_t i = 0; i < sizeof(get_routes) / sizeof(get_routes[0]); i++) {
		size_t idlen = route_match(&get_routes[i], path, variant);
		if (!idlen)
			continue;
		if (get_routes[i].kind == ROUTE_PERSONAS)
			return (int)i;
		const char *id = path + strlen(get_routes[i].prefix);
		snprintf(persona, PERSONA_ID_MAX + 1, "%.*s", persona_id_valid(id, idlen) ? (int)idlen : 0, id);
		return (int)i;
	}
	return -1;
}

/* Answers a refused token (status 401/403, why), counted and logged; returns 1, or 0 when status is 0. */
static int http_token_refused(struct http_req *r, int status, const char *why)
{
	if (!status)
		return 0;
	metrics_inc(M_AUTH_REFUSED);
	log_event(LOG_INFO, "auth_refused", NULL, r->ip, json_pack("{s:s,s:i,s:s}", "path", r->path, "status", status,
								    "reason", why));
	http_error(r, status, why);
	return 1;
}

/* With access control, checks the request's token for persona (and the write scope when write is 1);
 * answers 401/403 and returns 1 when refused, 0 when the request may proceed. */
static int http_auth_refused(struct http_req *r, const char *persona, int write)
{
	const char *why = NULL;
	int status = auth_enabled() ? auth_check(r->token, persona, write, NULL, &why) : 0;
	return http_token_refused(r, status, why);
}

/* GET /api/personas: the personas the token may read (every persona without access control). */
static void http_get_personas(struct http_req *r, const char *sql)
{
	char *readable = NULL;
	const char *why = NULL;
	int status = auth_enabled() ? auth_readable_personas(r->token, &readable, &why) : 0;
	if (http_token_refused(r, status, why))
		return;
	const char *params[] = {readable};
	http_query(r, sql, 1, params, get_done);
	free(readable);
}

/* Copies the value of the query argument name ("from") into buf; returns 1, 0 when absent, -1 when given twice
 * or longer than size. Every argument is looked at, however long the ones before it (an access_token). */
static int http_query_arg(struct http_req *r, const char *name, char *buf, size_t size)
{
	int total = lws_hdr_total_length(r->wsi, WSI_TOKEN_HTTP_URI_ARGS) + 1, found = 0;
	char *frag = total > 1 ? malloc((size_t)total) : NULL;
	size_t len = strlen(name);
	for (int i = 0; frag && lws_hdr_copy_fragment(r->wsi, frag, total, WSI_TOKEN_HTTP_URI_ARGS, i) >= 0; i++) {
		if (strncmp(frag, name, len) || frag[len] != '=')
			continue;
		if (found++ || strlen(frag + len + 1) >= size) {
			found = -1;
			break;
		}
		memcpy(buf, frag + len + 1, strlen(frag + len + 1) + 1);
	}
	free(frag);
	return found;
}

/* Reads the time argument name as epoch seconds text into out (empty when absent); returns -1 when invalid. */
static int http_time_arg(struct http_req *r, const char *name, char *out, size_t size)
{
	char value[64];
	double epoch;
	int found = http_query_arg(r, name, value, sizeof(value));
	*out = '\0';
	if (found > 0 && !url_time(value, &epoch))
		snprintf(out, size, "%.6f", epoch);
	return found < 0 || (found && !*out) ? -1 : 0;
}

/* GET /api/history/{persona_id}: checks from, to, max_points and variant_id (400 with what is wrong), then
 * variant_history. */
static void http_get_history(struct http_req *r, const char *sql, const char *persona)
{
	char from[40], to[40], points[16] = "240", variant[VARIANT_ID_MAX + 1];
	long max_points = 0;
	int has_points = http_query_arg(r, "max_points", points, sizeof(points));
	int has_variant = http_query_arg(r, "variant_id", variant, sizeof(variant));
	const char *error = NULL;

	if (http_time_arg(r, "from", from, sizeof(from)) || http_time_arg(r, "to", to, sizeof(to)))
		error = "from and to must be ISO 8601 date-times with Z or an offset (2026-03-01T10:00:00Z) or epoch seconds";
	else if (*from && *to && strtod(from, NULL) >= strtod(to, NULL))
		error = "from must be before to";
	else if (has_points < 0 || url_int_in(points, 2, 2000, &max_points))
		error = "max_points must be an integer from 2 to 2000";
	else if (has_variant < 0 || (has_variant && !variant_id_valid(variant, strlen(variant))))
		error = "invalid variant id";
	if (error) {
		http_error(r, HTTP_STATUS_BAD_REQUEST, error);
		return;
	}
	const char *params[] = {persona, *from ? from : NULL, *to ? to : NULL, points, has_variant ? variant : NULL};
	http_query(r, sql, 5, params, get_done);
}

/* Routes a GET request. */
static void http_get(struct http_req *r)
{
	char persona[PERSONA_ID_MAX + 1];
	const char *variant;
	if (http_local(r))
		return;
	int i = r->path_cut ? -1 : http_get_route(r->path, persona, &variant);
	const struct get_route *route = i < 0 ? NULL : &get_routes[i];
	r->endpoint = route ? route->endpoint : "not_found";
	if (!route) {
		http_error(r, HTTP_STATUS_NOT_FOUND, "not found");
	} else if (route->kind == ROUTE_PERSONAS) {
		http_get_personas(r, route->sql);
	} else if (!*persona) {
		http_error(r, HTTP_STATUS_BAD_REQUEST, "invalid persona id");
	} else if (variant && !variant_id_valid(variant, strlen(variant))) {
		http_error(r, HTTP_STATUS_BAD_REQUEST, "invalid variant id");
	} else if (!http_auth_refused(r, persona, 0)) {
		const char *params[] = {persona, variant};
		if (route->kind == ROUTE_HISTORY)
			http_get_history(r, route->sql, persona);
		else
			http_query(r, route->sql, variant ? 2 : 1, params, get_done);
	}
}

/* Calls the ingestion function with variant_id and the other keys of the body as jsonb. */
static void http_post_call(struct http_req *r, json_t *body)
{
	json_t *variant = json_object_get(body, "variant_id");
	if (!json_is_string(variant)) {
		http_error(r, HTTP_STATUS_BAD_REQUEST, "variant_id must be a string");
		return;
	}
	char *variant_id = strdup(json_string_value(variant));
	json_object_del(body, "variant_id");
	char *data = json_dumps(body, JSON_COMPACT);
	const char *params[] = {variant_id, data};
	if (variant_id && data)
		http_query(r, r->post_sql, 2, params, post_done);
	else
		http_error(r, HTTP_STATUS_INTERNAL_SERVER_ERROR, "out of memory");
	free(variant_id);
	free(data);
}

/* A complete POST body: size, JSON shape and token checks, then the ingestion call. */
static void http_post_body(struct http_req *r)
{
	json_error_t error;
	json_t *body = r->post_too_big ? NULL : json_loadb(r->post ? r->post : "", r->post_len, 0, &error);
	const char *persona = json_string_value(json_object_get(body, "persona_id")); /* what the token must cover */

	if (r->post_too_big)
		http_error(r, HTTP_STATUS_REQ_ENTITY_TOO_LARGE, "body too large");
	else if (!body && json_error_code(&error) == json_error_numeric_overflow)
		http_error(r, HTTP_STATUS_BAD_REQUEST, "number out of range: an integer must lie within "
						      "[-9223372036854775808, 9223372036854775807] and a real be a finite double");
	else if (!json_is_object(body))
		http_error(r, HTTP_STATUS_BAD_REQUEST, "body must be a JSON object");
	else if (!http_auth_refused(r, persona ? persona : "", 1))
		http_post_call(r, body);
	json_decref(body);
}

/* Appends a chunk of the request body, up to --max-body-size. */
static void http_post_chunk(struct http_req *r, const char *in, size_t len)
{
	if (r->post_too_big || r->post_len + len > (size_t)cfg->max_body_size) {
		r->post_too_big = 1;
		return;
	}
	char *grown = realloc(r->post, r->post_len + len + 1);
	if (!grown) {
		r->post_too_big = 1;
		return;
	}
	r->post = grown;
	memcpy(r->post + r->post_len, in, len);
	r->post_len += len;
}

/* Routes a POST request; the body is handled when complete. Returns 1 when there is no body to wait for. */
static int http_post(struct http_req *r)
{
	char length[24] = "";
	if (!cors_write_allowed(r->wsi)) { /* a browser on another site: no preflight guards a simple POST */
		r->endpoint = "origin_refused";
		metrics_inc(M_ORIGIN_REFUSED);
		http_error(r, HTTP_STATUS_FORBIDDEN, "origin not allowed");
		return 1;
	}
	for (size_t i = 0; i < sizeof(post_routes) / sizeof(post_routes[0]); i++)
		if (!strcmp(r->path, post_routes[i].path)) {
			r->endpoint = post_routes[i].endpoint;
			r->post_sql = post_routes[i].sql;
		}
	if (!r->post_sql) {
		r->endpoint = "not_found";
		http_error(r, HTTP_STATUS_NOT_FOUND, "not found");
		return 1;
	}
	lws_hdr_copy(r->wsi, length, sizeof(length), WSI_TOKEN_HTTP_CONTENT_LENGTH); /* checked by http_filter */
	if (atoll(length) > 0)
		return 0;
	http_post_body(r);
	return 1;
}

/* Answers a CORS preflight: 204 with the allowed methods and headers, 403 for an origin not allowed. */
static void http_preflight(struct http_req *r)
{
	r->endpoint = "preflight";
	if (cors_request_allowed(r->wsi)) {
		http_respond(r, HTTP_STATUS_NO_CONTENT, "text/plain", msg_new("", 0, 0, 0));
		return;
	}
	metrics_inc(M_ORIGIN_REFUSED);
	http_error(r, HTTP_STATUS_FORBIDDEN, "origin not allowed");
}

/* Frees a request, cancelling its query. */
static void http_req_free(struct http_req **slot)
{
	struct http_req *r = *slot;
	if (!r)
		return;
	pg_cancel(r->q);
	msg_unref(r->body);
	free(r->post);
	free(r->token);
	free(r);
	*slot = NULL;
}

/* A new request on this connection. */
static int http_start(struct lws *wsi, struct http_req **slot, const char *uri)
{
	http_req_free(slot);
	struct http_req *r = calloc(1, sizeof(*r));
	if (!r)
		return -1;
	*slot = r;
	r->wsi = wsi;
	r->start = now_mono();
	r->endpoint = "unknown";
	r->path_cut = snprintf(r->path, sizeof(r->path), "%s", uri) >= (int)sizeof(r->path);
	client_addr(wsi, r->ip, sizeof(r->ip));
	if (auth_enabled() && (r->token = malloc(AUTH_TOKEN_MAX)) && !auth_request_token(wsi, r->token)) {
		free(r->token); /* kept while the headers are at hand: a POST checks it once its body is in */
		r->token = NULL;
	}
	if (lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI))
		http_post(r);
	else if (lws_hdr_total_length(wsi, WSI_TOKEN_GET_URI) || (r->head = lws_hdr_total_length(wsi, WSI_TOKEN_HEAD_URI) > 0))
		http_get(r);
	else if (lws_hdr_total_length(wsi, WSI_TOKEN_OPTIONS_URI))
		http_preflight(r);
	else
		http_error(r, HTTP_STATUS_METHOD_NOT_ALLOWED, "method not allowed");
	return 0;
}

/* Writes the status line and headers of a response; a 204 is a CORS preflight answer. */
static int http_write_headers(struct lws *wsi, int status, const char *content_type, size_t len)
{
	unsigned char buf[LWS_PRE + 1024], *start = buf + LWS_PRE, *p = start, *end = buf + sizeof(buf) - 1;
	if (lws_add_http_common_headers(wsi, (unsigned)status, content_type, len, &p, end) ||
	    cors_add_headers(wsi, status == HTTP_STATUS_NO_CONTENT, &p, end) ||
	    lws_add_http_header_by_name(wsi, (const unsigned char *)"cache-control:",
					(const unsigned char *)"no-store", 8, &p, end) ||
	    (status == HTTP_STATUS_UNAUTHORIZED &&
	     lws_add_http_header_by_name(wsi, (const unsigned char *)"www-authenticate:",
					 (const unsigned char *)"Bearer", 6, &p, end)) ||
	    ((status == 429 || status == 503) && lws_add_http_header_by_name(wsi, (const unsigned char *)"retry-after:",
							  (const unsigned char *)"1", 1, &p, end)))
		return -1;
	return lws_finalize_write_http_header(wsi, start, &p, end) ? -1 : 0;
}

/* WRITEABLE: headers and body of the response, then the transaction ends. */
static int http_writeable(struct http_req **slot)
{
	struct http_req *r = *slot;
	if (!r || !r->body)
		return 0;
	struct lws *wsi = r->wsi;
	if (http_write_headers(wsi, r->status, r->content_type, r->body->len) ||
	    (!r->head && lws_write(wsi, msg_text(r->body), r->body->len, LWS_WRITE_HTTP_FINAL) < 0))
		return -1;
	metrics_request(r->endpoint, r->status);
	log_event(r->status >= 500 ? LOG_WARN : LOG_INFO, "http_request", NULL, r->ip,
		  json_pack("{s:s,s:i,s:f}", "path", r->path, "status", r->status, "duration_ms",
			    (now_mono() - r->start) * 1000.0));
	http_req_free(slot);
	if (lws_http_transaction_completed(wsi))
		return -1;
	httpconn_answered(wsi);
	return 0;
}

/* Answers a request at once with {"error":message}. */
void http_refuse(struct lws *wsi, int status, const char *message)
{
	json_t *err = json_pack("{s:s}", "error", message);
	struct msg *body = json_body(err);
	if (body && !http_write_headers(wsi, status, "application/json", body->len))
		lws_write(wsi, msg_text(body), body->len, LWS_WRITE_HTTP_FINAL);
	msg_unref(body);
}

/* The request line and headers as framing_check sees them. */
static void framing_head_of(struct lws *wsi, struct framing_head *h, char lengths[][FRAMING_LENGTH_TEXT])
{
	static const enum lws_token_indexes uris[] = {WSI_TOKEN_GET_URI, WSI_TOKEN_POST_URI, WSI_TOKEN_OPTIONS_URI,
						      WSI_TOKEN_PUT_URI, WSI_TOKEN_PATCH_URI, WSI_TOKEN_DELETE_URI,
						      WSI_TOKEN_HEAD_URI};
	memset(h, 0, sizeof(*h));
	h->has_body = lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI) || lws_hdr_total_length(wsi, WSI_TOKEN_PUT_URI) ||
		      lws_hdr_total_length(wsi, WSI_TOKEN_PATCH_URI);
	for (int t = 0; t < (int)WSI_TOKEN_COUNT; t++)
		h->header_len += (size_t)lws_hdr_total_length(wsi, (enum lws_token_indexes)t);
	h->url_len = (size_t)lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_URI_ARGS);
	for (size_t i = 0; i < sizeof(uris) / sizeof(uris[0]); i++)
		h->url_len += (size_t)lws_hdr_total_length(wsi, uris[i]);
	if (lws_hdr_total_length(wsi, WSI_TOKEN_HTTP_TRANSFER_ENCODING) > 0)
		h->transfer_encoding = "present";
	for (int f = 0; lws_hdr_fragment_length(wsi, WSI_TOKEN_HTTP_CONTENT_LENGTH, f) > 0; f++) {
		size_t i = h->n_content_length++;
		if (i < FRAMING_MAX_LENGTHS) /* NULL (invalid) when it does not fit */
			h->content_length[i] = lws_hdr_copy_fragment(wsi, lengths[i], FRAMING_LENGTH_TEXT,
								     WSI_TOKEN_HTTP_CONTENT_LENGTH, f) >= 0 ? lengths[i] : NULL;
	}
}

/* Checks a request's framing and sizes (see framing.h); answers and returns -1 when it is refused. */
int http_check_head(struct lws *wsi)
{
	struct framing_head h;
	char lengths[FRAMING_MAX_LENGTHS][FRAMING_LENGTH_TEXT], ip[CLIENT_ADDR_MAX];
	const char *why;
	long long length;
	framing_head_of(wsi, &h, lengths);
	int status = framing_check(&h, &length, &why);
	if (!status)
		return 0;
	client_addr(wsi, ip, sizeof(ip));
	metrics_request("bad_framing", status);
	log_event(LOG_INFO, "http_bad_framing", NULL, ip, json_pack("{s:i,s:s}", "status", status, "reason", why));
	http_refuse(wsi, status, why);
	return -1;
}

/* Every HTTP request (static files included): framing and size checks, then a token of --http-rate (429
 * without one). A request without a body is complete here, so its deadline stops. */
int http_filter(struct lws *wsi)
{
	char ip[CLIENT_ADDR_MAX];
	if (http_check_head(wsi))
		return -1;
	client_addr(wsi, ip, sizeof(ip));
	if (!limits_allow(ip, LIMIT_HTTP)) {
		metrics_request("rate_limited", 429);
		http_refuse(wsi, 429, "too many requests");
		return -1;
	}
	if (!lws_hdr_total_length(wsi, WSI_TOKEN_POST_URI))
		httpconn_request_in(wsi);
	return 0;
}

/* HTTP callbacks of the dashboard protocol. */
int http_callback(struct lws *wsi, enum lws_callback_reasons reason, struct http_req **slot, void *in, size_t len)
{
	switch (reason) {
	case LWS_CALLBACK_HTTP:
		return http_start(wsi, slot, in);
	case LWS_CALLBACK_HTTP_BODY:
		if (*slot)
			http_post_chunk(*slot, in, len);
		return 0;
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
		httpconn_request_in(wsi);
		if (*slot && (*slot)->post_sql && !(*slot)->body && !(*slot)->q)
			http_post_body(*slot);
		return 0;
	case LWS_CALLBACK_HTTP_WRITEABLE:
		return http_writeable(slot);
	default: /* LWS_CALLBACK_CLOSED_HTTP, LWS_CALLBACK_HTTP_DROP_PROTOCOL */
		http_req_free(slot);
		return 0;
	}
}

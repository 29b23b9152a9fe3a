/* config.c: the one option table; it drives getopt_long, environment variables, --help and docs. */
#include "config.h"

#include <getopt.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum opt_type { OPT_STR, OPT_INT, OPT_FLAG }; /* OPT_FLAG: takes no value on the command line; 0 or 1 in the environment */

struct opt_def {
	const char *name;    /* long flag without dashes */
	const char *env;     /* environment variable */
	enum opt_type type;
	size_t offset;       /* field in struct config */
	const char *def;     /* default as text; NULL: computed */
	int min, max;        /* bounds for OPT_INT */
	const char *help;
};

#define F(field) offsetof(struct config, field)

static const struct opt_def options[] = {
	{"database-url", "DATABASE_URL", OPT_STR, F(database_url), "", 0, 0,
	 "PostgreSQL conninfo or URI; empty uses the libpq PG* variables (PGHOST, PGPORT, PGUSER, PGDATABASE...)"},
	{"bind", "PUSHD_BIND", OPT_STR, F(bind), "", 0, 0, "address to listen on; empty: all interfaces"},
	{"port", "PUSHD_PORT", OPT_INT, F(port), "8081", 0, 65535, "TCP port for HTTP and WebSocket"},
	{"web-root", "PUSHD_WEB_ROOT", OPT_STR, F(web_root), NULL, 0, 0,
	 "folder served under /dashboard/ (default: web/dist beside the pushd binary)"},
	{"db-pool", "PUSHD_DB_POOL", OPT_INT, F(db_pool), "2", 1, 64, "reader connections: REST reads, snapshots, replays (the LISTEN connection and --writer-pool are extra)"},
	{"max-queued-queries", "PUSHD_MAX_QUEUED_QUERIES", OPT_INT, F(max_queued_queries), "10000", 1, 1000000,
	 "queries waiting for a connection, per pool (readers, writers, standby), before REST answers 503"},
	{"max-backlog-messages", "PUSHD_MAX_BACKLOG_MESSAGES", OPT_INT, F(max_backlog_messages), "1024", 16, 1000000,
	 "events kept per persona; a client further behind is resynced"},
	{"max-backlog-bytes", "PUSHD_MAX_BACKLOG_BYTES", OPT_INT, F(max_backlog_bytes), "4194304", 65536, INT_MAX,
	 "bytes of events kept per persona; a client further behind is resynced"},
	{"max-frame-size", "PUSHD_MAX_FRAME_SIZE", OPT_INT, F(max_frame_size), "16384", 128, 16777216,
	 "largest client WebSocket message; larger ones close the connection with 1009"},
	{"max-body-size", "PUSHD_MAX_BODY_SIZE", OPT_INT, F(max_body_size), "65536", 128, 16777216,
	 "largest POST body; larger ones get 413"},
	{"resync-threshold", "PUSHD_RESYNC_THRESHOLD", OPT_INT, F(resync_threshold), "1000", 1, 100000,
	 "most missed events replayed on resume; beyond it the client gets a resync initial_data"},
	{"ping-interval", "PUSHD_PING_INTERVAL", OPT_INT, F(ping_interval), "20", 1, 3600,
	 "seconds a WebSocket may stay silent before pushd pings it"},
	{"ping-timeout", "PUSHD_PING_TIMEOUT", OPT_INT, F(ping_timeout), "60", 2, 7200,
	 "seconds without any frame (pong included) before a client is dropped as dead"},
	{"reconnect-min-ms", "PUSHD_RECONNECT_MIN_MS", OPT_INT, F(reconnect_min_ms), "100", 1, 600000,
	 "first database reconnect delay; doubles on each failure"},
	{"reconnect-max-ms", "PUSHD_RECONNECT_MAX_MS", OPT_INT, F(reconnect_max_ms), "5000", 1, 3600000,
	 "cap of the database reconnect delay"},
	{"connect-timeout-ms", "PUSHD_CONNECT_TIMEOUT_MS", OPT_INT, F(connect_timeout_ms), "5000", 100, 600000,
	 "a database connection attempt taking longer is abandoned"},
	{"shutdown-timeout-ms", "PUSHD_SHUTDOWN_TIMEOUT_MS", OPT_INT, F(shutdown_timeout_ms), "1500", 0, 60000,
	 "on SIGTERM/SIGINT, longest wait for clients to take their close frame"},
	{"log-level", "PUSHD_LOG_LEVEL", OPT_STR, F(log_level), "info", 0, 0, "debug, info, warn or error"},
	{"writer-database-url", "WRITER_DATABASE_URL", OPT_STR, F(writer_database_url), "", 0, 0,
	 "conninfo or URI of the role the ingestion POSTs write with (--writer-pool connections); empty: --database-url"},
	{"writer-pool", "PUSHD_WRITER_POOL", OPT_INT, F(writer_pool), "2", 1, 64,
	 "connections for the ingestion POSTs, apart from --db-pool, so writes never hold the readers' connections"},
	{"query-timeout-ms", "PUSHD_QUERY_TIMEOUT_MS", OPT_INT, F(query_timeout_ms), "5000", 100, 3600000,
	 "statement_timeout and lock_timeout of every pushd session; a query past it, or queued that long, gets 504/503"},
	{"read-database-url", "READ_DATABASE_URL", OPT_STR, F(read_database_url), "", 0, 0,
	 "conninfo or URI of a streaming standby for REST reads and snapshots (--db-pool more connections); empty: the --database-url connection"},
	{"jwt-secret", "PUSHD_JWT_SECRET", OPT_STR, F(jwt_secret), "", 0, 0,
	 "HS256 shared secret; switches access control on (prefer the file or the variable: flags show in ps)"},
	{"jwt-secret-file", "PUSHD_JWT_SECRET_FILE", OPT_STR, F(jwt_secret_file), "", 0, 0,
	 "file holding the HS256 secret (a trailing newline is ignored); switches access control on"},
	{"jwt-public-key", "PUSHD_JWT_PUBLIC_KEY", OPT_STR, F(jwt_public_key), "", 0, 0,
	 "PEM public key file: an RSA key accepts RS256/384/512, an EC key the ES algorithm of its curve"},
	{"jwt-issuer", "PUSHD_JWT_ISSUER", OPT_STR, F(jwt_issuer), "", 0, 0, "required `iss` claim; empty: not checked"},
	{"jwt-audience", "PUSHD_JWT_AUDIENCE", OPT_STR, F(jwt_audience), "", 0, 0,
	 "required `aud` claim (a string or one of an array); empty: not checked"},
	{"jwt-leeway", "PUSHD_JWT_LEEWAY", OPT_INT, F(jwt_leeway), "30", 0, 3600,
	 "seconds of clock skew allowed on `exp` and `nbf`"},
	{"max-clients", "PUSHD_MAX_CLIENTS", OPT_INT, F(max_clients), "20000", 0, 1000000,
	 "WebSocket clients in all; past it upgrades get 503 and open ones are unaffected; 0: no limit"},
	{"max-conns-per-ip", "PUSHD_MAX_CONNS_PER_IP", OPT_INT, F(max_conns_per_ip), "64", 0, 1000000,
	 "open WebSockets per client IP; past it upgrades get 429; 0: no limit"},
	{"conn-rate", "PUSHD_CONN_RATE", OPT_INT, F(conn_rate), "10", 0, 1000000,
	 "new WebSockets per second per client IP, bursts of twice that; excess upgrades get 429; 0: no limit"},
	{"http-rate", "PUSHD_HTTP_RATE", OPT_INT, F(http_rate), "50", 0, 1000000,
	 "HTTP requests per second per client IP, bursts of twice that; excess gets 429; 0: no limit"},
	{"max-http-conns-per-ip", "PUSHD_MAX_HTTP_CONNS_PER_IP", OPT_INT, F(max_http_conns_per_ip), "64", 0, 1000000,
	 "open HTTP connections (not yet WebSockets) per TCP peer, trusted proxies exempt; past it new ones are closed at accept; 0: no limit"},
	{"http-timeout-ms", "PUSHD_HTTP_TIMEOUT_MS", OPT_INT, F(http_timeout_ms), "10000", 100, 600000,
	 "an HTTP request (headers and body) not complete this long after the connection or the previous answer gets 408 and a close"},
	{"ws-msg-rate", "PUSHD_WS_MSG_RATE", OPT_INT, F(ws_msg_rate), "20", 0, 1000000,
	 "client WebSocket messages per second per connection, bursts of twice that; excess closes with 4029; 0: no limit"},
	{"trusted-proxies", "PUSHD_TRUSTED_PROXIES", OPT_STR, F(trusted_proxies), "", 0, 0,
	 "comma list of CIDRs of reverse proxies; for a peer inside one, the client address is the right-most "
	 "X-Forwarded-For (else Forwarded: for=) address not itself trusted; empty: always the TCP peer"},
	{"allowed-origins", "PUSHD_ALLOWED_ORIGINS", OPT_STR, F(allowed_origins), "", 0, 0,
	 "comma list of origins (https://host[:port]) allowed to open WebSockets and read the REST API; empty: any"},
	{"tls-cert", "PUSHD_TLS_CERT", OPT_STR, F(tls_cert), "", 0, 0, "PEM certificate (chain) file; with --tls-key serves https and wss only"},
	{"tls-key", "PUSHD_TLS_KEY", OPT_STR, F(tls_key), "", 0, 0, "PEM private key file of --tls-cert"},
	{"webhook-concurrency", "PUSHD_WEBHOOK_CONCURRENCY", OPT_INT, F(webhook_concurrency), "16", 0, 1000,
	 "webhook requests in flight in all (alerts from the outbox); 0: this pushd delivers no alerts"},
	{"webhook-per-destination", "PUSHD_WEBHOOK_PER_DESTINATION", OPT_INT, F(webhook_per_destination), "2", 1, 100,
	 "webhook requests in flight per webhook, over every pushd on the database: a slow destination holds no more"},
	{"webhook-timeout-ms", "PUSHD_WEBHOOK_TIMEOUT_MS", OPT_INT, F(webhook_timeout_ms), "10000", 100, 600000,
	 "a webhook request (connect, send, answer) taking longer is abandoned and retried"},
	{"webhook-max-age", "PUSHD_WEBHOOK_MAX_AGE", OPT_INT, F(webhook_max_age), "86400", 1, 31536000,
	 "seconds after its alert during which a webhook delivery is retried; later it is dead"},
	{"webhook-retry-min-ms", "PUSHD_WEBHOOK_RETRY_MIN_MS", OPT_INT, F(webhook_retry_min_ms), "1000", 1, 3600000,
	 "first retry delay of a webhook delivery; doubles per attempt, with jitter (Retry-After when longer)"},
	{"webhook-retry-max-ms", "PUSHD_WEBHOOK_RETRY_MAX_MS", OPT_INT, F(webhook_retry_max_ms), "3600000", 1, 86400000,
	 "cap of the webhook retry delay"},
	{"webhook-poll-ms", "PUSHD_WEBHOOK_POLL_MS", OPT_INT, F(webhook_poll_ms), "5000", 50, 600000,
	 "how often the outbox is polled besides its NOTIFY (retries falling due, leases of crashed deliverers)"},
	{"webhook-allow-http", "PUSHD_WEBHOOK_ALLOW_HTTP", OPT_FLAG, F(webhook_allow_http), "0", 0, 1,
	 "deliver to http:// webhooks too (default: https only)"},
	{"webhook-allow-private", "PUSHD_WEBHOOK_ALLOW_PRIVATE", OPT_FLAG, F(webhook_allow_private), "0", 0, 1,
	 "deliver to loopback, private, link-local and unique-local addresses too (default: refused, metadata services included)"},
	{"public-url", "PUSHD_PUBLIC_URL", OPT_STR, F(public_url), "", 0, 0,
	 "the dashboard's public base URL (https://host[:port]); Slack alerts link to <public-url>/dashboard/?persona=..&variant=.."},
	{"panels-interval-ms", "PUSHD_PANELS_INTERVAL_MS", OPT_INT, F(panels_interval_ms), "2000", 0, 3600000,
	 "live panels: after events, a persona's panels are recomputed at most once per this interval and each client gets the sections that changed (panels_update); 0: off"},
};

#define N_OPTIONS (sizeof(options) / sizeof(options[0]))

/* Stores text into the field of one option; returns 0 or -1 when the value is invalid. */
static int opt_set(struct config *cfg, const struct opt_def *o, const char *text)
{
	char *field = (char *)cfg + o->offset;

	if (o->type == OPT_STR) {
		char **slot = (char **)(void *)field;
		free(*slot);
		*slot = strdup(text);
		return *slot ? 0 : -1;
	}
	if (!text) { /* a flag given on the command line */
		*(int *)(void *)field = 1;
		return 0;
	}
	char *end;
	long v = strtol(text, &end, 10);
	if (!*text || *end || v < o->min || v > o->max) {
		fprintf(stderr, "pushd: --%s must be an integer in [%d, %d], got '%s'\n", o->name, o->min, o->max, text);
		return -1;
	}
	*(int *)(void *)field = (int)v;
	return 0;
}

/* The default web root: web/dist beside the executable, so a build tree runs as is. */
static char *default_web_root(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n <= 0)
		return strdup("web/dist");
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (slash)
		*slash = '\0';
	size_t len = strlen(exe) + sizeof("/web/dist");
	char *root = malloc(len);
	if (root)
		snprintf(root, len, "%s/web/dist", exe);
	return root;
}

/* Applies defaults, then environment variables, for every option. */
static int apply_defaults_and_env(struct config *cfg)
{
	for (size_t i = 0; i < N_OPTIONS; i++) {
		const struct opt_def *o = &options[i];
		const char *env = getenv(o->env);
		if (o->def && opt_set(cfg, o, o->def))
			return -1;
		if (!o->def) {
			cfg->web_root = default_web_root();
			if (!cfg->web_root)
				return -1;
		}
		if (env && opt_set(cfg, o, env)) {
			fprintf(stderr, "pushd: bad value in environment variable %s\n", o->env);
			return -1;
		}
	}
	return 0;
}

/* Prints --help: every option with its variable and default. */
static void print_help(FILE *out)
{
	fprintf(out, "Usage: pushd [OPTION]...\n"
		     "Relays variant_dashboard events from PostgreSQL to WebSocket clients and serves the REST API.\n\n");
	for (size_t i = 0; i < N_OPTIONS; i++) {
		const struct opt_def *o = &options[i];
		fprintf(out, "  --%s%s  (env %s, default %s)\n      %s\n", o->name,
			o->type == OPT_FLAG ? "" : o->type == OPT_INT ? "=N" : "=TEXT",
			o->env, o->def ? (*o->def ? o->def : "\"\"") : "computed", o->help);
	}
	fprintf(out, "  --help         this text\n  --help-markdown  the option table in Markdown, for the README\n");
}

/* Prints the option table as Markdown so the README never drifts from the code. */
static void print_markdown(FILE *out)
{
	fprintf(out, "| flag | environment | default | meaning |\n|---|---|---|---|\n");
	for (size_t i = 0; i < N_OPTIONS; i++) {
		const struct opt_def *o = &options[i];
		fprintf(out, "| `--%s` | `%s` | %s%s%s | %s |\n", o->name, o->env, o->def ? "`" : "",
			o->def ? (*o->def ? o->def : "\"\"") : "web/dist beside the binary", o->def ? "`" : "", o->help);
	}
}

/* Builds the getopt_long table from the option table: option i has val 256 + i. */
static void build_long_options(struct option *longopts)
{
	for (size_t i = 0; i < N_OPTIONS; i++)
		longopts[i] = (struct option){options[i].name, options[i].type == OPT_FLAG ? no_argument : required_argument,
					      NULL, 256 + (int)i};
	longopts[N_OPTIONS] = (struct option){"help", no_argument, NULL, 'h'};
	longopts[N_OPTIONS + 1] = (struct option){"help-markdown", no_argument, NULL, 'm'};
	longopts[N_OPTIONS + 2] = (struct option){NULL, 0, NULL, 0};
}

/* Checks the options that depend on each other; returns 0 or -1 with a message. */
static int config_check(const struct config *cfg)
{
	int jwt_keys = (*cfg->jwt_secret != 0) + (*cfg->jwt_secret_file != 0) + (*cfg->jwt_public_key != 0);
	const char *error = NULL;

	if (cfg->reconnect_max_ms < cfg->reconnect_min_ms)
		error = "--reconnect-max-ms < --reconnect-min-ms";
	else if (cfg->ping_timeout <= cfg->ping_interval)
		error = "--ping-timeout <= --ping-interval";
	else if (!*cfg->tls_cert != !*cfg->tls_key)
		error = "--tls-cert and --tls-key go together";
	else if (jwt_keys > 1)
		error = "give only one of --jwt-secret, --jwt-secret-file and --jwt-public-key";
	if (error)
		fprintf(stderr, "pushd: %s\n", error);
	return error ? -1 : 0;
}

int config_load(struct config *cfg, int argc, char **argv)
{
	struct option longopts[N_OPTIONS + 3];
	int c;

	memset(cfg, 0, sizeof(*cfg));
	if (apply_defaults_and_env(cfg))
		return -1;
	build_long_options(longopts);
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (c == 'h' || c == 'm') {
			(c == 'h' ? print_help : print_markdown)(stdout);
			return 1;
		}
		if (c < 256 || opt_set(cfg, &options[c - 256], optarg)) {
			print_help(stderr);
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "pushd: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	return config_check(cfg);
}

void config_free(struct config *cfg)
{
	for (size_t i = 0; i < N_OPTIONS; i++)
		if (options[i].type == OPT_STR)
			free(*(char **)(void *)((char *)cfg + options[i].offset));
}

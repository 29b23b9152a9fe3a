/* main.c: pushd's entry point: configuration, the libwebsockets context, signals and the event loop. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <libwebsockets.h>

#include "auth.h"
#include "clientaddr.h"
#include "config.h"
#include "cors.h"
#include "framing.h"
#include "http.h"
#include "hub.h"
#include "httpconn.h"
#include "ratelimit.h"
#include "log.h"
#include "metrics.h"
#include "outbox.h"
#include "pg.h"
#include "webhook.h"
#include "ws.h"

#define MAX_FDS 65536
/* libwebsockets' header buffer per connection: room for the request heads pushd accepts (framing.h), whose
 * excess it answers 414/431; a head beyond this buffer is closed by libwebsockets 4.1 without an answer. */
#define HEADER_BUFFER (FRAMING_URL_MAX + FRAMING_HEADERS_MAX)

/* Per-connection data of the dashboard protocol: an HTTP request or a WebSocket client. */
struct session {
	struct http_req *http;
	struct ws_client ws;
};

static struct lws_context *context;
static volatile sig_atomic_t got_signal;
static int stopping;        /* SIGTERM seen: clients are being closed */
static int stop_loop;       /* leave the event loop */
static lws_sorted_usec_list_t shutdown_timer;

/* Signal handler: only wakes the loop, which does the work. */
static void on_signal(int sig)
{
	(void)sig;
	got_signal = 1;
	lws_cancel_service(context);
}

/* Leaves the event loop. */
static void end_loop(void)
{
	stop_loop = 1;
	lws_cancel_service(context);
}

/* Timer: clients that did not take their close frame in time are left behind. */
static void shutdown_timeout_cb(lws_sorted_usec_list_t *sul)
{
	(void)sul;
	log_event(LOG_WARN, "shutdown_timeout", NULL, NULL, json_pack("{s:i}", "clients_left", (int)ws_open_count()));
	end_loop();
}

/* First step of a graceful stop: close 1001 to every client, then exit when they are gone or time is up. */
static void begin_shutdown(const struct config *cfg)
{
	stopping = 1;
	unsigned n = ws_close_all();
	log_event(LOG_INFO, "shutdown", NULL, NULL, json_pack("{s:i}", "clients", (int)n));
	if (!n) {
		end_loop();
		return;
	}
	lws_sul_schedule(context, 0, &shutdown_timer, shutdown_timeout_cb, (lws_usec_t)cfg->shutdown_timeout_ms * 1000);
}

/* The dashboard protocol: loop wake-ups, then WebSocket and HTTP reasons to their modules. */
static int dashboard_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct session *s = user;
	int rc;

	switch (reason) {
	case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
		if (got_signal && !stopping)
			begin_shutdown(lws_context_user(lws_get_context(wsi)));
		return 0;
	case LWS_CALLBACK_SERVER_NEW_CLIENT_INSTANTIATED:
		return httpconn_accept(wsi);
	case LWS_CALLBACK_WSI_DESTROY: /* sent here for every connection: only the dashboard's are ours */
		if (lws_get_protocol(wsi) && lws_get_protocol(wsi)->callback == dashboard_callback)
			httpconn_destroy(wsi);
		return 0;
	case LWS_CALLBACK_RAW_RX: /* CONNECT or an unknown method, handed over raw (see create_context) */
		return httpconn_raw_request(wsi, in, len);
	case LWS_CALLBACK_FILTER_PROTOCOL_CONNECTION:
		if (http_check_head(wsi))
			return -1;
		/* fall through */
	case LWS_CALLBACK_ESTABLISHED:
	case LWS_CALLBACK_RECEIVE:
	case LWS_CALLBACK_SERVER_WRITEABLE:
	case LWS_CALLBACK_CLOSED:
		rc = ws_callback(wsi, reason, s ? &s->ws : NULL, in, len);
		if (reason == LWS_CALLBACK_ESTABLISHED && !rc)
			httpconn_upgraded(wsi);
		if (reason == LWS_CALLBACK_CLOSED && stopping && !ws_open_count())
			end_loop();
		return rc;
	case LWS_CALLBACK_FILTER_HTTP_CONNECTION:
		return http_filter(wsi);
	case LWS_CALLBACK_HTTP:
	case LWS_CALLBACK_HTTP_BODY:
	case LWS_CALLBACK_HTTP_BODY_COMPLETION:
	case LWS_CALLBACK_HTTP_WRITEABLE:
	case LWS_CALLBACK_CLOSED_HTTP:
	case LWS_CALLBACK_HTTP_DROP_PROTOCOL:
		return s ? http_callback(wsi, reason, &s->http, in, len) : 0;
	case LWS_CALLBACK_HTTP_FILE_COMPLETION: /* a static file is out: keep-alive waits for the next request */
		rc = lws_callback_http_dummy(wsi, reason, user, in, len);
		if (!rc)
			httpconn_answered(wsi);
		return rc;
	default:
		/* The rest is libwebsockets' own HTTP work. */
		return lws_callback_http_dummy(wsi, reason, user, in, len);
	}
}

static const struct lws_protocols protocols[] = {
	{"dashboard", dashboard_callback, sizeof(struct session), 4096, 0, NULL, 0},
	{"pg", pg_lws_callback, 0, 0, 0, NULL, 0},
	{"webhook", webhook_lws_callback, 0, 0, 0, NULL, 0},
	{NULL, NULL, 0, 0, 0, NULL, 0},
};

/* Raises the descriptor limit so thousands of clients fit; returns the limit in force. */
static int raise_fd_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 1024;
	rlim_t want = rl.rlim_max < MAX_FDS ? rl.rlim_max : MAX_FDS;
	if (rl.rlim_cur < want) {
		rl.rlim_cur = want;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	getrlimit(RLIMIT_NOFILE, &rl);
	return (int)(rl.rlim_cur < MAX_FDS ? rl.rlim_cur : MAX_FDS);
}

/* Creates the lws context: one vhost (TLS with --tls-cert), the dashboard mount, ping/pong liveness. */
static struct lws_context *create_context(struct config *cfg, struct lws_http_mount *mount, lws_retry_bo_t *retry)
{
	struct lws_context_creation_info info;

	memset(&info, 0, sizeof(info));
	mount->mountpoint = "/dashboard";
	mount->mountpoint_len = 10;
	mount->origin = cfg->web_root;
	mount->def = "index.html";
	mount->origin_protocol = LWSMPRO_FILE;
	retry->secs_since_valid_ping = (uint16_t)cfg->ping_interval;
	retry->secs_since_valid_hangup = (uint16_t)cfg->ping_timeout;
	info.port = cfg->port;
	info.iface = *cfg->bind ? cfg->bind : NULL;
	info.protocols = protocols;
	info.mounts = mount;
	info.retry_and_idle_policy = retry;
	info.fd_limit_per_thread = (unsigned)raise_fd_limit();
	info.max_http_header_data = HEADER_BUFFER;
	info.timeout_secs = (unsigned)cfg->http_timeout_ms / 1000 + 1; /* lws' own, silent: just after pushd's 408 */
	/* A method libwebsockets does not know (and plain HTTP on the TLS port) is handed to the dashboard
	 * protocol raw, like CONNECT always is, instead of a 403 or no answer at all: httpconn answers it. */
	info.options = LWS_SERVER_OPTION_VALIDATE_UTF8 | LWS_SERVER_OPTION_DISABLE_IPV6 |
		       LWS_SERVER_OPTION_FALLBACK_TO_APPLY_LISTEN_ACCEPT_CONFIG;
	if (*cfg->tls_cert) {
		info.options |= LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
		info.ssl_cert_filepath = cfg->tls_cert;
		info.ssl_private_key_filepath = cfg->tls_key;
		info.alpn = "http/1.1"; /* no HTTP/2: WebSockets and the REST API stay on HTTP/1.1 */
	}
	info.user = cfg;
	return lws_create_context(&info);
}

/* Installs the SIGTERM/SIGINT handler and ignores SIGPIPE. */
static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* LISTEN is active again: the hub catches up, and alerts notified meanwhile are claimed. */
static void on_listen_up(void)
{
	hub_on_listen_up();
	outbox_wake();
}

/* Starts the modules that need the context; returns -1 on failure. */
static int start_modules(struct config *cfg)
{
	static const struct pg_events events = {hub_on_notify, on_listen_up, hub_on_listen_down, hub_on_pool_ready,
						outbox_wake};
	struct lws_vhost *vh = lws_get_vhost_by_name(context, "default");
	http_init(cfg);
	httpconn_init(cfg);
	limits_init(cfg);
	if (ws_init(cfg) || hub_init(context, cfg) || webhook_init(context, vh, cfg) || outbox_init(context, cfg))
		return -1;
	return pg_start(context, vh, cfg, &events);
}

/* Runs pushd until a signal ends it; exit status 0 after a clean stop. */
int main(int argc, char **argv)
{
	struct config cfg;
	struct lws_http_mount mount;
	lws_retry_bo_t retry;
	int rc = config_load(&cfg, argc, argv);

	if (rc || log_set_level(cfg.log_level) || auth_init(&cfg) || cors_init(&cfg) ||
	    clientaddr_init(cfg.trusted_proxies)) {
		clientaddr_free();
		cors_free();
		config_free(&cfg);
		return rc > 0 ? 0 : 2;
	}
	memset(&mount, 0, sizeof(mount));
	memset(&retry, 0, sizeof(retry));
	lws_set_log_level(LLL_ERR | LLL_WARN, log_lws_emit);
	install_signals();
	context = create_context(&cfg, &mount, &retry);
	if (!context || start_modules(&cfg)) {
		log_event(LOG_ERROR, "startup_failed", NULL, NULL, json_pack("{s:i}", "port", cfg.port));
		rc = 1;
	} else {
		log_event(LOG_INFO, "started", NULL, NULL, json_pack("{s:i,s:s}", "port", cfg.port, "web_root", cfg.web_root));
		while (!stop_loop && lws_service(context, 0) >= 0)
			;
	}
	pg_stop();
	hub_stop();
	outbox_stop();
	webhook_stop();
	lws_sul_cancel(&shutdown_timer);
	lws_context_destroy(context);
	pg_free();
	webhook_free();
	hub_free();
	ws_free();
	metrics_free();
	limits_free();
	clientaddr_free();
	cors_free();
	auth_free();
	log_event(LOG_INFO, "stopped", NULL, NULL, NULL);
	config_free(&cfg);
	return rc;
}

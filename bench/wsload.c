/* wsload.c: WebSocket load generator for pushd.
 *
 * One libwebsockets event loop holds --clients connections to ws://HOST:PORT/dashboard/ws/<persona>.
 * For every variant_update a client receives it takes the receive time minus the message's "timestamp"
 * (the event's created_at, set by clock_timestamp() just before the writer's commit, on this machine's
 * clock) and reports p50/p99/max of that commit-to-client latency and the deliveries per second.
 * With --expect-ids it also checks that every client got every listed event id exactly once.
 * With no writer running, the clients are simply held idle (--duration 0 holds them until a signal). */
#define _GNU_SOURCE
#include <libwebsockets.h>

#include "../pushd/clock.h"

#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define HIST_BUCKET_US 10
#define HIST_BUCKETS 1000000 /* 10 us buckets up to 10 s; slower deliveries count in the last one */
#define CONNECT_TICK_US 5000
#define FD_HEADROOM 64

enum client_state { CL_IDLE, CL_CONNECTING, CL_OPEN, CL_CLOSED, CL_FAILED };

struct client {
	enum client_state state;
	int settled;         /* got its first initial_data, or failed, or closed */
	uint64_t deliveries; /* variant_update messages received */
	uint64_t resyncs;    /* initial_data messages after the first */
	uint64_t reordered;  /* event ids not above the one before */
	int64_t last_id;
	double first_rx, last_rx;
	int64_t *ids; /* every event id received, only with --expect-ids */
	size_t nids, ids_cap;
	char *frag; /* a message arriving in several fragments */
	size_t frag_len;
};

struct options {
	const char *host;
	int port;
	const char *persona;
	unsigned clients;
	unsigned duration_s;
	unsigned connect_burst;
	const char *ready_file;
	const char *expect_ids;
};

struct id_check {
	uint64_t lost, duplicated, unexpected;
};

static struct {
	struct options opt;
	char path[128];
	struct lws_context *ctx;
	struct client *clients;
	unsigned next_connect, in_flight, opened, open_now, failed, closed, settled;
	int ready;
	double started, ready_at, stopped;
	uint32_t *hist;
	uint64_t deliveries, malformed, other_messages;
	double max_latency, first_rx, last_rx;
	char ts_text[48]; /* the last timestamp parsed, and its value: 1,000 clients share each one */
	double ts_epoch;
	lws_sorted_usec_list_t connect_timer, stop_timer;
} load;

static volatile sig_atomic_t interrupted;

static void report(void);

/* The "timestamp" of a variant_update in epoch seconds, or 0; repeated timestamps come from a cache. */
static double message_timestamp(const char *text, size_t len)
{
	static const char key[] = "\"timestamp\":\"";
	const char *start = memmem(text, len, key, sizeof(key) - 1);
	if (!start)
		return 0;
	start += sizeof(key) - 1;
	const char *end = memchr(start, '"', len - (size_t)(start - text));
	size_t ts_len = end ? (size_t)(end - start) : 0;
	if (!ts_len || ts_len >= sizeof(load.ts_text))
		return 0;
	if (strncmp(load.ts_text, start, ts_len) || load.ts_text[ts_len]) {
		memcpy(load.ts_text, start, ts_len);
		load.ts_text[ts_len] = '\0';
		load.ts_epoch = iso8601_to_epoch(load.ts_text);
	}
	return load.ts_epoch;
}

/* The data.event_id of a variant_update, or -1. */
static int64_t message_event_id(const char *text, size_t len)
{
	static const char key[] = "\"event_id\":";
	const char *p = memmem(text, len, key, sizeof(key) - 1);
	if (!p)
		return -1;
	const char *end = text + len;
	for (p += sizeof(key) - 1; p < end && *p == ' '; p++)
		;
	int64_t id = -1;
	for (; p < end && *p >= '0' && *p <= '9'; p++)
		id = (id < 0 ? 0 : id * 10) + (*p - '0');
	return id;
}

/* Appends an event id to the client's list (--expect-ids); returns -1 when out of memory. */
static int client_record_id(struct client *c, int64_t id)
{
	if (c->nids == c->ids_cap) {
		size_t cap = c->ids_cap ? c->ids_cap * 2 : 1024;
		int64_t *ids = realloc(c->ids, cap * sizeof(*ids));
		if (!ids)
			return -1;
		c->ids = ids;
		c->ids_cap = cap;
	}
	c->ids[c->nids++] = id;
	return 0;
}

/* Counts one delivery in the latency histogram and the client's and run's totals. */
static int client_delivery(struct client *c, const char *text, size_t len, double now)
{
	double ts = message_timestamp(text, len);
	int64_t id = message_event_id(text, len);
	if (ts <= 0 || id < 0) {
		load.malformed++;
		return 0;
	}
	double latency = now > ts ? now - ts : 0;
	size_t bucket = (size_t)(latency * 1e6 / HIST_BUCKET_US);
	load.hist[bucket < HIST_BUCKETS ? bucket : HIST_BUCKETS - 1]++;
	if (latency > load.max_latency)
		load.max_latency = latency;
	if (!load.deliveries++)
		load.first_rx = now;
	load.last_rx = now;
	if (!c->deliveries++)
		c->first_rx = now;
	c->last_rx = now;
	if (id <= c->last_id)
		c->reordered++;
	c->last_id = id;
	return load.opt.expect_ids ? client_record_id(c, id) : 0;
}

/* Ends the run once: reports, then destroys the context, which stops the libuv loop lws_service runs. */
static void stop_run(lws_sorted_usec_list_t *sul)
{
	(void)sul;
	if (load.stopped > 0)
		return;
	load.stopped = now_mono();
	interrupted = 1;
	report();
	lws_context_destroy(load.ctx);
}

/* Ends the run from the loop's timer list: never from inside a connect or a close lws is still doing. */
static void request_stop(void)
{
	lws_sul_schedule(load.ctx, 0, &load.stop_timer, stop_run, 1);
}

/* Every client has its initial_data (or has failed): announce it and start the --duration clock. */
static void become_ready(void)
{
	load.ready = 1;
	load.ready_at = now_mono();
	fprintf(stderr, "wsload: %u of %u clients connected to %s in %.2f s, %u failed\n", load.open_now,
		load.opt.clients, load.path, load.ready_at - load.started, load.failed);
	if (load.opt.ready_file) {
		FILE *f = fopen(load.opt.ready_file, "w");
		if (f) {
			fprintf(f, "%u\n", load.open_now);
			fclose(f);
		}
	}
	if (!load.open_now)
		request_stop();
	else if (load.opt.duration_s)
		lws_sul_schedule(load.ctx, 0, &load.stop_timer, stop_run, (lws_usec_t)load.opt.duration_s * LWS_US_PER_SEC);
}

/* Marks a client settled once: it has its initial_data, failed, or closed; the last one makes the run ready. */
static void client_settle(struct client *c)
{
	if (c->settled)
		return;
	c->settled = 1;
	if (++load.settled == load.opt.clients && !load.ready)
		become_ready();
}

/* Sorts one complete server message: variant_update is a delivery, initial_data settles the client. */
static int client_message(struct client *c, const char *text, size_t len, double now)
{
	static const char update[] = "{\"type\":\"variant_update\"";
	static const char initial[] = "{\"type\":\"initial_data\"";

	if (len >= sizeof(update) - 1 && !memcmp(text, update, sizeof(update) - 1))
		return client_delivery(c, text, len, now);
	if (len >= sizeof(initial) - 1 && !memcmp(text, initial, sizeof(initial) - 1)) {
		if (c->settled)
			c->resyncs++;
		client_settle(c);
		return 0;
	}
	load.other_messages++;
	return 0;
}

/* Handles a received piece: whole messages directly, fragmented ones once reassembled. */
static int client_receive(struct client *c, struct lws *wsi, const char *in, size_t len)
{
	int complete = lws_is_final_fragment(wsi) && !lws_remaining_packet_payload(wsi);
	double now = now_epoch();
	if (complete && !c->frag_len)
		return client_message(c, in, len, now);
	char *frag = realloc(c->frag, c->frag_len + len);
	if (!frag)
		return -1;
	memcpy(frag + c->frag_len, in, len);
	c->frag = frag;
	c->frag_len += len;
	if (!complete)
		return 0;
	int rc = client_message(c, c->frag, c->frag_len, now);
	free(c->frag);
	c->frag = NULL;
	c->frag_len = 0;
	return rc;
}

/* A connection attempt failed; the first few reasons are logged. */
static void client_failed(struct client *c, const char *why)
{
	if (c->state != CL_CONNECTING)
		return;
	c->state = CL_FAILED;
	load.in_flight--;
	if (++load.failed <= 5)
		fprintf(stderr, "wsload: connection failed: %s\n", why);
	client_settle(c);
}

/* An open connection closed: by the server, or at the end of the run. */
static void client_closed(struct client *c)
{
	if (c->state != CL_OPEN || load.stopped > 0)
		return;
	c->state = CL_CLOSED;
	load.open_now--;
	load.closed++;
	client_settle(c);
	if (!load.open_now && !load.in_flight && load.next_connect == load.opt.clients)
		request_stop(); /* nothing left to measure */
}

/* Client callbacks: connection outcome, messages, close. */
static int wsload_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct client *c = user;
	if (reason == LWS_CALLBACK_EVENT_WAIT_CANCELLED && interrupted)
		request_stop(); /* on_signal woke the loop */
	if (!c)
		return 0;
	switch (reason) {
	case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
		client_failed(c, in ? (const char *)in : "unknown error");
		return 0;
	case LWS_CALLBACK_CLIENT_ESTABLISHED:
		c->state = CL_OPEN;
		load.in_flight--;
		load.opened++;
		load.open_now++;
		return 0;
	case LWS_CALLBACK_CLIENT_RECEIVE:
		return client_receive(c, wsi, in, len);
	case LWS_CALLBACK_CLIENT_CLOSED:
		client_closed(c);
		return 0;
	default:
		return 0;
	}
}

static const struct lws_protocols protocols[] = {
	{"wsload", wsload_callback, 0, 0, 0, NULL, 0},
	{NULL, NULL, 0, 0, 0, NULL, 0},
};

/* Starts one client's WebSocket handshake. */
static void client_connect(struct client *c)
{
	struct lws_client_connect_info i;
	memset(&i, 0, sizeof(i));
	i.context = load.ctx;
	i.address = load.opt.host;
	i.port = load.opt.port;
	i.path = load.path;
	i.host = load.opt.host;
	i.origin = load.opt.host;
	i.local_protocol_name = protocols[0].name;
	i.userdata = c;
	c->state = CL_CONNECTING;
	load.in_flight++;
	if (!lws_client_connect_via_info(&i))
		client_failed(c, "lws_client_connect_via_info refused");
}

/* Opens connections while fewer than --connect-burst handshakes are in flight, until all are started. */
static void connect_tick(lws_sorted_usec_list_t *sul)
{
	(void)sul;
	while (load.next_connect < load.opt.clients && load.in_flight < load.opt.connect_burst)
		client_connect(&load.clients[load.next_connect++]);
	if (load.next_connect < load.opt.clients)
		lws_sul_schedule(load.ctx, 0, &load.connect_timer, connect_tick, CONNECT_TICK_US);
}

/* The latency below which a fraction q of the deliveries fall, in seconds (bucket upper edge). */
static double latency_quantile(double q)
{
	uint64_t rank = (uint64_t)(q * (double)load.deliveries + 0.5), seen = 0;
	if (!load.deliveries)
		return 0;
	if (rank < 1)
		rank = 1;
	for (size_t b = 0; b < HIST_BUCKETS; b++) {
		seen += load.hist[b];
		if (seen >= rank) {
			double edge = (double)(b + 1) * HIST_BUCKET_US / 1e6;
			return edge < load.max_latency ? edge : load.max_latency;
		}
	}
	return load.max_latency;
}

/* Orders event ids for qsort. */
static int id_order(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Reads the expected event ids, one per line, sorted; returns how many, or -1. */
static long read_expected_ids(const char *path, int64_t **out)
{
	FILE *f = fopen(path, "r");
	int64_t *ids = NULL, id;
	size_t n = 0, cap = 0;
	if (!f)
		return -1;
	while (fscanf(f, "%" SCNd64, &id) == 1) {
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			int64_t *grown = realloc(ids, cap * sizeof(*ids));
			if (!grown)
				break;
			ids = grown;
		}
		ids[n++] = id;
	}
	fclose(f);
	qsort(ids, n, sizeof(*ids), id_order);
	*out = ids;
	return (long)n;
}

/* Compares one client's received ids with the expected ones: lost, received twice, never expected. */
static void client_check_ids(struct client *c, const int64_t *expected, size_t n, struct id_check *out)
{
	size_t e = 0, r = 0;
	if (c->nids > 1)
		qsort(c->ids, c->nids, sizeof(*c->ids), id_order);
	while (e < n || r < c->nids) {
		if (r < c->nids && r > 0 && c->ids[r] == c->ids[r - 1]) {
			out->duplicated++;
			r++;
		} else if (r == c->nids || (e < n && expected[e] < c->ids[r])) {
			out->lost++;
			e++;
		} else if (e == n || c->ids[r] < expected[e]) {
			out->unexpected++;
			r++;
		} else {
			e++;
			r++;
		}
	}
}

/* Prints lost/duplicated/unexpected over all clients against the --expect-ids file. */
static void report_id_check(void)
{
	int64_t *expected = NULL;
	long n = read_expected_ids(load.opt.expect_ids, &expected);
	struct id_check check = {0, 0, 0};
	if (n < 0) {
		fprintf(stderr, "wsload: cannot read %s\n", load.opt.expect_ids);
		printf(" expected_ids=unreadable");
		return;
	}
	for (unsigned i = 0; i < load.opt.clients; i++)
		if (load.clients[i].state != CL_FAILED)
			client_check_ids(&load.clients[i], expected, (size_t)n, &check);
	printf(" expected_ids=%ld lost=%" PRIu64 " duplicated=%" PRIu64 " unexpected=%" PRIu64, n, check.lost,
	       check.duplicated, check.unexpected);
	free(expected);
}

/* Events per second of the slowest client (first to last delivery), over clients with 2+ deliveries. */
static double slowest_client_rate(uint64_t *resyncs, uint64_t *reordered)
{
	double slowest = 0;
	for (unsigned i = 0; i < load.opt.clients; i++) {
		struct client *c = &load.clients[i];
		*resyncs += c->resyncs;
		*reordered += c->reordered;
		if (c->deliveries < 2 || c->last_rx <= c->first_rx)
			continue;
		double rate = (double)(c->deliveries - 1) / (c->last_rx - c->first_rx);
		if (slowest == 0 || rate < slowest)
			slowest = rate;
	}
	return slowest;
}

/* CPU seconds (user + system) this process has used. */
static double own_cpu_seconds(void)
{
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

/* Prints the run's results as one line of key=value on stdout. */
static void report(void)
{
	uint64_t resyncs = 0, reordered = 0;
	double slowest = slowest_client_rate(&resyncs, &reordered);
	double span = load.last_rx - load.first_rx;
	printf("clients=%u connected=%u failed=%u closed=%u connect_s=%.2f window_s=%.2f", load.opt.clients, load.opened,
	       load.failed, load.closed, load.ready ? load.ready_at - load.started : -1,
	       load.ready ? load.stopped - load.ready_at : 0);
	printf(" deliveries=%" PRIu64 " deliveries_per_s=%.0f slowest_client_per_s=%.1f", load.deliveries,
	       span > 0 ? (double)(load.deliveries - 1) / span : 0, slowest);
	printf(" p50_ms=%.3f p99_ms=%.3f max_ms=%.3f", latency_quantile(0.50) * 1e3, latency_quantile(0.99) * 1e3,
	       load.max_latency * 1e3);
	printf(" resyncs=%" PRIu64 " reordered=%" PRIu64 " malformed=%" PRIu64 " other_messages=%" PRIu64
	       " wsload_cpu_s=%.2f", resyncs, reordered, load.malformed, load.other_messages, own_cpu_seconds());
	if (load.opt.expect_ids)
		report_id_check();
	printf("\n");
}

/* Prints the options. */
static void usage(FILE *out)
{
	fputs("Usage: wsload --port N [OPTION]...\n"
	      "Holds many WebSocket clients of one persona on pushd and measures commit-to-client latency.\n\n"
	      "  --host=ADDR          pushd address (default 127.0.0.1)\n"
	      "  --port=N             pushd port (required)\n"
	      "  --persona=ID         persona of every client: ws://ADDR:N/dashboard/ws/ID (default wsload)\n"
	      "  --clients=N          connections to hold (default 1)\n"
	      "  --duration=S         seconds to measure once every client has its initial_data; 0 (default):\n"
	      "                       until SIGINT/SIGTERM, e.g. to hold N idle connections\n"
	      "  --connect-burst=N    most handshakes in flight at once while connecting (default 100)\n"
	      "  --ready-file=PATH    written (with the number of open clients) once every client has its\n"
	      "                       initial_data or has failed\n"
	      "  --expect-ids=PATH    at the end, read event ids (one per line) and count per client the ids\n"
	      "                       lost, received twice, or not expected\n"
	      "  --help               this text\n\n"
	      "Prints one line of key=value on stdout at the end: clients connected failed closed connect_s\n"
	      "window_s deliveries deliveries_per_s slowest_client_per_s p50_ms p99_ms max_ms resyncs\n"
	      "reordered malformed other_messages wsload_cpu_s [expected_ids lost duplicated unexpected].\n"
	      "Latency is the receive time minus the variant_update's timestamp (same machine, same clock),\n"
	      "in 10 us buckets up to 10 s. deliveries_per_s runs from the first delivery to the last.\n",
	      out);
}

/* Parses a whole decimal number in [min, max]; returns -1 when it is not one. */
static long parse_number(const char *text, long min, long max)
{
	char *end;
	long v = strtol(text, &end, 10);
	return (!*text || *end || v < min || v > max) ? -1 : v;
}

/* Stores the value of option key; returns -1 when it is invalid. */
static int set_option(int key, const char *value, struct options *o)
{
	long n = parse_number(value, 1, 1000000);
	switch (key) {
	case 'H': o->host = value; return 0;
	case 's': o->persona = value; return 0;
	case 'r': o->ready_file = value; return 0;
	case 'e': o->expect_ids = value; return 0;
	case 'p': o->port = n > 0 && n <= 65535 ? (int)n : 0; return o->port ? 0 : -1;
	case 'c': o->clients = (unsigned)n; return n > 0 ? 0 : -1;
	case 'b': o->connect_burst = (unsigned)n; return n > 0 ? 0 : -1;
	case 'd': n = parse_number(value, 0, 1000000); o->duration_s = (unsigned)n; return n >= 0 ? 0 : -1;
	default: return -1;
	}
}

/* Parses the command line; returns 0, 1 after --help, or -1 on bad usage. */
static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{"host", required_argument, NULL, 'H'},	      {"port", required_argument, NULL, 'p'},
		{"persona", required_argument, NULL, 's'},    {"clients", required_argument, NULL, 'c'},
		{"duration", required_argument, NULL, 'd'},   {"connect-burst", required_argument, NULL, 'b'},
		{"ready-file", required_argument, NULL, 'r'}, {"expect-ids", required_argument, NULL, 'e'},
		{"help", no_argument, NULL, 'h'},	      {NULL, 0, NULL, 0},
	};
	int key, index = 0;
	*o = (struct options){"127.0.0.1", 0, "wsload", 1, 0, 100, NULL, NULL};
	while ((key = getopt_long(argc, argv, "", longopts, &index)) != -1) {
		if (key == 'h')
			return 1;
		if (key == '?' || set_option(key, optarg, o)) {
			if (key != '?')
				fprintf(stderr, "wsload: bad value for --%s: %s\n", longopts[index].name, optarg);
			return -1;
		}
	}
	return o->port && optind == argc ? 0 : -1;
}

/* Raises RLIMIT_NOFILE to its hard limit; returns the limit in force, or -1 when it cannot fit the clients. */
static int raise_fd_limit(unsigned clients)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl))
		return -1;
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	getrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < (rlim_t)clients + FD_HEADROOM) {
		fprintf(stderr, "wsload: %u clients need %u descriptors, the limit is %lu\n", clients,
			clients + FD_HEADROOM, (unsigned long)rl.rlim_cur);
		return -1;
	}
	return rl.rlim_cur > INT32_MAX ? INT32_MAX : (int)rl.rlim_cur;
}

/* SIGINT/SIGTERM unless the libuv loop catches them first: flags the stop and wakes the loop, which ends the run. */
static void on_signal(int sig)
{
	(void)sig;
	interrupted = 1;
	if (load.ctx)
		lws_cancel_service(load.ctx);
}

/* The libuv loop's signal watcher, called inside the loop: ends the run. */
static void on_loop_signal(void *handle, int sig)
{
	(void)handle;
	(void)sig;
	request_stop();
}

/* Allocates the clients and creates the client-only lws context; returns -1 on failure. */
static int setup(int fd_limit)
{
	struct lws_context_creation_info info;
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	snprintf(load.path, sizeof(load.path), "/dashboard/ws/%s", load.opt.persona);
	load.clients = calloc(load.opt.clients, sizeof(*load.clients));
	load.hist = calloc(HIST_BUCKETS, sizeof(*load.hist));
	if (!load.clients || !load.hist)
		return -1;
	memset(&info, 0, sizeof(info));
	info.port = CONTEXT_PORT_NO_LISTEN;
	info.protocols = protocols;
	info.fd_limit_per_thread = (unsigned)fd_limit;
	/* libuv polls with epoll: a wakeup costs the ready sockets, not a scan of all of them as poll() does */
	info.options = LWS_SERVER_OPTION_LIBUV;
	info.signal_cb = on_loop_signal;
	lws_set_log_level(LLL_ERR | LLL_WARN, NULL);
	load.ctx = lws_create_context(&info);
	return load.ctx ? 0 : -1;
}

/* Frees what the clients and the run hold. */
static void teardown(void)
{
	if (load.ctx)
		lws_context_destroy(load.ctx);
	for (unsigned i = 0; load.clients && i < load.opt.clients; i++) {
		free(load.clients[i].ids);
		free(load.clients[i].frag);
	}
	free(load.clients);
	free(load.hist);
}

/* Connects, serves until --duration has passed or a signal, then prints the report. */
int main(int argc, char **argv)
{
	int rc = parse_options(argc, argv, &load.opt);
	if (rc) {
		usage(rc > 0 ? stdout : stderr);
		return rc > 0 ? 0 : 2;
	}
	int fd_limit = raise_fd_limit(load.opt.clients);
	if (fd_limit < 0 || setup(fd_limit)) {
		teardown();
		return 1;
	}
	load.started = now_mono();
	connect_tick(NULL);
	while (!interrupted && lws_service(load.ctx, 0) >= 0)
		;
	stop_run(NULL); /* no-op when the run already ended inside the loop */
	teardown();
	return load.opened ? 0 : 1;
}

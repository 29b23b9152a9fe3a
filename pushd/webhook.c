/* webhook.c: libcurl's multi interface inside the libwebsockets loop.
 *
 * libcurl tells us which sockets it wants watched (CURLMOPT_SOCKETFUNCTION) and when to call it back
 * (CURLMOPT_TIMERFUNCTION). Each socket is dup()ed and adopted as an lws raw file, like pg.c does for
 * libpq, so lws' poll wakes us and libcurl keeps its own descriptor; the timer is an lws_sul. No thread
 * of ours, no busy polling: a slow destination costs a socket and a timer, never the loop.
 *
 * The address check runs in CURLOPT_OPENSOCKETFUNCTION, on each address libcurl is about to connect
 * to (after DNS), so a name that resolves to 169.254.169.254 or 127.0.0.1 is refused however it is
 * spelled, and no second resolution can differ from the checked one. Proxies from the environment are
 * switched off: the address connected to is the destination's own. */
#define _GNU_SOURCE
#include "webhook.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* One socket libcurl asked us to watch. */
struct wsock {
	curl_socket_t fd;             /* libcurl's descriptor */
	struct lws *wsi;              /* the adopted duplicate */
	int want_out;
	lws_sorted_usec_list_t writable_timer;
};

/* One POST in flight. */
struct wreq {
	CURL *easy;
	struct curl_slist *headers;
	char *body;
	size_t answer_bytes;
	int refused;
	webhook_done_fn fn;
	void *owner;
	struct wreq *next;
};

static struct {
	struct lws_context *ctx;
	struct lws_vhost *vh;
	const struct config *cfg;
	CURLM *multi;
	struct wreq *reqs;            /* every request in flight, for webhook_stop */
	lws_sorted_usec_list_t timer;
	int stopping;
} wh;

/* 1 for IPv4 addresses that are not public unicast: this network, private, shared, loopback, link-local
 * (cloud metadata 169.254.169.254 included), IETF, benchmarking, multicast, reserved, broadcast. */
static int ipv4_is_private(uint32_t a)
{
	static const struct { uint32_t net, mask; } blocks[] = {
		{0x00000000, 0xff000000}, {0x0a000000, 0xff000000}, {0x64400000, 0xffc00000}, {0x7f000000, 0xff000000},
		{0xa9fe0000, 0xffff0000}, {0xac100000, 0xfff00000}, {0xc0000000, 0xffffff00}, {0xc0a80000, 0xffff0000},
		{0xc6120000, 0xfffe0000}, {0xe0000000, 0xe0000000},
	};
	for (size_t i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++)
		if ((a & blocks[i].mask) == blocks[i].net)
			return 1;
	return 0;
}

int webhook_address_is_private(const struct sockaddr *addr)
{
	if (addr->sa_family == AF_INET)
		return ipv4_is_private(ntohl(((const struct sockaddr_in *)(const void *)addr)->sin_addr.s_addr));
	if (addr->sa_family != AF_INET6)
		return 1;
	const uint8_t *b = ((const struct sockaddr_in6 *)(const void *)addr)->sin6_addr.s6_addr;
	static const uint8_t mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	static const uint8_t nat64[12] = {0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0};
	if (!memcmp(b, mapped, 12) || !memcmp(b, nat64, 12)) /* an IPv4 address in IPv6 clothes */
		return ipv4_is_private((uint32_t)b[12] << 24 | (uint32_t)b[13] << 16 | (uint32_t)b[14] << 8 | b[15]);
	int zero_prefix = 1;
	for (int i = 0; i < 15; i++)
		zero_prefix &= b[i] == 0;
	/* :: and ::1, link-local fe80::/10, unique-local fc00::/7, multicast ff00::/8 */
	return zero_prefix || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) || (b[0] & 0xfe) == 0xfc || b[0] == 0xff;
}

/* CURLOPT_OPENSOCKETFUNCTION: refuses a non-public address unless --webhook-allow-private. */
static curl_socket_t open_socket_cb(void *clientp, curlsocktype purpose, struct curl_sockaddr *addr)
{
	struct wreq *r = clientp;
	(void)purpose;
	if (!wh.cfg->webhook_allow_private && webhook_address_is_private(&addr->addr)) {
		r->refused = 1;
		return CURL_SOCKET_BAD;
	}
	return socket(addr->family, addr->socktype | SOCK_CLOEXEC, addr->protocol);
}

/* CURLOPT_WRITEFUNCTION: counts the answer and stops reading past WEBHOOK_MAX_ANSWER. */
static size_t answer_cb(char *data, size_t size, size_t n, void *userdata)
{
	struct wreq *r = userdata;
	(void)data;
	r->answer_bytes += size * n;
	return r->answer_bytes > WEBHOOK_MAX_ANSWER ? 0 : size * n;
}

/* Timer: asks lws to report the socket writable (a request made inside WRITEABLE would be dropped). */
static void wsock_writable_cb(lws_sorted_usec_list_t *sul)
{
	struct wsock *s = lws_container_of(sul, struct wsock, writable_timer);
	if (s->wsi)
		lws_callback_on_writable(s->wsi);
}

/* Stops watching a socket: lws closes the duplicate soon after. */
static void wsock_free(struct wsock *s)
{
	lws_sul_cancel(&s->writable_timer);
	if (s->wsi) {
		lws_set_opaque_user_data(s->wsi, NULL);
		lws_set_timeout(s->wsi, PENDING_TIMEOUT_USER_OK, LWS_TO_KILL_ASYNC);
	}
	free(s);
}

/* Starts watching libcurl's socket fd through an adopted duplicate; NULL on failure. */
static struct wsock *wsock_new(curl_socket_t fd)
{
	struct wsock *s = calloc(1, sizeof(*s));
	lws_sock_file_fd_type desc;
	if (!s)
		return NULL;
	s->fd = fd;
	desc.filefd = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	s->wsi = desc.filefd < 0 ? NULL : lws_adopt_descriptor_vhost(wh.vh, LWS_ADOPT_RAW_FILE_DESC, desc, "webhook", NULL);
	if (!s->wsi) {
		if (desc.filefd >= 0)
			close(desc.filefd);
		free(s);
		return NULL;
	}
	lws_set_opaque_user_data(s->wsi, s);
	return s;
}

/* CURLMOPT_SOCKETFUNCTION: watches, changes or forgets a socket as libcurl asks. */
static int socket_cb(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
	struct wsock *s = socketp;
	(void)easy;
	(void)userp;
	if (what == CURL_POLL_REMOVE) {
		if (s)
			wsock_free(s);
		curl_multi_assign(wh.multi, fd, NULL);
		return 0;
	}
	if (!s) {
		s = wsock_new(fd);
		if (!s)
			return -1;
		curl_multi_assign(wh.multi, fd, s);
	}
	s->want_out = (what & CURL_POLL_OUT) != 0;
	lws_rx_flow_control(s->wsi, (what & CURL_POLL_IN) ? 1 : 0);
	if (s->want_out)
		lws_sul_schedule(wh.ctx, 0, &s->writable_timer, wsock_writable_cb, 1);
	return 0;
}

/* Hands finished transfers to their owners. */
static void collect_done(void)
{
	CURLMsg *m;
	int left;
	while ((m = curl_multi_info_read(wh.multi, &left))) {
		if (m->msg != CURLMSG_DONE)
			continue;
		struct wreq *r = NULL;
		CURLcode code = m->data.result;
		curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, (char **)&r);
		struct webhook_result res = {.curl_code = code, .refused = r->refused};
		curl_off_t retry_after = 0;
		curl_easy_getinfo(r->easy, CURLINFO_RESPONSE_CODE, &res.status);
		curl_easy_getinfo(r->easy, CURLINFO_RETRY_AFTER, &retry_after);
		curl_easy_getinfo(r->easy, CURLINFO_TOTAL_TIME, &res.seconds);
		res.retry_after = (long)retry_after;
		if (!res.status)
			res.error = r->refused ? "destination address not allowed (--webhook-allow-private)" : curl_easy_strerror(code);
		curl_multi_remove_handle(wh.multi, r->easy);
		for (struct wreq **p = &wh.reqs; *p; p = &(*p)->next)
			if (*p == r) {
				*p = r->next;
				break;
			}
		r->fn(r->owner, &res);
		curl_easy_cleanup(r->easy);
		curl_slist_free_all(r->headers);
		free(r->body);
		free(r);
	}
}

/* Runs libcurl on one socket event (or its timeout), then collects what finished. */
static void drive(curl_socket_t fd, int events)
{
	int running;
	curl_multi_socket_action(wh.multi, fd, events, &running);
	if (!wh.stopping)
		collect_done();
}

/* lws timer: libcurl's timeout expired. */
static void curl_timer_cb(lws_sorted_usec_list_t *sul)
{
	(void)sul;
	drive(CURL_SOCKET_TIMEOUT, 0);
}

/* CURLMOPT_TIMERFUNCTION: (re)arms or cancels the one timer libcurl wants. */
static int timer_cb(CURLM *multi, long timeout_ms, void *userp)
{
	(void)multi;
	(void)userp;
	if (timeout_ms < 0)
		lws_sul_cancel(&wh.timer);
	else
		lws_sul_schedule(wh.ctx, 0, &wh.timer, curl_timer_cb, timeout_ms > 0 ? timeout_ms * 1000 : 1);
	return 0;
}

int webhook_init(struct lws_context *ctx, struct lws_vhost *vh, const struct config *cfg)
{
	wh.ctx = ctx;
	wh.vh = vh;
	wh.cfg = cfg;
	if (curl_global_init(CURL_GLOBAL_DEFAULT))
		return -1;
	wh.multi = curl_multi_init();
	if (!wh.multi)
		return -1;
	curl_multi_setopt(wh.multi, CURLMOPT_SOCKETFUNCTION, socket_cb);
	curl_multi_setopt(wh.multi, CURLMOPT_TIMERFUNCTION, timer_cb);
	return 0;
}

/* Sets the options every POST shares: limits, no redirects or proxies, the address check. */
static void set_limits(struct wreq *r)
{
	CURL *e = r->easy;
	curl_easy_setopt(e, CURLOPT_PRIVATE, r);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_PROXY, "");
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, wh.cfg->webhook_allow_http ? "http,https" : "https");
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)wh.cfg->webhook_timeout_ms);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)wh.cfg->webhook_timeout_ms);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_socket_cb);
	curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, r);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, answer_cb);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, r);
	curl_easy_setopt(e, CURLOPT_USERAGENT, "variant-dashboard-pushd");
}

int webhook_post(const char *url, const char *body, struct curl_slist *headers, webhook_done_fn fn, void *owner)
{
	struct wreq *r = calloc(1, sizeof(*r));
	if (!r || wh.stopping || !(r->easy = curl_easy_init()) || !(r->body = strdup(body))) {
		if (r)
			curl_easy_cleanup(r->easy);
		free(r);
		curl_slist_free_all(headers);
		return -1;
	}
	r->headers = headers;
	r->fn = fn;
	r->owner = owner;
	set_limits(r);
	curl_easy_setopt(r->easy, CURLOPT_URL, url);
	curl_easy_setopt(r->easy, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(r->easy, CURLOPT_POSTFIELDS, r->body);
	curl_easy_setopt(r->easy, CURLOPT_POSTFIELDSIZE, (long)strlen(r->body));
	r->next = wh.reqs;
	wh.reqs = r;
	curl_multi_add_handle(wh.multi, r->easy);
	return 0;
}

void webhook_stop(void)
{
	wh.stopping = 1;
	lws_sul_cancel(&wh.timer);
	while (wh.reqs) {
		struct wreq *r = wh.reqs;
		wh.reqs = r->next;
		curl_multi_remove_handle(wh.multi, r->easy); /* its sockets are forgotten through socket_cb */
		curl_easy_cleanup(r->easy);
		curl_slist_free_all(r->headers);
		free(r->body);
		free(r);
	}
}

void webhook_free(void)
{
	if (wh.multi)
		curl_multi_cleanup(wh.multi);
	curl_global_cleanup();
	memset(&wh, 0, sizeof(wh));
}

int webhook_lws_callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in, size_t len)
{
	struct wsock *s = lws_get_opaque_user_data(wsi);
	(void)user;
	(void)in;
	(void)len;
	switch (reason) {
	case LWS_CALLBACK_RAW_RX_FILE:
		if (s)
			drive(s->fd, CURL_CSELECT_IN);
		return 0;
	case LWS_CALLBACK_RAW_WRITEABLE_FILE:
		if (!s || !s->want_out)
			return 0;
		/* asked again first: drive() may free s (its timer goes with it) or turn want_out off (a no-op then) */
		lws_sul_schedule(wh.ctx, 0, &s->writable_timer, wsock_writable_cb, 1);
		drive(s->fd, CURL_CSELECT_OUT);
		return 0;
	case LWS_CALLBACK_RAW_CLOSE_FILE:
		if (s && s->wsi == wsi)
			s->wsi = NULL;
		return 0;
	default:
		return 0;
	}
}

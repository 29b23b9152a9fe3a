/* cors.c: --allowed-origins. An empty list allows every origin (the local demo) and the REST API answers
 * "Access-Control-Allow-Origin: *"; otherwise only listed origins get their own origin echoed back, and
 * WebSocket upgrades from other origins are refused. Requests without Origin (curl, producers) pass. */
#include "cors.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define ORIGIN_MAX 256

static char **origins;
static size_t n_origins;

/* Splits --allowed-origins on commas, trimming blanks and a trailing slash. */
int cors_init(const struct config *cfg)
{
	const char *s = cfg->allowed_origins;
	while (*s) {
		s += strspn(s, " \t,");
		size_t len = strcspn(s, ",");
		size_t keep = len;
		while (keep && (s[keep - 1] == ' ' || s[keep - 1] == '\t' || s[keep - 1] == '/'))
			keep--;
		if (keep) {
			char **grown = realloc(origins, (n_origins + 1) * sizeof(*grown));
			if (!grown || !(grown[n_origins] = strndup(s, keep))) {
				origins = grown ? grown : origins;
				return -1;
			}
			origins = grown;
			n_origins++;
		}
		s += len;
	}
	return 0;
}

/* Frees the list. */
void cors_free(void)
{
	for (size_t i = 0; i < n_origins; i++)
		free(origins[i]);
	free(origins);
	origins = NULL;
	n_origins = 0;
}

/* 1 when origin may use pushd. */
int cors_origin_allowed(const char *origin)
{
	if (!n_origins || !origin)
		return 1;
	for (size_t i = 0; i < n_origins; i++)
		if (!strcasecmp(origins[i], origin))
			return 1;
	return 0;
}

/* Copies the request's Origin header; returns NULL when there is none (or it is too long to be real). */
static const char *request_origin(struct lws *wsi, char *buf)
{
	if (lws_hdr_total_length(wsi, WSI_TOKEN_ORIGIN) <= 0)
		return NULL;
	return lws_hdr_copy(wsi, buf, ORIGIN_MAX, WSI_TOKEN_ORIGIN) > 0 ? buf : "";
}

/* 1 when the request's Origin header may use pushd. */
int cors_request_allowed(struct lws *wsi)
{
	char buf[ORIGIN_MAX];
	return cors_origin_allowed(request_origin(wsi, buf));
}

/* 1 when origin ("scheme://host[:port]") names the host the request was sent to (its Host header). */
static int same_origin(struct lws *wsi, const char *origin)
{
	char host[ORIGIN_MAX];
	const char *authority = strstr(origin, "://");

	if (!authority || lws_hdr_copy(wsi, host, sizeof(host), WSI_TOKEN_HOST) <= 0)
		return 0;
	return !strcasecmp(authority + 3, host);
}

/*
 * 1 when the request may change state: no Origin (not a browser), a listed origin, or, with no list, the
 * page's own origin. A browser posts text/plain or a form to another site without a preflight, so the
 * CORS headers alone do not stop a cross-site write.
 */
int cors_write_allowed(struct lws *wsi)
{
	char buf[ORIGIN_MAX];
	const char *origin = request_origin(wsi, buf);

	if (!origin)
		return 1;
	return n_origins ? cors_origin_allowed(origin) : same_origin(wsi, origin);
}

/* Adds one header given as C strings. */
static int add_header(struct lws *wsi, const char *name, const char *value, unsigned char **p, unsigned char *end)
{
	return lws_add_http_header_by_name(wsi, (const unsigned char *)name, (const unsigned char *)value,
					   (int)strlen(value), p, end);
}

/* Adds the CORS headers for the request's Origin, plus the preflight ones. */
int cors_add_headers(struct lws *wsi, int preflight, unsigned char **p, unsigned char *end)
{
	char buf[ORIGIN_MAX];
	const char *origin = request_origin(wsi, buf);
	const char *allow = !n_origins ? "*" : origin && *origin && cors_origin_allowed(origin) ? origin : NULL;

	if ((allow && add_header(wsi, "access-control-allow-origin:", allow, p, end)) ||
	    (n_origins && add_header(wsi, "vary:", "Origin", p, end)))
		return -1;
	if (!preflight || !allow)
		return 0;
	if (add_header(wsi, "access-control-allow-methods:", "GET, POST, OPTIONS", p, end) ||
	    add_header(wsi, "access-control-allow-headers:", "authorization, content-type", p, end))
		return -1;
	return add_header(wsi, "access-control-max-age:", "600", p, end);
}

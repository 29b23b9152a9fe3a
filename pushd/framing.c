/* framing.c: request framing rules for what libwebsockets parsed. libwebsockets 4.1 frames a body by
 * Content-Length alone: with Transfer-Encoding too, or two different lengths, the rest of the body would be
 * read as the next request (request smuggling), so such heads are refused and the connection closed. */
#include "framing.h"

#include <string.h>

#define LENGTH_DIGITS_MAX 15 /* 10^15 bytes: far above any body pushd accepts, far below overflow */

/* Parses one Content-Length field line: "N" or a list "N, N" of equal values (RFC 9112 6.3).
 * Returns the value, or -1 when it is not a valid length. */
static long long parse_length_line(const char *s)
{
	long long value = -1;
	for (;;) {
		s += strspn(s, " \t");
		size_t digits = strspn(s, "0123456789");
		if (!digits || digits > LENGTH_DIGITS_MAX)
			return -1;
		long long v = 0;
		for (size_t i = 0; i < digits; i++)
			v = v * 10 + (s[i] - '0');
		if (value >= 0 && v != value)
			return -1;
		value = v;
		s += digits;
		s += strspn(s, " \t");
		if (!*s)
			return value;
		if (*s++ != ',')
			return -1;
	}
}

/* The request's Content-Length; -1 when absent, -2 when invalid or repeated. A repeated field line is
 * refused even with equal values: libwebsockets joins repeated lines, so its framing would differ. */
static long long request_length(const struct framing_head *h)
{
	if (!h->n_content_length)
		return -1;
	if (h->n_content_length > 1 || !h->content_length[0])
		return -2;
	long long v = parse_length_line(h->content_length[0]);
	return v < 0 ? -2 : v;
}

/* Checks a request head; returns 0 when it may be served, else the status to answer before closing. */
int framing_check(const struct framing_head *h, long long *length, const char **why)
{
	*length = request_length(h);
	if (h->url_len > FRAMING_URL_MAX)
		return *why = "URL too long", 414;
	if (h->header_len > FRAMING_HEADERS_MAX)
		return *why = "request headers too large", 431;
	if (h->transfer_encoding && h->n_content_length)
		return *why = "Transfer-Encoding and Content-Length together", 400;
	if (h->transfer_encoding)
		return h->has_body ? (*why = "chunked bodies are not supported: send Content-Length", 411)
				   : (*why = "Transfer-Encoding on a request without a body", 400);
	if (*length == -2)
		return *why = "invalid or conflicting Content-Length", 400;
	if (h->has_body && *length < 0)
		return *why = "Content-Length required", 411;
	return 0;
}

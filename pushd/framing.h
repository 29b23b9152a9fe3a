/* framing.h: request framing and size rules (RFC 9112 section 6, RFC 9110 15.5) checked on what
 * libwebsockets parsed, before pushd reads a body or routes the request. */
#ifndef PUSHD_FRAMING_H
#define PUSHD_FRAMING_H

#include <stddef.h>

#include "auth.h"

/* Longest URL (path and query): an AUTH_TOKEN_MAX token in ?access_token= plus room for the rest; 414 past it. */
#define FRAMING_URL_MAX (AUTH_TOKEN_MAX + 2048)
/* Most bytes of known header values in one request; 431 past it. Fits an AUTH_TOKEN_MAX bearer token. */
#define FRAMING_HEADERS_MAX (2 * AUTH_TOKEN_MAX)
/* Content-Length field lines kept for the check (more than one is refused anyway). */
#define FRAMING_MAX_LENGTHS 8
/* Room for one Content-Length field line's text; a longer line is invalid. */
#define FRAMING_LENGTH_TEXT 32

struct framing_head {
	int has_body;                                   /* the method carries a body (POST) */
	const char *content_length[FRAMING_MAX_LENGTHS]; /* each Content-Length field line */
	size_t n_content_length;                       /* how many there were (may exceed FRAMING_MAX_LENGTHS) */
	const char *transfer_encoding;                 /* NULL when absent */
	size_t url_len, header_len;
};

/* Checks a request head; returns 0 and sets *length (-1: no Content-Length) when it may be served, else
 * the HTTP status to answer before closing (400, 411, 414, 431) and *why. */
int framing_check(const struct framing_head *h, long long *length, const char **why);

#endif

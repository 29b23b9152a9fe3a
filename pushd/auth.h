/* auth.h: JWT access control (libjwt): which personas a request or WebSocket may see, and who may write. */
#ifndef PUSHD_AUTH_H
#define PUSHD_AUTH_H

#include <stddef.h>
#include <stdint.h>

#include <libwebsockets.h>

#include "config.h"

#define AUTH_TOKEN_MAX 8192

/* Loads the configured key; returns -1 (logged) when it cannot be used. Without a key access control is off. */
int auth_init(const struct config *cfg);
/* Frees the key. */
void auth_free(void);
/* 1 when a key is configured: every REST call and WebSocket needs a token. */
int auth_enabled(void);
/* Seconds of clock skew allowed on exp and nbf. */
int auth_leeway(void);
/* Picks the token of a request from "Authorization: Bearer T", else from the access_token query argument
 * (either may be NULL). (Sec-WebSocket-Protocol cannot carry one: libwebsockets 4.1 refuses an upgrade whose
 * protocol list is over 127 bytes.) Returns 1 and copies T into out[0..size), else 0. */
int auth_extract_token(const char *authorization, const char *query_token, char *out, size_t size);
/* Verifies a token and checks that it covers persona and, when write is 1, allows writing.
 * Returns 0 and sets *exp (may be NULL), or 401 (no valid token) / 403 (not allowed) and sets *why. */
int auth_check(const char *token, const char *persona, int write, int64_t *exp, const char **why);
/* Verifies a token and gives the personas it may read: *personas gets a JSON array of their ids (malloc'd), or
 * NULL when the token covers every persona ("*"). Returns 0, or 401 (no valid token) and sets *why. */
int auth_readable_personas(const char *token, char **personas, const char **why);
/* Copies the token a request carries into out (AUTH_TOKEN_MAX bytes); returns 1, or 0 when it has none. */
int auth_request_token(struct lws *wsi, char *out);
/* auth_check on the token a request carries. */
int auth_check_request(struct lws *wsi, const char *persona, int write, int64_t *exp, const char **why);

#endif

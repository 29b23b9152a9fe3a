/* url.h: the parts of request URLs pushd reads: persona ids in paths and the resume argument. */
#ifndef PUSHD_URL_H
#define PUSHD_URL_H

#include <stddef.h>
#include <stdint.h>

#include "persona.h"

enum { URL_OK, URL_NOT_FOUND, URL_BAD_PERSONA };

/* Matches path (NUL-terminated) against prefix{id}suffix with a non-empty id; returns the id length, 0 when
 * the path does not match. */
size_t url_persona_match(const char *path, const char *prefix, const char *suffix);
/* Parses a WebSocket path[0..len) prefix{persona_id} into persona (PERSONA_ID_MAX + 1 bytes); returns
 * URL_OK, URL_NOT_FOUND for another path or URL_BAD_PERSONA for an invalid id. */
int url_ws_persona(const char *path, size_t len, const char *prefix, char *persona);
/* Parses a decimal event id (the last_event_id argument): digits only, at most 2^63 - 1; returns 0 and sets
 * *id, or -1 when invalid. */
int url_event_id(const char *value, int64_t *id);

#endif

/* url.h: the parts of request URLs pushd reads: persona and variant ids in paths, the resume argument and
 * the history arguments (times, counts). */
#ifndef PUSHD_URL_H
#define PUSHD_URL_H

#include <stddef.h>
#include <stdint.h>

#include "persona.h"

enum { URL_OK, URL_NOT_FOUND, URL_BAD_PERSONA };

/* Matches path (NUL-terminated) against prefix{id}suffix with a non-empty id; returns the id length, 0 when
 * the path does not match. */
size_t url_persona_match(const char *path, const char *prefix, const char *suffix);
/* Matches path against prefix{id}/{rest} with a non-empty id and rest; returns the id length and points *rest
 * at rest, 0 when the path does not match. */
size_t url_persona_segment(const char *path, const char *prefix, const char **rest);
/* Parses a WebSocket path[0..len) prefix{persona_id} into persona (PERSONA_ID_MAX + 1 bytes); returns
 * URL_OK, URL_NOT_FOUND for another path or URL_BAD_PERSONA for an invalid id. */
int url_ws_persona(const char *path, size_t len, const char *prefix, char *persona);
/* Parses a decimal event id (the last_event_id argument): digits only, at most 2^63 - 1; returns 0 and sets
 * *id, or -1 when invalid. */
int url_event_id(const char *value, int64_t *id);
/* Parses a time argument: epoch seconds ("1767225600", "1767225600.5") or an ISO 8601 date and time with Z or
 * an offset ("2026-01-01T00:00:00Z", "2026-01-01T01:00+01:00"; a space for the offset's '+', which a query
 * string may carry for it); returns 0 and sets *epoch, or -1 when invalid. */
int url_time(const char *value, double *epoch);
/* Parses a decimal integer in [min, max]; returns 0 and sets *out, or -1. */
int url_int_in(const char *value, long min, long max, long *out);

#endif

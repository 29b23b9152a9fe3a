/* persona.h: persona and variant id validation, shared by the REST and WebSocket paths. */
#ifndef PUSHD_PERSONA_H
#define PUSHD_PERSONA_H

#include <stddef.h>

#define PERSONA_ID_MAX 64
#define VARIANT_ID_MAX 200

/* 1 when s[0..len) is 1-64 characters of [A-Za-z0-9_.-]: safe in URLs, logs and SQL parameters. */
int persona_id_valid(const char *s, size_t len);
/* 1 when s[0..len) is 1-200 bytes without control characters (C0, DEL, C1 in UTF-8): the extension's rule. */
int variant_id_valid(const char *s, size_t len);

#endif

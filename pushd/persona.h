/* persona.h: persona id validation, shared by the REST and WebSocket paths. */
#ifndef PUSHD_PERSONA_H
#define PUSHD_PERSONA_H

#include <stddef.h>

#define PERSONA_ID_MAX 64

/* 1 when s[0..len) is 1-64 characters of [A-Za-z0-9_.-]: safe in URLs, logs and SQL parameters. */
int persona_id_valid(const char *s, size_t len);

#endif

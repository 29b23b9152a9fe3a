/* url.c: persona ids in request paths and the resume argument. */
#include "url.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Matches prefix{id}suffix with a non-empty id; returns the id length, 0 when the path does not match. */
size_t url_persona_match(const char *path, const char *prefix, const char *suffix)
{
	size_t plen = strlen(prefix), slen = strlen(suffix), len = strlen(path);
	if (len <= plen + slen || strncmp(path, prefix, plen) || strcmp(path + len - slen, suffix))
		return 0;
	return len - plen - slen;
}

/* Parses prefix{persona_id}: URL_NOT_FOUND for another path, URL_BAD_PERSONA for an invalid id. */
int url_ws_persona(const char *path, size_t len, const char *prefix, char *persona)
{
	size_t plen = strlen(prefix);
	if (len < plen || memcmp(path, prefix, plen))
		return URL_NOT_FOUND;
	if (!persona_id_valid(path + plen, len - plen))
		return URL_BAD_PERSONA;
	memcpy(persona, path + plen, len - plen); /* at most PERSONA_ID_MAX, checked above */
	persona[len - plen] = '\0';
	return URL_OK;
}

/* Parses an event id: plain decimal digits (no sign, blank or exponent) within bigint. */
int url_event_id(const char *value, int64_t *id)
{
	size_t digits = strspn(value, "0123456789");
	if (!digits || value[digits])
		return -1;
	errno = 0;
	long long v = strtoll(value, NULL, 10);
	if (errno)
		return -1;
	*id = v;
	return 0;
}

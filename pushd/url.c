/* url.c: persona and variant ids in request paths, the resume argument, and the history arguments. */
#define _GNU_SOURCE /* timegm */
#include "url.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* Matches prefix{id}/{rest} with a non-empty id and rest; returns the id length, 0 when the path does not match. */
size_t url_persona_segment(const char *path, const char *prefix, const char **rest)
{
	size_t plen = strlen(prefix);
	const char *slash = strncmp(path, prefix, plen) ? NULL : strchr(path + plen, '/');
	if (!slash || slash == path + plen || !slash[1])
		return 0;
	*rest = slash + 1;
	return (size_t)(slash - path) - plen;
}

/* Reads exactly n decimal digits at *s into *v and moves *s past them; returns -1 when they are not all there. */
static int take_digits(const char **s, int n, int *v)
{
	*v = 0;
	for (int i = 0; i < n; i++, (*s)++) {
		if (**s < '0' || **s > '9')
			return -1;
		*v = *v * 10 + (**s - '0');
	}
	return 0;
}

/* Parses a fraction ".d{1,9}" at *s (none is 0) and moves *s past it; returns -1 when malformed. */
static int take_fraction(const char **s, double *frac)
{
	const char *start = *s + 1;
	*frac = 0;
	if (**s != '.')
		return 0;
	for (*s = start; **s >= '0' && **s <= '9'; (*s)++)
		;
	if (*s == start || *s - start > 9)
		return -1;
	*frac = strtod(start - 1, NULL);
	return 0;
}

/* Parses a UTC offset: "Z", or a sign ('+', '-', or a space for a decoded '+') and HH[[:]MM]; returns -1 unless
 * it is the whole rest of the text. */
static int take_offset(const char *s, int *seconds)
{
	int sign = *s == '-' ? -1 : 1, h, m = 0;
	*seconds = 0;
	if ((*s == 'Z' || *s == 'z') && !s[1])
		return 0;
	if (*s != '+' && *s != '-' && *s != ' ')
		return -1;
	s++;
	if (take_digits(&s, 2, &h))
		return -1;
	if (*s == ':')
		s++;
	if ((*s && take_digits(&s, 2, &m)) || *s || h > 23 || m > 59)
		return -1;
	*seconds = sign * (h * 3600 + m * 60);
	return 0;
}

/* Parses YYYY-MM-DD(T| )HH:MM[:SS][.frac](Z|offset) strictly (the day must exist); returns 0 or -1. */
static int url_iso8601(const char *s, double *epoch)
{
	struct tm tm = {0}, back;
	int y, mo, d, h, mi, sec = 0, offset;
	double frac;
	if (take_digits(&s, 4, &y) || *s++ != '-' || take_digits(&s, 2, &mo) || *s++ != '-' || take_digits(&s, 2, &d) ||
	    (*s != 'T' && *s != 't' && *s != ' ') || (s++, take_digits(&s, 2, &h)) || *s++ != ':' ||
	    take_digits(&s, 2, &mi) || (*s == ':' && (s++, take_digits(&s, 2, &sec))) || take_fraction(&s, &frac) ||
	    take_offset(s, &offset) || h > 23 || mi > 59 || sec > 59 || mo < 1 || mo > 12 || d < 1)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = sec;
	time_t t = timegm(&tm);
	if (!gmtime_r(&t, &back) || back.tm_mday != d || back.tm_mon != mo - 1) /* 2026-02-30 rolls over: refused */
		return -1;
	*epoch = (double)t + frac - offset;
	return 0;
}

/* Parses epoch seconds (up to 11 digits, a fraction of up to 9) or an ISO 8601 date and time. */
int url_time(const char *value, double *epoch)
{
	const char *s = value;
	double frac;
	while (*s >= '0' && *s <= '9')
		s++;
	if (s == value || s - value > 11)
		return url_iso8601(value, epoch);
	if (take_fraction(&s, &frac) || *s)
		return url_iso8601(value, epoch);
	*epoch = strtod(value, NULL);
	return 0;
}

/* Parses a decimal integer in [min, max]. */
int url_int_in(const char *value, long min, long max, long *out)
{
	char *end;
	if (*value < '0' || *value > '9')
		return -1;
	long v = strtol(value, &end, 10);
	if (*end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

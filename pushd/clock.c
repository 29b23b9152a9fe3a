/* clock.c: wall and monotonic clocks, and the ISO 8601 timestamps events carry; libc only, so the
 * bench's load generator (bench/wsload.c) measures latency with exactly pushd's parsing. */
#define _GNU_SOURCE
#include "clock.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

/* Parses "YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)" (a space instead of T too). */
double iso8601_to_epoch(const char *text)
{
	struct tm tm = {0};
	int consumed = 0, oh = 0, om = 0;
	double frac = 0;
	char sign = 0;

	if (sscanf(text, "%4d-%2d-%2d%*1[T ]%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
		   &tm.tm_min, &tm.tm_sec, &consumed) != 6)
		return 0;
	text += consumed;
	if (*text == '.') {
		char *end;
		frac = strtod(text, &end);
		text = end;
	}
	if ((*text == '+' || *text == '-') && sscanf(text, "%c%2d:%2d", &sign, &oh, &om) < 2)
		return 0;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	double offset = (oh * 3600.0 + om * 60.0) * (sign == '-' ? -1 : 1);
	return (double)timegm(&tm) + frac - offset;
}

/* Current wall clock in epoch seconds. */
double now_epoch(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Current monotonic clock in seconds. */
double now_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

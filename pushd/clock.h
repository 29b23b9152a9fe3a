/* clock.h: wall and monotonic clocks, and ISO 8601 timestamps, in seconds as doubles. */
#ifndef PUSHD_CLOCK_H
#define PUSHD_CLOCK_H

/* Parses an ISO 8601 timestamp with offset into epoch seconds; 0 when unparsable. */
double iso8601_to_epoch(const char *text);
/* Current wall clock in epoch seconds. */
double now_epoch(void);
/* Current monotonic clock in seconds. */
double now_mono(void);

#endif

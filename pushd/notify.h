/* notify.h: parsing the NOTIFY payloads of channel variant_dashboard (docs/EVENTS.md). */
#ifndef PUSHD_NOTIFY_H
#define PUSHD_NOTIFY_H

#include <stddef.h>

#include <jansson.h>

#include "msg.h"

struct notification {
	const char *persona_id; /* NULL when missing; owned by the returned JSON */
	int truncated;          /* "truncated": true: the event must be read from the log */
	struct msg *m;          /* the encoded variant_update (a reference), NULL when truncated or malformed */
};

/* Parses payload[0..len) into n; returns the parsed JSON (the caller decrefs it), or NULL when it is not
 * JSON, with n zeroed. */
json_t *notify_parse(const char *payload, size_t len, struct notification *n);

#endif

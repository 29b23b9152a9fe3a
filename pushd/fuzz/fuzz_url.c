/* fuzz_url.c: libFuzzer target for URL parsing: WebSocket and REST paths with persona and variant ids,
 * last_event_id, the history arguments (times, counts). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http.h"
#include "url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts unless a parsed persona id is one pushd may use in SQL parameters, logs and URLs. */
static void check_persona(const char *persona)
{
	if (!persona_id_valid(persona, strlen(persona)))
		abort();
}

/* Feeds the input to every URL parser the way pushd receives it from libwebsockets. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char uri[256], path[256], arg[48], persona[PERSONA_ID_MAX + 1];
	int64_t id = -1;
	const char *variant;
	double epoch;
	long count;

	if (size < sizeof(uri)) { /* lws_hdr_copy: the URI fits with its NUL, or the upgrade is refused */
		memcpy(uri, data, size);
		uri[size] = '\0';
		if (url_ws_persona(uri, size, "/dashboard/ws/", persona) == URL_OK)
			check_persona(persona);
	}
	snprintf(path, sizeof(path), "%.*s", (int)(size < sizeof(path) ? size : sizeof(path) - 1), (const char *)data);
	if (http_get_route(path, persona, &variant) >= 0 && *persona)
		check_persona(persona);
	if (variant && (variant < path || variant >= path + sizeof(path) || !*variant))
		abort(); /* a variant id is a non-empty part of the path */
	snprintf(arg, sizeof(arg), "%.*s", (int)(size < sizeof(arg) ? size : sizeof(arg) - 1), (const char *)data);
	if (!url_event_id(arg, &id) && id < 0)
		abort();
	if (!url_time(arg, &epoch) && epoch != epoch) /* a time is never NaN */
		abort();
	if (!url_int_in(arg, 2, 2000, &count) && (count < 2 || count > 2000))
		abort();
	return 0;
}

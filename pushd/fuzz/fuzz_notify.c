/* fuzz_notify.c: libFuzzer target for the NOTIFY payload parser (notify.c). */
#include <stdint.h>
#include <stdlib.h>

#include "notify.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parses one payload; an encoded variant_update must itself be a JSON object. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct notification n;
	json_t *root = notify_parse((const char *)data, size, &n);
	if (n.m) {
		json_t *sent = json_loadb((const char *)msg_text(n.m), n.m->len, 0, NULL);
		if (!json_is_object(sent) || !n.persona_id || n.truncated || n.m->event_id <= 0)
			abort();
		json_decref(sent);
	}
	msg_unref(n.m);
	json_decref(root);
	return 0;
}

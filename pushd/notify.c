/* notify.c: parsing NOTIFY payloads into variant_update messages. */
#include "notify.h"

#include <stdlib.h>
#include <string.h>

/* Encodes one parsed notification, or returns NULL for a truncated or malformed one. */
static struct msg *notification_msg(json_t *root, struct notification *n)
{
	json_t *data = json_object_get(root, "data");
	json_int_t event_id = json_integer_value(json_object_get(root, "event_id"));
	const char *created_at = json_string_value(json_object_get(root, "created_at"));

	n->persona_id = json_string_value(json_object_get(root, "persona_id"));
	n->truncated = json_is_true(json_object_get(root, "truncated"));
	if (n->truncated || !n->persona_id || event_id <= 0 || !created_at || !json_is_object(data))
		return NULL;
	char *data_text = json_dumps(data, JSON_COMPACT);
	struct msg *m = data_text ? msg_variant_update(event_id, created_at, data_text) : NULL;
	free(data_text);
	return m;
}

/* Parses one payload. */
json_t *notify_parse(const char *payload, size_t len, struct notification *n)
{
	json_t *root = json_loadb(payload, len, 0, NULL);
	memset(n, 0, sizeof(*n));
	if (root)
		n->m = notification_msg(root, n);
	return root;
}

/* clientmsg.c: parsing the JSON messages WebSocket clients send. */
#include "clientmsg.h"

#include <string.h>

#include <jansson.h>

/* Copies the token of {"type":"auth","token":...}; CMSG_INVALID when it is missing, empty or too long. */
static enum client_msg client_msg_token(json_t *root, char *token, size_t size, const char **error)
{
	const char *value = json_string_value(json_object_get(root, "token"));
	size_t len = value ? strlen(value) : 0;
	if (!len || len >= size) {
		*error = "auth needs a string token";
		return CMSG_INVALID;
	}
	memcpy(token, value, len + 1);
	return CMSG_AUTH;
}

/* Reads the type and the argument of a parsed message. */
static enum client_msg client_msg_read(json_t *root, int64_t *last_id, char *token, size_t token_size,
				       const char **error)
{
	const char *type = json_string_value(json_object_get(root, "type"));
	json_t *id;

	*error = NULL;
	if (!root || !json_is_object(root))
		*error = "invalid JSON";
	else if (!type)
		*error = "message needs a string \"type\"";
	else if (!strcmp(type, "ping"))
		return CMSG_PING;
	else if (!strcmp(type, "refresh"))
		return CMSG_REFRESH;
	else if (!strcmp(type, "auth"))
		return client_msg_token(root, token, token_size, error);
	else if (strcmp(type, "resume"))
		*error = "unknown message type";
	else if (!json_is_integer(id = json_object_get(root, "last_event_id")) || json_integer_value(id) < 0)
		*error = "resume needs a non-negative integer last_event_id";
	else
		*last_id = json_integer_value(id);
	return *error ? CMSG_INVALID : CMSG_RESUME;
}

/* Parses one complete client message. */
enum client_msg client_msg_parse(const char *text, size_t len, int64_t *last_id, char *token, size_t token_size,
				 const char **error)
{
	json_t *root = json_loadb(text, len, 0, NULL);
	enum client_msg type = client_msg_read(root, last_id, token, token_size, error);
	json_decref(root);
	return type;
}

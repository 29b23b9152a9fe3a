/* clientmsg.h: parsing the JSON messages WebSocket clients send (ping, refresh, resume, auth). */
#ifndef PUSHD_CLIENTMSG_H
#define PUSHD_CLIENTMSG_H

#include <stddef.h>
#include <stdint.h>

enum client_msg { CMSG_INVALID, CMSG_PING, CMSG_REFRESH, CMSG_RESUME, CMSG_AUTH };

/* Parses one complete client message text[0..len). CMSG_RESUME sets *last_id; CMSG_AUTH copies the non-empty
 * token into token[0..token_size); CMSG_INVALID sets *error to a static message for the client. */
enum client_msg client_msg_parse(const char *text, size_t len, int64_t *last_id, char *token, size_t token_size,
				 const char **error);

#endif

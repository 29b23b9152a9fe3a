/* fuzz_ws_message.c: libFuzzer target for the WebSocket client message parser (clientmsg.c). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "clientmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Parses one client message as ws.c does and checks what the parser promises its caller. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int64_t last_id = -1;
	const char *error = NULL;
	char token[AUTH_TOKEN_MAX];
	enum client_msg type = client_msg_parse((const char *)data, size, &last_id, token, sizeof(token), &error);
	if ((type == CMSG_INVALID) != (error != NULL) || (type == CMSG_RESUME && last_id < 0) ||
	    (type == CMSG_AUTH && (!*token || strlen(token) >= sizeof(token))))
		abort();
	return 0;
}

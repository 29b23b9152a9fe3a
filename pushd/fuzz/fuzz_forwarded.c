/* fuzz_forwarded.c: libFuzzer target for the forwarding-header parsers (clientaddr.c): X-Forwarded-For and
 * Forwarded values as a trusted proxy would pass them, against a fixed --trusted-proxies list. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clientaddr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Aborts unless a picked client is canonical address text: what limits, logs and metrics key on. */
static void check_addr(const char *ip)
{
	unsigned char addr[16];
	char again[INET6_ADDRSTRLEN];
	int family = strchr(ip, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(family, ip, addr) != 1 || !inet_ntop(family, addr, again, sizeof(again)) || strcmp(again, ip) ||
	    (family == AF_INET6 && !strncmp(ip, "::ffff:", 7) && strchr(ip, '.')))
		abort();
}

/* Feeds the input as each header value: a picked client must be canonical address text, and a header that
 * names none must leave the output as it was (the peer address stays). */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	if (!ready && clientaddr_init("127.0.0.0/8, 10.0.0.0/8, 2001:db8::/32, 192.0.2.1"))
		abort();
	ready = 1;
	char *value = malloc(size + 1);
	if (!value)
		return 0;
	memcpy(value, data, size);
	value[size] = '\0';
	for (int kind = FWD_X_FORWARDED_FOR; kind <= FWD_FORWARDED; kind++) {
		char out[CLIENT_ADDR_MAX] = "unchanged";
		if (clientaddr_pick((enum forwarded_header)kind, value, out, sizeof(out)))
			check_addr(out);
		else if (strcmp(out, "unchanged"))
			abort();
	}
	free(value);
	return 0;
}

/* clientaddr.h: the client address of a request: the TCP peer, or for a peer inside --trusted-proxies the
 * address its X-Forwarded-For (or Forwarded: for=) header names. */
#ifndef PUSHD_CLIENTADDR_H
#define PUSHD_CLIENTADDR_H

#include <stddef.h>

#include <libwebsockets.h>

#define CLIENT_ADDR_MAX 48 /* canonical IPv6 text (INET6_ADDRSTRLEN) with room to spare */

enum forwarded_header {
	FWD_X_FORWARDED_FOR, /* X-Forwarded-For: a comma list of addresses, the nearest hop last */
	FWD_FORWARDED        /* Forwarded (RFC 7239): elements with for=, the nearest hop last */
};

/* Parses the comma list of CIDRs (or single addresses) of --trusted-proxies; returns -1 with a message on
 * stderr when an entry is not one. */
int clientaddr_init(const char *list);
/* Frees the list. */
void clientaddr_free(void);
/* 1 when ip (address text) lies inside a trusted proxy CIDR. */
int clientaddr_trusted(const char *ip);
/* Picks the client of a forwarding header value: the right-most address that is not a trusted proxy (the
 * left-most when all are). Returns 1 and writes its canonical text to out[0..size), 0 when the header names
 * no usable address (malformed, "unknown", an obfuscated id) and out is unchanged. */
int clientaddr_pick(enum forwarded_header kind, const char *value, char *out, size_t size);
/* The client address of a request: the peer, or what a trusted peer's forwarding header says. */
void client_addr(struct lws *wsi, char *out, size_t size);

#endif

/* clientaddr.c: who a request comes from. Behind a reverse proxy every request has the proxy's address, so
 * for a peer inside --trusted-proxies the client is read from X-Forwarded-For, or without that header from
 * Forwarded: for=. Proxies append the address they received from, so the chain is only believed from the
 * right: the client is the right-most hop that is not itself a trusted proxy. Addresses come out as canonical
 * text (inet_ntop, IPv4-mapped IPv6 as IPv4), so each client has one spelling in limits, logs and metrics. */
#include "clientaddr.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_HOPS 64   /* right-most hops considered; a longer chain is the client's own text anyway */
#define ADDR_TEXT 64  /* longest hop text that can be an address (with brackets and a port) */

struct cidr {
	int family; /* AF_INET or AF_INET6 */
	unsigned char addr[16];
	int prefix; /* leading bits that must match */
};

struct hops {
	const char *text[MAX_HOPS];
	size_t len[MAX_HOPS];
	int n;
};

static struct cidr *trusted;
static size_t n_trusted;

/* Parses address text[0..len) into family and 16 bytes; an IPv4-mapped IPv6 address becomes IPv4. */
static int addr_parse(const char *text, size_t len, int *family, unsigned char addr[16])
{
	static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
	char buf[ADDR_TEXT];
	if (!len || len >= sizeof(buf))
		return -1;
	memcpy(buf, text, len);
	buf[len] = '\0';
	if (inet_pton(AF_INET, buf, addr) == 1) {
		*family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, buf, addr) != 1)
		return -1;
	*family = AF_INET6;
	if (!memcmp(addr, mapped, sizeof(mapped))) {
		memmove(addr, addr + 12, 4);
		*family = AF_INET;
	}
	return 0;
}

/* Parses "address[/bits]" into a CIDR with the host bits cleared; -1 when it is not one. */
static int cidr_parse(const char *text, size_t len, struct cidr *c)
{
	const char *slash = memchr(text, '/', len);
	size_t alen = slash ? (size_t)(slash - text) : len;
	if (addr_parse(text, alen, &c->family, c->addr))
		return -1;
	int max = c->family == AF_INET ? 32 : 128;
	c->prefix = max;
	if (slash) {
		size_t digits = len - alen - 1;
		if (!digits || digits > 3 || strspn(slash + 1, "0123456789") < digits)
			return -1;
		c->prefix = atoi(slash + 1);
		if (c->prefix > max)
			return -1;
	}
	for (int bit = c->prefix; bit < max; bit++)
		c->addr[bit / 8] &= (unsigned char)~(0x80 >> (bit % 8));
	return 0;
}

/* 1 when the address lies inside the CIDR. */
static int cidr_contains(const struct cidr *c, int family, const unsigned char *addr)
{
	int whole = c->prefix / 8, rest = c->prefix % 8;
	if (family != c->family || memcmp(addr, c->addr, (size_t)whole))
		return 0;
	return !rest || !((addr[whole] ^ c->addr[whole]) & (0xff00 >> rest));
}

/* 1 when the address lies inside one of the trusted CIDRs. */
static int addr_trusted(int family, const unsigned char *addr)
{
	for (size_t i = 0; i < n_trusted; i++)
		if (cidr_contains(&trusted[i], family, addr))
			return 1;
	return 0;
}

/* Parses --trusted-proxies: comma-separated, blanks around entries ignored. */
int clientaddr_init(const char *list)
{
	for (const char *s = list; *s;) {
		s += strspn(s, " \t,");
		size_t len = strcspn(s, ", \t");
		if (!len)
			continue;
		struct cidr *grown = realloc(trusted, (n_trusted + 1) * sizeof(*grown));
		if (!grown)
			return -1;
		trusted = grown;
		if (cidr_parse(s, len, &trusted[n_trusted])) {
			fprintf(stderr, "pushd: --trusted-proxies: '%.*s' is not an address or CIDR\n", (int)len, s);
			return -1;
		}
		n_trusted++;
		s += len;
	}
	return 0;
}

/* Frees the list. */
void clientaddr_free(void)
{
	free(trusted);
	trusted = NULL;
	n_trusted = 0;
}

/* 1 when ip (address text) lies inside a trusted proxy CIDR. */
int clientaddr_trusted(const char *ip)
{
	int family;
	unsigned char addr[16];
	return n_trusted && !addr_parse(ip, strlen(ip), &family, addr) && addr_trusted(family, addr);
}

/* Appends a hop, dropping the left-most when the chain is full. */
static void hops_push(struct hops *h, const char *text, size_t len)
{
	if (h->n == MAX_HOPS) {
		memmove(h->text, h->text + 1, (MAX_HOPS - 1) * sizeof(h->text[0]));
		memmove(h->len, h->len + 1, (MAX_HOPS - 1) * sizeof(h->len[0]));
		h->n--;
	}
	h->text[h->n] = text;
	h->len[h->n++] = len;
}

/* Splits X-Forwarded-For into hops; empty list elements are skipped. */
static void xff_hops(const char *s, struct hops *h)
{
	for (;;) {
		s += strspn(s, " \t");
		size_t len = strcspn(s, ","), keep = len;
		while (keep && (s[keep - 1] == ' ' || s[keep - 1] == '\t'))
			keep--;
		if (keep)
			hops_push(h, s, keep);
		if (!s[len])
			return;
		s += len + 1;
	}
}

/* Reads one value of a Forwarded pair: a token, or a quoted-string (its raw inside: an address never holds
 * an escape, so escapes need no decoding). Returns the text after it, NULL for an unterminated quote. */
static const char *forwarded_value(const char *s, const char **value, size_t *len)
{
	if (*s != '"') {
		*value = s;
		*len = strcspn(s, ",; \t\"");
		return s + *len;
	}
	*value = ++s;
	while (*s && *s != '"')
		s += s[0] == '\\' && s[1] ? 2 : 1;
	if (*s != '"')
		return NULL;
	*len = (size_t)(s - *value);
	return s + 1;
}

/* Collects the for= values of a Forwarded header (RFC 7239) as hops; -1 on a syntax error. */
static int forwarded_hops(const char *s, struct hops *h)
{
	for (;;) {
		s += strspn(s, " \t,;");
		if (!*s)
			return 0;
		const char *name = s, *value;
		size_t name_len = strcspn(s, "=,; \t\""), value_len;
		if (!name_len || s[name_len] != '=' || !(s = forwarded_value(s + name_len + 1, &value, &value_len)))
			return -1;
		if (name_len == 3 && !strncasecmp(name, "for", 3))
			hops_push(h, value, value_len);
		s += strspn(s, " \t");
		if (*s && *s != ',' && *s != ';')
			return -1;
	}
}

/* 1 when text[0..len) is a port: digits, or an obfuscated port ("_x") of a Forwarded node. */
static int port_valid(const char *text, size_t len)
{
	static const char chars[] = "0123456789_.-abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	if (!len || len > 32)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (!text[i] || !strchr(chars, text[i]))
			return 0;
	return 1;
}

/* Parses a hop: an address, "[IPv6]", or either with ":port". Returns -1 for anything else ("unknown", an
 * obfuscated node, garbage). */
static int hop_addr(const char *text, size_t len, int *family, unsigned char addr[16])
{
	const char *end = text + len, *host = text, *colon = memchr(text, ':', len);
	size_t host_len = len;
	if (len && text[0] == '[') {
		const char *close = memchr(text, ']', len);
		if (!close || (close + 1 < end && (close[1] != ':' || !port_valid(close + 2, (size_t)(end - close - 2)))))
			return -1;
		host = text + 1;
		host_len = (size_t)(close - host);
	} else if (colon && !memchr(colon + 1, ':', (size_t)(end - colon - 1))) { /* one colon: IPv4 and a port */
		if (!port_valid(colon + 1, (size_t)(end - colon - 1)))
			return -1;
		host_len = (size_t)(colon - text);
	}
	return addr_parse(host, host_len, family, addr);
}

/* The client of a chain: the right-most hop that is not a trusted proxy, the left-most when all are. A hop
 * that is no address ends the walk: whatever lies left of it was not written by a proxy we trust. */
static int hops_pick(const struct hops *h, char *out, size_t size)
{
	char text[INET6_ADDRSTRLEN];
	unsigned char addr[16];
	int family;
	for (int i = h->n - 1; i >= 0; i--) {
		if (hop_addr(h->text[i], h->len[i], &family, addr))
			return 0;
		if (i == 0 || !addr_trusted(family, addr)) {
			if (!inet_ntop(family, addr, text, sizeof(text)) || strlen(text) >= size)
				return 0;
			memcpy(out, text, strlen(text) + 1);
			return 1;
		}
	}
	return 0;
}

/* Picks the client of a forwarding header value. */
int clientaddr_pick(enum forwarded_header kind, const char *value, char *out, size_t size)
{
	struct hops h = {.n = 0};
	if (kind == FWD_X_FORWARDED_FOR)
		xff_hops(value, &h);
	else if (forwarded_hops(value, &h))
		return 0;
	return hops_pick(&h, out, size);
}

/* A request header as a malloc'd string (a known token, or by lower-case name with its colon); NULL when
 * absent. lws joins repeated headers with commas, so the copy may need more than the total length. */
static char *header_dup(struct lws *wsi, enum lws_token_indexes token, const char *name)
{
	int nlen = name ? (int)strlen(name) : 0;
	int len = name ? lws_hdr_custom_length(wsi, name, nlen) : lws_hdr_total_length(wsi, token);
	if (len <= 0)
		return NULL;
	int size = 2 * len + 2;
	char *value = malloc((size_t)size);
	if (value && (name ? lws_hdr_custom_copy(wsi, value, size, name, nlen) : lws_hdr_copy(wsi, value, size, token)) < 0) {
		free(value);
		value = NULL;
	}
	return value;
}

/* The client address of a request: the peer, or what a trusted peer's forwarding header says. */
void client_addr(struct lws *wsi, char *out, size_t size)
{
	*out = '\0';
	lws_get_peer_simple(wsi, out, size);
	if (!clientaddr_trusted(out))
		return;
	char *xff = header_dup(wsi, WSI_TOKEN_X_FORWARDED_FOR, NULL);
	char *fwd = xff ? NULL : header_dup(wsi, WSI_TOKEN_COUNT, "forwarded:");
	if (xff || fwd)
		clientaddr_pick(xff ? FWD_X_FORWARDED_FOR : FWD_FORWARDED, xff ? xff : fwd, out, size);
	free(xff);
	free(fwd);
}

/* fuzz_token.c: libFuzzer target for token extraction (auth_extract_token) and verification of the
 * extracted token (auth_check with an HS256 key). The input is "authorization\0query". */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char secret[] = "fuzz-secret", empty[] = "";
static const struct config cfg = {.jwt_secret = secret, .jwt_secret_file = empty, .jwt_public_key = empty,
				  .jwt_issuer = empty, .jwt_audience = empty, .jwt_leeway = 30};

/* Copies the next NUL-terminated part of the input into out (AUTH_TOKEN_MAX bytes) as lws_hdr_copy would:
 * a header that does not fit is empty. Returns NULL when the input has no more parts. */
static const char *next_part(const uint8_t **data, size_t *size, char *out)
{
	if (!*size)
		return NULL;
	const uint8_t *nul = memchr(*data, 0, *size);
	size_t len = nul ? (size_t)(nul - *data) : *size;
	if (len >= AUTH_TOKEN_MAX)
		len = 0;
	memcpy(out, *data, len);
	out[len] = '\0';
	*size -= nul ? (size_t)(nul - *data) + 1 : *size;
	*data = nul ? nul + 1 : *data;
	return out;
}

/* Extracts a token from the two request inputs, checks its bounds, then verifies it. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char authz[AUTH_TOKEN_MAX], query[AUTH_TOKEN_MAX], token[AUTH_TOKEN_MAX];
	static int ready;
	int64_t exp;
	const char *why;

	if (!ready && !(ready = !auth_init(&cfg)))
		abort();
	const char *a = next_part(&data, &size, authz), *q = next_part(&data, &size, query);
	if (!auth_extract_token(a, q, token, sizeof(token)))
		return 0;
	size_t len = strlen(token);
	if (!len || len >= sizeof(token) || token[len - 1] == ' ' || token[len - 1] == '\t')
		abort();
	if (auth_check(token, "ai-jesus", 0, &exp, &why) && !why)
		abort();
	return 0;
}

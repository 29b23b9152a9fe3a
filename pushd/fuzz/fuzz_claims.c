/* fuzz_claims.c: libFuzzer target for the claim checks of auth_check (exp, nbf, iss, aud, personas, scope).
 * The input is the claims JSON; the target signs it with the HS256 key pushd trusts, so the checks run. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jwt.h>

#include "auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char secret[] = "fuzz-secret", empty[] = "", issuer[] = "https://issuer.test", audience[] = "pushd";
static const struct config cfg = {.jwt_secret = secret, .jwt_secret_file = empty, .jwt_public_key = empty,
				  .jwt_issuer = issuer, .jwt_audience = audience, .jwt_leeway = 30};

/* Signs claims (a NUL-terminated JSON object) with the configured secret; returns the token or NULL. */
static char *sign(const char *claims)
{
	jwt_t *jwt = NULL;
	char *token = NULL;
	if (!jwt_new(&jwt) && !jwt_set_alg(jwt, JWT_ALG_HS256, (const unsigned char *)secret, strlen(secret)) &&
	    !jwt_add_grants_json(jwt, claims))
		token = jwt_encode_str(jwt);
	jwt_free(jwt);
	return token;
}

/* Signs the input claims and checks them for reading and for writing. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	int64_t exp;
	const char *why;

	if (!ready && !(ready = !auth_init(&cfg)))
		abort();
	char *claims = malloc(size + 1);
	if (!claims)
		return 0;
	memcpy(claims, data, size);
	claims[size] = '\0';
	char *token = sign(claims);
	free(claims);
	if (!token)
		return 0;
	for (int write = 0; write < 2; write++)
		if (auth_check(token, "ai-jesus", write, &exp, &why) ? !why : exp <= 0)
			abort();
	free(token);
	return 0;
}

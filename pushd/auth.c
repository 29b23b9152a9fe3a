/* auth.c: JWT verification with libjwt. The configured key decides the accepted algorithms (HS* for a
 * secret, RS* for an RSA key, the ES algorithm of an EC key's curve), so "none" and algorithm confusion
 * (an HS256 token signed with the public key as secret) are refused before any claim is read. */
#include "auth.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <jansson.h>
#include <jwt.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "log.h"

#define MAX_ALGS 3
#define AUTH_EXP_MAX 253402300799.0 /* 9999-12-31T23:59:59Z */

static struct {
	const struct config *cfg;
	unsigned char *key;
	size_t key_len;
	jwt_alg_t algs[MAX_ALGS];
	int n_algs;
} auth;

/* Reads a whole file (at most 1 MB); returns malloc'd bytes, NUL-terminated, or NULL. */
static unsigned char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = malloc(1 << 20);
	*len = f && buf ? fread(buf, 1, (1 << 20) - 1, f) : 0;
	if (f)
		fclose(f);
	if (!*len) {
		free(buf);
		return NULL;
	}
	buf[*len] = '\0';
	unsigned char *fitted = realloc(buf, *len + 1);
	return fitted ? fitted : buf;
}

/* Sets the accepted algorithms from a PEM public key: the RS family for RSA, one ES algorithm for EC. */
static int algs_for_public_key(const unsigned char *pem, size_t len)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	EVP_PKEY *key = bio ? PEM_read_bio_PUBKEY(bio, NULL, NULL, NULL) : NULL;
	int type = key ? EVP_PKEY_get_base_id(key) : 0, bits = key ? EVP_PKEY_get_bits(key) : 0;

	EVP_PKEY_free(key);
	BIO_free(bio);
	auth.n_algs = 0;
	if (type == EVP_PKEY_RSA) {
		auth.algs[0] = JWT_ALG_RS256;
		auth.algs[1] = JWT_ALG_RS384;
		auth.algs[2] = JWT_ALG_RS512;
		auth.n_algs = 3;
	} else if (type == EVP_PKEY_EC && (bits == 256 || bits == 384 || bits == 521)) {
		auth.algs[0] = bits == 256 ? JWT_ALG_ES256 : bits == 384 ? JWT_ALG_ES384 : JWT_ALG_ES512;
		auth.n_algs = 1;
	}
	return auth.n_algs ? 0 : -1;
}

/* Takes the HMAC secret from the flag or its file (without a trailing newline); HS256/384/512. */
static int load_secret(const struct config *cfg)
{
	if (*cfg->jwt_secret) {
		auth.key = (unsigned char *)strdup(cfg->jwt_secret);
		auth.key_len = strlen(cfg->jwt_secret);
	} else {
		auth.key = read_file(cfg->jwt_secret_file, &auth.key_len);
	}
	while (auth.key_len && (auth.key[auth.key_len - 1] == '\n' || auth.key[auth.key_len - 1] == '\r'))
		auth.key[--auth.key_len] = '\0';
	auth.algs[0] = JWT_ALG_HS256;
	auth.algs[1] = JWT_ALG_HS384;
	auth.algs[2] = JWT_ALG_HS512;
	auth.n_algs = 3;
	return auth.key && auth.key_len ? 0 : -1;
}

/* Loads the configured key; access control stays off without one. */
int auth_init(const struct config *cfg)
{
	int rc = 0;
	auth.cfg = cfg;
	if (*cfg->jwt_public_key) {
		auth.key = read_file(cfg->jwt_public_key, &auth.key_len);
		rc = auth.key ? algs_for_public_key(auth.key, auth.key_len) : -1;
	} else if (*cfg->jwt_secret || *cfg->jwt_secret_file) {
		rc = load_secret(cfg);
	}
	if (rc) {
		log_event(LOG_ERROR, "auth_key_unusable", NULL, NULL,
			  json_pack("{s:s}", "hint", "an empty secret, or not a PEM RSA or EC (P-256/384/521) public key"));
		auth_free();
		return -1;
	}
	if (auth.key)
		log_event(LOG_INFO, "auth_enabled", NULL, NULL,
			  json_pack("{s:s,s:i}", "algorithm", jwt_alg_str(auth.algs[0]), "leeway_s", cfg->jwt_leeway));
	return 0;
}

/* Frees the key. */
void auth_free(void)
{
	free(auth.key);
	auth.key = NULL;
	auth.key_len = 0;
}

/* 1 when access control is on. */
int auth_enabled(void) { return auth.key != NULL; }

/* Seconds of clock skew allowed on exp and nbf. */
int auth_leeway(void) { return auth.cfg ? auth.cfg->jwt_leeway : 0; }

/* Copies s[0..len) into out when it is a plausible non-empty token; returns 1 on success. */
static int copy_token(const char *s, size_t len, char *out, size_t size)
{
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (!len || len >= size)
		return 0;
	memcpy(out, s, len);
	out[len] = '\0';
	return 1;
}

/* Picks a request's token: the Authorization header, else the access_token query argument. */
int auth_extract_token(const char *authorization, const char *query_token, char *out, size_t size)
{
	if (authorization) {
		authorization += strspn(authorization, " \t");
		if (!strncasecmp(authorization, "Bearer ", 7)) {
			authorization += 7 + strspn(authorization + 7, " \t");
			return copy_token(authorization, strlen(authorization), out, size);
		}
	}
	return query_token && copy_token(query_token, strlen(query_token), out, size);
}

/* 1 when the token's header algorithm is one the configured key allows. */
static int alg_allowed(jwt_alg_t alg)
{
	for (int i = 0; i < auth.n_algs; i++)
		if (auth.algs[i] == alg)
			return 1;
	return 0;
}

/* 1 when claim is the string want, or an array holding it. */
static int claim_has(json_t *claim, const char *want)
{
	size_t i;
	json_t *item;
	if (json_is_string(claim))
		return !strcmp(json_string_value(claim), want);
	json_array_foreach(claim, i, item) {
		if (json_is_string(item) && !strcmp(json_string_value(item), want))
			return 1;
	}
	return 0;
}

/* Checks exp (required), nbf, iss and aud; returns NULL when the token is current, else why not. */
static const char *check_registered_claims(json_t *claims, int64_t *exp)
{
	json_t *jexp = json_object_get(claims, "exp"), *nbf = json_object_get(claims, "nbf");
	double now = (double)time(NULL), leeway = auth.cfg->jwt_leeway;

	if (!json_is_number(jexp))
		return "token has no exp";
	if (now > json_number_value(jexp) + leeway)
		return "token expired";
	if (nbf && (!json_is_number(nbf) || now + leeway < json_number_value(nbf)))
		return "token not valid yet";
	if (*auth.cfg->jwt_issuer && !claim_has(json_object_get(claims, "iss"), auth.cfg->jwt_issuer))
		return "token issuer not accepted";
	if (*auth.cfg->jwt_audience && !claim_has(json_object_get(claims, "aud"), auth.cfg->jwt_audience))
		return "token audience not accepted";
	if (exp) /* clamped, so a far-future exp (1e300) overflows neither int64_t nor the expiry timer */
		*exp = json_number_value(jexp) < AUTH_EXP_MAX ? (int64_t)json_number_value(jexp) : (int64_t)AUTH_EXP_MAX;
	return NULL;
}

/* 1 when the scope claim (a space-separated string or an array) includes "write". */
static int scope_allows_write(json_t *scope)
{
	const char *s = json_string_value(scope);
	if (!s)
		return claim_has(scope, "write");
	for (size_t len; *s; s += len) {
		s += strspn(s, " ");
		len = strcspn(s, " ");
		if (len == 5 && !strncmp(s, "write", 5))
			return 1;
	}
	return 0;
}

/* 1 when the token's header has "crit": pushd understands no JWS extension, so RFC 7515 4.1.11 says refuse. */
static int header_has_crit(jwt_t *jwt)
{
	char *crit = jwt_get_headers_json(jwt, "crit");
	free(crit);
	return crit != NULL;
}

/* Decodes and verifies the signature with libjwt; returns the claims, or NULL. */
static json_t *verified_claims(const char *token)
{
	jwt_t *jwt = NULL;
	json_t *claims = NULL;
	if (!jwt_decode(&jwt, token, auth.key, (int)auth.key_len) && alg_allowed(jwt_get_alg(jwt)) &&
	    !header_has_crit(jwt)) {
		char *text = jwt_get_grants_json(jwt, NULL);
		claims = text ? json_loads(text, 0, NULL) : NULL;
		free(text);
	}
	jwt_free(jwt);
	if (!json_is_object(claims)) {
		json_decref(claims);
		return NULL;
	}
	return claims;
}

/* The claims of a valid, current token; NULL (the answer is 401) with *why when there is none. */
static json_t *current_claims(const char *token, int64_t *exp, const char **why)
{
	json_t *claims = token ? verified_claims(token) : NULL;
	*why = !token ? "missing token" : !claims ? "invalid token" : check_registered_claims(claims, exp);
	if (*why) {
		json_decref(claims);
		return NULL;
	}
	return claims;
}

/* Verifies a token and checks that it covers persona and, when asked, the write scope. */
int auth_check(const char *token, const char *persona, int write, int64_t *exp, const char **why)
{
	json_t *claims = current_claims(token, exp, why);
	if (!claims)
		return 401;
	json_t *personas = json_object_get(claims, "personas");
	int status = 403;
	if (!claim_has(personas, "*") && !claim_has(personas, persona))
		*why = "token does not cover this persona";
	else if (write && !scope_allows_write(json_object_get(claims, "scope")))
		*why = "token does not allow writing";
	else
		status = 0;
	json_decref(claims);
	return status;
}

/* Verifies a token and lists the persona ids of its personas claim (the strings of an array, or one string). */
int auth_readable_personas(const char *token, char **personas, const char **why)
{
	json_t *claims = current_claims(token, NULL, why), *claim, *item, *ids = json_array();
	size_t i;
	*personas = NULL;
	if (!claims || !ids) {
		json_decref(claims);
		json_decref(ids);
		return claims ? 500 : 401;
	}
	claim = json_object_get(claims, "personas");
	if (json_is_string(claim))
		json_array_append(ids, claim);
	json_array_foreach(claim, i, item) {
		if (json_is_string(item))
			json_array_append(ids, item);
	}
	if (!claim_has(claim, "*") && !(*personas = json_dumps(ids, JSON_COMPACT)))
		*why = "out of memory";
	json_decref(ids);
	json_decref(claims);
	return *why ? 500 : 0;
}

/* Copies the token a request carries (header or query argument) into out. */
int auth_request_token(struct lws *wsi, char *out)
{
	char *authz = malloc(AUTH_TOKEN_MAX), *arg = malloc(AUTH_TOKEN_MAX);
	int found = 0;
	if (authz && arg) {
		if (lws_hdr_copy(wsi, authz, AUTH_TOKEN_MAX, WSI_TOKEN_HTTP_AUTHORIZATION) < 0)
			*authz = '\0';
		const char *query = lws_get_urlarg_by_name(wsi, "access_token=", arg, AUTH_TOKEN_MAX);
		found = auth_extract_token(authz, query, out, AUTH_TOKEN_MAX);
	}
	free(authz);
	free(arg);
	return found;
}

/* auth_check on the token a request carries. */
int auth_check_request(struct lws *wsi, const char *persona, int write, int64_t *exp, const char **why)
{
	char *token = malloc(AUTH_TOKEN_MAX);
	int status = token ? auth_check(auth_request_token(wsi, token) ? token : NULL, persona, write, exp, why) : 500;
	if (!token)
		*why = "out of memory";
	free(token);
	return status;
}

/* alertmsg.h: the bodies and headers of alert deliveries: the JSON body, Slack's Block Kit body, and the
 * X-Variant-Dashboard-Signature HMAC. */
#ifndef PUSHD_ALERTMSG_H
#define PUSHD_ALERTMSG_H

#include <jansson.h>
#include <stddef.h>

/* One claimed outbox row, as alert_outbox and claim_alerts give it. */
struct alert {
	long long outbox_id;
	long long webhook_id;
	long long event_id;
	const char *alert_type;
	const char *persona_id;
	const char *variant_id;   /* may be NULL */
	const char *created_at;
	json_t *payload;          /* the alert's data, as the extension wrote it */
};

/* The JSON body: the delivery id, the alert's identity and its data. Returns a malloc'd string or NULL. */
char *alertmsg_json(const struct alert *a);
/* A Slack incoming-webhook body: text fallback and Block Kit blocks, linking to the dashboard under
 * public_url when it is set. Returns a malloc'd string or NULL. */
char *alertmsg_slack(const struct alert *a, const char *public_url);
/* Writes "t=<t>,v1=<hex HMAC-SHA256 of "<t>.<body>">" into out (at least 128 bytes); returns 0 or -1. */
int alertmsg_signature(const char *secret, long long t, const char *body, char *out, size_t outlen);

#endif

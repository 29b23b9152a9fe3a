/* alertmsg.c: what an alert delivery says: the JSON body, the Slack body and the signature.
 *
 * Slack: an incoming webhook takes {"text", "blocks"}; text is the notification fallback, blocks are
 * Block Kit (header, section with mrkdwn text and fields, actions with a button, context). mrkdwn treats
 * &, < and > specially, so they are escaped; texts are cut to Slack's limits (header 150, section 3000
 * characters) on UTF-8 boundaries. */
#include "alertmsg.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLACK_HEADER_MAX 150
#define SLACK_TEXT_MAX 2900 /* below the section limit of 3000, room for the markup around a text */

char *alertmsg_json(const struct alert *a)
{
	json_t *body = json_pack("{s:I,s:I,s:s,s:s,s:s?,s:I,s:s,s:O}", "delivery_id", (json_int_t)a->outbox_id,
				 "webhook_id", (json_int_t)a->webhook_id, "alert_type", a->alert_type, "persona_id",
				 a->persona_id, "variant_id", a->variant_id, "event_id", (json_int_t)a->event_id,
				 "created_at", a->created_at, "data", a->payload);
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	return text;
}

/* Appends text to out (size cap) with Slack's mrkdwn escapes, cut on a UTF-8 boundary below max bytes. */
static void mrkdwn_append(char *out, size_t cap, const char *text, size_t max)
{
	size_t n = strlen(out);
	for (size_t i = 0; text && text[i] && i < max; i++) {
		const char *rep = text[i] == '&' ? "&amp;" : text[i] == '<' ? "&lt;" : text[i] == '>' ? "&gt;" : NULL;
		size_t need = rep ? strlen(rep) : 1;
		unsigned char c = (unsigned char)text[i];
		/* stop before a character that would not fit whole */
		size_t seq = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
		if (n + need + seq + 4 >= cap || i + seq > max)
			break;
		if (rep) {
			memcpy(out + n, rep, need);
			n += need;
		} else
			out[n++] = text[i];
	}
	out[n] = '\0';
}

/* A member of the payload as text: strings as they are, numbers printed, NULL when absent or null. */
static const char *payload_str(const struct alert *a, const char *key)
{
	return json_string_value(json_object_get(a->payload, key));
}

/* The headline of an alert kind. */
static const char *slack_title(const char *type)
{
	return !strcmp(type, "early_kill") ? "Variant killed early"
	       : !strcmp(type, "winner_found") ? "Winner found"
	       : !strcmp(type, "fatigue_alert") ? "Pattern fatigue"
	       : !strcmp(type, "calibration") ? "Predictions need calibration" : "Alert";
}

/* "*<label>*\n<value>" as a mrkdwn field object. */
static json_t *slack_field(const char *label, const char *value)
{
	char text[256];
	snprintf(text, sizeof(text), "*%s*\n", label);
	mrkdwn_append(text, sizeof(text), value, 200);
	return json_pack("{s:s,s:s}", "type", "mrkdwn", "text", text);
}

/* A section block with one mrkdwn text: prefix (already mrkdwn) then text escaped. */
static json_t *slack_section(const char *prefix, const char *text)
{
	char *buf = malloc(SLACK_TEXT_MAX * 2 + 64);
	json_t *block;
	if (!buf)
		return NULL;
	snprintf(buf, 64, "%s", prefix);
	mrkdwn_append(buf, SLACK_TEXT_MAX * 2 + 64, text, SLACK_TEXT_MAX);
	block = json_pack("{s:s,s:{s:s,s:s}}", "type", "section", "text", "type", "mrkdwn", "text", buf);
	free(buf);
	return block;
}

/* The fields section: rate vs prediction and views. */
static json_t *slack_numbers(const struct alert *a)
{
	char rate[96] = "n/a", views[32] = "n/a";
	json_t *r = json_object_get(a->payload, "rate"), *p = json_object_get(a->payload, "predicted_er");
	json_t *v = json_object_get(a->payload, "views");
	if (json_is_number(r) && json_is_number(p))
		snprintf(rate, sizeof(rate), "%.2f%% vs %.2f%% predicted", json_number_value(r) * 100.0,
			 json_number_value(p) * 100.0);
	if (json_is_integer(v))
		snprintf(views, sizeof(views), "%lld", (long long)json_integer_value(v));
	return json_pack("{s:s,s:[o,o]}", "type", "section", "fields", slack_field("Rate", rate), slack_field("Views", views));
}

/* Percent-encodes text for a URL query value into out (cap bytes). */
static void url_encode(char *out, size_t cap, const char *text)
{
	size_t n = 0;
	for (; text && *text && n + 4 < cap; text++) {
		unsigned char c = (unsigned char)*text;
		if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || strchr("-._~", c))
			out[n++] = (char)c;
		else
			n += (size_t)snprintf(out + n, cap - n, "%%%02X", c);
	}
	out[n] = '\0';
}

/* The button to the variant's detail view: <public_url>/dashboard/?persona=..&variant=.. */
static json_t *slack_link(const struct alert *a, const char *public_url)
{
	char persona[256], variant[1024], url[2048];
	url_encode(persona, sizeof(persona), a->persona_id);
	url_encode(variant, sizeof(variant), a->variant_id);
	snprintf(url, sizeof(url), "%s/dashboard/?persona=%s%s%s", public_url, persona, a->variant_id ? "&variant=" : "",
		 variant);
	return json_pack("{s:s,s:[{s:s,s:{s:s,s:s},s:s}]}", "type", "actions", "elements", "type", "button", "text",
			 "type", "plain_text", "text", "Open in the dashboard", "url", url);
}

/* The plain-text fallback: headline, persona, variant and reason, for notifications. */
static void slack_fallback(const struct alert *a, char *out, size_t cap)
{
	snprintf(out, cap, "%s: %s%s%s (persona %s) - ", slack_title(a->alert_type), a->variant_id ? "variant " : "",
		 a->variant_id ? a->variant_id : "", payload_str(a, "pattern") && !a->variant_id ? payload_str(a, "pattern") : "",
		 a->persona_id);
	mrkdwn_append(out, cap, payload_str(a, "reason"), 400);
}

char *alertmsg_slack(const struct alert *a, const char *public_url)
{
	char header[SLACK_HEADER_MAX + 1], fallback[1024], context[160];
	snprintf(header, sizeof(header), "%s", slack_title(a->alert_type));
	if (!strcmp(a->alert_type, "fatigue_alert") && payload_str(a, "pattern"))
		snprintf(header, sizeof(header), "%s: %.100s", slack_title(a->alert_type), payload_str(a, "pattern"));
	slack_fallback(a, fallback, sizeof(fallback));
	snprintf(context, sizeof(context), "%s · persona %s · event %lld · delivery %lld", a->alert_type, a->persona_id,
		 a->event_id, a->outbox_id);
	json_t *blocks = json_pack("[{s:s,s:{s:s,s:s}},o,o,o]", "type", "header", "text", "type", "plain_text", "text",
				   header, slack_section("*Content*\n>", payload_str(a, "content")), slack_numbers(a),
				   slack_section("*Reason*\n", payload_str(a, "reason")));
	if (blocks && public_url && *public_url)
		json_array_append_new(blocks, slack_link(a, public_url));
	if (blocks)
		json_array_append_new(blocks, json_pack("{s:s,s:[{s:s,s:s}]}", "type", "context", "elements", "type",
							"plain_text", "text", context));
	json_t *body = blocks ? json_pack("{s:s,s:o}", "text", fallback, "blocks", blocks) : NULL;
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	return text;
}

int alertmsg_signature(const char *secret, long long t, const char *body, char *out, size_t outlen)
{
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int maclen = 0;
	char prefix[32];
	int plen = snprintf(prefix, sizeof(prefix), "%lld.", t);
	size_t blen = strlen(body);
	unsigned char *signed_text = malloc((size_t)plen + blen);
	if (!signed_text)
		return -1;
	memcpy(signed_text, prefix, (size_t)plen);
	memcpy(signed_text + plen, body, blen);
	unsigned char *ok = HMAC(EVP_sha256(), secret, (int)strlen(secret), signed_text, (size_t)plen + blen, mac, &maclen);
	free(signed_text);
	if (!ok || outlen < 32 + 2 * (size_t)maclen)
		return -1;
	size_t n = (size_t)snprintf(out, outlen, "t=%lld,v1=", t);
	for (unsigned int i = 0; i < maclen; i++)
		n += (size_t)snprintf(out + n, outlen - n, "%02x", mac[i]);
	return 0;
}

/*
 * alerts.h: what the alert decisions (alerts.c) and the outbox (alert_outbox.c) share.
 */
#ifndef VD_ALERTS_H
#define VD_ALERTS_H

#include "postgres.h"
#include "utils/jsonb.h"

/* The alert kinds, as bits of the cached "some enabled webhook wants it" mask. */
typedef enum VdAlertKind
{
	VD_ALERT_EARLY_KILL = 1 << 0,
	VD_ALERT_FATIGUE = 1 << 1,
	VD_ALERT_WINNER = 1 << 2,
	VD_ALERT_CALIBRATION = 1 << 3
} VdAlertKind;

/* The alert_type names of the kinds, as webhooks.event_types and alert_outbox spell them. */
extern const char *vd_alert_name(VdAlertKind kind);
/* True when some enabled webhook subscribes to the kind: from a per-backend cache, no query when warm. */
extern bool vd_alert_wanted(VdAlertKind kind);
/* Records that an alert about subject was decided (daily: once per persona day); false when it was already. */
extern bool vd_alert_first(VdAlertKind kind, const char *persona_id, const char *subject, bool daily, int64 event_id);
/* True when the alert was already decided today (daily) or ever. */
extern bool vd_alert_seen(VdAlertKind kind, const char *persona_id, const char *subject, bool daily);
/* Writes one outbox row per matching enabled webhook and queues the deliverers' NOTIFY. */
extern void vd_enqueue_alert(VdAlertKind kind, const char *persona_id, const char *variant_id, int64 event_id,
							 Jsonb *payload);

#endif

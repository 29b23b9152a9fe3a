/*
 * alert_outbox.c: the alert outbox's write side: which kinds any webhook wants (cached per backend),
 * the once-only record of decided alerts, and the outbox rows with their NOTIFY.
 *
 * The cache makes the write path free of alert work while no enabled webhook wants a kind: it is read
 * once per backend and dropped by a relcache invalidation of the webhooks table, which the statement
 * trigger webhooks_changed sends on every change (processed by every session at commit, and by the
 * changing session itself at once).
 */
#include "postgres.h"

#include "catalog/namespace.h"
#include "catalog/pg_type.h"
#include "commands/async.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/inval.h"
#include "utils/lsyscache.h"
#include "utils/snapmgr.h"

#include "vd.h"
#include "alerts.h"

/* The channel pushd's deliverers LISTEN on: a new outbox row is due now. */
#define VD_ALERT_CHANNEL "variant_dashboard_alerts"

PG_FUNCTION_INFO_V1(vd_webhooks_changed);

static bool cache_valid = false;
static bool cache_callback_registered = false;
static int	cache_mask = 0;
static Oid	cache_relid = InvalidOid;

static VdPlan kinds_plan = {
	NULL,
	"SELECT coalesce(bool_or('early_kill' = ANY (event_types)), false),"
	"       coalesce(bool_or('fatigue_alert' = ANY (event_types)), false),"
	"       coalesce(bool_or('winner_found' = ANY (event_types)), false),"
	"       coalesce(bool_or('calibration' = ANY (event_types)), false)"
	"  FROM variant_dashboard.webhooks WHERE enabled",
	0, {0}
};

/* The persona's day (in its time zone) for daily alerts, 'infinity' for once-ever ones. */
#define VD_ALERT_DAY \
	"CASE WHEN $4 THEN (now() AT TIME ZONE coalesce((SELECT s.time_zone FROM variant_dashboard.persona_settings s" \
	" WHERE s.persona_id = $2), 'UTC'))::date ELSE 'infinity'::date END"

static VdPlan first_plan = {
	NULL,
	"INSERT INTO variant_dashboard.alerts_sent (alert_type, persona_id, subject, day, event_id)"
	" VALUES ($1, $2, $3, " VD_ALERT_DAY ", $5) ON CONFLICT DO NOTHING",
	5, {TEXTOID, TEXTOID, TEXTOID, BOOLOID, INT8OID}
};

static VdPlan seen_plan = {
	NULL,
	"SELECT 1 FROM variant_dashboard.alerts_sent"
	" WHERE alert_type = $1 AND persona_id = $2 AND subject = $3 AND day = " VD_ALERT_DAY,
	4, {TEXTOID, TEXTOID, TEXTOID, BOOLOID}
};

static VdPlan enqueue_plan = {
	NULL,
	"INSERT INTO variant_dashboard.alert_outbox (webhook_id, alert_type, persona_id, variant_id, event_id, payload)"
	" SELECT w.id, $1, $2, $3, $4, $5 FROM variant_dashboard.webhooks w"
	"  WHERE w.enabled AND $1 = ANY (w.event_types) AND (w.persona_ids IS NULL OR $2 = ANY (w.persona_ids))",
	5, {TEXTOID, TEXTOID, TEXTOID, INT8OID, JSONBOID}
};

/* The alert_type name of a kind. */
const char *
vd_alert_name(VdAlertKind kind)
{
	switch (kind)
	{
		case VD_ALERT_EARLY_KILL:
			return "early_kill";
		case VD_ALERT_FATIGUE:
			return "fatigue_alert";
		case VD_ALERT_WINNER:
			return "winner_found";
		case VD_ALERT_CALIBRATION:
			return "calibration";
	}
	return "early_kill";
}

/* Relcache callback: a change of the webhooks table (or a full reset) drops the cached mask. */
static void
vd_alert_cache_reset(Datum arg, Oid relid)
{
	if (relid == InvalidOid || relid == cache_relid)
		cache_valid = false;
}

/* Reads which kinds the enabled webhooks want; kept only when the snapshot is the statement's own. */
static void
vd_alert_cache_load(void)
{
	if (!cache_callback_registered)
	{
		CacheRegisterRelcacheCallback(vd_alert_cache_reset, (Datum) 0);
		cache_callback_registered = true;
	}
	cache_relid = get_relname_relid("webhooks", get_namespace_oid("variant_dashboard", false));
	/* set first: an invalidation arriving during the query clears it again */
	cache_valid = !IsolationUsesXactSnapshot();
	SPI_connect();
	vd_exec(&kinds_plan, NULL, NULL, true, 1);
	cache_mask = 0;
	for (int col = 1; col <= 4; col++)
	{
		bool		isnull;

		if (DatumGetBool(SPI_getbinval(VD_ROW(0), col, &isnull)))
			cache_mask |= 1 << (col - 1);
	}
	SPI_finish();
}

/* True when some enabled webhook subscribes to the kind. */
bool
vd_alert_wanted(VdAlertKind kind)
{
	if (!cache_valid)
		vd_alert_cache_load();
	return (cache_mask & kind) != 0;
}

/* Fills the four parameters the once-only plans share. */
static void
vd_alert_key(Datum *args, VdAlertKind kind, const char *persona_id, const char *subject, bool daily)
{
	args[0] = CStringGetTextDatum(vd_alert_name(kind));
	args[1] = CStringGetTextDatum(persona_id);
	args[2] = CStringGetTextDatum(subject);
	args[3] = BoolGetDatum(daily);
}

/* Records the alert as decided; false when it was decided before (today, for a daily one). */
bool
vd_alert_first(VdAlertKind kind, const char *persona_id, const char *subject, bool daily, int64 event_id)
{
	Datum		args[5];

	vd_alert_key(args, kind, persona_id, subject, daily);
	args[4] = Int64GetDatum(event_id);
	vd_exec(&first_plan, args, NULL, false, 0);
	return SPI_processed > 0;
}

/* True when the alert was decided before (today, for a daily one); lets costly checks be skipped. */
bool
vd_alert_seen(VdAlertKind kind, const char *persona_id, const char *subject, bool daily)
{
	Datum		args[4];

	vd_alert_key(args, kind, persona_id, subject, daily);
	vd_exec(&seen_plan, args, NULL, false, 1);
	return SPI_processed > 0;
}

/* One outbox row per matching webhook, and a NOTIFY at commit when there is any. */
void
vd_enqueue_alert(VdAlertKind kind, const char *persona_id, const char *variant_id, int64 event_id,
				 Jsonb *payload)
{
	Datum		args[5];
	char		nulls[5] = "     ";

	args[0] = CStringGetTextDatum(vd_alert_name(kind));
	args[1] = CStringGetTextDatum(persona_id);
	args[2] = variant_id ? CStringGetTextDatum(variant_id) : (Datum) 0;
	nulls[2] = variant_id ? ' ' : 'n';
	args[3] = Int64GetDatum(event_id);
	args[4] = JsonbPGetDatum(payload);
	vd_exec(&enqueue_plan, args, nulls, false, 0);
	if (SPI_processed > 0)
		Async_Notify(VD_ALERT_CHANNEL, "");
}

/* webhooks AFTER ... FOR EACH STATEMENT: every session drops its cached mask at commit. */
Datum
vd_webhooks_changed(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo))
		elog(ERROR, "webhooks_changed must be a trigger");
	CacheInvalidateRelcacheByRelid(RelationGetRelid(td->tg_relation));
	return PointerGetDatum(NULL);
}

/*
 * event_triggers.c: row triggers that turn every change the dashboard shows into an event.
 *
 * They fire for plain INSERT/UPDATE by any service, not only for the ingestion functions, so nothing
 * that reaches the tables escapes the event log and its NOTIFY.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "utils/builtins.h"

#include "vd.h"

PG_FUNCTION_INFO_V1(vd_variant_registered_event);
PG_FUNCTION_INFO_V1(vd_variant_status_event);
PG_FUNCTION_INFO_V1(vd_performance_update_event);
PG_FUNCTION_INFO_V1(vd_early_kill_event);

/* True while a kill marks its variant killed: the early_kill event already says so. */
static bool kill_cascade_running = false;

static VdPlan kill_cascade_plan = {
	NULL,
	"WITH v AS (UPDATE variant_dashboard.variants SET status = 'killed'"
	"            WHERE id = $1 AND status <> 'killed')"
	" UPDATE variant_dashboard.variant_monitoring SET status = 'killed'"
	"  WHERE variant_id = $1 AND status <> 'killed'",
	1, {TEXTOID}
};

/* Checks the calling context and returns the trigger data. */
TriggerData *
vd_row_trigger(FunctionCallInfo fcinfo)
{
	TriggerData *td = (TriggerData *) fcinfo->context;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(td->tg_event) ||
		!TRIGGER_FIRED_FOR_ROW(td->tg_event))
		ereport(ERROR,
				(errcode(ERRCODE_E_R_I_E_TRIGGER_PROTOCOL_VIOLATED),
				 errmsg("variant_dashboard event functions must be AFTER ... FOR EACH ROW triggers")));
	return td;
}

/* The row a trigger reports on: the new version for inserts and updates. */
static HeapTuple
vd_trigger_row(TriggerData *td)
{
	return TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
}

/* Reads a text column of the trigger's row by name. */
static char *
vd_row_text(TriggerData *td, HeapTuple row, const char *name)
{
	TupleDesc	desc = td->tg_relation->rd_att;

	return vd_get_cstring(row, desc, vd_attnum(desc, name));
}

/* Writes a double column of the row as a JSON member. */
static void
vd_row_float_kv(JsonOut *jo, TriggerData *td, HeapTuple row, const char *key, const char *column)
{
	TupleDesc	desc = td->tg_relation->rd_att;

	jo_kv_float(jo, key, vd_get_float(row, desc, vd_attnum(desc, column)));
}

/* Writes a bigint column of the row as a JSON member, null when SQL NULL. */
static void
vd_row_int_kv(JsonOut *jo, TriggerData *td, HeapTuple row, const char *key, const char *column)
{
	TupleDesc	desc = td->tg_relation->rd_att;
	bool		isnull;
	Datum		d = SPI_getbinval(row, desc, vd_attnum(desc, column), &isnull);

	jo_key(jo, key);
	if (isnull)
		jo_null(jo);
	else
		jo_int(jo, DatumGetInt64(d));
}

/* Writes a timestamptz column of the row as a JSON member. */
static void
vd_row_ts_kv(JsonOut *jo, TriggerData *td, HeapTuple row, const char *key, const char *column)
{
	TupleDesc	desc = td->tg_relation->rd_att;
	bool		isnull;
	TimestampTz ts = vd_get_ts(row, desc, vd_attnum(desc, column), &isnull);

	jo_key(jo, key);
	if (isnull)
		jo_null(jo);
	else
		jo_timestamptz(jo, ts);
}

/* Writes the members particular to one event type; extra is what the caller read besides the row. */
typedef void (*EventMembers) (JsonOut *jo, TriggerData *td, const void *extra);

/*
 * Appends one event about the trigger's row: takes the persona's event lock and id, writes the members
 * every event shares, then the type's own, and queues the NOTIFY.
 */
static void
vd_emit_event(TriggerData *td, const char *event_type, const char *variant_column, EventMembers members,
			  const void *extra)
{
	HeapTuple	row = vd_trigger_row(td);
	JsonOut		jo;
	char	   *persona_id;
	char	   *variant_id;
	int64		event_id;

	SPI_connect();
	persona_id = vd_row_text(td, row, "persona_id");
	variant_id = vd_row_text(td, row, variant_column);
	event_id = vd_next_event_id(persona_id);
	jo_init(&jo);
	jo_begin_object(&jo);
	jo_kv_string(&jo, "event_type", event_type);
	jo_kv_int(&jo, "event_id", event_id);
	jo_kv_string(&jo, "variant_id", variant_id);
	members(&jo, td, extra);
	jo_end_object(&jo);
	vd_append_event(event_id, event_type, persona_id, variant_id, jo_finish(&jo));
	SPI_finish();
}

/* variant_registered: the variant as registered. */
static void
vd_registered_members(JsonOut *jo, TriggerData *td, const void *extra)
{
	HeapTuple	row = td->tg_trigtuple;

	jo_kv_string(jo, "content", vd_row_text(td, row, "content"));
	vd_row_float_kv(jo, td, row, "predicted_er", "predicted_er");
	jo_kv_string(jo, "pattern_used", vd_row_text(td, row, "pattern_used"));
	jo_kv_string(jo, "status", vd_row_text(td, row, "status"));
	vd_row_ts_kv(jo, td, row, "posted_at", "posted_at");
}

/* status_change: the old and new status. */
static void
vd_status_members(JsonOut *jo, TriggerData *td, const void *extra)
{
	jo_kv_string(jo, "old_status", vd_row_text(td, td->tg_trigtuple, "status"));
	jo_kv_string(jo, "new_status", vd_row_text(td, td->tg_newtuple, "status"));
	jo_kv_ts(jo, "changed_at", GetCurrentTimestamp());
}

/*
 * performance_update: the live numbers, and the kill probability under the persona's settings (4
 * places) with the views the rule waits for, so a live table is never behind the numbers it shows.
 */
static void
vd_performance_members(JsonOut *jo, TriggerData *td, const void *extra)
{
	const VdKillState *st = extra;
	HeapTuple	row = vd_trigger_row(td);
	TupleDesc	desc = td->tg_relation->rd_att;

	vd_row_float_kv(jo, td, row, "current_er", "current_er");
	vd_row_int_kv(jo, td, row, "interaction_count", "interaction_count");
	vd_row_int_kv(jo, td, row, "view_count", "view_count");
	vd_row_ts_kv(jo, td, row, "updated_at", "last_updated");
	jo_kv_float(jo, "kill_probability",
				vd_round(vd_kill_probability(&st->settings, st->predicted,
											 vd_get_int(row, desc, vd_attnum(desc, "interaction_count")),
											 vd_get_int(row, desc, vd_attnum(desc, "view_count"))), 4));
	jo_kv_int(jo, "kill_min_views", st->settings.min_views);
}

/* early_kill: why, and the numbers at the kill. */
static void
vd_kill_members(JsonOut *jo, TriggerData *td, const void *extra)
{
	HeapTuple	row = td->tg_trigtuple;

	jo_kv_string(jo, "kill_reason", vd_row_text(td, row, "reason"));
	vd_row_float_kv(jo, td, row, "final_er", "final_engagement_rate");
	vd_row_int_kv(jo, td, row, "sample_size", "sample_size");
	vd_row_ts_kv(jo, td, row, "killed_at", "killed_at");
}

/* variants AFTER INSERT: a variant was registered. */
Datum
vd_variant_registered_event(PG_FUNCTION_ARGS)
{
	vd_emit_event(vd_row_trigger(fcinfo), "variant_registered", "id", vd_registered_members, NULL);
	return PointerGetDatum(NULL);
}

/* variants AFTER UPDATE OF status: a status changed by anything but a kill. */
Datum
vd_variant_status_event(PG_FUNCTION_ARGS)
{
	TriggerData *td = vd_row_trigger(fcinfo);

	if (!kill_cascade_running)
		vd_emit_event(td, "status_change", "id", vd_status_members, NULL);
	return PointerGetDatum(NULL);
}

/* variant_monitoring AFTER INSERT, or UPDATE that changed a number: new performance figures, and the
 * persona's auto-kill rule evaluated on them in the same transaction. */
Datum
vd_performance_update_event(PG_FUNCTION_ARGS)
{
	TriggerData *td = vd_row_trigger(fcinfo);
	HeapTuple	row = vd_trigger_row(td);
	TupleDesc	desc = td->tg_relation->rd_att;
	char	   *variant_id;
	VdKillState state;

	SPI_connect();
	variant_id = vd_row_text(td, row, "variant_id");
	/* the composite foreign key guarantees the variant row */
	if (!vd_load_kill_state(variant_id, &state))
		elog(ERROR, "variant \"%s\" of a monitoring row does not exist", variant_id);
	vd_emit_event(td, "performance_update", "variant_id", vd_performance_members, &state);
	vd_auto_kill(&state, variant_id, vd_row_text(td, row, "persona_id"),
				 vd_get_int(row, desc, vd_attnum(desc, "interaction_count")),
				 vd_get_int(row, desc, vd_attnum(desc, "view_count")));
	SPI_finish();
	return PointerGetDatum(NULL);
}

/* Marks the killed variant and its monitoring row killed, without a second event. */
static void
vd_mark_killed(const char *variant_id)
{
	Datum		arg = CStringGetTextDatum(variant_id);

	SPI_connect();
	kill_cascade_running = true;
	PG_TRY();
	{
		vd_exec(&kill_cascade_plan, &arg, NULL, false, 0);
	}
	PG_FINALLY();
	{
		kill_cascade_running = false;
	}
	PG_END_TRY();
	SPI_finish();
}

/* variant_kills AFTER INSERT: an early kill, which also ends the variant. */
Datum
vd_early_kill_event(PG_FUNCTION_ARGS)
{
	TriggerData *td = vd_row_trigger(fcinfo);

	vd_emit_event(td, "early_kill", "variant_id", vd_kill_members, NULL);
	vd_mark_killed(vd_row_text(td, td->tg_trigtuple, "variant_id"));
	return PointerGetDatum(NULL);
}

/*
 * event_log.c: appends events to dashboard_events and queues their NOTIFY, in the writer's transaction.
 *
 * Ids are drawn under the persona's commit-order lock (persona_lock.c), so for one persona id order is
 * commit order and a listener can resume "after event N" without missing a late commit (docs/EVENTS.md).
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/async.h"
#include "utils/builtins.h"

#include "vd.h"

/* PostgreSQL refuses NOTIFY payloads of this many bytes or more (BLCKSZ - NAMEDATALEN - 128). */
#define VD_NOTIFY_PAYLOAD_LIMIT 8000

/* The id of the last event this backend appended; ingestion functions return it. */
int64		vd_last_event_id = 0;

static VdPlan next_id_plan = {
	NULL, "SELECT nextval('variant_dashboard.dashboard_events_id_seq')", 0, {0}
};

static VdPlan insert_plan = {
	NULL,
	"INSERT INTO variant_dashboard.dashboard_events"
	" (id, event_type, persona_id, variant_id, event_data, created_at)"
	" VALUES ($1, $2, $3, $4, $5, $6)",
	6, {INT8OID, TEXTOID, TEXTOID, TEXTOID, JSONBOID, TIMESTAMPTZOID}
};

/* The persona's newest event, kept beside its totals so personas() reads one row per persona. */
static VdPlan last_event_plan = {
	NULL,
	"INSERT INTO variant_dashboard.persona_totals AS t (persona_id, last_event_id, last_event_at)"
	" VALUES ($1, $2, $3)"
	" ON CONFLICT (persona_id) DO UPDATE SET last_event_id = excluded.last_event_id,"
	"                                        last_event_at = excluded.last_event_at",
	3, {TEXTOID, INT8OID, TIMESTAMPTZOID}
};

/* Locks the persona, then draws the next event id; the caller must be connected to SPI. */
int64
vd_next_event_id(const char *persona_id)
{
	vd_lock_persona(persona_id);
	vd_exec(&next_id_plan, NULL, NULL, false, 1);
	return vd_col_int(0, 1);
}

/* Builds the NOTIFY payload, dropping the data when the whole would exceed PostgreSQL's limit. */
static char *
vd_notify_payload(int64 event_id, const char *event_type, const char *persona_id,
				  TimestampTz created_at, Jsonb *data, bool with_data)
{
	JsonOut		jo;
	Jsonb	   *payload;

	jo_init(&jo);
	jo_begin_object(&jo);
	jo_kv_int(&jo, "event_id", event_id);
	jo_kv_string(&jo, "persona_id", persona_id);
	jo_kv_string(&jo, "event_type", event_type);
	jo_kv_ts(&jo, "created_at", created_at);
	if (with_data)
	{
		jo_key(&jo, "data");
		jo_jsonb(&jo, data);
	}
	else
		jo_kv_bool(&jo, "truncated", true);
	jo_end_object(&jo);
	payload = jo_finish(&jo);
	return JsonbToCString(NULL, &payload->root, VARSIZE(payload));
}

/* Records the persona's newest event beside its totals. */
static void
vd_note_last_event(Datum persona_id, Datum event_id, Datum created_at)
{
	Datum		args[3] = {persona_id, event_id, created_at};

	vd_exec(&last_event_plan, args, NULL, false, 0);
}

/* Inserts the event row and queues its notification; both take effect at commit, or neither does. */
void
vd_append_event(int64 event_id, const char *event_type, const char *persona_id,
				const char *variant_id, Jsonb *data)
{
	TimestampTz created_at = GetCurrentTimestamp();
	Datum		values[6];
	char		nulls[6] = "      ";
	char	   *payload;

	values[0] = Int64GetDatum(event_id);
	values[1] = CStringGetTextDatum(event_type);
	values[2] = CStringGetTextDatum(persona_id);
	values[3] = variant_id ? CStringGetTextDatum(variant_id) : (Datum) 0;
	nulls[3] = variant_id ? ' ' : 'n';
	values[4] = JsonbPGetDatum(data);
	values[5] = TimestampTzGetDatum(created_at);
	vd_exec(&insert_plan, values, nulls, false, 0);
	vd_note_last_event(values[2], values[0], values[5]);

	payload = vd_notify_payload(event_id, event_type, persona_id, created_at, data, true);
	if (strlen(payload) >= VD_NOTIFY_PAYLOAD_LIMIT)
		payload = vd_notify_payload(event_id, event_type, persona_id, created_at, data, false);
	Async_Notify(VD_NOTIFY_CHANNEL, payload);
	vd_last_event_id = event_id;
}

/*
 * kills.c: early kills in dashboard_metrics: today's count and pace, and the latest kills themselves,
 * so a dashboard lists them however many other events came after.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"

#include "vd.h"

/* Today is the calendar day of as_of in the persona's time zone (persona_settings.time_zone, UTC). */
static VdPlan kills_today_plan = {
	NULL,
	"SELECT count(*), avg(extract(epoch FROM killed_at - posted_at))::float8 / 60"
	"  FROM variant_dashboard.variant_kills"
	" WHERE persona_id = $1 AND killed_at >= variant_dashboard.persona_day_start($1, $2) AND killed_at <= $2",
	2, {TEXTOID, TIMESTAMPTZOID}
};

static VdPlan recent_kills_plan = {
	NULL,
	"SELECT k.variant_id, v.content, v.pattern_used, k.reason, k.final_engagement_rate, k.sample_size,"
	"       k.posted_at, k.killed_at, v.predicted_er"
	"  FROM variant_dashboard.variant_kills k"
	"  JOIN variant_dashboard.variants v ON v.id = k.variant_id"
	" WHERE k.persona_id = $1 AND k.killed_at <= $2 ORDER BY k.killed_at DESC, k.id DESC LIMIT $3",
	3, {TEXTOID, TIMESTAMPTZOID, INT4OID}
};

/* early_kills_today: kills since local midnight and their mean time from post to kill (null if none). */
void
vd_push_kills_today(JsonOut *jo, const char *persona_id, TimestampTz as_of)
{
	vd_read(&kills_today_plan, persona_id, as_of, 1);
	jo_begin_object(jo);
	jo_kv_int(jo, "kills_today", vd_col_int(0, 1));
	jo_kv_float(jo, "avg_time_to_kill_minutes", vd_round(vd_col_float(0, 2), 2));
	jo_end_object(jo);
}

/* recent_kills: the persona's latest kills by as_of, newest first, with the reason, numbers and prediction. */
void
vd_push_recent_kills(JsonOut *jo, const char *persona_id, TimestampTz as_of, int limit)
{
	vd_read(&recent_kills_plan, persona_id, as_of, limit);
	jo_begin_array(jo);
	for (uint64 row = 0; row < SPI_processed; row++)
	{
		bool		isnull;

		jo_begin_object(jo);
		jo_kv_string(jo, "variant_id", vd_col_cstring(row, 1));
		jo_kv_string(jo, "content", vd_col_cstring(row, 2));
		jo_kv_string(jo, "pattern_used", vd_col_cstring(row, 3));
		jo_kv_string(jo, "kill_reason", vd_col_cstring(row, 4));
		jo_kv_float(jo, "final_er", vd_col_float(row, 5));
		jo_kv_int(jo, "sample_size", vd_col_int(row, 6));
		jo_kv_ts(jo, "posted_at", vd_col_ts(row, 7, &isnull));
		jo_kv_ts(jo, "killed_at", vd_col_ts(row, 8, &isnull));
		jo_kv_float(jo, "predicted_er", vd_col_float(row, 9));
		jo_end_object(jo);
	}
	jo_end_array(jo);
}

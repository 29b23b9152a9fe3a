/*
 * summary.c: the persona's totals and the live feed of dashboard_metrics.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "utils/builtins.h"

#include "vd.h"

/*
 * Current totals, kept by triggers; a persona without variants has no row. The numeric sums are shown
 * saturated at the bigint range (they would need 9,000 variants at the 10^15 bound to reach it).
 */
static VdPlan summary_plan = {
	NULL,
	"SELECT total_variants, active_variants, killed_variants,"
	"       least(total_interactions, 9223372036854775807)::bigint,"
	"       least(total_views, 9223372036854775807)::bigint"
	"  FROM variant_dashboard.persona_totals WHERE persona_id = $1",
	1, {TEXTOID}
};

/* as_of at or after now() means the present: every event this snapshot sees, whatever its clock time. */
static VdPlan feed_plan = {
	NULL,
	"SELECT event_data FROM variant_dashboard.dashboard_events"
	" WHERE persona_id = $1 AND (created_at <= $2 OR $2 >= now()) ORDER BY id DESC LIMIT $3",
	3, {TEXTOID, TIMESTAMPTZOID, INT4OID}
};

/*
 * summary: variant counts and the pooled engagement rate (all interactions over all views). These are
 * the current totals; as_of does not apply to them.
 */
void
vd_push_summary(JsonOut *jo, const char *persona_id, TimestampTz as_of)
{
	int64		interactions;
	int64		views;

	vd_read(&summary_plan, persona_id, as_of, 0);
	interactions = SPI_processed ? vd_col_int(0, 4) : 0;
	views = SPI_processed ? vd_col_int(0, 5) : 0;
	jo_begin_object(jo);
	jo_kv_int(jo, "total_variants", SPI_processed ? vd_col_int(0, 1) : 0);
	jo_kv_int(jo, "active_variants", SPI_processed ? vd_col_int(0, 2) : 0);
	jo_kv_int(jo, "killed_variants", SPI_processed ? vd_col_int(0, 3) : 0);
	jo_kv_float(jo, "avg_engagement_rate", views > 0 ? (double) interactions / views : 0.0);
	jo_kv_int(jo, "total_views", views);
	jo_kv_int(jo, "total_interactions", interactions);
	jo_end_object(jo);
}

/* real_time_feed: the persona's latest events, newest first, in their message shapes. */
void
vd_push_feed(JsonOut *jo, const char *persona_id, TimestampTz as_of, int limit)
{
	vd_read(&feed_plan, persona_id, as_of, limit);
	jo_begin_array(jo);
	for (uint64 row = 0; row < SPI_processed; row++)
	{
		bool		isnull;
		Datum		data = SPI_getbinval(VD_ROW(row), 1, &isnull);

		jo_jsonb(jo, DatumGetJsonbP(data));
	}
	jo_end_array(jo);
}

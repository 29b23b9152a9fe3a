/*
 * leaders.c: the persona's best variants of the last 24 hours.
 *
 * Ranked by the Wilson 95% lower bound of interactions / views, so a lucky variant with 3 views and
 * 2 interactions cannot top a steady one with thousands of views; a minimum view count applies too.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "utils/builtins.h"

#include "vd.h"

#define VD_WILSON_Z 1.959963984540054	/* the 97.5% normal quantile: a two-sided 95% interval */

typedef struct Leader
{
	uint64		row;
	double		lower_bound;
} Leader;

/* One index probe per recent variant (see active_variants.c on LATERAL ... LIMIT 1). */
static VdPlan leaders_plan = {
	NULL,
	"SELECT v.id, v.content, v.pattern_used, v.predicted_er, m.current_er, m.interaction_count,"
	"       m.view_count, v.status::text, v.posted_at"
	"  FROM variant_dashboard.variants v"
	"  JOIN LATERAL (SELECT * FROM variant_dashboard.variant_monitoring m1"
	"                WHERE m1.variant_id = v.id AND m1.view_count >= $3 LIMIT 1) m ON true"
	" WHERE v.persona_id = $1 AND v.posted_at > $2 - interval '24 hours' AND v.posted_at <= $2",
	3, {TEXTOID, TIMESTAMPTZOID, INT4OID}
};

/* Lower bound of the Wilson score interval for successes out of trials. */
static double
vd_wilson_lower_bound(int64 successes, int64 trials)
{
	double		n = (double) trials;
	double		p;
	double		z2 = VD_WILSON_Z * VD_WILSON_Z;
	double		centre;
	double		spread;

	if (trials <= 0)
		return 0.0;
	p = Min((double) successes, n) / n;
	centre = p + z2 / (2.0 * n);
	spread = VD_WILSON_Z * sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n));
	return (centre - spread) / (1.0 + z2 / n);
}

/* Orders leaders by lower bound, best first. */
static int
vd_leader_cmp(const void *a, const void *b)
{
	double		la = ((const Leader *) a)->lower_bound;
	double		lb = ((const Leader *) b)->lower_bound;

	return (la < lb) - (la > lb);
}

/* Writes one leader with the numbers it was ranked by. */
static void
vd_push_leader(JsonOut *jo, const Leader *leader)
{
	uint64		row = leader->row;
	double		predicted = vd_col_float(row, 4);
	double		rate = vd_col_float(row, 5);
	bool		isnull;

	jo_begin_object(jo);
	jo_kv_string(jo, "id", vd_col_cstring(row, 1));
	jo_kv_string(jo, "content", vd_col_cstring(row, 2));
	jo_kv_string(jo, "pattern_used", vd_col_cstring(row, 3));
	jo_kv_float(jo, "predicted_er", predicted);
	jo_kv_float(jo, "engagement_rate", rate);
	jo_kv_int(jo, "views", vd_col_int(row, 7));
	jo_kv_int(jo, "interactions", vd_col_int(row, 6));
	jo_kv_float(jo, "wilson_lower_bound", vd_round(leader->lower_bound, 6));
	jo_kv_float(jo, "performance_vs_prediction", vd_relative_delta(rate, predicted));
	jo_kv_string(jo, "status", vd_col_cstring(row, 8));
	jo_kv_ts(jo, "posted_at", vd_col_ts(row, 9, &isnull));
	jo_end_object(jo);
}

/* Pushes the array of at most limit leaders with at least min_views views. */
void
vd_push_leaders(JsonOut *jo, const char *persona_id, TimestampTz as_of, int limit, int64 min_views)
{
	Leader	   *leaders;
	uint64		count;

	vd_read(&leaders_plan, persona_id, as_of, (int) Min(min_views, PG_INT32_MAX));
	count = SPI_processed;
	leaders = palloc(sizeof(Leader) * Max(count, 1));
	for (uint64 row = 0; row < count; row++)
	{
		leaders[row].row = row;
		leaders[row].lower_bound = vd_wilson_lower_bound(vd_col_int(row, 6), vd_col_int(row, 7));
	}
	qsort(leaders, count, sizeof(Leader), vd_leader_cmp);
	jo_begin_array(jo);
	for (uint64 i = 0; i < count && i < (uint64) limit; i++)
		vd_push_leader(jo, &leaders[i]);
	jo_end_array(jo);
}

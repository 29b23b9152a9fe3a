/*
 * suggestions.c: what to change, from the last 24 hours of the persona's variants.
 *
 * The reference's two rules: an early-kill rate above 30% questions the predictor
 * (prediction_calibration), and patterns performing below half their predicted rate should be
 * avoided (pattern_optimization).
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"

#include "vd.h"

#define VD_KILL_RATE_ALARM 0.30
#define VD_PATTERN_SHORTFALL 0.5

static VdPlan kill_rate_plan = {
	NULL,
	"SELECT count(*), count(*) FILTER (WHERE status = 'killed')"
	"  FROM variant_dashboard.variants"
	" WHERE persona_id = $1 AND posted_at > $2 - interval '24 hours' AND posted_at <= $2",
	2, {TEXTOID, TIMESTAMPTZOID}
};

/*
 * Pooled actual rate and view-weighted predicted rate per pattern; those below half are returned.
 * One index probe per recent variant (see active_variants.c on LATERAL ... LIMIT 1).
 */
static VdPlan weak_patterns_plan = {
	NULL,
	"SELECT v.pattern_used, sum(m.interaction_count)::float8 / sum(m.view_count),"
	"       sum(v.predicted_er * m.view_count) / sum(m.view_count)"
	"  FROM variant_dashboard.variants v"
	"  JOIN LATERAL (SELECT * FROM variant_dashboard.variant_monitoring m1"
	"                WHERE m1.variant_id = v.id AND m1.view_count > 0 LIMIT 1) m ON true"
	" WHERE v.persona_id = $1 AND v.pattern_used IS NOT NULL"
	"   AND v.posted_at > $2 - interval '24 hours' AND v.posted_at <= $2"
	" GROUP BY v.pattern_used"
	" HAVING sum(m.interaction_count)::float8 / sum(m.view_count)"
	"        < $3 / 100.0 * sum(v.predicted_er * m.view_count) / sum(m.view_count)"
	" ORDER BY v.pattern_used",
	3, {TEXTOID, TIMESTAMPTZOID, INT4OID}
};

/* Writes one suggestion in the reference's shape. */
static void
vd_push_suggestion(JsonOut *jo, const char *type, const char *priority, const char *title,
				   const char *description, const char *action)
{
	jo_begin_object(jo);
	jo_kv_string(jo, "type", type);
	jo_kv_string(jo, "priority", priority);
	jo_kv_string(jo, "title", title);
	jo_kv_string(jo, "description", description);
	jo_kv_string(jo, "action", action);
	jo_end_object(jo);
}

/* prediction_calibration: more than 30% of the day's variants were killed early. */
static void
vd_suggest_calibration(JsonOut *jo, const char *persona_id, TimestampTz as_of)
{
	int64		posted;
	int64		killed;
	double		kill_rate;

	vd_read(&kill_rate_plan, persona_id, as_of, 0);
	posted = vd_col_int(0, 1);
	killed = vd_col_int(0, 2);
	if (posted == 0)
		return;
	kill_rate = (double) killed / (double) posted;
	if (kill_rate <= VD_KILL_RATE_ALARM)
		return;
	vd_push_suggestion(jo, "prediction_calibration", "medium", "High Early Kill Rate",
					   psprintf("%.0f%% variants killed early - prediction model may need recalibration",
								kill_rate * 100.0),
					   "Review engagement predictor accuracy");
}

/* pattern_optimization: patterns whose pooled rate is below half of what was predicted for them. */
static void
vd_suggest_patterns(JsonOut *jo, const char *persona_id, TimestampTz as_of)
{
	StringInfoData description;
	StringInfoData names;

	vd_read(&weak_patterns_plan, persona_id, as_of, (int) (VD_PATTERN_SHORTFALL * 100));
	if (SPI_processed == 0)
		return;
	initStringInfo(&description);
	initStringInfo(&names);
	appendStringInfoString(&description, "Patterns performing below 50% of their predicted engagement: ");
	for (uint64 row = 0; row < SPI_processed; row++)
	{
		char	   *pattern = vd_col_cstring(row, 1);
		const char *sep = row > 0 ? ", " : "";

		appendStringInfo(&description, "%s%s (%.1f%% vs %.1f%% predicted)", sep, pattern,
						 vd_col_float(row, 2) * 100.0, vd_col_float(row, 3) * 100.0);
		appendStringInfo(&names, "%s%s", sep, pattern);
	}
	vd_push_suggestion(jo, "pattern_optimization", "high", "Avoid Underperforming Patterns",
					   description.data, psprintf("Stop using %s until they are reworked", names.data));
}

/* Pushes the array of suggestions, most urgent first. */
void
vd_push_suggestions(JsonOut *jo, const char *persona_id, TimestampTz as_of)
{
	jo_begin_array(jo);
	vd_suggest_patterns(jo, persona_id, as_of);
	vd_suggest_calibration(jo, persona_id, as_of);
	jo_end_array(jo);
}

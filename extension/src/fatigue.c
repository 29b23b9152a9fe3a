/*
 * fatigue.c: patterns a persona has used so often in the trailing 7 days that the audience tires.
 *
 * The reference's rule: 3 or more uses in 7 days warn; freshness halves with each use (1.0, 0.5, 0.25)
 * and is 0 from the third use on.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"

#include "vd.h"

#define VD_FATIGUE_MIN_USES 3		/* uses in the window that start a warning */
#define VD_FATIGUE_FULL_USES 5		/* uses at which fatigue_score reaches 1 */

static VdPlan fatigue_plan = {
	NULL,
	"SELECT pattern_used, count(*), max(posted_at)"
	"  FROM variant_dashboard.variants"
	" WHERE persona_id = $1 AND pattern_used IS NOT NULL"
	"   AND posted_at > $2 - interval '7 days' AND posted_at <= $2"
	" GROUP BY pattern_used HAVING count(*) >= $3"
	" ORDER BY count(*) DESC, pattern_used",
	3, {TEXTOID, TIMESTAMPTZOID, INT4OID}
};

/* The reference's freshness: 1.0 unused, halving per use, 0 from the third use. */
static double
vd_freshness(int64 uses)
{
	return uses >= 3 ? 0.0 : 1.0 / (double) (1 << uses);
}

/* Names the warning level for a number of uses in the window. */
static const char *
vd_fatigue_level(int64 uses)
{
	if (uses >= VD_FATIGUE_FULL_USES)
		return "high";
	return uses > VD_FATIGUE_MIN_USES ? "medium" : "low";
}

/* Says what to do about a tired pattern, citing its numbers. */
static char *
vd_fatigue_advice(const char *pattern, int64 uses, const char *level)
{
	if (strcmp(level, "high") == 0)
		return psprintf("Rest pattern '%s': used " INT64_FORMAT " times in 7 days. "
						"Rotate to fresher patterns for the next posts.", pattern, uses);
	if (strcmp(level, "medium") == 0)
		return psprintf("Pattern '%s' used " INT64_FORMAT " times in 7 days: "
						"alternate it with other patterns.", pattern, uses);
	return psprintf("Pattern '%s' used " INT64_FORMAT " times in 7 days: "
					"watch its engagement before using it again.", pattern, uses);
}

/* Pushes the array of fatigue warnings, most used pattern first. */
void
vd_push_fatigue(JsonOut *jo, const char *persona_id, TimestampTz as_of)
{
	vd_read(&fatigue_plan, persona_id, as_of, VD_FATIGUE_MIN_USES);
	jo_begin_array(jo);
	for (uint64 row = 0; row < SPI_processed; row++)
	{
		char	   *pattern = vd_col_cstring(row, 1);
		int64		uses = vd_col_int(row, 2);
		const char *level = vd_fatigue_level(uses);
		bool		isnull;

		jo_begin_object(jo);
		jo_kv_string(jo, "pattern", pattern);
		jo_kv_int(jo, "usage_count", uses);
		jo_kv_float(jo, "freshness_score", vd_freshness(uses));
		jo_kv_float(jo, "fatigue_score", Min(1.0, (double) uses / VD_FATIGUE_FULL_USES));
		jo_kv_string(jo, "warning_level", level);
		jo_kv_string(jo, "recommendation", vd_fatigue_advice(pattern, uses, level));
		jo_kv_ts(jo, "last_used_at", vd_col_ts(row, 3, &isnull));
		jo_end_object(jo);
	}
	jo_end_array(jo);
}

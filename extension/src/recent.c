/*
 * recent.c: the persona's variants of the 24 hours to as_of, read once per call and shared by the
 * leaders and the suggestions (each used to read them on its own).
 */
#include "postgres.h"

#include "catalog/pg_type.h"

#include "vd.h"
#include "stats.h"

/*
 * Every variant posted in the 24 hours to as_of with its counts, grouped by pattern (no pattern
 * last), oldest first. One index probe per variant (see active_variants.c on LATERAL ... LIMIT 1).
 */
static VdPlan recent_plan = {
	NULL,
	"SELECT v.id, v.content, v.pattern_used, v.predicted_er, coalesce(m.current_er, 0),"
	"       coalesce(m.interaction_count, 0), coalesce(m.view_count, 0), v.status::text, v.posted_at,"
	"       (m.view_count IS NOT NULL)::int"
	"  FROM variant_dashboard.variants v"
	"  LEFT JOIN LATERAL (SELECT m1.current_er, m1.interaction_count, m1.view_count"
	"                       FROM variant_dashboard.variant_monitoring m1"
	"                      WHERE m1.variant_id = v.id LIMIT 1) m ON true"
	" WHERE v.persona_id = $1 AND v.posted_at > $2 - interval '24 hours' AND v.posted_at <= $2"
	" ORDER BY v.pattern_used, v.posted_at, v.id",
	2, {TEXTOID, TIMESTAMPTZOID}
};

/* Reads the variants of the 24 hours to as_of; returns how many. */
int
vd_read_recent(const char *persona_id, TimestampTz as_of, VdRecent **out)
{
	int			n;
	VdRecent   *recent;

	vd_read(&recent_plan, persona_id, as_of, 0);
	n = (int) SPI_processed;
	recent = palloc(sizeof(VdRecent) * Max(n, 1));
	for (int row = 0; row < n; row++)
	{
		VdRecent   *r = &recent[row];
		bool		isnull;

		r->id = vd_col_cstring(row, 1);
		r->content = vd_col_cstring(row, 2);
		r->pattern = vd_col_cstring(row, 3);
		r->predicted = vd_col_float(row, 4);
		r->current_er = vd_col_float(row, 5);
		r->interactions = vd_col_int(row, 6);
		r->views = vd_col_int(row, 7);
		r->status = vd_col_cstring(row, 8);
		r->killed = strcmp(r->status, "killed") == 0;
		r->active = strcmp(r->status, "active") == 0;
		r->posted_at = vd_col_ts(row, 9, &isnull);
		r->monitored = vd_col_int(row, 10) != 0;
	}
	*out = recent;
	return n;
}

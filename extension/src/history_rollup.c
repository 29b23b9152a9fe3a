/*
 * history_rollup.c: keeps history_points, the rollup variant_history() reads, in the write path.
 *
 * A series is written only when it enters a new bucket of a level (10 s to 1 day, at
 * variant_monitoring.last_updated): the bucket it leaves gets its final numbers, the one it enters its
 * first ones; readers take a still open bucket's numbers from the live rows. So most writes add no
 * statement at all. The pooled series (variant_id '') is the persona's totals (persona_totals, kept by
 * the zz_ triggers that fire after this one) minus its inactive variants' numbers (history_pooled); it
 * can only enter a new bucket when some variant does, so it is looked at only then, or when a status
 * changes. The persona lock is already held (persona_write_guard): one writer moves a persona's series.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"

#include "vd.h"

PG_FUNCTION_INFO_V1(vd_history_rollup);

static const int stored_levels[] = {10, 60, 300, 900, 3600, 86400};
#define VD_STORED_LEVELS lengthof(stored_levels)
#define VD_MAX_ROLLUP_ROWS (2 * VD_STORED_LEVELS)

/* One series' numbers at a time: a version of a monitoring row, or the pooled sums. */
typedef struct VdRollupState
{
	TimestampTz at;
	int64		views;			/* a monitoring row's counts */
	int64		interactions;
	Datum		views_n;		/* the same, as numeric (pooled sums can pass 2^63) */
	Datum		interactions_n;
	double		rate;			/* NaN for the pooled series */
	bool		active;
} VdRollupState;

/* The rows one write adds or finishes, as parallel arrays for point_plan. */
typedef struct VdRollupRows
{
	int			count;
	Datum		level[VD_MAX_ROLLUP_ROWS];
	Datum		bucket_end[VD_MAX_ROLLUP_ROWS];
	Datum		views[VD_MAX_ROLLUP_ROWS];
	Datum		interactions[VD_MAX_ROLLUP_ROWS];
	Datum		rate[VD_MAX_ROLLUP_ROWS];
} VdRollupRows;

/* $1 persona, $2 series ('' pooled), then per row: level, bucket end, views, interactions, rate. */
static VdPlan point_plan = {
	NULL,
	"INSERT INTO variant_dashboard.history_points AS h"
	"   (persona_id, level, bucket_end, variant_id, views, interactions, engagement_rate)"
	" SELECT $1, l, e, $2, v, i, nullif(r, 'NaN') FROM unnest($3, $4, $5, $6, $7) AS x (l, e, v, i, r)"
	" ON CONFLICT (persona_id, level, bucket_end, variant_id) DO UPDATE SET views = excluded.views,"
	" interactions = excluded.interactions, engagement_rate = excluded.engagement_rate",
	7, {TEXTOID, TEXTOID, INT4ARRAYOID, TIMESTAMPTZARRAYOID, NUMERICARRAYOID, NUMERICARRAYOID, FLOAT8ARRAYOID}
};

/* The pooled series before this write: its sums and the time of its current bucket (NULL: none). */
static VdPlan pooled_state_plan = {
	NULL,
	"SELECT p.at, coalesce(t.total_views, 0) - coalesce(p.inactive_views, 0),"
	"       coalesce(t.total_interactions, 0) - coalesce(p.inactive_interactions, 0)"
	"  FROM (SELECT) k LEFT JOIN variant_dashboard.history_pooled p ON p.persona_id = $1"
	"  LEFT JOIN variant_dashboard.persona_totals t ON t.persona_id = $1",
	1, {TEXTOID}
};

/* Moves the inactive variants' numbers by ($2, $3) and the pooled series' bucket time to $4. */
static VdPlan pooled_move_plan = {
	NULL,
	"INSERT INTO variant_dashboard.history_pooled AS p VALUES ($1, $2, $3, $4)"
	" ON CONFLICT (persona_id) DO UPDATE SET inactive_views = p.inactive_views + excluded.inactive_views,"
	" inactive_interactions = p.inactive_interactions + excluded.inactive_interactions, at = excluded.at",
	4, {TEXTOID, INT8OID, INT8OID, TIMESTAMPTZOID}
};

/* Whether two times fall in different buckets of the level. */
static inline bool
vd_other_bucket(TimestampTz a, TimestampTz b, int level)
{
	return vd_bucket_floor(vd_epoch_seconds(a), level) != vd_bucket_floor(vd_epoch_seconds(b), level);
}

/* Queues one row: the numbers of state s at the end of its bucket of the level. */
static void
vd_rollup_row(VdRollupRows *rows, int level, const VdRollupState *s)
{
	int			n = rows->count++;

	rows->level[n] = Int32GetDatum(level);
	rows->bucket_end[n] = TimestampTzGetDatum(vd_epoch_ts(vd_bucket_floor(vd_epoch_seconds(s->at), level) + level));
	rows->views[n] = s->views_n;
	rows->interactions[n] = s->interactions_n;
	rows->rate[n] = Float8GetDatum(s->rate);
}

/* Builds a one-dimensional array argument. */
static Datum
vd_array_arg(Datum *items, int count, Oid type)
{
	int16		typlen;
	bool		byval;
	char		align;

	get_typlenbyvalalign(type, &typlen, &byval, &align);
	return PointerGetDatum(construct_array(items, count, type, typlen, byval, align));
}

/* Writes the rows a series moving from old (NULL: a new series) to new needs, if any. */
static void
vd_rollup_series(Datum persona_id, Datum series, const VdRollupState *old, const VdRollupState *new)
{
	VdRollupRows rows = {0};
	Datum		args[7];

	for (int i = 0; i < VD_STORED_LEVELS; i++)
	{
		if (old != NULL && !vd_other_bucket(old->at, new->at, stored_levels[i]))
			continue;
		if (old != NULL)
			vd_rollup_row(&rows, stored_levels[i], old);
		vd_rollup_row(&rows, stored_levels[i], new);
	}
	if (rows.count == 0)
		return;
	args[0] = persona_id;
	args[1] = series;
	args[2] = vd_array_arg(rows.level, rows.count, INT4OID);
	args[3] = vd_array_arg(rows.bucket_end, rows.count, TIMESTAMPTZOID);
	args[4] = vd_array_arg(rows.views, rows.count, NUMERICOID);
	args[5] = vd_array_arg(rows.interactions, rows.count, NUMERICOID);
	args[6] = vd_array_arg(rows.rate, rows.count, FLOAT8OID);
	vd_exec(&point_plan, args, NULL, false, 0);
}

/* Reads one version of a monitoring row. */
static VdRollupState
vd_monitoring_state(TriggerData *td, HeapTuple tuple)
{
	TupleDesc	desc = td->tg_relation->rd_att;
	VdRollupState s;
	bool		isnull;

	s.at = vd_get_ts(tuple, desc, vd_attnum(desc, "last_updated"), &isnull);
	s.views = vd_get_int(tuple, desc, vd_attnum(desc, "view_count"));
	s.interactions = vd_get_int(tuple, desc, vd_attnum(desc, "interaction_count"));
	s.views_n = NumericGetDatum(int64_to_numeric(s.views));
	s.interactions_n = NumericGetDatum(int64_to_numeric(s.interactions));
	s.rate = vd_get_float(tuple, desc, vd_attnum(desc, "current_er"));
	s.active = strcmp(vd_get_cstring(tuple, desc, vd_attnum(desc, "status")), "active") == 0;
	return s;
}

/* A count of a row version as it counts in the active (or the inactive) sums; none for no version. */
static inline int64
vd_counted(const VdRollupState *s, int64 value, bool active)
{
	return s != NULL && s->active == active ? value : 0;
}

/* Adds an int64 to a numeric. */
static inline Datum
vd_numeric_plus(Datum a, int64 b)
{
	return DirectFunctionCall2(numeric_add, a, NumericGetDatum(int64_to_numeric(b)));
}

/*
 * The pooled series when a variant entered a new bucket or changed status: if the write opens a new
 * bucket of the pooled series, the bucket it leaves gets its final sums and the new one its first.
 */
static void
vd_rollup_pooled(Datum persona_id, const VdRollupState *old, const VdRollupState *new)
{
	int64		inactive_views = vd_counted(new, new->views, false) - vd_counted(old, old ? old->views : 0, false);
	int64		inactive_interactions = vd_counted(new, new->interactions, false) -
		vd_counted(old, old ? old->interactions : 0, false);
	VdRollupState before = {.rate = get_float8_nan(), .active = true};
	VdRollupState after;
	bool		fresh;
	bool		isnull;
	Datum		args[4];

	vd_exec(&pooled_state_plan, &persona_id, NULL, false, 1);
	before.at = vd_col_ts(0, 1, &fresh);
	before.views_n = SPI_getbinval(VD_ROW(0), 2, &isnull);
	before.interactions_n = SPI_getbinval(VD_ROW(0), 3, &isnull);
	after = before;
	after.at = fresh ? new->at : Max(before.at, new->at);
	after.views_n = vd_numeric_plus(before.views_n, vd_counted(new, new->views, true) -
									vd_counted(old, old ? old->views : 0, true));
	after.interactions_n = vd_numeric_plus(before.interactions_n, vd_counted(new, new->interactions, true) -
										   vd_counted(old, old ? old->interactions : 0, true));
	if (fresh || vd_other_bucket(before.at, after.at, stored_levels[0]))
		vd_rollup_series(persona_id, CStringGetTextDatum(""), fresh ? NULL : &before, &after);
	else if (inactive_views == 0 && inactive_interactions == 0)
		return;
	args[0] = persona_id;
	args[1] = Int64GetDatum(inactive_views);
	args[2] = Int64GetDatum(inactive_interactions);
	args[3] = TimestampTzGetDatum(after.at);
	vd_exec(&pooled_move_plan, args, NULL, false, 0);
}

/* variant_monitoring AFTER INSERT, or UPDATE of a number, the status or last_updated: see above. */
Datum
vd_history_rollup(PG_FUNCTION_ARGS)
{
	TriggerData *td = vd_row_trigger(fcinfo);
	bool		update = TRIGGER_FIRED_BY_UPDATE(td->tg_event);
	HeapTuple	row = update ? td->tg_newtuple : td->tg_trigtuple;
	TupleDesc	desc = td->tg_relation->rd_att;
	VdRollupState old = update ? vd_monitoring_state(td, td->tg_trigtuple) : (VdRollupState) {0};
	VdRollupState new = vd_monitoring_state(td, row);
	bool		moved = !update || vd_other_bucket(old.at, new.at, stored_levels[0]);
	bool		isnull;
	Datum		persona_id;

	if (!moved && old.active && new.active)
		return PointerGetDatum(NULL);
	persona_id = SPI_getbinval(row, desc, vd_attnum(desc, "persona_id"), &isnull);
	SPI_connect();
	if (moved)
		vd_rollup_series(persona_id, SPI_getbinval(row, desc, vd_attnum(desc, "variant_id"), &isnull),
						 update ? &old : NULL, &new);
	vd_rollup_pooled(persona_id, update ? &old : NULL, &new);
	SPI_finish();
	return PointerGetDatum(NULL);
}

/*
 * history_rollup.c: keeps history_points, the rollup variant_history() reads, in the write path.
 *
 * Triggers on variant_monitoring write only when a series enters a new bucket of a stored level
 * (10 s, 300 s, 3600 s at last_updated): the bucket it leaves gets its final numbers, the bucket it
 * enters its first ones. Every other write costs nothing here but the pooled sums of history_pooled;
 * readers take the numbers of a still open bucket from variant_monitoring and history_pooled. The
 * persona lock is already held (persona_write_guard), so one writer at a time moves a persona's series.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"

#include "vd.h"

PG_FUNCTION_INFO_V1(vd_history_rollup);

static const int stored_levels[] = {10, 300, 3600};
#define VD_STORED_LEVELS lengthof(stored_levels)
#define VD_MAX_ROLLUP_ROWS (2 * VD_STORED_LEVELS)

/* One series' numbers at a time: a version of a monitoring row, or the pooled sums. */
typedef struct VdRollupState
{
	TimestampTz at;
	int64		views;
	int64		interactions;
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
	7, {TEXTOID, TEXTOID, INT4ARRAYOID, TIMESTAMPTZARRAYOID, INT8ARRAYOID, INT8ARRAYOID, FLOAT8ARRAYOID}
};

/* Moves the pooled sums by ($2, $3) at time $4 and returns them before and after. */
static VdPlan pooled_plan = {
	NULL,
	"WITH o AS (SELECT views, interactions, at FROM variant_dashboard.history_pooled WHERE persona_id = $1),"
	" n AS (INSERT INTO variant_dashboard.history_pooled AS p VALUES ($1, $2, $3, $4)"
	"       ON CONFLICT (persona_id) DO UPDATE SET views = p.views + excluded.views,"
	"       interactions = p.interactions + excluded.interactions, at = greatest(p.at, excluded.at)"
	"       RETURNING views::int8, interactions::int8, at)"
	" SELECT o.views::int8, o.interactions::int8, o.at, n.views, n.interactions, n.at FROM n LEFT JOIN o ON true",
	4, {TEXTOID, INT8OID, INT8OID, TIMESTAMPTZOID}
};

/* Queues one row: the numbers of state s at the end of its bucket of the level. */
static void
vd_rollup_row(VdRollupRows *rows, int level, const VdRollupState *s)
{
	int			n = rows->count++;
	int64		end = vd_bucket_floor(vd_epoch_seconds(s->at), level) + level;

	rows->level[n] = Int32GetDatum(level);
	rows->bucket_end[n] = TimestampTzGetDatum(vd_epoch_ts(end));
	rows->views[n] = Int64GetDatum(s->views);
	rows->interactions[n] = Int64GetDatum(s->interactions);
	rows->rate[n] = Float8GetDatum(s->rate);
}

/* Writes the rows a series moving from old (NULL: a new series) to new needs, if any. */
static void
vd_rollup_series(Datum persona_id, Datum series, const VdRollupState *old, const VdRollupState *new)
{
	VdRollupRows rows = {0};
	Datum		args[7];

	for (int i = 0; i < VD_STORED_LEVELS; i++)
	{
		int			level = stored_levels[i];

		if (old != NULL && vd_bucket_floor(vd_epoch_seconds(old->at), level) ==
			vd_bucket_floor(vd_epoch_seconds(new->at), level))
			continue;
		if (old != NULL)
			vd_rollup_row(&rows, level, old);
		vd_rollup_row(&rows, level, new);
	}
	if (rows.count == 0)
		return;
	args[0] = persona_id;
	args[1] = series;
	args[2] = PointerGetDatum(construct_array(rows.level, rows.count, INT4OID, 4, true, TYPALIGN_INT));
	args[3] = PointerGetDatum(construct_array(rows.bucket_end, rows.count, TIMESTAMPTZOID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	args[4] = PointerGetDatum(construct_array(rows.views, rows.count, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	args[5] = PointerGetDatum(construct_array(rows.interactions, rows.count, INT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
	args[6] = PointerGetDatum(construct_array(rows.rate, rows.count, FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
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
	s.rate = vd_get_float(tuple, desc, vd_attnum(desc, "current_er"));
	s.active = strcmp(vd_get_cstring(tuple, desc, vd_attnum(desc, "status")), "active") == 0;
	return s;
}

/* Moves the persona's pooled sums by what the row's change moved them, and writes their series. */
static void
vd_rollup_pooled(Datum persona_id, const VdRollupState *old, const VdRollupState *new)
{
	int64		dviews = (new->active ? new->views : 0) - (old && old->active ? old->views : 0);
	int64		dinteractions = (new->active ? new->interactions : 0) - (old && old->active ? old->interactions : 0);
	VdRollupState before = {0, 0, 0, get_float8_nan(), true};
	VdRollupState after = before;
	Datum		args[4] = {persona_id, Int64GetDatum(dviews), Int64GetDatum(dinteractions), TimestampTzGetDatum(new->at)};
	bool		fresh;
	bool		isnull;

	if (dviews == 0 && dinteractions == 0 && (old == NULL || old->active == new->active))
		return;
	vd_exec(&pooled_plan, args, NULL, false, 1);
	before.at = vd_col_ts(0, 3, &fresh);
	before.views = vd_col_int(0, 1);
	before.interactions = vd_col_int(0, 2);
	after.at = vd_col_ts(0, 6, &isnull);
	after.views = vd_col_int(0, 4);
	after.interactions = vd_col_int(0, 5);
	vd_rollup_series(persona_id, CStringGetTextDatum(""), fresh ? NULL : &before, &after);
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
	bool		isnull;
	Datum		persona_id = SPI_getbinval(row, desc, vd_attnum(desc, "persona_id"), &isnull);

	SPI_connect();
	vd_rollup_series(persona_id, SPI_getbinval(row, desc, vd_attnum(desc, "variant_id"), &isnull),
					 update ? &old : NULL, &new);
	vd_rollup_pooled(persona_id, update ? &old : NULL, &new);
	SPI_finish();
	return PointerGetDatum(NULL);
}

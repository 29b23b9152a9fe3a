/*
 * history_rollup.c: keeps history_points, the rollup variant_history() reads, in the write path.
 *
 * A trigger on variant_monitoring writes the variant's cumulative counters into the 10 s, 300 s and
 * 3600 s buckets of its last_updated time, and, when the persona's active sums moved, the pooled series
 * (variant_id '') from history_pooled. One statement per write; the persona lock is already held.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "utils/builtins.h"

#include "vd.h"

PG_FUNCTION_INFO_V1(vd_history_rollup);

/* The bucket end of time $3 at stored level l (a multiple of l, after the time). */
#define VD_BUCKET_END "to_timestamp((floor(extract(epoch FROM $3) / l) + 1) * l)"
#define VD_UPSERT_POINT \
	" ON CONFLICT (persona_id, level, bucket_end, variant_id) DO UPDATE SET views = excluded.views," \
	" interactions = excluded.interactions, engagement_rate = excluded.engagement_rate"

/* $1 persona, $2 variant, $3 time, $4 views, $5 interactions, $6 rate, $7 pooled delta of views,
 * $8 of interactions, $9 whether the pooled series moved, $10 whether the variant's numbers did. */
static VdPlan rollup_plan = {
	NULL,
	"WITH s AS (INSERT INTO variant_dashboard.history_pooled AS p VALUES ($1, $7, $8)"
	"           ON CONFLICT (persona_id) DO UPDATE SET views = p.views + excluded.views,"
	"           interactions = p.interactions + excluded.interactions RETURNING views, interactions)"
	" INSERT INTO variant_dashboard.history_points AS h"
	"   (persona_id, level, bucket_end, variant_id, views, interactions, engagement_rate)"
	" SELECT $1, l, " VD_BUCKET_END ", $2, $4, $5, $6 FROM unnest('{10,300,3600}'::int[]) l WHERE $10"
	" UNION ALL"
	" SELECT $1, l, " VD_BUCKET_END ", '', s.views, s.interactions, NULL"
	"   FROM s, unnest('{10,300,3600}'::int[]) l WHERE $9"
	VD_UPSERT_POINT,
	10, {TEXTOID, TEXTOID, TIMESTAMPTZOID, INT8OID, INT8OID, FLOAT8OID, INT8OID, INT8OID, BOOLOID, BOOLOID}
};

/* A monitoring row's numbers and whether it counts in the persona's pooled (active) sums. */
typedef struct VdRollupRow
{
	int64		views;
	int64		interactions;
	double		rate;
	bool		active;
} VdRollupRow;

/* Reads the numbers of one version of the row; NULL (the OLD of an INSERT) reads as inactive, numbers -1. */
static VdRollupRow
vd_rollup_row(TriggerData *td, HeapTuple tuple)
{
	TupleDesc	desc = td->tg_relation->rd_att;
	VdRollupRow r = {-1, -1, -1, false};
	char	   *status;

	if (tuple == NULL)
		return r;
	r.views = vd_get_int(tuple, desc, vd_attnum(desc, "view_count"));
	r.interactions = vd_get_int(tuple, desc, vd_attnum(desc, "interaction_count"));
	r.rate = vd_get_float(tuple, desc, vd_attnum(desc, "current_er"));
	status = vd_get_cstring(tuple, desc, vd_attnum(desc, "status"));
	r.active = strcmp(status, "active") == 0;
	return r;
}

/* variant_monitoring AFTER INSERT or UPDATE: writes the buckets of the row's last_updated. */
Datum
vd_history_rollup(PG_FUNCTION_ARGS)
{
	TriggerData *td = vd_row_trigger(fcinfo);
	bool		update = TRIGGER_FIRED_BY_UPDATE(td->tg_event);
	HeapTuple	row = update ? td->tg_newtuple : td->tg_trigtuple;
	TupleDesc	desc = td->tg_relation->rd_att;
	VdRollupRow old = vd_rollup_row(td, update ? td->tg_trigtuple : NULL);
	VdRollupRow new = vd_rollup_row(td, row);
	int64		dviews = (new.active ? new.views : 0) - (old.active ? old.views : 0);
	int64		dinteractions = (new.active ? new.interactions : 0) - (old.active ? old.interactions : 0);
	bool		isnull;
	Datum		values[10];

	values[0] = SPI_getbinval(row, desc, vd_attnum(desc, "persona_id"), &isnull);
	values[1] = SPI_getbinval(row, desc, vd_attnum(desc, "variant_id"), &isnull);
	values[2] = SPI_getbinval(row, desc, vd_attnum(desc, "last_updated"), &isnull);
	values[3] = Int64GetDatum(new.views);
	values[4] = Int64GetDatum(new.interactions);
	values[5] = SPI_getbinval(row, desc, vd_attnum(desc, "current_er"), &isnull);
	values[6] = Int64GetDatum(dviews);
	values[7] = Int64GetDatum(dinteractions);
	values[8] = BoolGetDatum(dviews != 0 || dinteractions != 0 || old.active != new.active);
	values[9] = BoolGetDatum(old.views != new.views || old.interactions != new.interactions || old.rate != new.rate);
	SPI_connect();
	vd_exec(&rollup_plan, values, NULL, false, 0);
	SPI_finish();
	return PointerGetDatum(NULL);
}

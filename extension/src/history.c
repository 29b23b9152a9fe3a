/*
 * history.c: variant_history(), the persona's pooled series and each variant's series over a time range,
 * read from the history_points rollup (history_rollup.c) at the chosen bucket size: one row per series
 * and bucket, in time order, grouped into series in one pass.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/float.h"
#include "utils/hsearch.h"

#include "vd.h"

PG_FUNCTION_INFO_V1(vd_variant_history);

/* Bucket sizes offered, smallest first: the levels of the rollup. */
static const int bucket_sizes[] = {10, 60, 300, 900, 3600, 86400};
#define VD_BUCKET_CHOICES lengthof(bucket_sizes)

/* One point: the cumulative counters at the end of bucket t (epoch seconds). */
typedef struct VdPoint
{
	int64		t;
	double		rate;
	int64		views;
	int64		interactions;
} VdPoint;

/* The points of one series, keyed by variant id ('' for the pooled series). */
typedef struct VdSeries
{
	char		variant_id[VD_MAX_VARIANT_ID * 4 + 1];
	int			count;
	int			capacity;
	VdPoint    *points;
} VdSeries;

/* The buckets of one answer: their size and the answer's end (epoch seconds); a bucket ending later is open. */
typedef struct VdBuckets
{
	int64		size;
	int64		end;
} VdBuckets;

#define VD_HISTORY_COLUMNS \
	"SELECT h.variant_id, extract(epoch FROM h.bucket_end)::int8, h.views::int8, h.interactions::int8," \
	" h.engagement_rate FROM variant_dashboard.history_points h" \
	" WHERE h.persona_id = $1 AND h.level = $2 AND h.bucket_end > $3 AND h.bucket_end <= $4"

static VdPlan persona_points_plan = {
	NULL, VD_HISTORY_COLUMNS " ORDER BY h.bucket_end, h.variant_id",
	4, {TEXTOID, INT4OID, TIMESTAMPTZOID, TIMESTAMPTZOID}
};

static VdPlan variant_points_plan = {
	NULL, VD_HISTORY_COLUMNS " AND h.variant_id IN ('', $5) ORDER BY h.bucket_end, h.variant_id",
	5, {TEXTOID, INT4OID, TIMESTAMPTZOID, TIMESTAMPTZOID, TEXTOID}
};

static VdPlan variant_rows_plan = {
	NULL,
	"SELECT v.id, v.content, v.pattern_used, v.status::text, m.view_count, m.interaction_count, m.current_er,"
	" m.last_updated FROM variant_dashboard.variants v"
	" LEFT JOIN variant_dashboard.variant_monitoring m ON m.variant_id = v.id"
	" WHERE v.id = ANY ($1) ORDER BY v.id",
	1, {TEXTARRAYOID}
};

static VdPlan pooled_now_plan = {
	NULL,
	"SELECT (coalesce(t.total_views, 0) - p.inactive_views)::int8,"
	"       (coalesce(t.total_interactions, 0) - p.inactive_interactions)::int8, p.at"
	"  FROM variant_dashboard.history_pooled p"
	"  LEFT JOIN variant_dashboard.persona_totals t ON t.persona_id = p.persona_id WHERE p.persona_id = $1",
	1, {TEXTOID}
};

/*
 * Chooses the smallest bucket size whose buckets over [from, to] number at most max_points, and sets
 * *from_b and *to_b to the aligned range; past the largest size, the range keeps its last max_points days.
 */
static int
vd_choose_bucket(int64 from, int64 to, int max_points, int64 *from_b, int64 *to_b)
{
	int			i;

	for (i = 0; i < VD_BUCKET_CHOICES; i++)
	{
		int64		b = bucket_sizes[i];

		*from_b = vd_bucket_floor(from, b);
		*to_b = vd_bucket_floor(to, b) + b;
		if ((*to_b - *from_b) / b <= max_points)
			return i;
	}
	i = VD_BUCKET_CHOICES - 1;
	*from_b = *to_b - (int64) max_points * bucket_sizes[i];
	return i;
}

/* The series of a variant id, created empty on first sight. */
static VdSeries *
vd_series(HTAB *series, const char *variant_id)
{
	bool		found;
	VdSeries   *s = hash_search(series, variant_id, HASH_ENTER, &found);

	if (!found)
	{
		s->count = 0;
		s->capacity = 16;
		s->points = palloc(sizeof(VdPoint) * s->capacity);
	}
	return s;
}

/* Appends a point to its series. */
static void
vd_series_add(VdSeries *s, const VdPoint *p)
{
	if (s->count == s->capacity)
	{
		s->capacity *= 2;
		s->points = repalloc(s->points, sizeof(VdPoint) * s->capacity);
	}
	s->points[s->count++] = *p;
}

/* Groups the rows of the last SPI result into their series. */
static void
vd_fold_rows(HTAB *series)
{
	for (uint64 row = 0; row < SPI_processed; row++)
	{
		char	   *variant_id = vd_col_cstring(row, 1);
		VdPoint		p;

		p.t = vd_col_int(row, 2);
		p.views = vd_col_int(row, 3);
		p.interactions = vd_col_int(row, 4);
		p.rate = variant_id[0] == '\0'
			? (p.views > 0 ? (double) p.interactions / p.views : get_float8_nan())
			: vd_col_float(row, 5);
		vd_series_add(vd_series(series, variant_id), &p);
	}
}

/*
 * The time of the point of a bucket still open at the answer's end: when its numbers last changed (never
 * after the end, where a chart would draw it in the future), after the point before it.
 */
static inline int64
vd_open_point_time(const VdSeries *s, TimestampTz changed_at)
{
	int64		changed = vd_epoch_seconds(changed_at);

	return s->count > 1 ? Max(changed, s->points[s->count - 2].t + 1) : changed;
}

/*
 * Gives the series' last point the numbers the series has now, when its bucket is the one those numbers
 * were last changed in: the rollup writes an open bucket's first numbers only.
 */
static void
vd_series_patch_live(VdSeries *s, const VdBuckets *buckets, const VdPoint *now, TimestampTz changed_at)
{
	VdPoint    *last;

	if (s == NULL || s->count == 0)
		return;
	last = &s->points[s->count - 1];
	if (last->t != vd_bucket_floor(vd_epoch_seconds(changed_at), buckets->size) + buckets->size)
		return;
	last->views = now->views;
	last->interactions = now->interactions;
	last->rate = now->rate;
	if (last->t > buckets->end)
		last->t = vd_open_point_time(s, changed_at);
}

/* Patches the pooled series with the persona's active sums now (persona_totals minus history_pooled). */
static void
vd_patch_pooled(HTAB *series, const char *persona_id, const VdBuckets *buckets)
{
	Datum		arg = CStringGetTextDatum(persona_id);
	VdPoint		now;
	bool		isnull;
	TimestampTz at;

	vd_exec(&pooled_now_plan, &arg, NULL, true, 1);
	if (SPI_processed == 0)
		return;
	now.views = vd_col_int(0, 1);
	now.interactions = vd_col_int(0, 2);
	now.rate = now.views > 0 ? (double) now.interactions / now.views : get_float8_nan();
	at = vd_col_ts(0, 3, &isnull);
	vd_series_patch_live(hash_search(series, "", HASH_FIND, NULL), buckets, &now, at);
}

/* Writes a series' points as [[t, engagement_rate, views, interactions], ...]. */
static void
vd_push_points(JsonOut *jo, const VdSeries *s)
{
	jo_begin_array(jo);
	for (int i = 0; s != NULL && i < s->count; i++)
	{
		jo_begin_array(jo);
		jo_int(jo, s->points[i].t);
		jo_float(jo, vd_round(s->points[i].rate, 6));
		jo_int(jo, s->points[i].views);
		jo_int(jo, s->points[i].interactions);
		jo_end_array(jo);
	}
	jo_end_array(jo);
}

/* Writes the variants that have points, in id order, each with its row and its series, whose open
 * bucket gets the variant's monitoring numbers. */
static void
vd_push_variant_series(JsonOut *jo, HTAB *series, const VdBuckets *buckets)
{
	long		n = hash_get_num_entries(series);
	Datum	   *ids = palloc(sizeof(Datum) * (n + 1));
	int			count = 0;
	HASH_SEQ_STATUS scan;
	VdSeries   *s;
	Datum		arg;

	hash_seq_init(&scan, series);
	while ((s = hash_seq_search(&scan)) != NULL)
		if (s->variant_id[0] != '\0')
			ids[count++] = CStringGetTextDatum(s->variant_id);
	arg = PointerGetDatum(construct_array(ids, count, TEXTOID, -1, false, TYPALIGN_INT));
	vd_exec(&variant_rows_plan, &arg, NULL, true, 0);
	jo_begin_array(jo);
	for (uint64 row = 0; row < SPI_processed; row++)
	{
		char	   *variant_id = vd_col_cstring(row, 1);
		VdSeries   *s = hash_search(series, variant_id, HASH_FIND, NULL);
		VdPoint		now = {0, vd_col_float(row, 7), vd_col_int(row, 5), vd_col_int(row, 6)};
		bool		unmonitored;
		TimestampTz changed_at = vd_col_ts(row, 8, &unmonitored);

		if (!unmonitored)
			vd_series_patch_live(s, buckets, &now, changed_at);
		jo_begin_object(jo);
		jo_kv_string(jo, "variant_id", variant_id);
		jo_kv_string(jo, "content", vd_col_cstring(row, 2));
		jo_kv_string(jo, "pattern_used", vd_col_cstring(row, 3));
		jo_kv_string(jo, "status", vd_col_cstring(row, 4));
		jo_key(jo, "points");
		vd_push_points(jo, s);
		jo_end_object(jo);
	}
	jo_end_array(jo);
}

/* Refuses an empty range or a point budget below one. */
static inline void
vd_check_history_range(TimestampTz from, TimestampTz to, int max_points)
{
	if (from >= to)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("from_ts must be before to_ts"),
				 errhint("Pass a range such as now() - interval '24 hours' to now().")));
	if (max_points < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("max_points must be at least 1"),
				 errhint("The default is 240 points per series.")));
}

/*
 * Pushes the history object of a persona (one variant's only when variant_id is not NULL) over
 * [from, to]: {persona_id, from, to, bucket_seconds, pooled, variants}. Needs SPI.
 */
void
vd_push_history(JsonOut *jo, const char *persona_id, TimestampTz from, TimestampTz to, int max_points,
				const char *variant_id)
{
	int64		from_b,
				to_b;
	int			choice;
	VdBuckets	buckets;
	HASHCTL		ctl = {.keysize = sizeof(((VdSeries *) 0)->variant_id), .entrysize = sizeof(VdSeries)};
	HTAB	   *series = hash_create("variant_history series", 64, &ctl, HASH_ELEM | HASH_STRINGS);
	Datum		args[5];

	vd_check_history_range(from, to, max_points);
	choice = vd_choose_bucket(vd_epoch_seconds(from), vd_epoch_seconds(to), max_points, &from_b, &to_b);
	buckets.size = bucket_sizes[choice];
	buckets.end = vd_epoch_seconds(to);
	args[0] = CStringGetTextDatum(persona_id);
	args[1] = Int32GetDatum(buckets.size);
	args[2] = TimestampTzGetDatum(vd_epoch_ts(from_b));
	args[3] = TimestampTzGetDatum(vd_epoch_ts(to_b));
	args[4] = variant_id ? CStringGetTextDatum(variant_id) : (Datum) 0;
	vd_exec(variant_id ? &variant_points_plan : &persona_points_plan, args, NULL, true, 0);
	vd_fold_rows(series);
	vd_patch_pooled(series, persona_id, &buckets);
	jo_begin_object(jo);
	jo_kv_string(jo, "persona_id", persona_id);
	jo_kv_ts(jo, "from", Max(from, vd_epoch_ts(from_b)));
	jo_kv_ts(jo, "to", to);
	jo_kv_int(jo, "bucket_seconds", buckets.size);
	jo_key(jo, "pooled");
	vd_push_points(jo, hash_search(series, "", HASH_FIND, NULL));
	jo_key(jo, "variants");
	vd_push_variant_series(jo, series, &buckets);
	jo_end_object(jo);
	hash_destroy(series);
}

/* variant_history(persona_id, from_ts, to_ts, max_points, variant_id): see vd_push_history. */
Datum
vd_variant_history(PG_FUNCTION_ARGS)
{
	char	   *persona_id = vd_require_text_arg(fcinfo, 0, "persona_id");
	char	   *variant_id = PG_ARGISNULL(4) ? NULL : text_to_cstring(PG_GETARG_TEXT_PP(4));
	JsonOut		jo;

	vd_check_persona_id(persona_id);
	if (PG_ARGISNULL(1) || PG_ARGISNULL(2) || PG_ARGISNULL(3))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("from_ts, to_ts and max_points must not be null"),
				 errhint("Leave to_ts and max_points out to get now() and 240.")));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	jo_init(&jo);
	vd_push_history(&jo, persona_id, PG_GETARG_TIMESTAMPTZ(1), PG_GETARG_TIMESTAMPTZ(2), PG_GETARG_INT32(3),
					variant_id);
	PG_RETURN_JSONB_P(vd_spi_finish_jsonb(jo_finish(&jo)));
}

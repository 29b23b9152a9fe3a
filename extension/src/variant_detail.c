/*
 * variant_detail.c: everything about one variant for the dashboard's detail view: its row, live numbers
 * with a Wilson 95% interval, its kill evaluation, its chance of being the persona's best, its latest
 * events and its own history.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "access/xact.h"

#include "vd.h"

PG_FUNCTION_INFO_V1(vd_variant_detail);

#define VD_DETAIL_EVENTS 100
#define VD_DETAIL_POINTS 240

static VdPlan detail_plan = {
	NULL,
	"SELECT v.persona_id::text, v.content, v.predicted_er, v.pattern_used, v.status::text, v.posted_at,"
	"       v.created_at, coalesce(m.current_er, 0), coalesce(m.interaction_count, 0),"
	"       coalesce(m.view_count, 0), m.last_updated"
	"  FROM variant_dashboard.variants v"
	"  LEFT JOIN variant_dashboard.variant_monitoring m ON m.variant_id = v.id"
	" WHERE v.id = $1",
	1, {TEXTOID}
};

/* as_of at or after now() means the present: every event this snapshot sees, whatever its clock time. */
static VdPlan detail_events_plan = {
	NULL,
	"SELECT event_data FROM variant_dashboard.dashboard_events"
	" WHERE variant_id = $1 AND persona_id = $2 AND (created_at <= $3 OR $3 >= now())"
	" ORDER BY id DESC LIMIT $4",
	4, {TEXTOID, TEXTOID, TIMESTAMPTZOID, INT4OID}
};

/* What the detail needs of the variant row beyond the JSON it writes at once. */
typedef struct DetailRow
{
	char	   *persona_id;
	bool		active;
	TimestampTz posted_at;
} DetailRow;

/* Pushes the variant, its live numbers and their interval from the first row of detail_plan. */
static void
vd_push_detail_row(JsonOut *jo, const char *variant_id, DetailRow *row)
{
	bool		isnull;
	TimestampTz updated;
	int64		interactions = vd_col_int(0, 9);
	int64		views = vd_col_int(0, 10);
	double		low;
	double		high;

	row->persona_id = vd_col_cstring(0, 1);
	row->active = strcmp(vd_col_cstring(0, 5), "active") == 0;
	row->posted_at = vd_col_ts(0, 6, &isnull);
	jo_key(jo, "variant");
	jo_begin_object(jo);
	jo_kv_string(jo, "id", variant_id);
	jo_kv_string(jo, "persona_id", row->persona_id);
	jo_kv_string(jo, "content", vd_col_cstring(0, 2));
	jo_kv_float(jo, "predicted_er", vd_col_float(0, 3));
	jo_kv_string(jo, "pattern_used", vd_col_cstring(0, 4));
	jo_kv_string(jo, "status", vd_col_cstring(0, 5));
	jo_kv_ts(jo, "posted_at", row->posted_at);
	jo_kv_ts(jo, "created_at", vd_col_ts(0, 7, &isnull));
	jo_end_object(jo);
	jo_key(jo, "live_metrics");
	jo_begin_object(jo);
	jo_kv_float(jo, "engagement_rate", vd_col_float(0, 8));
	jo_kv_int(jo, "interactions", interactions);
	jo_kv_int(jo, "views", views);
	updated = vd_col_ts(0, 11, &isnull);
	jo_key(jo, "last_updated");
	if (isnull)
		jo_null(jo);
	else
		jo_timestamptz(jo, updated);
	jo_end_object(jo);
	jo_kv_float(jo, "performance_vs_prediction", vd_relative_delta(vd_col_float(0, 8), vd_col_float(0, 3)));
	vd_wilson_interval(interactions, views, &low, &high);
	jo_key(jo, "rate_interval");
	jo_begin_object(jo);
	jo_kv_string(jo, "method", "wilson");
	jo_kv_float(jo, "level", 0.95);
	jo_kv_float(jo, "low", vd_round(low, 6));
	jo_kv_float(jo, "high", vd_round(high, 6));
	jo_end_object(jo);
}

/* Pushes the variant's P(best) among its persona's active variants; null when it is not active. */
static void
vd_push_probability_best(JsonOut *jo, const char *variant_id, const DetailRow *row, TimestampTz as_of)
{
	Jsonb	   *all;
	JsonbValue	variants;
	JsonbIterator *it;
	JsonbValue	v;
	JsonbIteratorToken tok;

	jo_key(jo, "probability_best");
	if (!row->active)
	{
		jo_null(jo);
		return;
	}
	all = DatumGetJsonbP(DirectFunctionCall2(vd_variant_probabilities, CStringGetTextDatum(row->persona_id),
											 TimestampTzGetDatum(as_of)));
	if (!vd_json_field(all, "variants", &variants) || variants.type != jbvBinary)
	{
		jo_null(jo);
		return;
	}
	it = JsonbIteratorInit(variants.val.binary.data);
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		Jsonb	   *entry;
		JsonbValue	id;
		JsonbValue	p;

		if (tok != WJB_ELEM || v.type != jbvBinary)
			continue;
		entry = JsonbValueToJsonb(&v);
		if (vd_json_field(entry, "id", &id) && id.type == jbvString &&
			id.val.string.len == (int) strlen(variant_id) &&
			memcmp(id.val.string.val, variant_id, id.val.string.len) == 0 &&
			vd_json_field(entry, "probability_best", &p))
		{
			jo_jsonb(jo, JsonbValueToJsonb(&p));
			return;
		}
	}
	jo_null(jo);
}

/* Pushes the variant's latest events, newest first. */
static void
vd_push_detail_events(JsonOut *jo, const char *variant_id, const char *persona_id, TimestampTz as_of)
{
	Datum		args[4];

	args[0] = CStringGetTextDatum(variant_id);
	args[1] = CStringGetTextDatum(persona_id);
	args[2] = TimestampTzGetDatum(as_of);
	args[3] = Int32GetDatum(VD_DETAIL_EVENTS);
	vd_exec(&detail_events_plan, args, NULL, true, 0);
	jo_key(jo, "events");
	jo_begin_array(jo);
	for (uint64 row = 0; row < SPI_processed; row++)
	{
		bool		isnull;

		jo_jsonb(jo, DatumGetJsonbP(SPI_getbinval(VD_ROW(row), 1, &isnull)));
	}
	jo_end_array(jo);
}

/* variant_detail(variant_id, as_of): the detail view of one variant as jsonb; unknown variant: 23503. */
Datum
vd_variant_detail(PG_FUNCTION_ARGS)
{
	char	   *variant_id = text_to_cstring(PG_GETARG_TEXT_PP(0));
	TimestampTz as_of = PG_GETARG_TIMESTAMPTZ(1);
	Datum		arg = CStringGetTextDatum(variant_id);
	DetailRow	row;
	JsonOut		jo;
	TimestampTz history_to;

	SPI_connect();
	if (vd_exec(&detail_plan, &arg, NULL, true, 1) != SPI_OK_SELECT || SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("variant \"%s\" does not exist", variant_id),
				 errhint("Variants are registered with variant_dashboard.register_variant().")));
	jo_init(&jo);
	jo_begin_object(&jo);
	jo_kv_ts(&jo, "as_of", as_of);
	vd_push_detail_row(&jo, variant_id, &row);
	jo_key(&jo, "kill_evaluation");
	vd_push_kill_evaluation(&jo, variant_id, as_of);
	vd_push_probability_best(&jo, variant_id, &row, as_of);
	vd_push_detail_events(&jo, variant_id, row.persona_id, as_of);
	jo_key(&jo, "history");
	history_to = Min(as_of, GetCurrentTransactionStartTimestamp());
	vd_push_history(&jo, row.persona_id, Min(row.posted_at, history_to), history_to, VD_DETAIL_POINTS, variant_id);
	jo_end_object(&jo);
	PG_RETURN_JSONB_P(vd_spi_finish_jsonb(jo_finish(&jo)));
}

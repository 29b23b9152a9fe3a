/*
 * ingest.c: the reference's integration points, register_variant, handle_performance_update and
 * handle_early_kill_event. Each checks its input completely before writing anything, takes the
 * persona's commit-order lock before touching any row (persona_lock.c), then writes with one statement
 * whose triggers append the event; it returns that event's id.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"

#include "vd.h"

PG_FUNCTION_INFO_V1(vd_register_variant);
PG_FUNCTION_INFO_V1(vd_handle_performance_update);
PG_FUNCTION_INFO_V1(vd_handle_early_kill_event);

/*
 * No row lock here: the write that follows checks the composite foreign key (variant, persona) itself,
 * so a variant deleted meanwhile still fails cleanly, and the hot path writes one row, not two.
 */
static VdPlan variant_plan = {
	NULL,
	"SELECT persona_id::text, status::text FROM variant_dashboard.variants WHERE id = $1",
	1, {TEXTOID}
};

static VdPlan register_plan = {
	NULL,
	"INSERT INTO variant_dashboard.variants (id, persona_id, content, predicted_er, pattern_used, posted_at)"
	" VALUES ($1, $2, $3, $4, $5, $6)",
	6, {TEXTOID, TEXTOID, TEXTOID, FLOAT8OID, TEXTOID, TIMESTAMPTZOID}
};

/*
 * Counts only grow: an update applies when neither count is lower than what is stored, and a late update
 * with lower counts changes nothing. A mixed one (one count up, one down) keeps the larger of each and
 * recomputes the rate from them.
 */
static VdPlan performance_plan = {
	NULL,
	"INSERT INTO variant_dashboard.variant_monitoring AS m"
	"   (variant_id, persona_id, current_er, interaction_count, view_count, status, last_updated)"
	" VALUES ($1, $2, $3, $4, $5, $6, now())"
	" ON CONFLICT (variant_id) DO UPDATE SET"
	"   interaction_count = greatest(m.interaction_count, excluded.interaction_count),"
	"   view_count = greatest(m.view_count, excluded.view_count),"
	"   current_er = CASE WHEN excluded.interaction_count >= m.interaction_count"
	"                      AND excluded.view_count >= m.view_count THEN excluded.current_er"
	"                ELSE least(1.0, greatest(m.interaction_count, excluded.interaction_count)::float8"
	"                               / greatest(m.view_count, excluded.view_count, 1)) END,"
	"   last_updated = excluded.last_updated"
	" WHERE (excluded.interaction_count >= m.interaction_count AND excluded.view_count >= m.view_count"
	"        AND (excluded.interaction_count, excluded.view_count, excluded.current_er::float8)"
	"            IS DISTINCT FROM (m.interaction_count, m.view_count, m.current_er::float8))"
	"    OR excluded.interaction_count > m.interaction_count OR excluded.view_count > m.view_count",
	6, {TEXTOID, TEXTOID, FLOAT8OID, INT8OID, INT8OID, TEXTOID}
};

static VdPlan kill_plan = {
	NULL,
	"INSERT INTO variant_dashboard.variant_kills"
	"   (variant_id, persona_id, reason, final_engagement_rate, sample_size, posted_at)"
	" SELECT v.id, v.persona_id, $2, coalesce($3, m.current_er), coalesce($4, m.view_count), v.posted_at"
	"   FROM variant_dashboard.variants v"
	"   LEFT JOIN variant_dashboard.variant_monitoring m ON m.variant_id = v.id"
	"  WHERE v.id = $1",
	4, {TEXTOID, TEXTOID, FLOAT8OID, INT8OID}
};

/* Finds a variant, refusing unknown ids and a persona that is not the variant's own. */
void
vd_lookup_variant(const char *variant_id, const char *persona_id, VdVariant *out)
{
	Datum		arg = CStringGetTextDatum(variant_id);

	if (vd_exec(&variant_plan, &arg, NULL, false, 1) != SPI_OK_SELECT || SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("variant \"%s\" does not exist", variant_id),
				 errhint("Register it first with variant_dashboard.register_variant().")));
	out->persona_id = vd_col_cstring(0, 1);
	out->status = vd_col_cstring(0, 2);
	if (strcmp(out->persona_id, persona_id) != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("variant \"%s\" belongs to persona \"%s\", not \"%s\"",
						variant_id, out->persona_id, persona_id),
				 errhint("Send the persona_id the variant was registered with.")));
}

/* Raises the error for a second kill of a variant. */
static void
vd_already_killed(const char *variant_id)
{
	ereport(ERROR,
			(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			 errmsg("variant \"%s\" is already killed", variant_id),
			 errhint("A variant is killed once; its kill is in variant_dashboard.variant_kills.")));
}

/* Returns the event id the statement just appended, or SQL NULL when it changed nothing. */
static Datum
vd_return_event_id(FunctionCallInfo fcinfo)
{
	int64		event_id = vd_last_event_id;

	SPI_finish();
	if (event_id == 0)
		PG_RETURN_NULL();
	PG_RETURN_INT64(event_id);
}

/* register_variant(id, persona_id, content, predicted_er, pattern_used, posted_at) returns the event id. */
Datum
vd_register_variant(PG_FUNCTION_ARGS)
{
	Datum		values[6];
	char		nulls[6] = "      ";
	char	   *persona_id = vd_require_text_arg(fcinfo, 1, "persona_id");
	double		predicted_er;

	char	   *id = vd_require_text_arg(fcinfo, 0, "id");

	vd_check_variant_id(id);
	values[0] = CStringGetTextDatum(id);
	vd_check_persona_id(persona_id);
	values[1] = CStringGetTextDatum(persona_id);
	values[2] = CStringGetTextDatum(vd_require_text_arg(fcinfo, 2, "content"));
	if (PG_ARGISNULL(3))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("predicted_er must not be null")));
	predicted_er = PG_GETARG_FLOAT8(3);
	vd_check_rate(predicted_er, "predicted_er");
	if (predicted_er == 0.0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("predicted_er must be greater than 0"),
				 errhint("Performance is judged relative to the prediction, which cannot be zero.")));
	values[3] = Float8GetDatum(predicted_er);
	values[4] = PG_ARGISNULL(4) ? (Datum) 0 : PG_GETARG_DATUM(4);
	nulls[4] = PG_ARGISNULL(4) ? 'n' : ' ';
	values[5] = PG_ARGISNULL(5) ? TimestampTzGetDatum(GetCurrentTransactionStartTimestamp()) : PG_GETARG_DATUM(5);

	SPI_connect();
	vd_lock_persona(persona_id);
	vd_last_event_id = 0;
	vd_exec(&register_plan, values, nulls, false, 0);
	return vd_return_event_id(fcinfo);
}

/* Reads the counts and rate of a performance update; the rate defaults to interactions / views. */
static double
vd_performance_rate(Jsonb *data, int64 interactions, int64 views)
{
	double		rate;

	if (vd_json_optional_rate(data, "engagement_rate", &rate))
		return rate;
	if (interactions > views)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("interaction_count (" INT64_FORMAT ") exceeds view_count (" INT64_FORMAT ")",
						interactions, views),
				 errhint("Send engagement_rate explicitly when interactions can outnumber views.")));
	return views > 0 ? (double) interactions / (double) views : 0.0;
}

/* handle_performance_update(variant_id, performance_data) returns the event id, NULL for a stale update. */
Datum
vd_handle_performance_update(PG_FUNCTION_ARGS)
{
	char	   *variant_id = vd_require_text_arg(fcinfo, 0, "variant_id");
	Jsonb	   *data;
	char	   *persona_id;
	int64		interactions;
	int64		views;
	Datum		values[6];
	VdVariant	variant;

	if (PG_ARGISNULL(1))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("performance_data must not be null")));
	data = PG_GETARG_JSONB_P(1);
	vd_require_json_object(data, "performance_data");
	persona_id = vd_json_required_string(data, "persona_id");
	vd_check_persona_id(persona_id);
	interactions = vd_json_required_count(data, "interaction_count");
	views = vd_json_required_count(data, "view_count");
	values[2] = Float8GetDatum(vd_performance_rate(data, interactions, views));

	SPI_connect();
	vd_lock_persona(persona_id);
	vd_lookup_variant(variant_id, persona_id, &variant);
	values[0] = CStringGetTextDatum(variant_id);
	values[1] = CStringGetTextDatum(persona_id);
	values[3] = Int64GetDatum(interactions);
	values[4] = Int64GetDatum(views);
	values[5] = CStringGetTextDatum(variant.status);
	vd_last_event_id = 0;
	vd_exec(&performance_plan, values, NULL, false, 0);
	return vd_return_event_id(fcinfo);
}

/* handle_early_kill_event(variant_id, kill_data) records the kill and returns its event id. */
Datum
vd_handle_early_kill_event(PG_FUNCTION_ARGS)
{
	char	   *variant_id = vd_require_text_arg(fcinfo, 0, "variant_id");
	Jsonb	   *data;
	char	   *persona_id;
	char	   *reason;
	double		final_er = 0;
	int64		sample_size = 0;
	Datum		values[4];
	char		nulls[4] = "    ";
	VdVariant	variant;

	if (PG_ARGISNULL(1))
		ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("kill_data must not be null")));
	data = PG_GETARG_JSONB_P(1);
	vd_require_json_object(data, "kill_data");
	persona_id = vd_json_required_string(data, "persona_id");
	vd_check_persona_id(persona_id);
	reason = vd_json_required_string(data, "reason");
	vd_check_kill_reason(reason);
	values[1] = CStringGetTextDatum(reason);
	nulls[2] = vd_json_optional_rate(data, "final_engagement_rate", &final_er) ? ' ' : 'n';
	values[2] = Float8GetDatum(final_er);
	nulls[3] = vd_json_optional_count(data, "sample_size", &sample_size) ? ' ' : 'n';
	values[3] = Int64GetDatum(sample_size);

	SPI_connect();
	vd_lock_persona(persona_id);
	vd_lookup_variant(variant_id, persona_id, &variant);
	if (strcmp(variant.status, "killed") == 0)
		vd_already_killed(variant_id);
	values[0] = CStringGetTextDatum(variant_id);
	vd_last_event_id = 0;
	/* a kill this transaction's snapshot cannot see (repeatable read) conflicts instead */
	vd_exec(&kill_plan, values, nulls, false, 0);
	if (SPI_processed == 0)
		vd_already_killed(variant_id);
	return vd_return_event_id(fcinfo);
}

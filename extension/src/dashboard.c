/*
 * dashboard.c: the SQL-callable read functions. Each connects to SPI once, lets the builders push
 * their parts into one jsonb writer, and returns the result; all of them read one snapshot.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/builtins.h"

#include "vd.h"
#include "stats.h"

PG_MODULE_MAGIC;

PG_FUNCTION_INFO_V1(vd_dashboard_metrics);
PG_FUNCTION_INFO_V1(vd_active_variants);
PG_FUNCTION_INFO_V1(vd_performance_leaders);
PG_FUNCTION_INFO_V1(vd_fatigue_warnings);
PG_FUNCTION_INFO_V1(vd_optimization_suggestions);

#define VD_DEFAULT_ACTIVE_LIMIT 50
#define VD_DEFAULT_LEADERS 10
#define VD_DEFAULT_LEADER_MIN_VIEWS 100
#define VD_FEED_LENGTH 50
#define VD_RECENT_KILLS 20

/* The newest event of the persona this snapshot sees; listeners apply only events after it. Never below
 * what retention removed: a snapshot holds the effect of expired events, so resuming from it is no gap. */
static VdPlan last_event_plan = {
	NULL,
	"SELECT greatest(coalesce(max(id), 0), variant_dashboard.oldest_event_id() - 1)"
	"  FROM variant_dashboard.dashboard_events WHERE persona_id = $1",
	1, {TEXTOID}
};

/* Reads and checks the persona argument, then connects to SPI and opens the result object. */
static char *
vd_begin_read(FunctionCallInfo fcinfo, JsonOut *jo)
{
	char	   *persona_id = text_to_cstring(PG_GETARG_TEXT_PP(0));

	vd_check_persona_id(persona_id);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	jo_init(jo);
	jo_begin_object(jo);
	return persona_id;
}

/* Closes the result object and hands it back out of SPI memory. */
static Datum
vd_end_read(JsonOut *jo)
{
	jo_end_object(jo);
	PG_RETURN_JSONB_P(vd_spi_finish_jsonb(jo_finish(jo)));
}

/* Reads a positive integer limit argument. */
static int64
vd_limit_arg(FunctionCallInfo fcinfo, int argno, bool is_int4)
{
	int64		limit = is_int4 ? PG_GETARG_INT32(argno) : PG_GETARG_INT64(argno);

	if (limit < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("limits must not be negative, got " INT64_FORMAT, limit)));
	return limit;
}

/* Reads the 24 hours' variants, then the fatigue trends that use them; returns the number of trends. */
static int
vd_read_trends(const char *persona_id, TimestampTz as_of, VdRecent **recent, int *nrecent,
			   VdPatternTrend **trends)
{
	*nrecent = vd_read_recent(persona_id, as_of, recent);
	return vd_pattern_trends(persona_id, as_of, *recent, *nrecent, trends);
}

/* dashboard_metrics(persona_id, as_of): the whole dashboard, the reference's GET /api/metrics object. */
Datum
vd_dashboard_metrics(PG_FUNCTION_ARGS)
{
	JsonOut		jo;
	char	   *persona_id = vd_begin_read(fcinfo, &jo);
	TimestampTz as_of = PG_GETARG_TIMESTAMPTZ(1);
	Datum		arg = CStringGetTextDatum(persona_id);
	VdPatternTrend *trends;
	int			ntrends;
	VdRecent   *recent;
	int			nrecent;

	jo_kv_string(&jo, "persona_id", persona_id);
	jo_kv_ts(&jo, "as_of", as_of);
	vd_exec(&last_event_plan, &arg, NULL, true, 1);
	jo_kv_int(&jo, "last_event_id", vd_col_int(0, 1));
	jo_key(&jo, "summary");
	vd_push_summary(&jo, persona_id, as_of);
	jo_key(&jo, "active_variants");
	vd_push_active_variants(&jo, persona_id, as_of, VD_DEFAULT_ACTIVE_LIMIT);
	/* the 24 hours' variants and the fatigue trends once, shared by the panels */
	ntrends = vd_read_trends(persona_id, as_of, &recent, &nrecent, &trends);
	jo_key(&jo, "performance_leaders");
	vd_push_leaders(&jo, recent, nrecent, VD_DEFAULT_LEADERS, VD_DEFAULT_LEADER_MIN_VIEWS);
	jo_key(&jo, "early_kills_today");
	vd_push_kills_today(&jo, persona_id, as_of);
	jo_key(&jo, "recent_kills");
	vd_push_recent_kills(&jo, persona_id, as_of, VD_RECENT_KILLS);
	jo_key(&jo, "pattern_fatigue_warnings");
	vd_push_fatigue(&jo, trends, ntrends);
	jo_key(&jo, "optimization_opportunities");
	vd_push_suggestions(&jo, as_of, recent, nrecent, trends, ntrends);
	jo_key(&jo, "real_time_feed");
	vd_push_feed(&jo, persona_id, as_of, VD_FEED_LENGTH);
	return vd_end_read(&jo);
}

/* active_variants(persona_id, as_of, max_variants): {"variants": [...]}, newest first. */
Datum
vd_active_variants(PG_FUNCTION_ARGS)
{
	JsonOut		jo;
	char	   *persona_id = vd_begin_read(fcinfo, &jo);

	jo_key(&jo, "variants");
	vd_push_active_variants(&jo, persona_id, PG_GETARG_TIMESTAMPTZ(1), vd_limit_arg(fcinfo, 2, true));
	return vd_end_read(&jo);
}

/* performance_leaders(persona_id, as_of, max_leaders, min_views): {"leaders": [...]}. */
Datum
vd_performance_leaders(PG_FUNCTION_ARGS)
{
	JsonOut		jo;
	char	   *persona_id = vd_begin_read(fcinfo, &jo);
	VdRecent   *recent;
	int			nrecent = vd_read_recent(persona_id, PG_GETARG_TIMESTAMPTZ(1), &recent);

	jo_key(&jo, "leaders");
	vd_push_leaders(&jo, recent, nrecent, vd_limit_arg(fcinfo, 2, true), vd_limit_arg(fcinfo, 3, false));
	return vd_end_read(&jo);
}

/* fatigue_warnings(persona_id, as_of): {"warnings": [...]}. */
Datum
vd_fatigue_warnings(PG_FUNCTION_ARGS)
{
	JsonOut		jo;
	char	   *persona_id = vd_begin_read(fcinfo, &jo);
	VdRecent   *recent;
	int			nrecent;
	VdPatternTrend *trends;
	int			ntrends = vd_read_trends(persona_id, PG_GETARG_TIMESTAMPTZ(1), &recent, &nrecent, &trends);

	jo_key(&jo, "warnings");
	vd_push_fatigue(&jo, trends, ntrends);
	return vd_end_read(&jo);
}

/* optimization_suggestions(persona_id, as_of): {"suggestions": [...]}. */
Datum
vd_optimization_suggestions(PG_FUNCTION_ARGS)
{
	JsonOut		jo;
	char	   *persona_id = vd_begin_read(fcinfo, &jo);
	TimestampTz as_of = PG_GETARG_TIMESTAMPTZ(1);
	VdRecent   *recent;
	int			nrecent;
	VdPatternTrend *trends;
	int			ntrends = vd_read_trends(persona_id, as_of, &recent, &nrecent, &trends);

	jo_key(&jo, "suggestions");
	vd_push_suggestions(&jo, as_of, recent, nrecent, trends, ntrends);
	return vd_end_read(&jo);
}

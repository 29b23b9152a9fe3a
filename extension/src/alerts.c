/*
 * alerts.c: the alert decisions, taken in the transaction of the change that causes them.
 *
 * - early_kill: every row inserted into variant_kills (manual or automatic), with the kill's numbers
 *   and evaluate_early_kill's evidence.
 * - winner_found: a performance figure with at least 100 views and P(rate > predicted) >= 0.95 under
 *   the reuse_winner rule's posterior (distributions.c); once per variant.
 * - fatigue_alert: the pattern's fatigue (fatigue.c) became high (checked when a variant with the
 *   pattern is registered: its usage rose) or declining (checked when one of its variants reaches 30
 *   views, entering the trend test, or 100); once per pattern and condition per persona day. Between
 *   those points the verdict is not re-evaluated: a fatigue analysis per update would cost the write path
 *   far more than its 10% budget, and a condition already alerted today costs one index probe.
 * - calibration: when a variant reaches 100 views (it then enters the model_tuning statistic), the
 *   persona's suggestions hold model_tuning; once per persona day.
 * Each kind costs nothing while no enabled webhook subscribes to it (alert_outbox.c's cache).
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "fmgr.h"
#include "utils/builtins.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"

#include "vd.h"
#include "stats.h"
#include "alerts.h"

PG_FUNCTION_INFO_V1(vd_alert_trigger);

#define VD_WINNER_MIN_PROBABILITY 0.95

/* What an alert says about its variant, read once. */
typedef struct AlertVariant
{
	char	   *content;
	double		predicted;
	char	   *pattern;
} AlertVariant;

static VdPlan variant_plan = {
	NULL,
	"SELECT content, predicted_er, pattern_used FROM variant_dashboard.variants WHERE id = $1",
	1, {TEXTOID}
};

static VdPlan evaluation_plan = {
	NULL, "SELECT variant_dashboard.evaluate_early_kill($1, now())", 1, {TEXTOID}
};

static VdPlan tuning_plan = {
	NULL,
	"SELECT s FROM jsonb_array_elements(variant_dashboard.optimization_suggestions($1, now())->'suggestions') s"
	" WHERE s->>'type' = 'model_tuning'",
	1, {TEXTOID}
};

/* Reads the variant's content, prediction and pattern. */
static void
vd_alert_variant(const char *variant_id, AlertVariant *out)
{
	Datum		arg = CStringGetTextDatum(variant_id);

	vd_exec(&variant_plan, &arg, NULL, false, 1);
	if (SPI_processed == 0)
		elog(ERROR, "variant \"%s\" of an alert does not exist", variant_id);
	out->content = vd_col_cstring(0, 1);
	out->predicted = vd_col_float(0, 2);
	out->pattern = vd_col_cstring(0, 3);
}

/* Opens an alert payload with the members every kind shares; the caller adds its own and finishes. */
static void
vd_alert_begin(JsonOut *jo, VdAlertKind kind, const char *persona_id, const char *variant_id,
			   const AlertVariant *v, int64 event_id)
{
	jo_init(jo);
	jo_begin_object(jo);
	jo_kv_string(jo, "alert_type", vd_alert_name(kind));
	jo_kv_string(jo, "persona_id", persona_id);
	jo_kv_string(jo, "variant_id", variant_id);
	jo_kv_int(jo, "event_id", event_id);
	jo_kv_ts(jo, "occurred_at", GetCurrentTimestamp());
	jo_kv_string(jo, "content", v->content);
	jo_kv_string(jo, "pattern", v->pattern);
	jo_kv_float(jo, "predicted_er", v->predicted);
}

/* Writes the first column (jsonb) of the last SPI result as the evidence member, null without a row. */
static void
vd_alert_evidence(JsonOut *jo)
{
	bool		isnull = true;
	Datum		d = SPI_processed > 0 ? SPI_getbinval(VD_ROW(0), 1, &isnull) : (Datum) 0;

	jo_key(jo, "evidence");
	if (isnull)
		jo_null(jo);
	else
		jo_jsonb(jo, DatumGetJsonbP(d));
}

/* early_kill: the kill's reason and numbers with the rule's evaluation. */
static void
vd_alert_kill(TriggerData *td, const char *persona_id, const char *variant_id, const AlertVariant *v)
{
	HeapTuple	row = td->tg_trigtuple;
	TupleDesc	desc = td->tg_relation->rd_att;
	Datum		arg = CStringGetTextDatum(variant_id);
	JsonOut		jo;

	vd_alert_begin(&jo, VD_ALERT_EARLY_KILL, persona_id, variant_id, v, vd_last_event_id);
	jo_kv_string(&jo, "reason", vd_get_cstring(row, desc, vd_attnum(desc, "reason")));
	jo_kv_float(&jo, "rate", vd_get_float(row, desc, vd_attnum(desc, "final_engagement_rate")));
	jo_kv_int(&jo, "views", vd_get_int(row, desc, vd_attnum(desc, "sample_size")));
	vd_exec(&evaluation_plan, &arg, NULL, false, 1);
	vd_alert_evidence(&jo);
	jo_end_object(&jo);
	vd_enqueue_alert(VD_ALERT_EARLY_KILL, persona_id, variant_id, vd_last_event_id, jo_finish(&jo));
}

/* fatigue_alert for one condition ("high" or "declining") of the pattern; the caller checked it is new today. */
static void
vd_alert_fatigue_condition(const VdPatternTrend *t, const char *condition, const char *persona_id,
						   const char *variant_id, const AlertVariant *v)
{
	JsonOut		jo;

	vd_alert_first(VD_ALERT_FATIGUE, persona_id, psprintf("%s:%s", condition, t->pattern), true, vd_last_event_id);
	vd_alert_begin(&jo, VD_ALERT_FATIGUE, persona_id, variant_id, v, vd_last_event_id);
	jo_kv_string(&jo, "condition", condition);
	jo_kv_string(&jo, "warning_level", t->level);
	jo_kv_float(&jo, "fatigue_score", t->fatigue_score);
	jo_kv_int(&jo, "views", t->views);
	jo_kv_float(&jo, "rate", vd_round(t->pooled_rate, 6));
	jo_kv_string(&jo, "reason", vd_trend_advice(t));
	jo_key(&jo, "evidence");
	vd_push_trend_evidence(&jo, t);
	jo_end_object(&jo);
	vd_enqueue_alert(VD_ALERT_FATIGUE, persona_id, variant_id, vd_last_event_id, jo_finish(&jo));
}

/* True when the condition of the pattern was not alerted yet today. */
static bool
vd_fatigue_open(const char *persona_id, const char *pattern, const char *condition)
{
	return !vd_alert_seen(VD_ALERT_FATIGUE, persona_id, psprintf("%s:%s", condition, pattern), true);
}

/*
 * fatigue_alert: the pattern became high (want_high) or declining (want_declining). The pattern alone
 * is analysed, and only while a wanted condition is still open today, so a pattern that already
 * alerted costs one index probe per change.
 */
static void
vd_alert_fatigue(const char *persona_id, const char *variant_id, const char *pattern, bool want_high,
				 bool want_declining)
{
	VdPatternTrend trend;
	AlertVariant v;
	bool		found;

	if (pattern == NULL)
		return;
	want_high = want_high && vd_fatigue_open(persona_id, pattern, "high");
	want_declining = want_declining && vd_fatigue_open(persona_id, pattern, "declining");
	if (!want_high && !want_declining)
		return;
	/* the analysis reads in read-only mode: let it see the row this statement wrote */
	CommandCounterIncrement();
	PushCopiedSnapshot(GetActiveSnapshot());
	UpdateActiveSnapshotCommandId();
	found = vd_pattern_trend(persona_id, pattern, GetCurrentTimestamp(), &trend);
	PopActiveSnapshot();
	want_high = want_high && found && strcmp(trend.level, "high") == 0;
	want_declining = want_declining && found && trend.declining;
	if (want_high || want_declining)
		vd_alert_variant(variant_id, &v);
	if (want_high)
		vd_alert_fatigue_condition(&trend, "high", persona_id, variant_id, &v);
	if (want_declining)
		vd_alert_fatigue_condition(&trend, "declining", persona_id, variant_id, &v);
}

/* winner_found: enough views and P(rate > predicted) >= 0.95; once per variant. */
static void
vd_alert_winner(const char *persona_id, const char *variant_id, int64 interactions, int64 views)
{
	AlertVariant v;
	JsonOut		jo;
	double		alpha;
	double		beta;
	double		p;

	vd_alert_variant(variant_id, &v);
	p = vd_prob_above_prediction(interactions, views, v.predicted, &alpha, &beta);
	if (p < VD_WINNER_MIN_PROBABILITY ||
		!vd_alert_first(VD_ALERT_WINNER, persona_id, variant_id, false, vd_last_event_id))
		return;
	vd_alert_begin(&jo, VD_ALERT_WINNER, persona_id, variant_id, &v, vd_last_event_id);
	jo_kv_float(&jo, "rate", (double) interactions / (double) views);
	jo_kv_int(&jo, "views", views);
	jo_kv_int(&jo, "interactions", interactions);
	jo_kv_string(&jo, "reason", psprintf("P(rate > %.2f%% predicted) = %.3f after " INT64_FORMAT " views",
										 v.predicted * 100.0, p, views));
	jo_key(&jo, "evidence");
	jo_begin_object(&jo);
	jo_kv_float(&jo, "probability_above_prediction", vd_round(p, 6));
	jo_kv_float(&jo, "posterior_alpha", alpha);
	jo_kv_float(&jo, "posterior_beta", beta);
	jo_kv_float(&jo, "prior_views", VD_PRIOR_VIEWS);
	jo_kv_float(&jo, "min_probability", VD_WINNER_MIN_PROBABILITY);
	jo_kv_int(&jo, "min_views", VD_JUDGE_MIN_VIEWS);
	jo_end_object(&jo);
	jo_end_object(&jo);
	vd_enqueue_alert(VD_ALERT_WINNER, persona_id, variant_id, vd_last_event_id, jo_finish(&jo));
}

/* calibration: the persona's suggestions hold model_tuning; once per persona day. */
static void
vd_alert_calibration(const char *persona_id, const char *variant_id)
{
	Datum		arg = CStringGetTextDatum(persona_id);
	AlertVariant v;
	JsonOut		jo;
	Jsonb	   *suggestion;
	bool		isnull;

	if (vd_alert_seen(VD_ALERT_CALIBRATION, persona_id, "model_tuning", true))
		return;
	vd_exec(&tuning_plan, &arg, NULL, false, 1);
	if (SPI_processed == 0)
		return;
	suggestion = DatumGetJsonbP(SPI_getbinval(VD_ROW(0), 1, &isnull));
	vd_alert_first(VD_ALERT_CALIBRATION, persona_id, "model_tuning", true, vd_last_event_id);
	vd_alert_variant(variant_id, &v);
	vd_alert_begin(&jo, VD_ALERT_CALIBRATION, persona_id, variant_id, &v, vd_last_event_id);
	jo_kv_string(&jo, "reason", vd_json_required_string(suggestion, "description"));
	jo_key(&jo, "evidence");
	jo_jsonb(&jo, suggestion);
	jo_end_object(&jo);
	vd_enqueue_alert(VD_ALERT_CALIBRATION, persona_id, variant_id, vd_last_event_id, jo_finish(&jo));
}

/* True when the figure took the variant's views from below limit to limit or more. */
static inline bool
vd_crossed(int64 before, int64 views, int64 limit)
{
	return before < limit && views >= limit;
}

/*
 * A performance figure: winner_found from 100 views on; calibration when the variant reaches 100 views
 * (it enters model_tuning); fatigue when it reaches 30 views (its use enters the pattern's trend test)
 * or 100 (its rate firms up): a pattern's decline verdict changes with these, not with a registration.
 */
static void
vd_alert_performance(TriggerData *td, const char *persona_id, const char *variant_id)
{
	TupleDesc	desc = td->tg_relation->rd_att;
	HeapTuple	row = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
	int			views_col = vd_attnum(desc, "view_count");
	int64		views = vd_get_int(row, desc, views_col);
	int64		before = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? vd_get_int(td->tg_trigtuple, desc, views_col) : 0;
	AlertVariant v;

	if ((vd_crossed(before, views, VD_TREND_USE_MIN_VIEWS) || vd_crossed(before, views, VD_JUDGE_MIN_VIEWS)) &&
		vd_alert_wanted(VD_ALERT_FATIGUE))
	{
		vd_alert_variant(variant_id, &v);
		vd_alert_fatigue(persona_id, variant_id, v.pattern, true, true);
	}
	if (views < VD_JUDGE_MIN_VIEWS)
		return;
	if (vd_alert_wanted(VD_ALERT_WINNER))
		vd_alert_winner(persona_id, variant_id, vd_get_int(row, desc, vd_attnum(desc, "interaction_count")), views);
	if (before < VD_JUDGE_MIN_VIEWS && vd_alert_wanted(VD_ALERT_CALIBRATION))
		vd_alert_calibration(persona_id, variant_id);
}

/* variant_kills/variant_monitoring/variants AFTER ROW: the alerts the change causes, if anyone listens. */
Datum
vd_alert_trigger(PG_FUNCTION_ARGS)
{
	TriggerData *td = (TriggerData *) fcinfo->context;
	const char *table;
	HeapTuple	row;
	TupleDesc	desc;
	char	   *persona_id;
	char	   *variant_id;
	AlertVariant v;

	if (!CALLED_AS_TRIGGER(fcinfo) || !TRIGGER_FIRED_AFTER(td->tg_event) || !TRIGGER_FIRED_FOR_ROW(td->tg_event))
		elog(ERROR, "alert_trigger must be an AFTER ... FOR EACH ROW trigger");
	if (!vd_alert_wanted(VD_ALERT_EARLY_KILL | VD_ALERT_FATIGUE | VD_ALERT_WINNER | VD_ALERT_CALIBRATION))
		return PointerGetDatum(NULL);
	table = RelationGetRelationName(td->tg_relation);
	row = TRIGGER_FIRED_BY_UPDATE(td->tg_event) ? td->tg_newtuple : td->tg_trigtuple;
	desc = td->tg_relation->rd_att;
	SPI_connect();
	persona_id = vd_get_cstring(row, desc, vd_attnum(desc, "persona_id"));
	variant_id = vd_get_cstring(row, desc, vd_attnum(desc, strcmp(table, "variants") == 0 ? "id" : "variant_id"));
	if (strcmp(table, "variant_monitoring") == 0)
		vd_alert_performance(td, persona_id, variant_id);
	else if (strcmp(table, "variant_kills") == 0 && vd_alert_wanted(VD_ALERT_EARLY_KILL))
	{
		vd_alert_variant(variant_id, &v);
		vd_alert_kill(td, persona_id, variant_id, &v);
	}
	else if (strcmp(table, "variants") == 0 && vd_alert_wanted(VD_ALERT_FATIGUE))
	{
		/* a new use raises the pattern's usage; it has no views yet, so no decline can start here */
		vd_alert_fatigue(persona_id, variant_id, vd_get_cstring(row, desc, vd_attnum(desc, "pattern_used")), true, false);
	}
	SPI_finish();
	return PointerGetDatum(NULL);
}

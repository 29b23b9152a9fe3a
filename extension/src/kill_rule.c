/*
 * kill_rule.c: whether to kill a variant early, and why.
 *
 * The Bayesian rule: the true engagement rate gets a Beta prior centred on the predicted rate with
 * prior_views virtual views, updated with interactions out of views. Kill when
 * P(rate < threshold x predicted) >= confidence, once views >= min_views, within the monitoring
 * window after posting. The reference rule, for comparison: observed rate below threshold x predicted
 * after at least 10 interactions (same window). The sequential rule: Wald's sequential probability
 * ratio test (A. Wald, "Sequential Tests of Statistical Hypotheses", Ann. Math. Statist. 16, 1945) of
 * H0: rate = sequential_null x predicted against H1: rate = sequential_alt x predicted, killing when the
 * log likelihood ratio reaches log(1 / sequential_alpha). By Ville's inequality the chance that a
 * variant at the H0 rate (or better) is ever killed is at most sequential_alpha, however often the
 * rule is evaluated: the boundary is always valid under continuous monitoring. All rules report the
 * posterior probability.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"

#include "vd.h"

PG_FUNCTION_INFO_V1(vd_evaluate_early_kill);

#define VD_REFERENCE_MIN_INTERACTIONS 10

typedef struct KillDecision
{
	bool		kill;
	double		observed_er;
	double		threshold_er;
	double		p_below;
	char	   *reason;
} KillDecision;

/* A variant's numbers and its persona's kill settings, in one round trip (columns 6 on: settings). */
static VdPlan variant_state_plan = {
	NULL,
	"SELECT v.predicted_er, v.posted_at, v.status::text,"
	"       coalesce(m.interaction_count, 0), coalesce(m.view_count, 0), " VD_SETTINGS_COLUMNS
	"  FROM variant_dashboard.variants v"
	"  LEFT JOIN variant_dashboard.variant_monitoring m ON m.variant_id = v.id"
	"  LEFT JOIN variant_dashboard.persona_settings s ON s.persona_id = v.persona_id"
	" WHERE v.id = $1",
	1, {TEXTOID}
};

/* What auto-kill needs beyond the trigger row, in one round trip (columns 4 on: settings). */
static VdPlan auto_kill_state_plan = {
	NULL,
	"SELECT v.predicted_er, v.posted_at, v.status::text, " VD_SETTINGS_COLUMNS
	"  FROM variant_dashboard.variants v"
	"  LEFT JOIN variant_dashboard.persona_settings s ON s.persona_id = v.persona_id"
	" WHERE v.id = $1",
	1, {TEXTOID}
};

static VdPlan auto_kill_plan = {
	NULL,
	"INSERT INTO variant_dashboard.variant_kills"
	"   (variant_id, persona_id, reason, final_engagement_rate, sample_size, posted_at)"
	" VALUES ($1, $2, $3, $4, $5, $6)"
	" ON CONFLICT (variant_id) DO NOTHING",
	6, {TEXTOID, TEXTOID, TEXTOID, FLOAT8OID, INT8OID, TIMESTAMPTZOID}
};

/* Posterior probability that the true rate is below threshold x predicted (prior centred on predicted). */
double
vd_kill_probability(const VdKillSettings *s, double predicted, int64 interactions, int64 views)
{
	double		alpha = s->prior_views * predicted + (double) interactions;
	double		beta = s->prior_views * (1.0 - predicted) + (double) Max(views - interactions, 0);

	return vd_beta_cdf(s->threshold * predicted, alpha, beta);
}

/* The name of a kill rule, as the GUC and persona_settings spell it. */
static const char *
vd_kill_rule_name(VdKillRule rule)
{
	return rule == VD_RULE_REFERENCE ? "reference" : rule == VD_RULE_SEQUENTIAL ? "sequential" : "bayesian";
}

/* Formats a count with thousands separators: 1200 -> "1,200". */
static char *
vd_thousands(int64 n)
{
	char		digits[32];
	StringInfoData out;
	int			len = snprintf(digits, sizeof(digits), INT64_FORMAT, n);

	initStringInfo(&out);
	for (int i = 0; i < len; i++)
	{
		if (i > 0 && digits[i - 1] != '-' && (len - i) % 3 == 0)
			appendStringInfoChar(&out, ',');
		appendStringInfoChar(&out, digits[i]);
	}
	return out.data;
}

/* The sequential rule: Wald's log likelihood ratio against log(1 / alpha), once min_views is reached. */
static void
vd_decide_sequential(const VdKillSettings *s, double predicted, int64 interactions, int64 views,
					 const char *probability, KillDecision *d)
{
	double		fine = s->sequential_null * predicted;
	double		loser = s->sequential_alt * predicted;
	double		failures = (double) Max(views - interactions, 0);
	double		llr = interactions * log(loser / fine) + failures * log1p(-loser) - failures * log1p(-fine);
	double		boundary = log(1.0 / s->sequential_alpha);

	d->kill = views >= s->min_views && llr >= boundary;
	d->reason = psprintf("%s; sequential test: log likelihood ratio %.2f of %.2f needed%s", probability, llr,
						 boundary, views < s->min_views ? " (too few views to judge)" : "");
}

/* Decides on a variant from its numbers; the reason states the numbers either way. */
static void
vd_decide(const VdKillSettings *s, double predicted, double age_seconds, int64 interactions, int64 views,
		  KillDecision *d)
{
	char	   *probability;

	d->threshold_er = s->threshold * predicted;
	d->observed_er = views > 0 ? (double) interactions / (double) views : 0.0;
	d->p_below = vd_kill_probability(s, predicted, interactions, views);
	probability = psprintf("P(rate < %.1f%%) = %.2f after %s views", d->threshold_er * 100.0, d->p_below,
						   vd_thousands(views));
	d->kill = false;
	if (age_seconds > s->window_seconds)
		d->reason = psprintf("monitoring window of %.0f minutes is over; %s", s->window_seconds / 60.0, probability);
	else if (s->rule == VD_RULE_REFERENCE)
	{
		d->kill = interactions >= VD_REFERENCE_MIN_INTERACTIONS && d->observed_er < d->threshold_er;
		d->reason = psprintf("reference rule: rate %.2f%% vs %.2f%% threshold after %s interactions%s",
							 d->observed_er * 100.0, d->threshold_er * 100.0, vd_thousands(interactions),
							 d->kill ? "" : " (no kill)");
	}
	else if (s->rule == VD_RULE_SEQUENTIAL)
		vd_decide_sequential(s, predicted, interactions, views, probability, d);
	else if (views < s->min_views)
		d->reason = psprintf("too few views to judge (%s of " INT64_FORMAT "); %s",
							 vd_thousands(views), s->min_views, probability);
	else
	{
		d->kill = d->p_below >= s->confidence;
		d->reason = d->kill ? probability
			: psprintf("%s, below the %.2f needed", probability, s->confidence);
	}
}

/* Pushes the early-kill decision on a variant with its evidence; needs SPI. Unknown variant: 23503. */
void
vd_push_kill_evaluation(JsonOut *jo, const char *variant_id, TimestampTz as_of)
{
	Datum		arg = CStringGetTextDatum(variant_id);
	VdKillSettings settings;
	KillDecision d;
	bool		isnull;
	char	   *status;
	double		predicted;
	TimestampTz posted_at;
	int64		interactions;
	int64		views;

	if (vd_exec(&variant_state_plan, &arg, NULL, true, 1) != SPI_OK_SELECT || SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_FOREIGN_KEY_VIOLATION),
				 errmsg("variant \"%s\" does not exist", variant_id),
				 errhint("Variants are registered with variant_dashboard.register_variant().")));
	predicted = vd_col_float(0, 1);
	posted_at = vd_col_ts(0, 2, &isnull);
	status = vd_col_cstring(0, 3);
	interactions = vd_col_int(0, 4);
	views = vd_col_int(0, 5);
	vd_kill_settings_from_row(6, &settings);
	vd_decide(&settings, predicted, (double) (as_of - posted_at) / USECS_PER_SEC, interactions, views, &d);
	if (strcmp(status, "active") != 0)
	{
		d.kill = false;
		d.reason = psprintf("variant is %s; %s", status, d.reason);
	}
	jo_begin_object(jo);
	jo_kv_bool(jo, "kill", d.kill);
	jo_kv_string(jo, "reason", d.reason);
	jo_kv_int(jo, "views", views);
	jo_kv_int(jo, "interactions", interactions);
	jo_kv_float(jo, "observed_er", d.observed_er);
	jo_kv_float(jo, "predicted_er", predicted);
	jo_kv_float(jo, "threshold_er", d.threshold_er);
	jo_kv_float(jo, "probability_below_threshold", d.p_below);
	jo_kv_string(jo, "rule", vd_kill_rule_name(settings.rule));
	jo_kv_float(jo, "confidence", settings.confidence);
	jo_kv_int(jo, "min_views", settings.min_views);
	jo_kv_ts(jo, "window_ends_at", posted_at + (int64) (settings.window_seconds * USECS_PER_SEC));
	jo_kv_string(jo, "status", status);
	jo_end_object(jo);
}

/* evaluate_early_kill(variant_id, as_of): the decision and its evidence, as jsonb. */
Datum
vd_evaluate_early_kill(PG_FUNCTION_ARGS)
{
	char	   *variant_id = text_to_cstring(PG_GETARG_TEXT_PP(0));
	JsonOut		jo;

	SPI_connect();
	jo_init(&jo);
	vd_push_kill_evaluation(&jo, variant_id, PG_GETARG_TIMESTAMPTZ(1));
	PG_RETURN_JSONB_P(vd_spi_finish_jsonb(jo_finish(&jo)));
}

/* Loads what auto-kill and the event's kill_probability need beyond the trigger row; false if none. */
bool
vd_load_kill_state(const char *variant_id, VdKillState *out)
{
	Datum		arg = CStringGetTextDatum(variant_id);
	bool		isnull;

	if (vd_exec(&auto_kill_state_plan, &arg, NULL, false, 1) != SPI_OK_SELECT || SPI_processed == 0)
		return false;
	out->predicted = vd_col_float(0, 1);
	out->posted_at = vd_col_ts(0, 2, &isnull);
	out->active = strcmp(vd_col_cstring(0, 3), "active") == 0;
	vd_kill_settings_from_row(4, &out->settings);
	return true;
}

/*
 * Called for every new performance figure: when the persona has auto-kill on and the rule says kill,
 * records the kill in the same transaction (its trigger sends the early_kill event). The caller's
 * last event id is kept, so handle_performance_update still returns its own event.
 */
void
vd_auto_kill(const VdKillState *st, const char *variant_id, const char *persona_id, int64 interactions,
			 int64 views)
{
	KillDecision d;
	Datum		args[6];
	int64		own_event_id = vd_last_event_id;

	if (!st->settings.auto_kill || !st->active)
		return;
	vd_decide(&st->settings, st->predicted, (double) (GetCurrentTimestamp() - st->posted_at) / USECS_PER_SEC,
			  interactions, views, &d);
	if (!d.kill)
		return;
	args[0] = CStringGetTextDatum(variant_id);
	args[1] = CStringGetTextDatum(persona_id);
	args[2] = CStringGetTextDatum(d.reason);
	args[3] = Float8GetDatum(d.observed_er);
	args[4] = Int64GetDatum(views);
	args[5] = TimestampTzGetDatum(st->posted_at);
	vd_exec(&auto_kill_plan, args, NULL, false, 0);
	vd_last_event_id = own_event_id;
}

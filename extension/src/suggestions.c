/*
 * suggestions.c: what to change, from the last 24 hours of the persona's variants (recent.c: read once,
 * shared by every rule and the leaders) and the fatigue trends (computed once by the caller).
 *
 * The reference's two rules: an early-kill rate above 30% questions the predictor
 * (prediction_calibration), and patterns performing below half their predicted rate should be
 * avoided (pattern_optimization).
 *
 * Added, each with a stable type and an evidence object:
 * - model_tuning: over the last 24 hours' variants with at least 100 views, the relative errors
 *   e_i = (actual_i - predicted_i) / predicted_i (actual = interactions / views) have mean m and
 *   standard deviation s; the 95% interval m -/+ t(0.975, n-1) s / sqrt(n) (n >= 3) excluding 0 says
 *   the predictions are systematically too high (m < 0) or too low (m > 0).
 * - rest_pattern: patterns whose engagement falls with successive uses (fatigue.c's trend test).
 * - reuse_winner: a variant (not killed, at least 100 views) or a pattern (pooled over its variants
 *   that were not killed, at least 100 views, not declining) of the last 24 hours whose posterior
 *   probability of beating its prediction is at least 0.95: prior Beta(10 p, 10 (1 - p)) centred on
 *   the prediction p, posterior Beta(10 p + x, 10 (1 - p) + n - x), P(rate > p) = 1 - I_p(a, b).
 *   At most 3 of each.
 * - too_young: active variants of the last 24 hours with fewer than 100 views: not yet judgeable.
 *
 * Minimum samples (no suggestion from less; README lists them): prediction_calibration 10 variants
 * posted in the 24 hours; pattern_optimization 100 pooled views per pattern; model_tuning 3 variants
 * of 100+ views; reuse_winner 100 views (variant or pooled pattern); rest_pattern fatigue.c's trend
 * minimums (3 uses of 30+ views, 300 views, 10 interactions); too_young none (it reports the lack).
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"

#include "vd.h"
#include "stats.h"

#define VD_KILL_RATE_ALARM 0.30
#define VD_KILL_RATE_MIN_VARIANTS 10	/* variants in the 24 hours before a kill rate means anything */
#define VD_PATTERN_SHORTFALL 0.5
#define VD_TUNING_MIN_VARIANTS 3	/* relative errors needed for an interval */
#define VD_TUNING_HIGH_BIAS 0.25	/* a mean error this large is high priority */
#define VD_WINNER_PROBABILITY 0.95
#define VD_MAX_WINNERS 3			/* reuse_winner suggestions of each kind */
#define VD_YOUNG_LISTED 10			/* young variants named in the evidence */

/* A variant or pattern judged against its prediction. */
typedef struct Candidate
{
	const char *id;				/* variant id or pattern name */
	int64		interactions;
	int64		views;
	double		predicted;
	double		alpha;
	double		beta;
	double		probability;
} Candidate;

/* Opens one suggestion in the reference's shape; the caller writes the evidence object and closes it. */
static void
vd_begin_suggestion(JsonOut *jo, const char *type, const char *priority, const char *title,
					const char *description, const char *action)
{
	jo_begin_object(jo);
	jo_kv_string(jo, "type", type);
	jo_kv_string(jo, "priority", priority);
	jo_kv_string(jo, "title", title);
	jo_kv_string(jo, "description", description);
	jo_kv_string(jo, "action", action);
	jo_key(jo, "evidence");
}

/* The index after the last variant of recent[start]'s pattern (the rows come grouped by pattern). */
static int
vd_pattern_end(const VdRecent *recent, int n, int start)
{
	int			end = start + 1;

	while (end < n && recent[end].pattern != NULL && recent[start].pattern != NULL &&
		   strcmp(recent[end].pattern, recent[start].pattern) == 0)
		end++;
	return end;
}

/* prediction_calibration: more than 30% of the day's variants (10 or more) were killed early. */
static void
vd_suggest_calibration(JsonOut *jo, const VdRecent *recent, int n)
{
	int64		posted = n;
	int64		killed = 0;
	double		kill_rate;

	for (int i = 0; i < n; i++)
		killed += recent[i].killed;
	if (posted < VD_KILL_RATE_MIN_VARIANTS)
		return;					/* 1 kill of 2 variants is no evidence about the predictor */
	kill_rate = (double) killed / (double) posted;
	if (kill_rate <= VD_KILL_RATE_ALARM)
		return;
	vd_begin_suggestion(jo, "prediction_calibration", "medium", "High Early Kill Rate",
						psprintf("%.0f%% variants killed early (" INT64_FORMAT " of " INT64_FORMAT
								 " variants posted in the last 24 hours) - prediction model may need recalibration",
								 kill_rate * 100.0, killed, posted),
						"Review engagement predictor accuracy");
	jo_begin_object(jo);
	jo_kv_int(jo, "variants_24h", posted);
	jo_kv_int(jo, "killed_24h", killed);
	jo_kv_int(jo, "min_variants", VD_KILL_RATE_MIN_VARIANTS);
	jo_kv_float(jo, "kill_rate", vd_round(kill_rate, 4));
	jo_kv_float(jo, "alarm_above", VD_KILL_RATE_ALARM);
	jo_end_object(jo);
	jo_end_object(jo);
}

/* The patterns (100+ pooled views) whose pooled rate is below half of their view-weighted prediction. */
static int
vd_weak_patterns(const VdRecent *recent, int n, Candidate **out)
{
	Candidate  *weak = palloc(sizeof(Candidate) * Max(n, 1));
	int			nweak = 0;

	for (int i = 0; i < n && recent[i].pattern != NULL;)
	{
		Candidate  *c = &weak[nweak];
		double		weighted = 0.0;
		int			end = vd_pattern_end(recent, n, i);

		memset(c, 0, sizeof(Candidate));
		c->id = recent[i].pattern;
		for (; i < end; i++)
		{
			c->views += recent[i].views;
			c->interactions += recent[i].interactions;
			weighted += recent[i].predicted * (double) recent[i].views;
		}
		if (c->views < VD_JUDGE_MIN_VIEWS)
			continue;
		c->predicted = weighted / (double) c->views;
		if ((double) c->interactions / (double) c->views < VD_PATTERN_SHORTFALL * c->predicted)
			nweak++;
	}
	*out = weak;
	return nweak;
}

/* pattern_optimization: patterns whose pooled rate is below half of what was predicted for them. */
static void
vd_suggest_patterns(JsonOut *jo, const VdRecent *recent, int n)
{
	StringInfoData description;
	StringInfoData names;
	Candidate  *weak;
	int			nweak = vd_weak_patterns(recent, n, &weak);

	if (nweak == 0)
		return;
	initStringInfo(&description);
	initStringInfo(&names);
	appendStringInfoString(&description, "Patterns performing below 50% of their predicted engagement: ");
	for (int w = 0; w < nweak; w++)
	{
		const char *sep = w > 0 ? ", " : "";

		appendStringInfo(&description, "%s%s (%.1f%% vs %.1f%% predicted over " INT64_FORMAT " views)", sep,
						 weak[w].id, (double) weak[w].interactions / (double) weak[w].views * 100.0,
						 weak[w].predicted * 100.0, weak[w].views);
		appendStringInfo(&names, "%s%s", sep, weak[w].id);
	}
	vd_begin_suggestion(jo, "pattern_optimization", "high", "Avoid Underperforming Patterns",
						description.data, psprintf("Stop using %s until they are reworked", names.data));
	jo_begin_object(jo);
	jo_kv_float(jo, "shortfall_below", VD_PATTERN_SHORTFALL);
	jo_kv_int(jo, "min_views", VD_JUDGE_MIN_VIEWS);
	jo_key(jo, "patterns");
	jo_begin_array(jo);
	for (int w = 0; w < nweak; w++)
	{
		jo_begin_object(jo);
		jo_kv_string(jo, "pattern", weak[w].id);
		jo_kv_float(jo, "observed_er", vd_round((double) weak[w].interactions / (double) weak[w].views, 6));
		jo_kv_float(jo, "predicted_er", vd_round(weak[w].predicted, 6));
		jo_kv_int(jo, "views", weak[w].views);
		jo_end_object(jo);
	}
	jo_end_array(jo);
	jo_end_object(jo);
	jo_end_object(jo);
}

/* rest_pattern: one suggestion per pattern whose engagement falls with successive uses. */
static void
vd_suggest_rest(JsonOut *jo, VdPatternTrend *trends, int ntrends)
{
	for (int i = 0; i < ntrends; i++)
	{
		const VdPatternTrend *t = &trends[i];

		if (!t->declining)
			continue;
		vd_begin_suggestion(jo, "rest_pattern", "high", "Rest Fatigued Pattern", vd_trend_advice(t),
							psprintf("Rest %s for a few days and rotate to fresher patterns", t->pattern));
		jo_begin_object(jo);
		jo_kv_string(jo, "pattern", t->pattern);
		jo_kv_float(jo, "trend_z", vd_round(t->trend_z, 4));
		jo_kv_float(jo, "relative_change", vd_round(t->relative_change, 4));
		jo_kv_float(jo, "fatigue_score", t->fatigue_score);
		jo_key(jo, "trend");
		vd_push_trend_evidence(jo, t);
		jo_end_object(jo);
		jo_end_object(jo);
	}
}

/* model_tuning: the 95% t interval of the mean relative prediction error excludes 0. */
static void
vd_suggest_tuning(JsonOut *jo, const VdRecent *recent, int rows)
{
	int64		n = 0;
	double		mean = 0.0;
	double		m2 = 0.0;
	double		sd;
	double		t;
	double		half;
	double		lo;
	double		hi;
	bool		too_high;

	for (int row = 0; row < rows; row++)
	{
		double		predicted = recent[row].predicted;
		int64		views = recent[row].views;
		double		error;
		double		delta;

		if (views < VD_JUDGE_MIN_VIEWS)
			continue;
		error = ((double) recent[row].interactions / (double) views - predicted) / predicted;
		/* Welford's running mean and sum of squares */
		n++;
		delta = error - mean;
		mean += delta / (double) n;
		m2 += delta * (error - mean);
	}
	if (n < VD_TUNING_MIN_VARIANTS)
		return;
	sd = sqrt(m2 / (double) (n - 1));
	t = vd_t_quantile(0.975, (double) (n - 1));
	half = t * sd / sqrt((double) n);
	lo = mean - half;
	hi = mean + half;
	if (lo <= 0.0 && hi >= 0.0)
		return;
	too_high = mean < 0.0;
	vd_begin_suggestion(jo, "model_tuning", fabs(mean) >= VD_TUNING_HIGH_BIAS ? "high" : "medium",
						too_high ? "Predictions Run Too High" : "Predictions Run Too Low",
						psprintf("Actual engagement is %.0f%% %s predicted on average over " INT64_FORMAT
								 " variants of the last 24 hours (95%% interval %+.0f%% to %+.0f%%)",
								 fabs(mean) * 100.0, too_high ? "below" : "above", n, lo * 100.0, hi * 100.0),
						psprintf("Retune the engagement predictor: scale its predictions by about %.2f",
								 1.0 + mean));
	jo_begin_object(jo);
	jo_kv_int(jo, "variants", n);
	jo_kv_int(jo, "min_views", VD_JUDGE_MIN_VIEWS);
	jo_kv_string(jo, "direction", too_high ? "too_high" : "too_low");
	jo_kv_float(jo, "mean_relative_error", vd_round(mean, 4));
	jo_kv_float(jo, "sd_relative_error", vd_round(sd, 4));
	jo_kv_float(jo, "t_quantile", vd_round(t, 4));
	jo_kv_float(jo, "ci95_low", vd_round(lo, 4));
	jo_kv_float(jo, "ci95_high", vd_round(hi, 4));
	jo_end_object(jo);
	jo_end_object(jo);
}

/* Orders candidates by probability, then views, both descending, then id. */
static int
vd_candidate_cmp(const void *a, const void *b)
{
	const Candidate *ca = a;
	const Candidate *cb = b;

	if (ca->probability != cb->probability)
		return ca->probability > cb->probability ? -1 : 1;
	if (ca->views != cb->views)
		return ca->views > cb->views ? -1 : 1;
	return strcmp(ca->id, cb->id);
}

/* Scores a candidate against its prediction; true when it is a winner. */
static bool
vd_judge_candidate(Candidate *c)
{
	c->probability = vd_prob_above_prediction(c->interactions, c->views, c->predicted,
											  &c->alpha, &c->beta);
	return c->views >= VD_JUDGE_MIN_VIEWS && c->probability >= VD_WINNER_PROBABILITY;
}

/* Writes up to VD_MAX_WINNERS reuse_winner suggestions of one kind ("variant" or "pattern"). */
static void
vd_push_winners(JsonOut *jo, Candidate *winners, int n, const char *kind)
{
	qsort(winners, n, sizeof(Candidate), vd_candidate_cmp);
	for (int i = 0; i < Min(n, VD_MAX_WINNERS); i++)
	{
		const Candidate *c = &winners[i];
		double		observed = (double) c->interactions / (double) c->views;

		vd_begin_suggestion(jo, "reuse_winner", "medium",
							strcmp(kind, "pattern") == 0 ? "Reuse Winning Pattern" : "Reuse Winning Variant",
							psprintf("%s %s beats its prediction with probability %.3f: %.1f%% over "
									 INT64_FORMAT " views against %.1f%% predicted",
									 strcmp(kind, "pattern") == 0 ? "Pattern" : "Variant", c->id,
									 c->probability, observed * 100.0, c->views, c->predicted * 100.0),
							strcmp(kind, "pattern") == 0
							? psprintf("Use pattern %s more often in the next posts", c->id)
							: psprintf("Reuse what worked in variant %s: its hook, format and timing", c->id));
		jo_begin_object(jo);
		jo_kv_string(jo, "kind", kind);
		jo_kv_string(jo, kind, c->id);
		jo_kv_int(jo, "views", c->views);
		jo_kv_int(jo, "interactions", c->interactions);
		jo_kv_float(jo, "observed_er", vd_round(observed, 6));
		jo_kv_float(jo, "predicted_er", vd_round(c->predicted, 6));
		jo_kv_float(jo, "prior_views", VD_PRIOR_VIEWS);
		jo_kv_float(jo, "posterior_alpha", vd_round(c->alpha, 4));
		jo_kv_float(jo, "posterior_beta", vd_round(c->beta, 4));
		jo_kv_float(jo, "posterior_mean", vd_round(c->alpha / (c->alpha + c->beta), 6));
		jo_kv_float(jo, "probability_above_prediction", vd_round(c->probability, 6));
		jo_kv_float(jo, "threshold", VD_WINNER_PROBABILITY);
		jo_end_object(jo);
		jo_end_object(jo);
	}
}

/* True when the pattern is declining in the fatigue analysis (a tiring pattern is not a winner). */
static bool
vd_pattern_declining(const char *pattern, VdPatternTrend *trends, int ntrends)
{
	for (int i = 0; i < ntrends; i++)
		if (trends[i].declining && strcmp(trends[i].pattern, pattern) == 0)
			return true;
	return false;
}

/* reuse_winner: variants and patterns of the last 24 hours likely (>= 0.95) to beat their prediction. */
static void
vd_suggest_winners(JsonOut *jo, const VdRecent *recent, int rows, VdPatternTrend *trends, int ntrends)
{
	Candidate  *variants = palloc0(sizeof(Candidate) * Max(rows, 1));
	Candidate  *patterns = palloc0(sizeof(Candidate) * Max(rows, 1));
	int			nvariants = 0;
	int			npatterns = 0;

	/* a killed variant is no evidence for itself or for its pattern */
	for (int row = 0; row < rows; row++)
	{
		Candidate  *c = &variants[nvariants];

		if (recent[row].killed)
			continue;
		c->id = recent[row].id;
		c->predicted = recent[row].predicted;
		c->interactions = Min(recent[row].interactions, recent[row].views);
		c->views = recent[row].views;
		if (vd_judge_candidate(c))
			nvariants++;
	}
	for (int row = 0; row < rows && recent[row].pattern != NULL;)
	{
		Candidate  *c = &patterns[npatterns];
		double		weighted = 0.0;
		int			end = vd_pattern_end(recent, rows, row);

		memset(c, 0, sizeof(Candidate));
		c->id = recent[row].pattern;
		for (; row < end; row++)
		{
			if (recent[row].killed)
				continue;
			c->views += recent[row].views;
			c->interactions += Min(recent[row].interactions, recent[row].views);
			weighted += recent[row].predicted * (double) recent[row].views;
		}
		if (c->views == 0)
			continue;
		c->predicted = weighted / (double) c->views;
		if (vd_judge_candidate(c) && !vd_pattern_declining(c->id, trends, ntrends))
			npatterns++;
	}
	vd_push_winners(jo, patterns, npatterns, "pattern");
	vd_push_winners(jo, variants, nvariants, "variant");
}

/* Orders young variants newest first, then by id. */
static int
vd_young_cmp(const void *a, const void *b)
{
	const VdRecent *ra = *(const VdRecent *const *) a;
	const VdRecent *rb = *(const VdRecent *const *) b;

	if (ra->posted_at != rb->posted_at)
		return ra->posted_at > rb->posted_at ? -1 : 1;
	return strcmp(ra->id, rb->id);
}

/* The active variants with fewer views than any judgement needs, newest first; returns how many. */
static int
vd_young_variants(const VdRecent *recent, int rows, const VdRecent ***out)
{
	const VdRecent **young = palloc(sizeof(VdRecent *) * Max(rows, 1));
	int			n = 0;

	for (int row = 0; row < rows; row++)
		if (recent[row].active && recent[row].views < VD_JUDGE_MIN_VIEWS)
			young[n++] = &recent[row];
	qsort(young, n, sizeof(VdRecent *), vd_young_cmp);
	*out = young;
	return n;
}

/* too_young: active variants with fewer views than any judgement needs. */
static void
vd_suggest_young(JsonOut *jo, const VdRecent *recent, int nrecent, TimestampTz as_of)
{
	const VdRecent **young;
	int			rows = vd_young_variants(recent, nrecent, &young);
	StringInfoData names;

	if (rows == 0)
		return;
	initStringInfo(&names);
	for (int row = 0; row < Min(rows, 3); row++)
		appendStringInfo(&names, "%s%s (" INT64_FORMAT " views)", row > 0 ? ", " : "",
						 young[row]->id, young[row]->views);
	if (rows > 3)
		appendStringInfo(&names, " and %d more", rows - 3);
	vd_begin_suggestion(jo, "too_young", "low", "Too Early to Judge",
						psprintf("%d active variant%s fewer than %d views: %s",
								 rows, rows == 1 ? " has" : "s have", VD_JUDGE_MIN_VIEWS, names.data),
						"Let them gather views before killing, reusing or comparing them");
	jo_begin_object(jo);
	jo_kv_int(jo, "variants", rows);
	jo_kv_int(jo, "min_views", VD_JUDGE_MIN_VIEWS);
	jo_key(jo, "young");
	jo_begin_array(jo);
	for (int row = 0; row < Min(rows, VD_YOUNG_LISTED); row++)
	{
		jo_begin_object(jo);
		jo_kv_string(jo, "id", young[row]->id);
		jo_kv_int(jo, "views", young[row]->views);
		jo_kv_int(jo, "interactions", young[row]->interactions);
		jo_kv_float(jo, "age_minutes",
					vd_round((double) (as_of - young[row]->posted_at) / (60.0 * USECS_PER_SEC), 1));
		jo_end_object(jo);
	}
	jo_end_array(jo);
	jo_end_object(jo);
	jo_end_object(jo);
}

/* Pushes the array of suggestions, most urgent first, from vd_read_recent's variants and vd_pattern_trends. */
void
vd_push_suggestions(JsonOut *jo, TimestampTz as_of, const VdRecent *recent, int n,
					VdPatternTrend *trends, int ntrends)
{
	jo_begin_array(jo);
	vd_suggest_patterns(jo, recent, n);
	vd_suggest_rest(jo, trends, ntrends);
	vd_suggest_calibration(jo, recent, n);
	vd_suggest_tuning(jo, recent, n);
	vd_suggest_winners(jo, recent, n, trends, ntrends);
	vd_suggest_young(jo, recent, n, as_of);
	jo_end_array(jo);
}

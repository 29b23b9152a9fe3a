/*
 * fatigue.c: patterns a persona has used often in the trailing 7 days, and whether the audience tires.
 *
 * Usage (the reference's rule): 3 or more uses in 7 days are reported; freshness halves with each use
 * (1.0, 0.5, 0.25) and is 0 from the third use on; usage alone scores uses / 5, at most 1.
 *
 * Decline: the uses of a pattern, ordered by post time and scored 1..k (k = uses in the window), each
 * with its interactions out of its views, make a 2 x k table. The Cochran-Armitage test for trend
 * (Agresti, Categorical Data Analysis, 3rd ed., 5.3.5) weighs each use by its views:
 *     p = X / N,  T = sum x_i t_i - p sum n_i t_i,
 *     Var T = p (1 - p) (sum n_i t_i^2 - (sum n_i t_i)^2 / N),  trend_z = T / sqrt(Var T),
 * negative when engagement falls with successive uses. relative_change compares the pooled rate of the
 * latest third of the uses with views with that of the first third (m = max(1, floor(k' / 3)) uses
 * each, k' = uses with views; with 3 uses: the latest use against the first): latest / first - 1.
 * A Poisson log-linear fit x_i ~ Poisson(n_i exp(a + b t_i)) (Newton's method) gives the per-use
 * decay: decline_per_use = 1 - exp(b), half_life_uses = ln 2 / -b when b < 0.
 *
 * Minimums: a use counts in the test only with at least 30 views (a younger use has no rate yet to
 * speak of, and one 3-view use would decide the latest third); no trend is computed (trend_z null,
 * declining false) unless at least 3 uses count, with 300 views and 10 interactions in all. A pattern is declining when trend_z <= -1.96 (one-sided
 * 2.5%) and relative_change <= -10%: significant and large enough to matter, so a heavily used steady
 * pattern is reported for its usage but never as declining.
 *
 * fatigue_score = 1 - (1 - usage) (1 - decline), usage = min(1, uses / 5), decline = min(1,
 * -relative_change / 0.5) for a declining pattern, else 0 (a fall by half or more scores 1).
 * warning_level: high from 0.9, medium from 0.7 (and always for a declining pattern), else low; these
 * give the reference's levels (3 uses low, 4 medium, 5 high) when nothing declines.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "lib/stringinfo.h"
#include "utils/builtins.h"
#include "utils/float.h"

#include "vd.h"
#include "stats.h"

#define VD_FATIGUE_MIN_USES 3		/* uses in the window that start a warning */
#define VD_FATIGUE_FULL_USES 5		/* uses at which usage alone scores 1 */
#define VD_TREND_MIN_USES 3			/* counted uses needed for a trend test */
#define VD_TREND_MIN_VIEWS 300		/* views over those uses */
#define VD_TREND_MIN_INTERACTIONS 10	/* interactions over those uses */
#define VD_DECLINE_Z (-1.959963984540054)	/* one-sided 2.5% */
#define VD_DECLINE_MIN_FALL 0.10	/* relative fall first third -> latest third */
#define VD_DECLINE_FULL_FALL 0.50	/* fall at which decline alone scores 1 */
#define VD_FIT_ITERATIONS 100
#define VD_EVIDENCE_RATES 30		/* per-use rates listed in the evidence: the latest ones */

/* Every use of each pattern (of pattern $4 only, when given) used at least $3 times in the window, oldest
 * first within a pattern. */
#define VD_FATIGUE_SQL(pattern_filter) \
	"SELECT u.pattern_used, u.uses, u.posted_at, coalesce(m.view_count, 0), coalesce(m.interaction_count, 0)" \
	"  FROM (SELECT v.id, v.pattern_used, v.posted_at, count(*) OVER (PARTITION BY v.pattern_used) AS uses" \
	"          FROM variant_dashboard.variants v" \
	"         WHERE v.persona_id = $1 AND v.pattern_used IS NOT NULL" pattern_filter \
	"           AND v.posted_at > $2 - interval '7 days' AND v.posted_at <= $2) u" \
	"  LEFT JOIN LATERAL (SELECT m1.view_count, m1.interaction_count" \
	"                       FROM variant_dashboard.variant_monitoring m1" \
	"                      WHERE m1.variant_id = u.id LIMIT 1) m ON true" \
	" WHERE u.uses >= $3" \
	" ORDER BY u.pattern_used, u.posted_at, u.id"

static VdPlan fatigue_plan = {NULL, VD_FATIGUE_SQL(""), 3, {TEXTOID, TIMESTAMPTZOID, INT4OID}};

/* The same for one pattern (the alerts' check after a registration or a kill). */
static VdPlan pattern_fatigue_plan = {
	NULL, VD_FATIGUE_SQL(" AND v.pattern_used = $4"), 4, {TEXTOID, TIMESTAMPTZOID, INT4OID, TEXTOID}
};

/* The reference's freshness: 1.0 unused, halving per use, 0 from the third use. */
static double
vd_freshness(int64 uses)
{
	return uses >= 3 ? 0.0 : 1.0 / (double) (1 << uses);
}

/* Pooled rate of the tested uses first..last-1. */
static double
vd_pooled_rate(const int64 *views, const int64 *hits, int first, int last)
{
	int64		n = 0;
	int64		x = 0;

	for (int i = first; i < last; i++)
	{
		n += views[i];
		x += hits[i];
	}
	return n > 0 ? (double) x / (double) n : get_float8_nan();
}

/* Cochran-Armitage z for hits out of views at scores; NaN when the variance vanishes. */
static double
vd_cochran_armitage(const int64 *views, const int64 *hits, const double *scores, int k)
{
	double		n_all = 0.0;
	double		x_all = 0.0;
	double		snt = 0.0;
	double		sntt = 0.0;
	double		sxt = 0.0;
	double		p;
	double		variance;

	for (int i = 0; i < k; i++)
	{
		n_all += views[i];
		x_all += hits[i];
		snt += views[i] * scores[i];
		sntt += views[i] * scores[i] * scores[i];
		sxt += hits[i] * scores[i];
	}
	p = x_all / n_all;
	variance = p * (1.0 - p) * (sntt - snt * snt / n_all);
	if (!(variance > 0.0))
		return get_float8_nan();
	return (sxt - p * snt) / sqrt(variance);
}

/* Slope b of the Poisson log-linear fit hits ~ views exp(a + b score); NaN if it does not converge. */
static double
vd_log_linear_slope(const int64 *views, const int64 *hits, const double *scores, int k, double pooled)
{
	double		a = log(pooled);
	double		b = 0.0;

	for (int iter = 0; iter < VD_FIT_ITERATIONS; iter++)
	{
		double		ua = 0.0,
					ub = 0.0,
					iaa = 0.0,
					iab = 0.0,
					ibb = 0.0;
		double		det,
					da,
					db;

		for (int i = 0; i < k; i++)
		{
			double		mu = views[i] * exp(a + b * scores[i]);

			ua += hits[i] - mu;
			ub += scores[i] * (hits[i] - mu);
			iaa += mu;
			iab += scores[i] * mu;
			ibb += scores[i] * scores[i] * mu;
		}
		det = iaa * ibb - iab * iab;
		if (!(det > 0.0))
			return get_float8_nan();
		da = (ibb * ua - iab * ub) / det;
		db = (iaa * ub - iab * ua) / det;
		/* damp long steps: the fit runs off when all interactions sit in one use */
		if (fabs(db) > 1.0)
		{
			da /= fabs(db);
			db /= fabs(db);
		}
		a += da;
		b += db;
		if (fabs(b) > 20.0)
			return get_float8_nan();
		if (fabs(da) + fabs(db) < 1e-12)
			return b;
	}
	return get_float8_nan();
}

/* Tests one pattern's uses for a decline; views/hits/scores are its counted uses, oldest first. */
static void
vd_test_trend(VdPatternTrend *t, const int64 *views, const int64 *hits, const double *scores, int k)
{
	double		usage = Min(1.0, (double) t->uses / VD_FATIGUE_FULL_USES);
	double		decline = 0.0;
	double		slope;

	t->uses_tested = k;
	t->views = 0;
	t->interactions = 0;
	t->rates = palloc(sizeof(double) * Max(k, 1));
	for (int i = 0; i < k; i++)
	{
		t->views += views[i];
		t->interactions += hits[i];
		t->rates[i] = (double) hits[i] / (double) views[i];
	}
	t->pooled_rate = t->views > 0 ? (double) t->interactions / (double) t->views : get_float8_nan();
	t->sufficient = k >= VD_TREND_MIN_USES && t->views >= VD_TREND_MIN_VIEWS &&
		t->interactions >= VD_TREND_MIN_INTERACTIONS;
	t->trend_z = t->p_decline = t->first_rate = t->latest_rate = t->relative_change =
		t->decline_per_use = t->half_life_uses = get_float8_nan();
	t->third = Max(1, k / 3);
	t->declining = false;
	if (t->sufficient)
	{
		t->trend_z = vd_cochran_armitage(views, hits, scores, k);
		t->p_decline = isnan(t->trend_z) ? get_float8_nan() : vd_normal_cdf(t->trend_z);
		t->first_rate = vd_pooled_rate(views, hits, 0, t->third);
		t->latest_rate = vd_pooled_rate(views, hits, k - t->third, k);
		if (t->first_rate > 0.0)
			t->relative_change = t->latest_rate / t->first_rate - 1.0;
		slope = vd_log_linear_slope(views, hits, scores, k, t->pooled_rate);
		if (!isnan(slope))
		{
			t->decline_per_use = 1.0 - exp(slope);
			if (slope < 0.0)
				t->half_life_uses = M_LN2 / -slope;
		}
		t->declining = t->trend_z <= VD_DECLINE_Z && t->relative_change <= -VD_DECLINE_MIN_FALL;
	}
	if (t->declining)
		decline = Min(1.0, -t->relative_change / VD_DECLINE_FULL_FALL);
	t->fatigue_score = vd_round(1.0 - (1.0 - usage) * (1.0 - decline), 4);
	if (t->fatigue_score >= 0.9)
		t->level = "high";
	else if (t->fatigue_score >= 0.7 || t->declining)
		t->level = "medium";
	else
		t->level = "low";
}

/* Orders trends by fatigue_score, then uses, both descending, then pattern name. */
static int
vd_trend_cmp(const void *a, const void *b)
{
	const VdPatternTrend *ta = a;
	const VdPatternTrend *tb = b;

	if (ta->fatigue_score != tb->fatigue_score)
		return ta->fatigue_score > tb->fatigue_score ? -1 : 1;
	if (ta->uses != tb->uses)
		return ta->uses > tb->uses ? -1 : 1;
	return strcmp(ta->pattern, tb->pattern);
}

/* Analyses the uses the last fatigue plan read; returns how many patterns, most tired first. */
static int
vd_trends_of_result(VdPatternTrend **out)
{
	uint64		rows = SPI_processed;
	int			npatterns = 0;
	VdPatternTrend *trends;
	int64	   *views;
	int64	   *hits;
	double	   *scores;
	uint64		start = 0;

	trends = palloc0(sizeof(VdPatternTrend) * Max(rows, 1));
	views = palloc(sizeof(int64) * Max(rows, 1));
	hits = palloc(sizeof(int64) * Max(rows, 1));
	scores = palloc(sizeof(double) * Max(rows, 1));
	while (start < rows)
	{
		VdPatternTrend *t = &trends[npatterns++];
		int64		uses = vd_col_int(start, 2);
		int			k = 0;
		bool		isnull;

		t->pattern = vd_col_cstring(start, 1);
		t->uses = uses;
		for (int64 use = 0; use < uses; use++)
		{
			uint64		row = start + use;
			int64		n = vd_col_int(row, 4);
			int64		x = vd_col_int(row, 5);

			t->last_used_at = vd_col_ts(row, 3, &isnull);
			if (n < VD_TREND_USE_MIN_VIEWS)
				continue;		/* too young a use to have a rate */
			views[k] = n;
			hits[k] = Min(x, n);
			scores[k] = (double) (use + 1);
			k++;
		}
		vd_test_trend(t, views, hits, scores, k);
		start += uses;
	}
	qsort(trends, npatterns, sizeof(VdPatternTrend), vd_trend_cmp);
	*out = trends;
	return npatterns;
}

/* Analyses every pattern used at least 3 times in the 7 days to as_of; returns how many, most tired first. */
int
vd_pattern_trends(const char *persona_id, TimestampTz as_of, VdPatternTrend **out)
{
	vd_read(&fatigue_plan, persona_id, as_of, VD_FATIGUE_MIN_USES);
	return vd_trends_of_result(out);
}

/* Analyses one pattern as vd_pattern_trends would; false when it was used fewer than 3 times. */
bool
vd_pattern_trend(const char *persona_id, const char *pattern, TimestampTz as_of, VdPatternTrend *out)
{
	Datum		args[4];
	VdPatternTrend *trends;

	args[0] = CStringGetTextDatum(persona_id);
	args[1] = TimestampTzGetDatum(as_of);
	args[2] = Int32GetDatum(VD_FATIGUE_MIN_USES);
	args[3] = CStringGetTextDatum(pattern);
	vd_exec(&pattern_fatigue_plan, args, NULL, true, 0);
	if (vd_trends_of_result(&trends) == 0)
		return false;
	*out = trends[0];
	return true;
}

/* Says what to do about a pattern, citing its usage and trend numbers. */
char *
vd_trend_advice(const VdPatternTrend *t)
{
	StringInfoData s;

	initStringInfo(&s);
	if (t->declining)
	{
		double		per_use = isnan(t->decline_per_use) ? -t->relative_change : t->decline_per_use;

		appendStringInfo(&s, "Pattern '%s': engagement falls %.0f%% per use, z = %.1f "
						 "(%.1f%% on the first uses, %.1f%% on the latest; " INT64_FORMAT
						 " uses in 7 days): rest this pattern.",
						 t->pattern, per_use * 100.0, t->trend_z, t->first_rate * 100.0,
						 t->latest_rate * 100.0, t->uses);
		return s.data;
	}
	if (strcmp(t->level, "high") == 0)
		appendStringInfo(&s, "Rest pattern '%s': used " INT64_FORMAT " times in 7 days. "
						 "Rotate to fresher patterns for the next posts.", t->pattern, t->uses);
	else if (strcmp(t->level, "medium") == 0)
		appendStringInfo(&s, "Pattern '%s' used " INT64_FORMAT " times in 7 days: "
						 "alternate it with other patterns.", t->pattern, t->uses);
	else
		appendStringInfo(&s, "Pattern '%s' used " INT64_FORMAT " times in 7 days: "
						 "watch its engagement before using it again.", t->pattern, t->uses);
	if (!t->sufficient)
		appendStringInfo(&s, " Too little data to test for a decline (%d uses with %d+ views, " INT64_FORMAT
						 " views; the test needs %d uses, %d views).",
						 t->uses_tested, VD_TREND_USE_MIN_VIEWS, t->views, VD_TREND_MIN_USES, VD_TREND_MIN_VIEWS);
	else if (t->trend_z >= -VD_DECLINE_Z)
		appendStringInfo(&s, " Engagement rises with use (z = %.1f).", t->trend_z);
	else if (!isnan(t->trend_z))
		appendStringInfo(&s, " No significant decline with use (z = %.1f, %+.0f%% from the first to the latest uses).",
						 t->trend_z, isnan(t->relative_change) ? 0.0 : t->relative_change * 100.0);
	return s.data;
}

/* Writes the numbers behind a pattern's trend as an object. */
void
vd_push_trend_evidence(JsonOut *jo, const VdPatternTrend *t)
{
	jo_begin_object(jo);
	jo_kv_bool(jo, "sufficient_data", t->sufficient);
	jo_kv_int(jo, "uses", t->uses);
	jo_kv_int(jo, "uses_tested", t->uses_tested);
	jo_kv_int(jo, "views", t->views);
	jo_kv_int(jo, "interactions", t->interactions);
	jo_kv_float(jo, "pooled_rate", vd_round(t->pooled_rate, 6));
	jo_kv_int(jo, "uses_per_third", t->third);
	jo_kv_float(jo, "first_rate", vd_round(t->first_rate, 6));
	jo_kv_float(jo, "latest_rate", vd_round(t->latest_rate, 6));
	jo_kv_float(jo, "cochran_armitage_z", vd_round(t->trend_z, 4));
	jo_kv_float(jo, "p_value_decline", vd_round(t->p_decline, 6));
	jo_kv_float(jo, "decline_per_use", vd_round(t->decline_per_use, 4));
	jo_kv_float(jo, "half_life_uses", vd_round(t->half_life_uses, 2));
	/* the latest uses only: the test used them all, the dashboard needs the recent shape */
	jo_key(jo, "rates");
	jo_begin_array(jo);
	for (int i = Max(0, t->uses_tested - VD_EVIDENCE_RATES); i < t->uses_tested; i++)
		jo_float(jo, vd_round(t->rates[i], 6));
	jo_end_array(jo);
	jo_key(jo, "minimums");
	jo_begin_object(jo);
	jo_kv_int(jo, "use_views", VD_TREND_USE_MIN_VIEWS);
	jo_kv_int(jo, "uses_tested", VD_TREND_MIN_USES);
	jo_kv_int(jo, "views", VD_TREND_MIN_VIEWS);
	jo_kv_int(jo, "interactions", VD_TREND_MIN_INTERACTIONS);
	jo_kv_float(jo, "decline_z", vd_round(VD_DECLINE_Z, 4));
	jo_kv_float(jo, "decline_fall", VD_DECLINE_MIN_FALL);
	jo_end_object(jo);
	jo_end_object(jo);
}

/* Pushes the array of fatigue warnings, most tired pattern first. */
void
vd_push_fatigue(JsonOut *jo, const char *persona_id, TimestampTz as_of)
{
	VdPatternTrend *trends;
	int			n = vd_pattern_trends(persona_id, as_of, &trends);

	jo_begin_array(jo);
	for (int i = 0; i < n; i++)
	{
		const VdPatternTrend *t = &trends[i];

		jo_begin_object(jo);
		jo_kv_string(jo, "pattern", t->pattern);
		jo_kv_int(jo, "usage_count", t->uses);
		jo_kv_float(jo, "freshness_score", vd_freshness(t->uses));
		jo_kv_float(jo, "fatigue_score", t->fatigue_score);
		jo_kv_string(jo, "warning_level", t->level);
		jo_kv_string(jo, "recommendation", vd_trend_advice(t));
		jo_kv_ts(jo, "last_used_at", t->last_used_at);
		jo_kv_float(jo, "trend_z", vd_round(t->trend_z, 4));
		jo_kv_float(jo, "relative_change", vd_round(t->relative_change, 4));
		jo_kv_bool(jo, "declining", t->declining);
		jo_kv_float(jo, "decline_per_use", vd_round(t->decline_per_use, 4));
		jo_kv_float(jo, "half_life_uses", vd_round(t->half_life_uses, 2));
		jo_key(jo, "evidence");
		vd_push_trend_evidence(jo, t);
		jo_end_object(jo);
	}
	jo_end_array(jo);
}

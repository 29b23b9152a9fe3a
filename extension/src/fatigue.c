/*
 * fatigue.c: patterns a persona has used often in the trailing 7 days, and whether the audience tires.
 *
 * Usage (the reference's rule): 3 or more uses in 7 days are reported; freshness halves with each use
 * (1.0, 0.5, 0.25) and is 0 from the third use on; usage alone scores uses / 5, at most 1.
 *
 * The uses are read as pattern_days aggregates (one row per pattern and UTC day of posting, kept by
 * triggers: see the 0.2.0 -> 0.3.0 upgrade script), never use by use: the window is as_of's UTC day
 * and the 6 before it, up to as_of (uses of as_of's day posted after it are taken back out). The
 * aggregates hold every use but only the settled variants' counts; the active variants' counts, which
 * every performance update changes, are added live: those of the last 24 hours from recent.c's read
 * (shared with the leaders and the suggestions), older ones (few: monitoring ends) by the query.
 *
 * Decline: the tested uses of a pattern (below), each with its interactions x_i out of its views n_i at
 * its time of posting t_i (in days), make a 2 x k table. The Cochran-Armitage test for trend (Agresti,
 * Categorical Data Analysis, 3rd ed., 5.3.5) with the times as scores weighs each use by its views:
 *     p = X / N,  T = sum x_i t_i - p sum n_i t_i,
 *     Var T = p (1 - p) (sum n_i t_i^2 - (sum n_i t_i)^2 / N),  trend_z = T / sqrt(Var T),
 * negative when engagement falls over successive uses; the sums are exactly what a day's row keeps.
 * relative_change compares the pooled rate of the latest third of the days with tested uses with that
 * of the first third (m = max(1, floor(d / 3)) days each, d = days with tested uses; with one use a
 * day: the latest third of the uses against the first): latest / first - 1. A Poisson log-linear fit
 * x_d ~ Poisson(n_d exp(a + b t_d)) over the days (t_d = the day's view-weighted time, Newton's
 * method) gives the decay per day, decline_per_day = 1 - exp(b), and per use, decline_per_use =
 * 1 - exp(b s) with s = the mean spacing of the tested uses in days ((t_last day - t_first day) /
 * (k - 1)); half_life_uses = ln 2 / (-b s) when b < 0.
 *
 * Minimums: a use counts in the test only with at least 30 views (a younger use has no rate yet to
 * speak of, and one 3-view use would decide the latest third); no trend is computed (trend_z null,
 * declining false) unless at least 3 uses count, with 300 views and 10 interactions in all. A
 * pattern is declining when trend_z <= -1.96 (one-sided
 * 2.5%) and relative_change <= -10%: significant and large enough to matter, so a heavily used steady
 * pattern is reported for its usage but never as declining.
 *
 * fatigue_score = 1 - (1 - usage) (1 - decline), usage = min(1, uses / 5), decline = min(1,
 * -relative_change / 0.5) for a declining pattern, else 0 (a fall by half or more scores 1).
 * warning_level: high from 0.9, medium from 0.7 (and always for a declining pattern), else low; these
 * give the reference's levels (3 uses low, 4 medium, 5 high) when nothing declines.
 *
 * The recommendation says two things, never at odds with the level: how heavily the pattern is used
 * (high: "overused", medium: "used often", low: "used"), then, in its own sentence, whether
 * engagement is falling ("Engagement is falling", "is not falling significantly", "rises", or "too
 * little data to tell"); engagement_trend says the latter as falling, steady, rising or unknown.
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
#define VD_WINDOW_DAYS 7			/* as_of's UTC day and the 6 before it */

/*
 * Per pattern and day of the window (d = 0 for the oldest, 6 for as_of's day): the pattern_days row
 * (every use, the settled tested uses), less the uses of as_of's day posted after as_of, plus the
 * active variants of the window posted before the 24 hours recent.c reads (the caller adds those);
 * and, on each pattern's latest day, its latest use up to as_of.
 */
static VdPlan fatigue_plan = {
	NULL,
	"WITH w AS (SELECT ($2 AT TIME ZONE 'UTC')::date AS today),"
	" picked AS ("
	"  SELECT v.id, -1 AS sign FROM variant_dashboard.variants v, w"
	"   WHERE v.persona_id = $1 AND v.pattern_used IS NOT NULL AND v.posted_at > $2"
	"     AND v.posted_at < (w.today + 1)::timestamp AT TIME ZONE 'UTC'"
	"  UNION ALL"
	"  SELECT v.id, 1 FROM variant_dashboard.variants v, w"
	"   WHERE v.persona_id = $1 AND v.status = 'active' AND v.pattern_used IS NOT NULL"
	"     AND v.posted_at > (w.today - 6)::timestamp AT TIME ZONE 'UTC' AND v.posted_at <= $2 - interval '24 hours'),"
	" live AS ("
	"  SELECT v.pattern_used AS pattern, variant_dashboard.pattern_day_of(v.posted_at) AS day, least(p.sign, 0) AS uses,"
	"         p.sign * c.k AS tested_uses, p.sign * c.k * c.n AS n, p.sign * c.k * c.x AS x, c.t"
	"    FROM picked p JOIN variant_dashboard.variants v ON v.id = p.id"
	"    LEFT JOIN LATERAL (SELECT m1.view_count, m1.interaction_count FROM variant_dashboard.variant_monitoring m1"
	"                        WHERE m1.variant_id = v.id LIMIT 1) m ON true,"
	"         LATERAL (SELECT coalesce(m.view_count, 0)::float8 AS n,"
	"                         least(coalesce(m.interaction_count, 0), coalesce(m.view_count, 0))::float8 AS x,"
	"                         variant_dashboard.pattern_day_time(v.posted_at) AS t,"
	"                         (coalesce(m.view_count, 0) >= 30 AND (p.sign > 0 OR v.status <> 'active'))::int AS k) c),"
	" rows AS ("
	"  SELECT s.pattern, s.day, s.uses, s.tested_uses, s.views::float8 AS n, s.interactions::float8 AS x,"
	"         s.sum_nt, s.sum_ntt, s.sum_xt"
	"    FROM variant_dashboard.pattern_days s, w"
	"   WHERE s.persona_id = $1 AND s.day > w.today - 7 AND s.day <= w.today"
	"  UNION ALL"
	"  SELECT pattern, day, uses, tested_uses, n, x, n * t, n * t * t, x * t FROM live)"
	" SELECT r.pattern, r.day - w.today + 6, sum(r.uses)::bigint, sum(r.tested_uses)::bigint, sum(r.n), sum(r.x),"
	"        sum(r.sum_nt), sum(r.sum_ntt), sum(r.sum_xt),"
	"        CASE WHEN r.day = max(r.day) OVER (PARTITION BY r.pattern)"
	"             THEN (SELECT max(v.posted_at) FROM variant_dashboard.variants v"
	"                    WHERE v.persona_id = $1 AND v.pattern_used = r.pattern AND v.posted_at <= $2) END"
	"   FROM rows r, w GROUP BY r.pattern, r.day, w.today ORDER BY r.pattern, r.day",
	2, {TEXTOID, TIMESTAMPTZOID}
};

/* One day of a pattern's uses, as pattern_days keeps it (t within the day, in days). */
typedef struct PatternDay
{
	int			d;				/* days since the window's first day */
	int64		uses;
	int64		tested;
	double		n;
	double		x;
	double		sum_nt;
	double		sum_ntt;
	double		sum_xt;
} PatternDay;

/* The reference's freshness: 1.0 unused, halving per use, 0 from the third use. */
static double
vd_freshness(int64 uses)
{
	return uses >= 3 ? 0.0 : 1.0 / (double) (1 << uses);
}

/* Pooled rate of the day groups first..last-1. */
static double
vd_pooled_rate(const double *views, const double *hits, int first, int last)
{
	double		n = 0.0;
	double		x = 0.0;

	for (int i = first; i < last; i++)
	{
		n += views[i];
		x += hits[i];
	}
	return n > 0.0 ? x / n : get_float8_nan();
}

/* Cochran-Armitage z from the days' sums, t shifted by each day's offset; NaN when the variance vanishes. */
static double
vd_cochran_armitage(const PatternDay *days, int ndays)
{
	double		n_all = 0.0;
	double		x_all = 0.0;
	double		snt = 0.0;
	double		sntt = 0.0;
	double		sxt = 0.0;
	double		p;
	double		variance;

	for (int i = 0; i < ndays; i++)
	{
		const PatternDay *g = &days[i];

		n_all += g->n;
		x_all += g->x;
		snt += g->sum_nt + g->d * g->n;
		sntt += g->sum_ntt + 2.0 * g->d * g->sum_nt + (double) g->d * g->d * g->n;
		sxt += g->sum_xt + g->d * g->x;
	}
	p = x_all / n_all;
	variance = p * (1.0 - p) * (sntt - snt * snt / n_all);
	if (!(variance > 0.0))
		return get_float8_nan();
	return (sxt - p * snt) / sqrt(variance);
}

/* Slope b of the Poisson log-linear fit hits ~ views exp(a + b score); NaN if it does not converge. */
static double
vd_log_linear_slope(const double *views, const double *hits, const double *scores, int k, double pooled)
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

/* The decline numbers from the days with tested uses (views, hits, view-weighted times), oldest first. */
static void
vd_trend_numbers(VdPatternTrend *t, const PatternDay *days, int ndays, const double *views,
				 const double *hits, const double *times, int groups)
{
	double		slope;

	t->trend_z = vd_cochran_armitage(days, ndays);
	t->p_decline = isnan(t->trend_z) ? get_float8_nan() : vd_normal_cdf(t->trend_z);
	t->first_rate = vd_pooled_rate(views, hits, 0, t->third);
	t->latest_rate = vd_pooled_rate(views, hits, groups - t->third, groups);
	if (t->first_rate > 0.0)
		t->relative_change = t->latest_rate / t->first_rate - 1.0;
	slope = vd_log_linear_slope(views, hits, times, groups, t->pooled_rate);
	if (!isnan(slope))
	{
		double		spacing = (times[groups - 1] - times[0]) / (double) (t->uses_tested - 1);

		t->decline_per_day = 1.0 - exp(slope);
		t->decline_per_use = 1.0 - exp(slope * spacing);
		if (slope < 0.0)
		{
			t->half_life_days = M_LN2 / -slope;
			t->half_life_uses = M_LN2 / (-slope * spacing);
		}
	}
	t->declining = t->trend_z <= VD_DECLINE_Z && t->relative_change <= -VD_DECLINE_MIN_FALL;
}

/* The score and level: usage, raised by a decline; declining patterns are at least medium. */
static void
vd_trend_level(VdPatternTrend *t)
{
	double		usage = Min(1.0, (double) t->uses / VD_FATIGUE_FULL_USES);
	double		decline = t->declining ? Min(1.0, -t->relative_change / VD_DECLINE_FULL_FALL) : 0.0;

	t->fatigue_score = vd_round(1.0 - (1.0 - usage) * (1.0 - decline), 4);
	if (t->fatigue_score >= 0.9)
		t->level = "high";
	else if (t->fatigue_score >= 0.7 || t->declining)
		t->level = "medium";
	else
		t->level = "low";
	if (!t->sufficient || isnan(t->trend_z))
		t->engagement_trend = "unknown";
	else if (t->declining)
		t->engagement_trend = "falling";
	else
		t->engagement_trend = t->trend_z >= -VD_DECLINE_Z ? "rising" : "steady";
}

/* Tests one pattern's days (oldest first) for a decline. */
static void
vd_test_trend(VdPatternTrend *t, const PatternDay *days, int ndays)
{
	double	   *views = palloc(sizeof(double) * Max(ndays, 1));
	double	   *hits = palloc(sizeof(double) * Max(ndays, 1));
	double	   *times = palloc(sizeof(double) * Max(ndays, 1));
	int			groups = 0;

	t->uses_tested = 0;
	t->views = 0;
	t->interactions = 0;
	for (int i = 0; i < ndays; i++)
	{
		const PatternDay *g = &days[i];

		t->uses_tested += (int) g->tested;
		t->views += (int64) g->n;
		t->interactions += (int64) g->x;
		if (g->tested <= 0 || !(g->n > 0.0))
			continue;
		views[groups] = g->n;
		hits[groups] = g->x;
		times[groups] = g->d + g->sum_nt / g->n;
		groups++;
	}
	t->rates = palloc(sizeof(double) * Max(groups, 1));
	for (int i = 0; i < groups; i++)
		t->rates[i] = hits[i] / views[i];
	t->days_tested = groups;
	t->pooled_rate = t->views > 0 ? (double) t->interactions / (double) t->views : get_float8_nan();
	t->sufficient = t->uses_tested >= VD_TREND_MIN_USES && t->views >= VD_TREND_MIN_VIEWS &&
		t->interactions >= VD_TREND_MIN_INTERACTIONS;
	t->trend_z = t->p_decline = t->first_rate = t->latest_rate = t->relative_change =
		t->decline_per_use = t->half_life_uses = t->decline_per_day = t->half_life_days = get_float8_nan();
	t->third = Max(1, groups / 3);
	t->declining = false;
	if (t->sufficient)
		vd_trend_numbers(t, days, ndays, views, hits, times, groups);
	vd_trend_level(t);
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

/* A pattern's 7 days, as read and with the recent active variants added. */
typedef struct PatternWeek
{
	char	   *pattern;
	PatternDay	days[VD_WINDOW_DAYS];
	TimestampTz last_used_at;
} PatternWeek;

/* Adds row `row` of fatigue_plan to its day of the week. */
static void
vd_read_day(uint64 row, PatternWeek *week)
{
	int			d = (int) vd_col_int(row, 2);
	PatternDay *g = &week->days[Max(0, Min(VD_WINDOW_DAYS - 1, d))];
	bool		isnull;
	TimestampTz last = vd_col_ts(row, 10, &isnull);

	g->uses += vd_col_int(row, 3);
	g->tested += vd_col_int(row, 4);
	g->n += vd_col_float(row, 5);
	g->x += vd_col_float(row, 6);
	g->sum_nt += vd_col_float(row, 7);
	g->sum_ntt += vd_col_float(row, 8);
	g->sum_xt += vd_col_float(row, 9);
	if (!isnull)
		week->last_used_at = last;
}

/* Adds an active variant of the last 24 hours with 30+ views to its pattern's day (UTC days). */
static void
vd_add_recent(PatternWeek *week, const VdRecent *r, int64 first_day)
{
	int64		day = r->posted_at / USECS_PER_DAY - (r->posted_at % USECS_PER_DAY < 0);
	double		t = (double) (r->posted_at - day * USECS_PER_DAY) / (double) USECS_PER_DAY;
	PatternDay *g = &week->days[Max(0, Min(VD_WINDOW_DAYS - 1, (int) (day - first_day)))];
	double		n = (double) r->views;
	double		x = (double) Min(r->interactions, r->views);

	g->tested++;
	g->n += n;
	g->x += x;
	g->sum_nt += n * t;
	g->sum_ntt += n * t * t;
	g->sum_xt += x * t;
}

/* The week of `pattern` among weeks[0..*n), added at the end when it is not there. */
static PatternWeek *
vd_week_of(PatternWeek *weeks, int *n, char *pattern)
{
	for (int i = *n - 1; i >= 0; i--)
		if (strcmp(weeks[i].pattern, pattern) == 0)
			return &weeks[i];
	memset(&weeks[*n], 0, sizeof(PatternWeek));
	weeks[*n].pattern = pattern;
	for (int d = 0; d < VD_WINDOW_DAYS; d++)
		weeks[*n].days[d].d = d;
	return &weeks[(*n)++];
}

/* Reads the weeks of every pattern: pattern_days, corrected, plus the recent active variants. */
static int
vd_read_weeks(const char *persona_id, TimestampTz as_of, const VdRecent *recent, int nrecent,
			  PatternWeek **out)
{
	uint64		rows;
	PatternWeek *weeks;
	int			n = 0;
	int64		first_day = as_of / USECS_PER_DAY - (as_of % USECS_PER_DAY < 0) - (VD_WINDOW_DAYS - 1);

	vd_read(&fatigue_plan, persona_id, as_of, 0);
	rows = SPI_processed;
	weeks = palloc(sizeof(PatternWeek) * (rows + nrecent + 1));
	for (uint64 row = 0; row < rows; row++)
		vd_read_day(row, vd_week_of(weeks, &n, vd_col_cstring(row, 1)));
	for (int i = 0; i < nrecent; i++)
		if (recent[i].active && recent[i].pattern != NULL && recent[i].views >= VD_TREND_USE_MIN_VIEWS)
			vd_add_recent(vd_week_of(weeks, &n, recent[i].pattern), &recent[i], first_day);
	*out = weeks;
	return n;
}

/*
 * Analyses every pattern used at least 3 times in the 7 days to as_of; returns how many, most tired
 * first. recent: vd_read_recent's variants of the 24 hours to as_of (their active ones are added live).
 */
int
vd_pattern_trends(const char *persona_id, TimestampTz as_of, const VdRecent *recent, int nrecent,
				  VdPatternTrend **out)
{
	PatternWeek *weeks;
	int			nweeks = vd_read_weeks(persona_id, as_of, recent, nrecent, &weeks);
	VdPatternTrend *trends = palloc0(sizeof(VdPatternTrend) * Max(nweeks, 1));
	int			npatterns = 0;

	for (int i = 0; i < nweeks; i++)
	{
		VdPatternTrend *t = &trends[npatterns];

		t->pattern = weeks[i].pattern;
		t->last_used_at = weeks[i].last_used_at;
		t->uses = 0;
		for (int d = 0; d < VD_WINDOW_DAYS; d++)
			t->uses += weeks[i].days[d].uses;
		if (t->uses < VD_FATIGUE_MIN_USES)
			continue;
		vd_test_trend(t, weeks[i].days, VD_WINDOW_DAYS);
		npatterns++;
	}
	qsort(trends, npatterns, sizeof(VdPatternTrend), vd_trend_cmp);
	*out = trends;
	return npatterns;
}

/*
 * Analyses one pattern as vd_pattern_trends does, for the alerts' check after a registration or a kill;
 * false when the pattern was used fewer than 3 times in the 7 days to as_of.
 */
bool
vd_pattern_trend(const char *persona_id, const char *pattern, TimestampTz as_of, VdPatternTrend *out)
{
	VdRecent   *recent;
	int			nrecent = vd_read_recent(persona_id, as_of, &recent);
	VdPatternTrend *trends;
	int			n = vd_pattern_trends(persona_id, as_of, recent, nrecent, &trends);

	for (int i = 0; i < n; i++)
		if (strcmp(trends[i].pattern, pattern) == 0)
		{
			*out = trends[i];
			return true;
		}
	return false;
}

/* The usage sentence: how heavily the pattern is used, in the words of its level. */
static void
vd_usage_sentence(StringInfo s, const VdPatternTrend *t)
{
	if (strcmp(t->level, "high") == 0)
		appendStringInfo(s, "Pattern '%s' is overused: " INT64_FORMAT " uses in 7 days.", t->pattern, t->uses);
	else if (strcmp(t->level, "medium") == 0)
		appendStringInfo(s, "Pattern '%s' is used often: " INT64_FORMAT " uses in 7 days.", t->pattern, t->uses);
	else
		appendStringInfo(s, "Pattern '%s' used " INT64_FORMAT " times in 7 days.", t->pattern, t->uses);
}

/* The engagement sentence: whether engagement falls with use, with the test's numbers. */
static void
vd_engagement_sentence(StringInfo s, const VdPatternTrend *t)
{
	if (t->declining)
		appendStringInfo(s, " Engagement is falling: %.0f%% per use, z = %.1f (%.1f%% on the first uses, "
						 "%.1f%% on the latest).",
						 (isnan(t->decline_per_use) ? -t->relative_change : t->decline_per_use) * 100.0,
						 t->trend_z, t->first_rate * 100.0, t->latest_rate * 100.0);
	else if (!t->sufficient)
		appendStringInfo(s, " Too little data to tell whether engagement is falling (%d uses with %d+ views, "
						 INT64_FORMAT " views; the test needs %d uses, %d views).",
						 t->uses_tested, VD_TREND_USE_MIN_VIEWS, t->views, VD_TREND_MIN_USES, VD_TREND_MIN_VIEWS);
	else if (isnan(t->trend_z))
		appendStringInfoString(s, " Engagement has not varied enough to test for a fall.");
	else if (t->trend_z >= -VD_DECLINE_Z)
		appendStringInfo(s, " Engagement rises with use (z = %.1f).", t->trend_z);
	else
		appendStringInfo(s, " Engagement is not falling significantly (z = %.1f, %+.0f%% from the first "
						 "to the latest uses).",
						 t->trend_z, isnan(t->relative_change) ? 0.0 : t->relative_change * 100.0);
}

/* Says how heavily a pattern is used, then whether its engagement falls, then what to do. */
char *
vd_trend_advice(const VdPatternTrend *t)
{
	StringInfoData s;

	initStringInfo(&s);
	vd_usage_sentence(&s, t);
	vd_engagement_sentence(&s, t);
	if (t->declining || strcmp(t->level, "high") == 0)
		appendStringInfoString(&s, " Rest this pattern and rotate to fresher ones for the next posts.");
	else if (strcmp(t->level, "medium") == 0)
		appendStringInfoString(&s, " Alternate it with other patterns.");
	else
		appendStringInfoString(&s, " Watch its engagement before using it again.");
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
	jo_kv_int(jo, "days_tested", t->days_tested);
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
	jo_kv_float(jo, "decline_per_day", vd_round(t->decline_per_day, 4));
	jo_kv_float(jo, "half_life_days", vd_round(t->half_life_days, 2));
	/* one pooled rate per day with tested uses, oldest first */
	jo_kv_string(jo, "rates_per", "day");
	jo_key(jo, "rates");
	jo_begin_array(jo);
	for (int i = 0; i < t->days_tested; i++)
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

/* Pushes the array of fatigue warnings of vd_pattern_trends, most tired pattern first. */
void
vd_push_fatigue(JsonOut *jo, const VdPatternTrend *trends, int n)
{
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
		jo_kv_string(jo, "engagement_trend", t->engagement_trend);
		jo_kv_float(jo, "decline_per_use", vd_round(t->decline_per_use, 4));
		jo_kv_float(jo, "half_life_uses", vd_round(t->half_life_uses, 2));
		jo_key(jo, "evidence");
		vd_push_trend_evidence(jo, t);
		jo_end_object(jo);
	}
	jo_end_array(jo);
}

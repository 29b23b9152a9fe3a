/*
 * stats.h: what the statistics modules (fatigue trends, suggestions, variant probabilities) share.
 */
#ifndef VD_STATS_H
#define VD_STATS_H

#include "postgres.h"
#include "utils/timestamp.h"

#include "json_out.h"

/* The Beta prior of a variant's rate: centred on its predicted rate, worth this many views. */
#define VD_PRIOR_VIEWS 10.0
/* Views below which a variant is too young to judge (the early-kill and leaders default minimum). */
#define VD_JUDGE_MIN_VIEWS 100
/* Views for a use to count in a pattern's trend test (fatigue.c; alerts.c checks the pattern then). */
#define VD_TREND_USE_MIN_VIEWS 30

/* fatigue.c: one pattern's use in the trailing 7 days, and whether its engagement falls with use. */
typedef struct VdPatternTrend
{
	char	   *pattern;
	int64		uses;			/* uses in the window, with or without views */
	TimestampTz last_used_at;
	int			uses_tested;	/* uses with 30+ views: the rows of the trend test */
	int64		views;
	int64		interactions;
	bool		sufficient;		/* the documented minimums are met */
	double		pooled_rate;
	double		trend_z;		/* Cochran-Armitage z; NaN without sufficient data */
	double		p_decline;		/* one-sided P(Z <= trend_z) under no trend */
	int			third;			/* uses in each of the first and the latest thirds */
	double		first_rate;
	double		latest_rate;
	double		relative_change;	/* latest_rate / first_rate - 1 */
	double		decline_per_use;	/* 1 - exp(slope) of the log-linear fit */
	double		half_life_uses;
	bool		declining;
	double		fatigue_score;
	const char *level;
	double	   *rates;			/* per tested use, oldest first */
} VdPatternTrend;

extern int	vd_pattern_trends(const char *persona_id, TimestampTz as_of, VdPatternTrend **out);
extern bool vd_pattern_trend(const char *persona_id, const char *pattern, TimestampTz as_of, VdPatternTrend *out);
extern char *vd_trend_advice(const VdPatternTrend *trend);
extern void vd_push_trend_evidence(JsonOut *jo, const VdPatternTrend *trend);

/* distributions.c */
extern double vd_normal_cdf(double z);
extern double vd_t_quantile(double p, double df);
extern double vd_prob_above_prediction(int64 interactions, int64 views, double predicted,
									   double *alpha, double *beta);

/* rng.c: a seeded generator, so Monte Carlo answers are reproducible */
typedef struct VdRng
{
	uint64		s[4];
	bool		has_spare;
	double		spare;
} VdRng;

extern void vd_rng_seed(VdRng *rng, uint64 seed);
extern double vd_rng_uniform(VdRng *rng);
extern double vd_rng_normal(VdRng *rng);
extern double vd_rng_log_gamma(VdRng *rng, double shape);
extern double vd_rng_beta(VdRng *rng, double a, double b);

#endif

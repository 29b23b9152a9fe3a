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
	int			days_tested;	/* days with tested uses */
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
	double		decline_per_day;
	double		half_life_days;
	bool		declining;
	const char *engagement_trend;	/* falling, steady, rising or unknown */
	double		fatigue_score;
	const char *level;
	double	   *rates;			/* per day with tested uses, oldest first */
} VdPatternTrend;

extern bool vd_pattern_trend(const char *persona_id, const char *pattern, TimestampTz as_of, VdPatternTrend *out);
extern char *vd_trend_advice(const VdPatternTrend *trend);
extern void vd_push_fatigue(JsonOut *jo, const VdPatternTrend *trends, int ntrends);

/* recent.c: one variant of the 24 hours to as_of, as the leaders and the suggestions share them */
typedef struct VdRecent
{
	char	   *id;
	char	   *content;
	char	   *pattern;		/* NULL without one */
	double		predicted;
	double		current_er;
	int64		interactions;
	int64		views;
	char	   *status;
	bool		killed;
	bool		active;
	bool		monitored;		/* has a variant_monitoring row */
	TimestampTz posted_at;
} VdRecent;

extern int	vd_read_recent(const char *persona_id, TimestampTz as_of, VdRecent **out);

/* fatigue.c, given the recent variants */
extern int	vd_pattern_trends(const char *persona_id, TimestampTz as_of, const VdRecent *recent, int nrecent,
							  VdPatternTrend **out);

/* leaders.c */
extern void vd_push_leaders(JsonOut *jo, const VdRecent *recent, int nrecent, int limit, int64 min_views);

/* suggestions.c: the trends are computed once by the caller and shared with the fatigue panel */
extern void vd_push_suggestions(JsonOut *jo, TimestampTz as_of, const VdRecent *recent, int nrecent,
								VdPatternTrend *trends, int ntrends);
extern void vd_push_trend_evidence(JsonOut *jo, const VdPatternTrend *trend);

/* distributions.c */
extern double vd_normal_cdf(double z);
extern double vd_t_quantile(double p, double df);
extern double vd_prob_above_prediction(int64 interactions, int64 views, double predicted,
									   double *alpha, double *beta);

/* best_arm.c: P(each variant has the highest rate) by quadrature on one shared grid */
typedef struct VdBestInfo
{
	int			grid_points;
	double		mass;			/* raw sum of the probabilities before scaling to 1 */
} VdBestInfo;

extern VdBestInfo vd_best_probabilities(int k, const double *alpha, const double *beta,
										double *probability, double *loss);

#endif

/*
 * distributions.c: the distribution functions the suggestions and fatigue trends need, built on
 * vd_beta_cdf (beta.c): the normal CDF, Student's t quantile, and the posterior probability that a
 * variant's true rate beats its prediction.
 */
#include "postgres.h"

#include <math.h>

#include "utils/float.h"

#include "vd.h"
#include "stats.h"

#define VD_T_BISECTIONS 200

/* P(Z <= z) for a standard normal Z. */
double
vd_normal_cdf(double z)
{
	return 0.5 * erfc(-z / M_SQRT2);
}

/* P(T <= t) for Student's t with df degrees of freedom: 1 - I_{df/(df+t^2)}(df/2, 1/2) / 2 for t >= 0. */
static double
vd_t_cdf(double t, double df)
{
	double		tail = 0.5 * vd_beta_cdf(df / (df + t * t), df / 2.0, 0.5);

	return t >= 0.0 ? 1.0 - tail : tail;
}

/* The p-quantile of Student's t (0.5 < p < 1), by bisection on the CDF. */
double
vd_t_quantile(double p, double df)
{
	double		lo = 0.0;
	double		hi = 1.0;

	if (!(df > 0.0) || !(p > 0.5 && p < 1.0))
		return get_float8_nan();
	while (vd_t_cdf(hi, df) < p)
		hi *= 2.0;
	for (int i = 0; i < VD_T_BISECTIONS && hi - lo > 1e-12 * hi; i++)
	{
		double		mid = 0.5 * (lo + hi);

		if (vd_t_cdf(mid, df) < p)
			lo = mid;
		else
			hi = mid;
	}
	return 0.5 * (lo + hi);
}

/*
 * P(rate > predicted) under the posterior Beta(a, b), a = 10 p + x, b = 10 (1 - p) + n - x: the prior
 * is centred on the prediction p and worth VD_PRIOR_VIEWS views. Sets the posterior's parameters.
 */
double
vd_prob_above_prediction(int64 interactions, int64 views, double predicted, double *alpha, double *beta)
{
	double		x = (double) Min(interactions, views);

	*alpha = VD_PRIOR_VIEWS * predicted + x;
	*beta = VD_PRIOR_VIEWS * (1.0 - predicted) + (double) views - x;
	if (predicted >= 1.0 || *beta <= 0.0)
		return 0.0;				/* no rate exceeds 1 */
	return 1.0 - vd_beta_cdf(predicted, *alpha, *beta);
}

/*
 * best_arm.c: P(variant i has the highest rate) for independent Beta posteriors, by quadrature.
 *
 * P(i best) = integral of f_i(x) prod_{j != i} F_j(x) dx, evaluated once on one grid shared by all
 * variants, in u = ln x (dx = x du), so that a vague posterior near 0 and a sharp one at 5% are both
 * resolved. Exact up to the grid's resolution, deterministic, O(grid x variants):
 *
 * - window: variant j has mass in [m_j - 12 s_j, m_j + 12 s_j] (mean, standard deviation), clipped to
 *   (floor, 1); floor = 1e-6 min_j m_j. Below the highest lower end x_lo = max_j (m_j - 12 s_j) some
 *   variant is surely above, so variants whose window ends below x_lo (F_j = 1 wherever the product is
 *   not 0) have P(best) = 0 and drop out; the rest are "in play".
 * - grid: from x_lo (below it the product over all variants is 0) to the highest window end, steps in u of
 *   at most s_j / (8 m_j) inside every window that covers them (8 steps per standard deviation), and
 *   1/128 of the range or 0.02 (2% in x) elsewhere, whichever is finer; at most VD_GRID_MAX points
 *   (steps widened evenly beyond that).
 * - F_j on the grid: the cumulative trapezoid of the density in u, scaled so that F_j reaches 1 at its
 *   window's end; it starts at the exact I_x(a, b) (beta.c) at x_lo, or at 0 when its window starts
 *   above x_lo. The density is taken relative to its value at the mean, so no normalising constant appears.
 * - products: per grid point, the number of F_j that are 0 and the sum of log F_j of the others (no
 *   underflow however many variants); the product over j != i is exp(sum) / F_i, or exp(sum) when F_i
 *   is the only zero, or 0. (When exp(sum) underflows, F_i would have to be below 1e-8 for the quotient
 *   to matter, and then f_i is in its far lower tail: the term is negligible either way.)
 * - below the grid start x0 every F_j is a power law F_j ~ c x^{a_j}, which gives
 *   P(i best, all below x0) = prod_j F_j(x0) a_i / sum_j a_j exactly in that limit.
 * The probabilities are scaled to sum to 1 (their raw sum is reported as mass: 1 up to the grid's error).
 * expected_loss_i = E[max_j X_j] - m_i, with E[max] = x_hi - integral of prod_j F_j dx.
 */
#include "postgres.h"

#include <math.h>

#include "miscadmin.h"

#include "vd.h"
#include "stats.h"

#define VD_WINDOW_SD 12.0			/* window half-width in standard deviations */
#define VD_STEPS_PER_SD 8.0
#define VD_COARSE_STEPS 128.0		/* steps over the whole range outside every window */
#define VD_MAX_STEP 0.02			/* and never coarser than 2% in x */
#define VD_GRID_MAX 8192
#define VD_FLOOR_FRACTION 1e-6
#define VD_ZERO_CDF 1e-300

/* One variant's posterior on the grid. */
typedef struct Arm
{
	double		a;
	double		b;
	double		mean;
	double		sd;
	double		lo;				/* window, clipped to (floor, 1) */
	double		hi;
	bool		in_play;
	int			first;			/* grid points of the window */
	int			last;
	double		f0;				/* F at the grid start */
	double	   *cdf;			/* F at first..last */
	double	   *density;		/* density in u at first..last, scaled like cdf */
} Arm;

/* Mean, standard deviation and window of each posterior; returns x_lo, the highest window start. */
static double
vd_arm_windows(Arm *arms, int k, const double *alpha, const double *beta, double floor_x)
{
	double		x_lo = floor_x;

	for (int i = 0; i < k; i++)
	{
		Arm		   *r = &arms[i];
		double		n = alpha[i] + beta[i];

		r->a = alpha[i];
		r->b = beta[i];
		r->mean = r->a / n;
		r->sd = sqrt(r->a * r->b / (n * n * (n + 1.0)));
		r->lo = Max(floor_x, r->mean - VD_WINDOW_SD * r->sd);
		r->hi = Min(1.0 - 1e-12, r->mean + VD_WINDOW_SD * r->sd);
		x_lo = Max(x_lo, r->lo);
	}
	for (int i = 0; i < k; i++)
		arms[i].in_play = arms[i].hi > x_lo || k == 1;
	return x_lo;
}

/* The u step at u: the finest any window covering exp(u) asks for, else the coarse step. */
static double
vd_step_at(const Arm *arms, int k, double u, double coarse)
{
	double		x = exp(u);
	double		step = coarse;

	for (int j = 0; j < k; j++)
		if (arms[j].in_play && arms[j].lo <= x && x <= arms[j].hi)
			step = Min(step, arms[j].sd / (VD_STEPS_PER_SD * arms[j].mean));
	return step;
}

/* Builds the grid in u from u0 to u1; returns the number of points (at most VD_GRID_MAX). */
static int
vd_build_grid(const Arm *arms, int k, double u0, double u1, double *u)
{
	double		coarse = Min(VD_MAX_STEP, (u1 - u0) / VD_COARSE_STEPS);
	double		widen = 1.0;
	int			n;

	for (;;)
	{
		n = 0;
		u[n++] = u0;
		while (u[n - 1] < u1 && n < VD_GRID_MAX)
		{
			u[n] = Min(u1, u[n - 1] + widen * vd_step_at(arms, k, u[n - 1], coarse));
			n++;
		}
		if (u[n - 1] >= u1)
			return n;
		widen *= 2.0;			/* too fine for the cap: coarser everywhere */
		CHECK_FOR_INTERRUPTS();
	}
}

/* F and the density (in u) of one variant on its window's grid points. */
static void
vd_arm_cdf(Arm *r, const double *u, const double *x, const double *l1, int n)
{
	double		u_mean = log(r->mean);
	double		l1_mean = log1p(-r->mean);
	double		total = 0.0;
	int			len;

	r->first = 0;
	while (r->first < n - 1 && x[r->first + 1] <= r->lo)
		r->first++;
	r->last = n - 1;
	while (r->last > r->first && x[r->last - 1] >= r->hi)
		r->last--;
	len = r->last - r->first + 1;
	r->cdf = palloc(sizeof(double) * len);
	r->density = palloc(sizeof(double) * len);
	r->f0 = r->first == 0 && r->lo <= x[0] ? vd_beta_cdf(x[0], r->a, r->b) : 0.0;
	for (int g = 0; g < len; g++)
	{
		int			p = r->first + g;

		r->density[g] = exp(r->a * (u[p] - u_mean) + (r->b - 1.0) * (l1[p] - l1_mean));
		if (g > 0)
			total += 0.5 * (u[p] - u[p - 1]) * (r->density[g] + r->density[g - 1]);
		r->cdf[g] = total;
	}
	for (int g = 0; g < len; g++)
	{
		double		scale = total > 0.0 ? (1.0 - r->f0) / total : 0.0;

		r->cdf[g] = r->f0 + r->cdf[g] * scale;
		r->density[g] *= scale;
	}
	if (total <= 0.0)
		r->cdf[len - 1] = 1.0;	/* a window narrower than one step: a step function */
}

/* F_j at grid point p. */
static inline double
vd_arm_cdf_at(const Arm *r, int p)
{
	if (p < r->first)
		return r->f0;
	if (p > r->last)
		return 1.0;
	return r->cdf[p - r->first];
}

/* Per grid point: how many F_j are 0, and the sum of log F_j over the others. */
static void
vd_log_products(const Arm *arms, int k, int n, int *zeros, double *logsum)
{
	for (int j = 0; j < k; j++)
	{
		const Arm  *r = &arms[j];

		if (!r->in_play)
			continue;
		for (int p = 0; p <= r->last; p++)
		{
			double		f = vd_arm_cdf_at(r, p);

			if (f < VD_ZERO_CDF)
				zeros[p]++;
			else
				logsum[p] += log(f);
		}
		if ((j & 63) == 0)
			CHECK_FOR_INTERRUPTS();
	}
}

/* The product of F_j over j != i at grid point p, from the product over all non-zero F_j. */
static inline double
vd_others(const Arm *r, int p, const int *zeros, const double *product)
{
	double		f = vd_arm_cdf_at(r, p);

	if (f < VD_ZERO_CDF)
		return zeros[p] == 1 ? product[p] : 0.0;
	return zeros[p] == 0 ? product[p] / f : 0.0;
}

/* The trapezoid over variant i's window of its density times the product of the others' F. */
static double
vd_arm_best(const Arm *r, const double *u, const int *zeros, const double *product)
{
	double		sum = 0.0;
	double		prev = 0.0;

	for (int p = r->first; p <= r->last; p++)
	{
		double		value = r->density[p - r->first] * vd_others(r, p, zeros, product);

		if (p > r->first)
			sum += 0.5 * (u[p] - u[p - 1]) * (value + prev);
		prev = value;
	}
	return sum;
}

/* E[max_j X_j] = x_hi - integral of prod_j F_j dx (trapezoid in x), with the power-law tail below the grid. */
static double
vd_expected_max(const double *x, int n, const int *zeros, const double *product, double tail, double sum_a)
{
	double		below = x[0] * tail / (1.0 + sum_a);
	double		prev = 0.0;

	for (int p = 0; p < n; p++)
	{
		double		value = zeros[p] == 0 ? product[p] : 0.0;

		if (p > 0)
			below += 0.5 * (x[p] - x[p - 1]) * (value + prev);
		prev = value;
	}
	return x[n - 1] - below;
}

/* Lays out the grid from x_lo up and every in-play variant's F on it; returns its number of points. */
static int
vd_arms_on_grid(Arm *arms, int k, double x_lo, double **u_out, double **x_out)
{
	double		end = 0.0;
	double	   *u = palloc(sizeof(double) * VD_GRID_MAX);
	double	   *x = palloc(sizeof(double) * VD_GRID_MAX);
	double	   *l1 = palloc(sizeof(double) * VD_GRID_MAX);
	int			n;

	for (int j = 0; j < k; j++)
		if (arms[j].in_play)
			end = Max(end, arms[j].hi);
	n = vd_build_grid(arms, k, log(x_lo), log(end), u);
	for (int p = 0; p < n; p++)
	{
		x[p] = exp(u[p]);
		l1[p] = log1p(-x[p]);
	}
	for (int j = 0; j < k; j++)
		if (arms[j].in_play)
			vd_arm_cdf(&arms[j], u, x, l1, n);
	*u_out = u;
	*x_out = x;
	return n;
}

/* P(every in-play variant below the grid start) = prod F_j(x0); sets sum_a to the sum of their a_j. */
static double
vd_tail_below_grid(const Arm *arms, int k, double *sum_a)
{
	double		tail = 1.0;

	*sum_a = 0.0;
	for (int j = 0; j < k; j++)
		if (arms[j].in_play)
		{
			tail *= arms[j].f0;
			*sum_a += arms[j].a;
		}
	return tail;
}

/* Fills probability[i] = P(i best) and loss[i] = E[max - X_i]; returns the grid size and raw mass. */
VdBestInfo
vd_best_probabilities(int k, const double *alpha, const double *beta, double *probability, double *loss)
{
	Arm		   *arms = palloc0(sizeof(Arm) * Max(k, 1));
	double		min_mean = 1.0;
	double		x_lo;
	double	   *u;
	double	   *x;
	int		   *zeros;
	double	   *logsum;
	double		tail;
	double		sum_a;
	double		e_max;
	VdBestInfo	info = {0, 0.0};

	if (k == 0)
		return info;
	for (int i = 0; i < k; i++)
		min_mean = Min(min_mean, alpha[i] / (alpha[i] + beta[i]));
	x_lo = vd_arm_windows(arms, k, alpha, beta, VD_FLOOR_FRACTION * min_mean);
	info.grid_points = vd_arms_on_grid(arms, k, x_lo, &u, &x);
	zeros = palloc0(sizeof(int) * info.grid_points);
	logsum = palloc0(sizeof(double) * info.grid_points);
	vd_log_products(arms, k, info.grid_points, zeros, logsum);
	for (int p = 0; p < info.grid_points; p++)
		logsum[p] = exp(logsum[p]);	/* from here on: the product of the non-zero F_j */
	tail = vd_tail_below_grid(arms, k, &sum_a);
	for (int i = 0; i < k; i++)
	{
		probability[i] = arms[i].in_play
			? vd_arm_best(&arms[i], u, zeros, logsum) + tail * arms[i].a / sum_a : 0.0;
		info.mass += probability[i];
	}
	e_max = vd_expected_max(x, info.grid_points, zeros, logsum, tail, sum_a);
	for (int i = 0; i < k; i++)
	{
		probability[i] = info.mass > 0.0 ? probability[i] / info.mass : 1.0 / k;
		loss[i] = Max(0.0, e_max - arms[i].mean);
	}
	return info;
}

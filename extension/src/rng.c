/*
 * rng.c: a small seeded random generator for reproducible Monte Carlo, independent of random().
 *
 * Uniforms come from xoshiro256** (Blackman and Vigna, 2018) seeded through splitmix64; normals from
 * Marsaglia's polar method; Gamma variates from Marsaglia and Tsang (ACM TOMS 26, 2000), with the
 * boost Gamma(a) = Gamma(a + 1) U^(1/a) for a < 1 done in logs so that tiny shapes never underflow;
 * Beta(a, b) = Ga / (Ga + Gb).
 */
#include "postgres.h"

#include <math.h>

#include "stats.h"

/* One step of splitmix64, used only to spread the seed over xoshiro's state. */
static uint64
vd_splitmix64(uint64 *x)
{
	uint64		z = (*x += UINT64CONST(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64CONST(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64CONST(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Rotates a 64-bit word left. */
static inline uint64
vd_rotl(uint64 x, int k)
{
	return (x << k) | (x >> (64 - k));
}

/* The next 64 random bits of xoshiro256**. */
static uint64
vd_rng_next(VdRng *rng)
{
	uint64	   *s = rng->s;
	uint64		result = vd_rotl(s[1] * 5, 7) * 9;
	uint64		t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = vd_rotl(s[3], 45);
	return result;
}

/* Seeds the generator; the same seed gives the same sequence on every platform. */
void
vd_rng_seed(VdRng *rng, uint64 seed)
{
	uint64		x = seed;

	for (int i = 0; i < 4; i++)
		rng->s[i] = vd_splitmix64(&x);
	rng->has_spare = false;
	rng->spare = 0.0;
}

/* A uniform double in the open interval (0, 1), on a grid of 2^-53. */
double
vd_rng_uniform(VdRng *rng)
{
	uint64		bits;

	do
		bits = vd_rng_next(rng) >> 11;
	while (bits == 0);
	return (double) bits * (1.0 / 9007199254740992.0);
}

/* A standard normal variate by the polar method; the second of each pair is kept for the next call. */
double
vd_rng_normal(VdRng *rng)
{
	double		u;
	double		v;
	double		s;
	double		f;

	if (rng->has_spare)
	{
		rng->has_spare = false;
		return rng->spare;
	}
	do
	{
		u = 2.0 * vd_rng_uniform(rng) - 1.0;
		v = 2.0 * vd_rng_uniform(rng) - 1.0;
		s = u * u + v * v;
	} while (s >= 1.0 || s == 0.0);
	f = sqrt(-2.0 * log(s) / s);
	rng->spare = v * f;
	rng->has_spare = true;
	return u * f;
}

/* The logarithm of a Gamma(shape, 1) variate, shape > 0 (Marsaglia and Tsang). */
double
vd_rng_log_gamma(VdRng *rng, double shape)
{
	double		d;
	double		c;

	if (shape < 1.0)
	{
		/* Gamma(a) = Gamma(a + 1) U^(1/a), in logs */
		double		boosted = vd_rng_log_gamma(rng, shape + 1.0);

		return boosted + log(vd_rng_uniform(rng)) / shape;
	}
	d = shape - 1.0 / 3.0;
	c = 1.0 / sqrt(9.0 * d);
	for (;;)
	{
		double		x = vd_rng_normal(rng);
		double		v = 1.0 + c * x;
		double		u;

		if (v <= 0.0)
			continue;
		v = v * v * v;
		u = vd_rng_uniform(rng);
		if (u < 1.0 - 0.0331 * x * x * x * x ||
			log(u) < 0.5 * x * x + d * (1.0 - v + log(v)))
			return log(d) + log(v);
	}
}

/* A Beta(a, b) variate as Ga / (Ga + Gb), computed from the logs as 1 / (1 + Gb / Ga). */
double
vd_rng_beta(VdRng *rng, double a, double b)
{
	double		log_ga = vd_rng_log_gamma(rng, a);
	double		log_gb = vd_rng_log_gamma(rng, b);

	return 1.0 / (1.0 + exp(log_gb - log_ga));
}

/*
 * format.c: numbers and durations the way the dashboard shows them.
 */
#include "postgres.h"

#include <math.h>

#include "utils/float.h"

#include "vd.h"

/* Formats the time between two instants as the reference did: "45s", "12m", "2h", "3d". */
char *
vd_time_since(TimestampTz from, TimestampTz to)
{
	int64		seconds = (to - from) / USECS_PER_SEC;

	if (seconds < 0)
		seconds = 0;
	if (seconds < 60)
		return psprintf(INT64_FORMAT "s", seconds);
	if (seconds < 3600)
		return psprintf(INT64_FORMAT "m", seconds / 60);
	if (seconds < 86400)
		return psprintf(INT64_FORMAT "h", seconds / 3600);
	return psprintf(INT64_FORMAT "d", seconds / 86400);
}

/* Rounds half away from zero to a number of decimals; ratios are shown to 4 places. */
double
vd_round(double value, int decimals)
{
	double		scale = pow(10.0, decimals);

	return round(value * scale) / scale;
}

/* (actual - predicted) / predicted, to 4 places; NaN (JSON null) without a prediction. */
double
vd_relative_delta(double actual, double predicted)
{
	if (isnan(actual) || isnan(predicted) || predicted <= 0.0)
		return get_float8_nan();
	return vd_round((actual - predicted) / predicted, 4);
}

/*
 * leaders.c: the persona's best variants of the last 24 hours (recent.c reads them).
 *
 * Ranked by the Wilson 95% lower bound of interactions / views, so a lucky variant with 3 views and
 * 2 interactions cannot top a steady one with thousands of views; a minimum view count applies too.
 */
#include "postgres.h"

#include <math.h>

#include "utils/builtins.h"

#include "vd.h"
#include "stats.h"

#define VD_WILSON_Z 1.959963984540054	/* the 97.5% normal quantile: a two-sided 95% interval */

typedef struct Leader
{
	const VdRecent *variant;
	double		lower_bound;
} Leader;

/* The Wilson score 95% interval of successes out of trials ([0, 0] without trials). */
void
vd_wilson_interval(int64 successes, int64 trials, double *low, double *high)
{
	double		n = (double) trials;
	double		p;
	double		z2 = VD_WILSON_Z * VD_WILSON_Z;
	double		centre;
	double		spread;

	*low = *high = 0.0;
	if (trials <= 0)
		return;
	p = Min((double) successes, n) / n;
	centre = p + z2 / (2.0 * n);
	spread = VD_WILSON_Z * sqrt(p * (1.0 - p) / n + z2 / (4.0 * n * n));
	*low = (centre - spread) / (1.0 + z2 / n);
	*high = (centre + spread) / (1.0 + z2 / n);
}

/* Lower bound of the Wilson score interval for successes out of trials. */
static double
vd_wilson_lower_bound(int64 successes, int64 trials)
{
	double		low;
	double		high;

	vd_wilson_interval(successes, trials, &low, &high);
	return low;
}

/* Orders leaders by lower bound, best first, then newest first, then by id. */
static int
vd_leader_cmp(const void *a, const void *b)
{
	const Leader *la = a;
	const Leader *lb = b;

	if (la->lower_bound != lb->lower_bound)
		return la->lower_bound > lb->lower_bound ? -1 : 1;
	if (la->variant->posted_at != lb->variant->posted_at)
		return la->variant->posted_at > lb->variant->posted_at ? -1 : 1;
	return strcmp(la->variant->id, lb->variant->id);
}

/* Writes one leader with the numbers it was ranked by. */
static void
vd_push_leader(JsonOut *jo, const Leader *leader)
{
	const VdRecent *v = leader->variant;

	jo_begin_object(jo);
	jo_kv_string(jo, "id", v->id);
	jo_kv_string(jo, "content", v->content);
	jo_kv_string(jo, "pattern_used", v->pattern);
	jo_kv_float(jo, "predicted_er", v->predicted);
	jo_kv_float(jo, "engagement_rate", v->current_er);
	jo_kv_int(jo, "views", v->views);
	jo_kv_int(jo, "interactions", v->interactions);
	jo_kv_float(jo, "wilson_lower_bound", vd_round(leader->lower_bound, 6));
	jo_kv_float(jo, "performance_vs_prediction", vd_relative_delta(v->current_er, v->predicted));
	jo_kv_string(jo, "status", v->status);
	jo_kv_ts(jo, "posted_at", v->posted_at);
	jo_end_object(jo);
}

/* Pushes the array of at most limit leaders with at least min_views views among vd_read_recent's variants. */
void
vd_push_leaders(JsonOut *jo, const VdRecent *recent, int nrecent, int limit, int64 min_views)
{
	Leader	   *leaders = palloc(sizeof(Leader) * Max(nrecent, 1));
	int			count = 0;

	for (int i = 0; i < nrecent; i++)
	{
		/* a variant without a monitoring row has no views: it never leads (min_views 0 included) */
		if (recent[i].views < min_views || !recent[i].monitored)
			continue;
		leaders[count].variant = &recent[i];
		leaders[count].lower_bound = vd_wilson_lower_bound(recent[i].interactions, recent[i].views);
		count++;
	}
	qsort(leaders, count, sizeof(Leader), vd_leader_cmp);
	jo_begin_array(jo);
	for (int i = 0; i < count && i < limit; i++)
		vd_push_leader(jo, &leaders[i]);
	jo_end_array(jo);
}

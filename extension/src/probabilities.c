/*
 * probabilities.c: which of a persona's active variants is best, as posterior probabilities.
 *
 * Each active variant's rate has the posterior Beta(10 p + x, 10 (1 - p) + n - x): a prior centred on
 * its prediction p worth 10 views (as the early-kill rule and the reference's predictor blend use),
 * updated with x interactions out of n views. probability_best = P(its rate is the highest)
 * = integral of f_i prod_{j != i} F_j, computed exactly (to the grid's resolution) and
 * deterministically by best_arm.c on one grid shared by all variants; they sum to 1.
 *
 * thompson_share: Thompson sampling posts next the variant whose posterior draw is highest, so the
 * share of next posts it gives each variant is exactly its probability of being best: derived from
 * probability_best (no sampling). expected_loss = E[max_j rate_j - rate_i], the rate given up by
 * choosing i (GrowthBook's "risk").
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/builtins.h"

#include "vd.h"
#include "stats.h"

PG_FUNCTION_INFO_V1(vd_variant_probabilities);

/* The persona's active variants posted by as_of, newest first. */
static VdPlan probabilities_plan = {
	NULL,
	"SELECT v.id, v.predicted_er, coalesce(m.interaction_count, 0), coalesce(m.view_count, 0)"
	"  FROM variant_dashboard.variants v"
	"  LEFT JOIN LATERAL (SELECT * FROM variant_dashboard.variant_monitoring m1"
	"                     WHERE m1.variant_id = v.id LIMIT 1) m ON true"
	" WHERE v.persona_id = $1 AND v.status = 'active' AND v.posted_at <= $2"
	" ORDER BY v.posted_at DESC, v.id",
	2, {TEXTOID, TIMESTAMPTZOID}
};

/* Pushes {"variants": [...], "method": ..., "grid_points": ...} for the persona's active variants. */
static void
vd_push_probabilities(JsonOut *jo, const char *persona_id, TimestampTz as_of)
{
	int			k;
	double	   *alpha;
	double	   *beta;
	double	   *probability;
	double	   *loss;
	VdBestInfo	info;

	vd_read(&probabilities_plan, persona_id, as_of, 0);
	k = (int) SPI_processed;
	alpha = palloc(sizeof(double) * Max(k, 1));
	beta = palloc(sizeof(double) * Max(k, 1));
	probability = palloc(sizeof(double) * Max(k, 1));
	loss = palloc(sizeof(double) * Max(k, 1));
	for (int i = 0; i < k; i++)
	{
		(void) vd_prob_above_prediction(vd_col_int(i, 3), vd_col_int(i, 4), vd_col_float(i, 2),
										&alpha[i], &beta[i]);
		beta[i] = Max(beta[i], 1e-9);	/* predicted 1 and every view an interaction: mass near 1 */
	}
	info = vd_best_probabilities(k, alpha, beta, probability, loss);

	jo_begin_object(jo);
	jo_key(jo, "variants");
	jo_begin_array(jo);
	for (int i = 0; i < k; i++)
	{
		jo_begin_object(jo);
		jo_kv_string(jo, "id", vd_col_cstring(i, 1));
		jo_kv_float(jo, "probability_best", vd_round(probability[i], 6));
		jo_kv_float(jo, "thompson_share", vd_round(probability[i], 6));
		jo_kv_float(jo, "expected_loss", vd_round(loss[i], 6));
		jo_kv_float(jo, "predicted_er", vd_col_float(i, 2));
		jo_kv_int(jo, "views", vd_col_int(i, 4));
		jo_kv_int(jo, "interactions", vd_col_int(i, 3));
		jo_key(jo, "posterior");
		jo_begin_object(jo);
		jo_kv_float(jo, "alpha", vd_round(alpha[i], 4));
		jo_kv_float(jo, "beta", vd_round(beta[i], 4));
		jo_kv_float(jo, "mean", vd_round(alpha[i] / (alpha[i] + beta[i]), 6));
		jo_end_object(jo);
		jo_end_object(jo);
	}
	jo_end_array(jo);
	jo_kv_string(jo, "method", "quadrature_beta_posteriors");
	jo_kv_int(jo, "grid_points", info.grid_points);
	jo_kv_float(jo, "quadrature_mass", vd_round(info.mass, 6));
	/* kept from the Monte Carlo of 0.2.0: no draws, no seed */
	jo_kv_int(jo, "draws", 0);
	jo_key(jo, "seed");
	jo_null(jo);
	jo_kv_float(jo, "prior_views", VD_PRIOR_VIEWS);
	jo_kv_string(jo, "prior", "Beta(10 p, 10 (1 - p)), p = predicted_er");
	jo_kv_string(jo, "thompson_rule", "thompson_share = probability_best: Thompson sampling posts the "
				 "variant with the highest posterior draw");
	jo_kv_float(jo, "max_standard_error", 0.0);
	jo_end_object(jo);
}

/* variant_probabilities(persona_id, as_of): posterior probability that each active variant is best. */
Datum
vd_variant_probabilities(PG_FUNCTION_ARGS)
{
	char	   *persona_id = text_to_cstring(PG_GETARG_TEXT_PP(0));
	TimestampTz as_of = PG_GETARG_TIMESTAMPTZ(1);
	JsonOut		jo;

	vd_check_persona_id(persona_id);
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	jo_init(&jo);
	vd_push_probabilities(&jo, persona_id, as_of);
	PG_RETURN_JSONB_P(vd_spi_finish_jsonb(jo_finish(&jo)));
}

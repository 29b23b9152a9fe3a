-- variant_dashboard 0.1.0 -> 0.2.0: the statistics engine
\echo Use "ALTER EXTENSION variant_dashboard UPDATE TO '0.2.0'" to load this file. \quit

-- P(X <= x) for X ~ Beta(a, b), the regularized incomplete beta function I_x(a, b).
CREATE FUNCTION beta_cdf(x double precision, a double precision, b double precision)
    RETURNS double precision AS 'MODULE_PATHNAME', 'vd_beta_cdf_sql' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Early-kill settings per persona; NULL keeps the GUC default (variant_dashboard.kill_rule,
-- .sequential_null, .sequential_alt, .sequential_alpha (GUC only),
-- .auto_kill, .kill_threshold, .kill_confidence, .kill_min_views, .kill_window, .kill_prior_views).
CREATE TABLE persona_settings (
    persona_id         persona_id PRIMARY KEY,
    kill_rule          text CHECK (kill_rule IN ('bayesian', 'reference', 'sequential')),
    auto_kill          boolean,
    kill_threshold     double precision CHECK (kill_threshold > 0 AND kill_threshold <= 1),
    kill_confidence    double precision CHECK (kill_confidence >= 0.5 AND kill_confidence <= 1),
    min_views          bigint CHECK (min_views >= 0),
    monitoring_window  interval CHECK (monitoring_window >= interval '0'),
    prior_views        double precision CHECK (prior_views > 0)
);
SELECT pg_catalog.pg_extension_config_dump('persona_settings', '');

-- The early-kill decision for a variant with its evidence:
-- {kill, reason, views, interactions, observed_er, predicted_er, threshold_er,
--  probability_below_threshold, rule, confidence, min_views, window_ends_at, status}.
CREATE FUNCTION evaluate_early_kill(variant_id text, as_of timestamptz DEFAULT now())
    RETURNS jsonb AS 'MODULE_PATHNAME', 'vd_evaluate_early_kill' LANGUAGE C STABLE STRICT;

-- Posterior probability that each active variant of the persona has the highest true rate, with the
-- Thompson-sampling share of the next posts (Monte Carlo with a fixed seed: reproducible).
CREATE FUNCTION variant_probabilities(persona_id text, as_of timestamptz DEFAULT now())
    RETURNS jsonb AS 'MODULE_PATHNAME', 'vd_variant_probabilities' LANGUAGE C STABLE STRICT;

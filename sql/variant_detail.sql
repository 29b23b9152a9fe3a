-- variant_detail(variant_id, as_of): one variant's row, live numbers with a Wilson 95% interval, its kill
-- evaluation, its chance of being the persona's best, its latest events and its own history.
SET search_path = variant_dashboard;
SET TimeZone = 'UTC';
SELECT register_variant('vd1', 'detail', 'The best one', 0.05, 'hook', '2026-03-10 10:00+00') > 0 AS ok;
SELECT register_variant('vd2', 'detail', 'A weak one', 0.05, 'hook', '2026-03-10 10:00+00') > 0 AS ok;
SELECT register_variant('vd3', 'detail', 'Killed early', 0.05, 'list', '2026-03-10 10:00+00') > 0 AS ok;
SELECT register_variant('vd-other', 'elsewhere', 'Another persona', 0.05) > 0 AS ok;
SELECT handle_performance_update('vd1', '{"persona_id": "detail", "interaction_count": 30, "view_count": 400}') > 0 AS ok;
SELECT handle_performance_update('vd1', '{"persona_id": "detail", "interaction_count": 42, "view_count": 600}') > 0 AS ok;
SELECT handle_performance_update('vd2', '{"persona_id": "detail", "interaction_count": 12, "view_count": 600}') > 0 AS ok;
SELECT handle_performance_update('vd3', '{"persona_id": "detail", "interaction_count": 1, "view_count": 300}') > 0 AS ok;
SELECT handle_early_kill_event('vd3', '{"persona_id": "detail", "reason": "far below its prediction"}') > 0 AS ok;

-- as_of in the future is the present: every event, the numbers as they are
SELECT (d->'variant') - 'created_at' AS variant, (d->'live_metrics') - 'last_updated' AS live,
       d->'performance_vs_prediction' AS vs_prediction, d->'rate_interval' AS interval
  FROM variant_detail('vd1', '2030-01-01 00:00+00') d;
-- the Wilson interval contains the observed rate and is the textbook one (42 of 600: 5.2% to 9.3%)
SELECT (d->'rate_interval'->>'low')::float8 < 0.07 AND (d->'rate_interval'->>'high')::float8 > 0.07 AS contains_rate
  FROM variant_detail('vd1', '2030-01-01 00:00+00') d;
SELECT d->'kill_evaluation'->>'kill' AS kill, d->'kill_evaluation'->>'reason' AS reason,
       d->'kill_evaluation' = evaluate_early_kill('vd1', '2030-01-01 00:00+00') AS same_as_evaluate_early_kill
  FROM variant_detail('vd1', '2030-01-01 00:00+00') d;
-- probability of being the best among the active variants: the one variant_probabilities gives
SELECT (d->>'probability_best')::float8 > 0.95 AS likely_best,
       (d->>'probability_best')::float8 = (SELECT (v->>'probability_best')::float8
                                            FROM jsonb_array_elements(variant_probabilities('detail', '2030-01-01 00:00+00')->'variants') v
                                           WHERE v->>'id' = 'vd1') AS same_as_variant_probabilities
  FROM variant_detail('vd1', '2030-01-01 00:00+00') d;
-- its own events only, newest first
SELECT e->>'event_type' AS event_type, e->>'view_count' AS views
  FROM variant_detail('vd1', '2030-01-01 00:00+00') d, jsonb_array_elements(d->'events') e;
-- its own history only, up to now when as_of is later
SELECT d->'history'->>'persona_id' AS persona, jsonb_array_length(d->'history'->'variants') AS series,
       d->'history'->'variants'->0->>'variant_id' AS variant
  FROM variant_detail('vd1', '2030-01-01 00:00+00') d;
-- a killed variant: not among the active, so no chance of being best; its kill is in its events
SELECT d->'variant'->>'status' AS status, d->'probability_best' AS probability_best,
       d->'events'->0->>'event_type' AS newest_event, d->'events'->0->>'kill_reason' AS reason
  FROM variant_detail('vd3', '2030-01-01 00:00+00') d;
-- before the variant's events were written, none are listed
SELECT jsonb_array_length(d->'events') AS events_then FROM variant_detail('vd1', '2026-03-10 10:30+00') d;
-- unknown variant: 23503 with a hint
\set VERBOSITY default
SELECT variant_detail('no-such-variant');
\set VERBOSITY terse
SELECT variant_detail(NULL) IS NULL AS null_in_null_out;

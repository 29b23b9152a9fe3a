-- The early-kill rules: Bayesian (default), sequential and reference; evaluate_early_kill and auto-kill.
SET search_path = variant_dashboard;
SET TimeZone = 'UTC';
-- A clear loser (0 interactions) predicted at 6%: prior Beta(0.6, 9.4), threshold 3%.
-- R 4.2.2: pbeta(0.03, 0.6, 59.4) = 0.924727761620473 (50 views), pbeta(0.03, 0.6, 109.4) = 0.986408328617816 (100 views)
SELECT register_variant('loser', 'ek', 'a clear loser', 0.06, 'hook', now()) > 0 AS registered;
INSERT INTO persona_settings (persona_id, auto_kill) VALUES ('ek', true);
SELECT handle_performance_update('loser', '{"persona_id": "ek", "interaction_count": 0, "view_count": 50}') IS NOT NULL AS updated;
SELECT status FROM variants WHERE id = 'loser';
SELECT e->>'kill' AS kill, e->>'reason' AS reason, round((e->>'probability_below_threshold')::numeric, 12) AS p_below
  FROM evaluate_early_kill('loser') e;
-- the first update past min_views (100) kills it, in the same transaction, with its numbers as the reason
SELECT handle_performance_update('loser', '{"persona_id": "ek", "interaction_count": 0, "view_count": 100}') AS update_event \gset
SELECT event_type AS returned_event_type FROM dashboard_events WHERE id = :update_event;
SELECT v.status, k.reason, k.final_engagement_rate, k.sample_size
  FROM variants v JOIN variant_kills k ON k.variant_id = v.id WHERE v.id = 'loser';
SELECT event_type, event_data->>'kill_reason' AS reason FROM dashboard_events
 WHERE variant_id = 'loser' ORDER BY id DESC LIMIT 2;
SELECT round((e->>'probability_below_threshold')::numeric, 12) AS p_below, e->>'kill' AS kill, e->>'reason' AS reason
  FROM evaluate_early_kill('loser') e;

-- a noisy small sample is not killed: 2 of 100 views, P = 0.726468889573663 (R) < 0.95
SELECT register_variant('noisy', 'ek', 'noisy', 0.06, 'hook', now()) > 0 AS registered;
SELECT handle_performance_update('noisy', '{"persona_id": "ek", "interaction_count": 2, "view_count": 100}') IS NOT NULL AS updated;
SELECT status FROM variants WHERE id = 'noisy';
SELECT round((e->>'probability_below_threshold')::numeric, 12) AS p_below, e->>'reason' AS reason FROM evaluate_early_kill('noisy') e;

-- a variant ('stale') posted 2 hours ago is past the 10-minute window: never auto-killed, however bad
SELECT register_variant('stale', 'ek', 'stale', 0.06, 'hook', now() - interval '2 hours') > 0 AS registered;
SELECT handle_performance_update('stale', '{"persona_id": "ek", "interaction_count": 0, "view_count": 500}') IS NOT NULL AS updated;
SELECT status FROM variants WHERE id = 'stale';
SELECT e->>'kill' AS kill, e->>'reason' AS reason FROM evaluate_early_kill('stale') e;

-- auto-kill is off by default: another persona's loser stays active, though the rule says kill
SELECT register_variant('manual', 'ek2', 'no auto-kill here', 0.06, NULL, now()) > 0 AS registered;
SELECT handle_performance_update('manual', '{"persona_id": "ek2", "interaction_count": 0, "view_count": 200}') IS NOT NULL AS updated;
SELECT v.status, e->>'kill' AS rule_says_kill FROM variants v, evaluate_early_kill('manual') e WHERE v.id = 'manual';

-- GUCs set the defaults: a stricter confidence keeps it alive
SET variant_dashboard.kill_confidence = 0.9999999999;
SELECT e->>'kill' AS kill, e->>'reason' AS reason FROM evaluate_early_kill('manual') e;
RESET variant_dashboard.kill_confidence;

-- the reference rule: rate below half the prediction after at least 10 interactions, whatever the views
INSERT INTO persona_settings (persona_id, kill_rule) VALUES ('ek2', 'reference');
SELECT e->>'rule' AS rule, e->>'kill' AS kill, e->>'reason' AS reason FROM evaluate_early_kill('manual') e;
SELECT handle_performance_update('manual', '{"persona_id": "ek2", "interaction_count": 10, "view_count": 400}') IS NOT NULL AS updated;
SELECT e->>'kill' AS kill, e->>'reason' AS reason FROM evaluate_early_kill('manual') e;

-- the sequential rule (Wald's SPRT of 0.8x against 0.25x the prediction, alpha 0.02): log LR of
-- 10 of 400 views = 10 ln(0.015/0.048) + 390 (ln 0.985 - ln 0.952) = -11.632 + 13.290 = 1.66 < ln 50 = 3.91
UPDATE persona_settings SET kill_rule = 'sequential' WHERE persona_id = 'ek2';
SELECT e->>'rule' AS rule, e->>'kill' AS kill, e->>'reason' AS reason FROM evaluate_early_kill('manual') e;
SELECT handle_performance_update('manual', '{"persona_id": "ek2", "interaction_count": 10, "view_count": 900}') IS NOT NULL AS updated;
SELECT e->>'kill' AS kill, e->>'reason' AS reason FROM evaluate_early_kill('manual') e;

-- bad input
SELECT evaluate_early_kill('nope');
INSERT INTO persona_settings (persona_id, kill_rule) VALUES ('ek3', 'gut feeling');
INSERT INTO persona_settings (persona_id, kill_confidence) VALUES ('ek3', 0.2);
SET variant_dashboard.kill_rule = 'astrology';
SET variant_dashboard.no_such_setting = 1;

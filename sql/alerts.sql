-- Alerts (issue 13): webhooks, the decisions taken in the writer's transaction, the outbox rows they
-- write, and the deliverers' claim and verdict functions.
SET search_path = variant_dashboard;
\set VERBOSITY terse

-- URLs: http or https, a host, no credentials, no spaces
SELECT create_webhook('ftp://example.com/x');
SELECT create_webhook('https://user:pw@example.com/x');
SELECT create_webhook('https://token@example.com/x');
SELECT create_webhook('https:///path');
SELECT create_webhook('https://exa mple.com/');
SELECT create_webhook('https://example.com/', ARRAY['nonsense']);
SELECT create_webhook('https://example.com/', format => 'xml');
SELECT create_webhook('https://example.com/', secret => 'short');
SELECT count(*) AS webhooks_after_refusals FROM webhooks;

-- without any webhook, writes leave the outbox empty
SELECT register_variant('al-a0', 'alerts', 'before any webhook', 0.05, 'hook', '2030-01-01 10:00+00') > 0 AS registered;
SELECT handle_early_kill_event('al-a0', '{"persona_id": "alerts", "reason": "nobody listens"}') > 0 AS killed;
SELECT count(*) AS outbox_rows FROM alert_outbox;

-- the same session sees a new webhook at once (the cache is dropped by the webhooks trigger)
SELECT create_webhook('https://example.com/all', secret => 'abcdefghijklmnopqrstuvwxyz') AS all_hook;
SELECT create_webhook('https://example.com/other?token=x', ARRAY['early_kill'], ARRAY['elsewhere'], 'slack') AS other_hook;
SELECT create_webhook('http://[::1]:8080/v6', ARRAY['calibration']) AS v6_hook;
SELECT webhook_id, destination, format, enabled, pending FROM webhook_status ORDER BY webhook_id;

-- early_kill: manual and automatic kills, each once, carrying its event id and the evaluation
SELECT register_variant('al-a1', 'alerts', 'killed by hand', 0.05, NULL, '2030-01-01 10:00+00') > 0 AS registered;
SELECT handle_early_kill_event('al-a1', '{"persona_id": "alerts", "reason": "off brand", "final_engagement_rate": 0.01, "sample_size": 150}') > 0 AS killed;
INSERT INTO persona_settings (persona_id, auto_kill, monitoring_window) VALUES ('alerts', true, '100 years');
SELECT register_variant('al-a2', 'alerts', 'killed by the rule', 0.05) > 0 AS registered;
SELECT handle_performance_update('al-a2', '{"persona_id": "alerts", "interaction_count": 0, "view_count": 400}') > 0 AS updated;
SELECT o.webhook_id, o.alert_type, o.variant_id, o.event_id = e.id AS carries_event, o.payload->>'reason' AS reason,
       o.payload->>'views' AS views, o.payload->'evidence'->>'status' AS evaluated_status, o.status, o.attempts
  FROM alert_outbox o JOIN dashboard_events e ON e.variant_id = o.variant_id AND e.event_type = 'early_kill'
 ORDER BY o.id;

-- a rolled-back kill leaves nothing behind
BEGIN;
SELECT register_variant('al-a3', 'alerts', 'rolled back', 0.05) > 0 AS registered;
SELECT handle_early_kill_event('al-a3', '{"persona_id": "alerts", "reason": "never happened"}') > 0 AS killed;
ROLLBACK;
SELECT count(*) AS rolled_back_rows FROM alert_outbox WHERE variant_id = 'al-a3';

-- winner_found: once per variant, from 100 views and P(rate > predicted) >= 0.95
SELECT register_variant('al-w1', 'alerts', 'a winner', 0.05) > 0 AS registered;
SELECT handle_performance_update('al-w1', '{"persona_id": "alerts", "interaction_count": 9, "view_count": 90}') > 0 AS young;
SELECT count(*) AS winner_rows_before_100_views FROM alert_outbox WHERE alert_type = 'winner_found';
SELECT handle_performance_update('al-w1', '{"persona_id": "alerts", "interaction_count": 12, "view_count": 120}') > 0 AS judged;
SELECT handle_performance_update('al-w1', '{"persona_id": "alerts", "interaction_count": 20, "view_count": 150}') > 0 AS again;
SELECT variant_id, payload->>'views' AS views, payload->>'reason' AS reason,
       payload->'evidence'->>'probability_above_prediction' AS p
  FROM alert_outbox WHERE alert_type = 'winner_found';

-- fatigue_alert: once when the pattern becomes high (5 uses in 7 days), not on later uses or updates
SELECT register_variant('al-f' || i, 'alerts', 'pattern use ' || i, 0.05, 'listicle') > 0 AS registered
  FROM generate_series(1, 4) i;
SELECT count(*) AS fatigue_rows_at_4_uses FROM alert_outbox WHERE alert_type = 'fatigue_alert';
SELECT register_variant('al-f5', 'alerts', 'fifth use', 0.05, 'listicle') > 0 AS registered;
SELECT register_variant('al-f6', 'alerts', 'sixth use', 0.05, 'listicle') > 0 AS registered;
SELECT handle_performance_update('al-f6', '{"persona_id": "alerts", "interaction_count": 1, "view_count": 50}') > 0 AS updated;
SELECT variant_id, payload->>'condition' AS condition, payload->>'warning_level' AS level,
       payload->'evidence'->>'uses' AS uses
  FROM alert_outbox WHERE alert_type = 'fatigue_alert';

-- fatigue_alert 'declining': checked when a use reaches 30 views (it enters the trend test); the fall
-- from 10% to 1% over three uses also makes the pattern high
SELECT register_variant('al-d' || i, 'alerts', 'fading ' || i, 0.05, 'fading', now() - (4 - i) * interval '1 day') > 0 AS registered
  FROM generate_series(1, 3) i;
SELECT handle_performance_update('al-d1', '{"persona_id": "alerts", "interaction_count": 20, "view_count": 200}') > 0 AS updated;
SELECT handle_performance_update('al-d2', '{"persona_id": "alerts", "interaction_count": 10, "view_count": 200}') > 0 AS updated;
SELECT count(*) AS fatigue_rows_before_the_third_rate FROM alert_outbox WHERE payload->>'pattern' = 'fading';
SELECT handle_performance_update('al-d3', '{"persona_id": "alerts", "interaction_count": 2, "view_count": 200}') > 0 AS updated;
SELECT handle_performance_update('al-d3', '{"persona_id": "alerts", "interaction_count": 2, "view_count": 250}') > 0 AS updated_again;
SELECT variant_id, payload->>'condition' AS condition, payload->'evidence'->>'uses_tested' AS tested, payload->>'reason' AS reason
  FROM alert_outbox WHERE alert_type = 'fatigue_alert' AND payload->>'pattern' = 'fading' ORDER BY id;

-- persona filter and disabled webhooks: 'elsewhere' reaches only the slack webhook; a disabled one gets nothing
SELECT register_variant('al-e1', 'elsewhere', 'other persona', 0.05) > 0 AS registered;
SELECT disable_webhook(1) AS disabled, disable_webhook(999) IS NULL AS unknown_is_null;
SELECT handle_early_kill_event('al-e1', '{"persona_id": "elsewhere", "reason": "elsewhere"}') > 0 AS killed;
SELECT webhook_id, alert_type, variant_id FROM alert_outbox WHERE persona_id = 'elsewhere';
SELECT enable_webhook(1) AS enabled;

-- calibration: predictions too low on 3 variants of the day (model_tuning), once per day
SELECT register_variant('al-c' || i, 'tuned', 'calibrate ' || i, 0.02) > 0 AS registered FROM generate_series(1, 4) i;
SELECT handle_performance_update('al-c' || i, jsonb_build_object('persona_id', 'tuned', 'interaction_count', 10 + i, 'view_count', 100)) > 0
  FROM generate_series(1, 4) i;
SELECT webhook_id, variant_id, payload->'evidence'->>'type' AS suggestion, payload->'evidence'->'evidence'->>'direction' AS direction
  FROM alert_outbox WHERE alert_type = 'calibration';

-- the deliverers: a claim leases due rows, at most per_webhook per webhook (webhook 1's third row waits);
-- a verdict needs the lease
SELECT count(*) AS pending FROM alert_outbox WHERE status = 'pending';
SELECT outbox_id, webhook_id, alert_type, attempts, secret IS NOT NULL AS signed, url FROM claim_alerts(3, 2, 60000);
SELECT count(*) AS leased FROM alert_outbox WHERE lease_until > now();
SELECT finish_alert(1, 42, 'delivered', 200, NULL, NULL, 86400000) AS wrong_lease;
SELECT finish_alert(id, lease_token, 'delivered', 200, NULL, NULL, 86400000) FROM alert_outbox WHERE id = 1;
SELECT finish_alert(id, lease_token, 'failed', 404, 'HTTP 404', NULL, 86400000) FROM alert_outbox WHERE id = 2;
SELECT finish_alert(id, lease_token, 'retry', 503, 'HTTP 503', now() + interval '1 minute', 86400000) FROM alert_outbox WHERE id = (SELECT min(id) FROM alert_outbox WHERE webhook_id = 2);
SELECT id, status, attempts, last_status, last_error, next_attempt_at > now() AS later FROM alert_outbox WHERE id IN (1, 2) OR id = (SELECT min(id) FROM alert_outbox WHERE webhook_id = 2) ORDER BY id;
-- past --webhook-max-age a retry is dead; 410 fails the row and disables its webhook
SELECT min(outbox_id) AS first_claimed, max(outbox_id) AS second_claimed, count(*) AS claimed FROM claim_alerts(2, 2, 60000) \gset
SELECT :claimed AS claimed;
SELECT finish_alert(id, lease_token, 'retry', NULL, 'timeout', now() + interval '2 days', 86400000) FROM alert_outbox WHERE id = :first_claimed;
SELECT finish_alert(id, lease_token, 'gone', 410, 'HTTP 410', NULL, 86400000) FROM alert_outbox WHERE id = :second_claimed;
SELECT webhook_id, enabled, disabled_reason, pending, delivered, failed, dead, last_error FROM webhook_status ORDER BY webhook_id;

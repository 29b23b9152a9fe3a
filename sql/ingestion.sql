-- The ingestion functions: register_variant, handle_performance_update, handle_early_kill_event.
SET search_path = variant_dashboard;
SELECT register_variant('v1', 'ai-jesus', 'Hello world', 0.06, 'question_hook', '2026-01-01 10:00+00') > 0 AS registered;
SELECT register_variant('v2', 'ai-jesus', 'Second', 0.05) > 0 AS registered_with_defaults;
SELECT id, persona_id, predicted_er, pattern_used, status FROM variants ORDER BY id;

-- bad registrations write nothing
SELECT register_variant('v1', 'ai-jesus', 'dup', 0.06);
SELECT register_variant('v3', 'bad id!', 'x', 0.06);
SELECT register_variant('v3', 'ai-jesus', 'x', 1.2);
SELECT register_variant('v3', 'ai-jesus', 'x', 0);
SELECT register_variant('v3', 'ai-jesus', NULL, 0.05);
SELECT register_variant(NULL, 'ai-jesus', 'x', 0.05);
SELECT count(*) AS variants, (SELECT count(*) FROM dashboard_events) AS events FROM variants;

-- performance updates: rate from the counts when absent, upsert, event id returned
SELECT handle_performance_update('v1', '{"persona_id": "ai-jesus", "interaction_count": 58, "view_count": 1000}') IS NOT NULL AS applied;
SELECT current_er, interaction_count, view_count, status FROM variant_monitoring WHERE variant_id = 'v1';
SELECT handle_performance_update('v1', '{"persona_id": "ai-jesus", "engagement_rate": 0.0575, "interaction_count": 115, "view_count": 2000}') IS NOT NULL AS applied;
SELECT current_er, interaction_count, view_count FROM variant_monitoring WHERE variant_id = 'v1';
-- a late update with lower counts never rolls the numbers back, and returns NULL (no event)
SELECT handle_performance_update('v1', '{"persona_id": "ai-jesus", "engagement_rate": 0.09, "interaction_count": 90, "view_count": 1000}') AS late_update;
-- the same numbers again change nothing either
SELECT handle_performance_update('v1', '{"persona_id": "ai-jesus", "engagement_rate": 0.0575, "interaction_count": 115, "view_count": 2000}') AS repeated_update;
-- a mixed update (more views, fewer interactions) keeps the larger of each and recomputes the rate
SELECT handle_performance_update('v1', '{"persona_id": "ai-jesus", "interaction_count": 100, "view_count": 2300}') IS NOT NULL AS applied;
SELECT current_er, interaction_count, view_count FROM variant_monitoring WHERE variant_id = 'v1';
SELECT count(*) AS performance_events FROM dashboard_events WHERE event_type = 'performance_update';

-- bad performance updates: each a clear error, nothing written
SELECT handle_performance_update('nope', '{"persona_id": "ai-jesus", "interaction_count": 1, "view_count": 10}');
SELECT handle_performance_update('v1', '{"persona_id": "other", "interaction_count": 1, "view_count": 10}');
SELECT handle_performance_update('v1', '{"persona_id": "ai-jesus", "engagement_rate": 1.5, "interaction_count": 1, "view_count": 10}');
SELECT handle_performance_update('v1', '{"persona_id": "ai-jesus", "engagement_rate": -0.1, "interaction_count": 1, "view_count": 10}');
SELECT handle_performance_update('v1', '{"persona_id": "ai-jesus", "interaction_count": -1, "view_count": 10}');
SELECT handle_performance_update('v1', '{"persona_id": "ai-jesus", "interaction_count": "12", "view_count": 10}');
SELECT handle_performance_update('v1', '{"persona_id": "ai-jesus", "interaction_count": 1.5, "view_count": 10}');
SELECT handle_performance_update('v1', '{"persona_id": "ai-jesus", "interaction_count": 1}');
SELECT handle_performance_update('v1', '{"interaction_count": 1, "view_count": 10}');
SELECT handle_performance_update('v1', '{"persona_id": 7, "interaction_count": 1, "view_count": 10}');
SELECT handle_performance_update('v1', '{"persona_id": "ai-jesus", "engagement_rate": "high", "interaction_count": 1, "view_count": 10}');
SELECT handle_performance_update('v1', '{"persona_id": "ai-jesus", "interaction_count": 20, "view_count": 10}');
SELECT handle_performance_update('v1', '[1, 2]');
SELECT handle_performance_update('v1', NULL);
SELECT handle_performance_update(NULL, '{}');
SELECT current_er, interaction_count, view_count FROM variant_monitoring WHERE variant_id = 'v1';

-- early kills: defaults from the monitoring row, variant and monitoring marked killed
SELECT handle_early_kill_event('v1', '{"persona_id": "ai-jesus", "reason": "Low engagement"}') IS NOT NULL AS killed;
SELECT reason, final_engagement_rate, sample_size, posted_at = '2026-01-01 10:00+00' AS posted_at_copied FROM variant_kills;
SELECT v.status AS variant_status, m.status AS monitoring_status FROM variants v JOIN variant_monitoring m ON m.variant_id = v.id WHERE v.id = 'v1';
SELECT handle_early_kill_event('v2', '{"persona_id": "ai-jesus", "reason": "Below prediction", "final_engagement_rate": 0.02, "sample_size": 1000}') IS NOT NULL AS killed;
SELECT variant_id, reason, final_engagement_rate, sample_size FROM variant_kills ORDER BY variant_id;

-- bad kills
SELECT handle_early_kill_event('v1', '{"persona_id": "ai-jesus", "reason": "again"}');
SELECT register_variant('v4', 'ai-jesus', 'Fourth', 0.05) > 0 AS registered;
SELECT handle_early_kill_event('v4', '{"persona_id": "ai-jesus"}');
SELECT handle_early_kill_event('v4', '{"persona_id": "ai-jesus", "reason": 42}');
SELECT handle_early_kill_event('v4', '{"persona_id": "ai-jesus", "reason": "x", "final_engagement_rate": 2}');
SELECT handle_early_kill_event('v4', '{"persona_id": "ai-jesus", "reason": "x", "sample_size": -3}');
SELECT handle_early_kill_event('v4', '{"persona_id": "nobody", "reason": "x"}');
SELECT handle_early_kill_event('zzz', '{"persona_id": "ai-jesus", "reason": "x"}');
SELECT handle_early_kill_event('v4', '"just a string"');
SELECT count(*) AS kills FROM variant_kills;
-- performance keeps flowing for a killed variant, but it stays killed
SELECT handle_performance_update('v2', '{"persona_id": "ai-jesus", "interaction_count": 30, "view_count": 1500}') IS NOT NULL AS applied;
SELECT status FROM variant_monitoring WHERE variant_id = 'v2';

-- personas(as_of): one row per persona with its totals, kills of its own day, pooled rate and newest event.
SET search_path = variant_dashboard;
SET TimeZone = 'UTC';
SELECT register_variant('pa1', 'alpha', 'a one', 0.05, 'hook', '2026-03-10 08:00+00') > 0 AS ok;
SELECT register_variant('pa2', 'alpha', 'a two', 0.05, 'hook', '2026-03-10 08:00+00') > 0 AS ok;
SELECT register_variant('pa3', 'alpha', 'a three', 0.05, 'list', '2026-03-10 08:00+00') > 0 AS ok;
SELECT register_variant('pb1', 'beta', 'b one', 0.04, NULL, '2026-03-10 08:00+00') > 0 AS ok;
SELECT handle_performance_update('pa1', '{"persona_id": "alpha", "interaction_count": 30, "view_count": 600}') > 0 AS ok;
SELECT handle_performance_update('pa2', '{"persona_id": "alpha", "interaction_count": 10, "view_count": 400}') > 0 AS ok;
SELECT handle_performance_update('pb1', '{"persona_id": "beta", "interaction_count": 2, "view_count": 100}') > 0 AS ok;
SELECT handle_early_kill_event('pa2', '{"persona_id": "alpha", "reason": "slow"}') > 0 AS ok;
-- the kill happened now; give it a fixed time (23:30 UTC on 10 March) for the day windows
UPDATE variant_kills SET killed_at = '2026-03-10 23:30+00' WHERE variant_id = 'pa2';
-- gamma has settings but no variants yet: not listed (nothing to show)
INSERT INTO persona_settings (persona_id, time_zone) VALUES ('gamma', 'Asia/Tokyo');

SELECT persona_id, total_variants, active_variants, killed_variants, kills_today,
       round(pooled_engagement_rate::numeric, 4) AS pooled,
       last_event_id = (SELECT max(id) FROM dashboard_events e WHERE e.persona_id = p.persona_id) AS newest_event,
       last_event_at = (SELECT created_at FROM dashboard_events e WHERE e.persona_id = p.persona_id ORDER BY id DESC LIMIT 1) AS newest_at
  FROM personas('2026-03-10 23:45+00') p WHERE persona_id IN ('alpha', 'beta', 'gamma') ORDER BY persona_id;
-- the next UTC day has no kills yet; in Tokyo (UTC+9) 23:30 UTC on the 10th is already 11 March, so
-- at 00:30 UTC on the 11th (09:30 in Tokyo) alpha's kill counts for today there
SELECT persona_id, kills_today FROM personas('2026-03-11 00:30+00') WHERE persona_id = 'alpha';
INSERT INTO persona_settings (persona_id, time_zone) VALUES ('alpha', 'Asia/Tokyo');
SELECT persona_id, kills_today FROM personas('2026-03-11 00:30+00') WHERE persona_id = 'alpha';
-- before the kill happened it is not counted
SELECT persona_id, kills_today FROM personas('2026-03-10 23:00+00') WHERE persona_id = 'alpha';
-- every event moves last_event_id, plain writes included
UPDATE variants SET status = 'completed' WHERE id = 'pa3';
SELECT last_event_id = (SELECT max(id) FROM dashboard_events WHERE persona_id = 'alpha') AS moved, active_variants
  FROM personas() WHERE persona_id = 'alpha';
-- rebuild_persona_totals keeps the newest events
SELECT rebuild_persona_totals();
SELECT persona_id, last_event_id = (SELECT max(id) FROM dashboard_events e WHERE e.persona_id = p.persona_id) AS kept
  FROM personas() p WHERE persona_id IN ('alpha', 'beta', 'gamma') ORDER BY persona_id;

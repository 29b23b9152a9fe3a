-- Hostile and careless input from the adversarial run (issue 10): nothing accepted may make a later
-- valid write fail, and every refusal is a clear error that writes nothing.
SET search_path = variant_dashboard;
SELECT register_variant('h1', 'ai-jesus', 'Hello', 0.05) > 0 AS registered;

-- counts are bounded at 10^15 at the door: 2^63 - 1 and 10^15 + 1 are refused with 22003 and a hint
\set VERBOSITY default
SELECT handle_performance_update('h1', '{"persona_id": "ai-jesus", "interaction_count": 12, "view_count": 9223372036854775807}');
SELECT handle_performance_update('h1', '{"persona_id": "ai-jesus", "interaction_count": 9223372036854775807, "view_count": 12}');
SELECT handle_performance_update('h1', '{"persona_id": "ai-jesus", "interaction_count": 12, "view_count": 1000000000000001}');
SELECT handle_performance_update('h1', '{"persona_id": "ai-jesus", "interaction_count": 12, "view_count": 1e30}');
SELECT handle_early_kill_event('h1', '{"persona_id": "ai-jesus", "reason": "r", "sample_size": 99999999999999999999}');
\set VERBOSITY terse
-- the bound itself is accepted, and a later valid update still succeeds
SELECT handle_performance_update('h1', '{"persona_id": "ai-jesus", "interaction_count": 12, "view_count": 1000000000000000}') IS NOT NULL AS at_bound;
SELECT register_variant('h2', 'ai-jesus', 'Second', 0.05) > 0 AS registered;
SELECT handle_performance_update('h2', '{"persona_id": "ai-jesus", "interaction_count": 5, "view_count": 100}') IS NOT NULL AS later_update;
-- plain writes meet the same bound
INSERT INTO variant_monitoring (variant_id, persona_id, view_count) VALUES ('h2', 'ai-jesus', 1000000000000001);

-- totals cannot overflow: 10,000 variants at the bound sum to 10^19, beyond bigint
INSERT INTO variants (id, persona_id, content, predicted_er) SELECT 'bulk-' || i, 'bulk', 'x', 0.05 FROM generate_series(1, 10000) i;
INSERT INTO variant_monitoring (variant_id, persona_id, interaction_count, view_count)
     SELECT 'bulk-' || i, 'bulk', 1000000000000000, 1000000000000000 FROM generate_series(1, 10000) i;
SELECT total_views, total_interactions FROM persona_totals WHERE persona_id = 'bulk';
SELECT register_variant('bulk-new', 'bulk', 'still writable', 0.05) > 0 AS registered;
SELECT handle_performance_update('bulk-new', '{"persona_id": "bulk", "interaction_count": 1, "view_count": 10}') IS NOT NULL AS applied;
SELECT dashboard_metrics('bulk')->'summary'->>'total_views' AS shown_views;

-- kill reasons: 1 to 1000 characters, not blank
SELECT handle_early_kill_event('h2', '{"persona_id": "ai-jesus", "reason": ""}');
SELECT handle_early_kill_event('h2', '{"persona_id": "ai-jesus", "reason": "   "}');
SELECT handle_early_kill_event('h2', jsonb_build_object('persona_id', 'ai-jesus', 'reason', repeat('x', 2000)));
SELECT handle_early_kill_event('h2', jsonb_build_object('persona_id', 'ai-jesus', 'reason', repeat('é', 1000))) > 0 AS thousand_chars_ok;
-- a second kill is 55000, never a unique violation
SELECT handle_early_kill_event('h2', '{"persona_id": "ai-jesus", "reason": "again"}');

-- variant ids: 1 to 200 characters, no control characters (C0, DEL, C1), like persona ids
SELECT register_variant(E'tab\there', 'ai-jesus', 'x', 0.05);
SELECT register_variant(E'new\nline', 'ai-jesus', 'x', 0.05);
SELECT register_variant(E'del\x7f', 'ai-jesus', 'x', 0.05);
SELECT register_variant(E'c1\u0085', 'ai-jesus', 'x', 0.05);
SELECT register_variant('', 'ai-jesus', 'x', 0.05);
SELECT register_variant(repeat('v', 201), 'ai-jesus', 'x', 0.05);
SELECT register_variant('ünïcode-ok ✓', 'ai-jesus', 'x', 0.05) > 0 AS unicode_ok;
INSERT INTO variants (id, persona_id, content, predicted_er) VALUES (E'plain\x01insert', 'ai-jesus', 'x', 0.05);

-- a variant cannot move to another persona (its events and totals belong to the first)
UPDATE variants SET persona_id = 'other' WHERE id = 'h1';
UPDATE variant_monitoring SET persona_id = 'other' WHERE variant_id = 'h1';
UPDATE variant_kills SET persona_id = 'other' WHERE variant_id = 'h2';
SELECT persona_id, count(*) FROM variants WHERE persona_id IN ('ai-jesus', 'other') GROUP BY 1;

-- plain writes take the persona lock before their rows; lock_persona takes it explicitly
BEGIN;
SELECT lock_persona('ai-jesus');
SELECT count(*) AS persona_locks FROM pg_locks WHERE locktype = 'advisory' AND classid = x'56445348'::int AND pid = pg_backend_pid();
COMMIT;
SELECT lock_persona('bad id!');

-- the SQLSTATEs callers (and pushd's REST mapping) rely on
\set VERBOSITY sqlstate
SELECT handle_performance_update('h1', '{"persona_id": "ai-jesus", "interaction_count": 12, "view_count": 9223372036854775807}');
SELECT handle_early_kill_event('h2', '{"persona_id": "ai-jesus", "reason": "again"}');
SELECT handle_early_kill_event('h1', '{"persona_id": "ai-jesus", "reason": ""}');
SELECT register_variant(E'tab\there', 'ai-jesus', 'x', 0.05);
UPDATE variants SET persona_id = 'other' WHERE id = 'h1';

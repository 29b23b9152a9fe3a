-- pgTAP: the extension's public API, error codes of bad input, and the trigger-made events.
BEGIN;
SELECT plan(41);
SET LOCAL search_path = variant_dashboard, public;

SELECT has_schema('variant_dashboard');
SELECT has_table('variant_dashboard', t, t) FROM unnest(ARRAY['variants', 'variant_monitoring', 'variant_kills', 'dashboard_events']) t;
SELECT has_function('variant_dashboard', f, f) FROM unnest(ARRAY['register_variant', 'handle_performance_update',
  'handle_early_kill_event', 'events_after', 'dashboard_metrics', 'active_variants', 'performance_leaders',
  'fatigue_warnings', 'optimization_suggestions']) f;
SELECT function_returns('variant_dashboard', 'dashboard_metrics', ARRAY['text', 'timestamp with time zone'], 'jsonb');
SELECT volatility_is('variant_dashboard', 'handle_performance_update', ARRAY['text', 'jsonb'], 'volatile');

SELECT lives_ok($$SELECT register_variant('t1', 'tap', 'pgTAP variant', 0.05, 'p', now() - interval '5 minutes')$$,
                'register_variant accepts a good variant');
-- SQLSTATEs: callers can switch on them
SELECT throws_ok($$SELECT register_variant('t2', 'bad persona', 'x', 0.05)$$, '22023', NULL, 'bad persona id: 22023');
SELECT throws_ok($$SELECT register_variant('t2', 'tap', 'x', 2)$$, '22003', NULL, 'rate above 1: 22003');
SELECT throws_ok($$SELECT register_variant('t1', 'tap', 'x', 0.05)$$, '23505', NULL, 'duplicate id: 23505');
SELECT throws_ok($$SELECT register_variant(NULL, 'tap', 'x', 0.05)$$, '22004', NULL, 'null id: 22004');
SELECT throws_ok($$SELECT handle_performance_update('nope', '{"persona_id":"tap","interaction_count":1,"view_count":2}')$$,
                 '23503', 'variant "nope" does not exist', 'unknown variant: 23503');
SELECT throws_ok($$SELECT handle_performance_update('t1', '{"persona_id":"other","interaction_count":1,"view_count":2}')$$,
                 '22023', NULL, 'persona mismatch: 22023');
SELECT throws_ok($$SELECT handle_performance_update('t1', '{"persona_id":"tap","interaction_count":-1,"view_count":2}')$$,
                 '22003', NULL, 'negative count: 22003');
SELECT throws_ok($$SELECT handle_performance_update('t1', '{"persona_id":"tap","interaction_count":"1","view_count":2}')$$,
                 '22023', NULL, 'non-numeric count: 22023');
SELECT throws_ok($$SELECT handle_performance_update('t1', '{"persona_id":"tap","view_count":2}')$$,
                 '22004', 'missing key "interaction_count"', 'missing key: 22004');
SELECT throws_ok($$SELECT handle_performance_update('t1', '{"persona_id":"tap","engagement_rate":1.01,"interaction_count":1,"view_count":2}')$$,
                 '22003', NULL, 'rate out of range: 22003');
SELECT throws_ok($$SELECT handle_early_kill_event('t1', '{"persona_id":"tap"}')$$, '22004', NULL, 'kill without reason: 22004');
SELECT is((SELECT count(*) FROM dashboard_events WHERE persona_id = 'tap'), 1::bigint, 'bad input wrote no events');

-- updates are cumulative and return the event id
SELECT handle_performance_update('t1', '{"persona_id":"tap","interaction_count":10,"view_count":100}') AS applied_id \gset
SELECT is(:applied_id::bigint, (SELECT max(id) FROM dashboard_events), 'an applied update returns its event id');
SELECT is(handle_performance_update('t1', '{"persona_id":"tap","interaction_count":5,"view_count":50}'),
          NULL, 'a late update returns NULL');
SELECT results_eq($$SELECT interaction_count, view_count FROM variant_monitoring WHERE variant_id = 't1'$$,
                  $$VALUES (10::bigint, 100::bigint)$$, 'a late update does not roll counts back');

-- plain SQL writes are events too
UPDATE variant_monitoring SET view_count = 150, interaction_count = 12 WHERE variant_id = 't1';
SELECT is((SELECT event_data->>'view_count' FROM dashboard_events WHERE persona_id = 'tap' ORDER BY id DESC LIMIT 1),
          '150', 'a plain UPDATE of variant_monitoring is a performance_update event');
UPDATE variants SET status = 'completed' WHERE id = 't1';
SELECT is((SELECT event_type FROM dashboard_events WHERE persona_id = 'tap' ORDER BY id DESC LIMIT 1),
          'status_change', 'a plain status UPDATE is a status_change event');
SELECT lives_ok($$SELECT handle_early_kill_event('t1', '{"persona_id":"tap","reason":"pgTAP kill"}')$$, 'a completed variant can still be killed');
SELECT results_eq($$SELECT event_type FROM dashboard_events WHERE persona_id = 'tap' ORDER BY id$$,
                  ARRAY['variant_registered', 'performance_update', 'performance_update', 'status_change', 'early_kill'],
                  'one event per change, in order, and no status_change for the kill itself');

-- the read functions answer for the persona
SELECT is((dashboard_metrics('tap')->'summary'->>'killed_variants')::int, 1, 'dashboard_metrics counts the kill');
SELECT is((dashboard_metrics('tap')->'early_kills_today'->>'kills_today')::int, 1, 'the kill is today');
SELECT ok((dashboard_metrics('tap')->'early_kills_today'->>'avg_time_to_kill_minutes')::float8 BETWEEN 4.9 AND 6,
          'time to kill is measured from posted_at');
SELECT is(jsonb_array_length(dashboard_metrics('tap')->'real_time_feed'), 5, 'the feed holds the persona''s events');
SELECT is(active_variants('tap')->'variants', '[]'::jsonb, 'a killed variant is not active');

SELECT * FROM finish();
ROLLBACK;

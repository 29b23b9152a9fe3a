-- The dashboard read functions with hand-checked numbers, reproducible through as_of.
SET search_path = variant_dashboard;
SET TimeZone = 'UTC';
-- persona r1: posted between 08:00 and 11:30 on 2026-03-10; as_of is 12:00 the same day
SELECT register_variant('a', 'r1', 'Steady performer', 0.06, 'question_hook', '2026-03-10 10:00+00') > 0,
       register_variant('b', 'r1', 'Lucky three views', 0.05, 'question_hook', '2026-03-10 11:30+00') > 0,
       register_variant('c', 'r1', 'Underperformer', 0.08, 'hot_take', '2026-03-10 11:00+00') > 0,
       register_variant('d', 'r1', 'Killed one', 0.05, 'question_hook', '2026-03-10 08:00+00') > 0,
       register_variant('g', 'r1', 'Higher rate, few views', 0.06, NULL, '2026-03-10 09:00+00') > 0,
       register_variant('old', 'r1', 'Eight days old', 0.05, 'question_hook', '2026-03-02 08:00+00') > 0,
       register_variant('other', 'r2', 'Other persona', 0.05, 'question_hook', '2026-03-10 10:00+00') > 0;
SELECT handle_performance_update('a', '{"persona_id": "r1", "interaction_count": 116, "view_count": 2000}') > 0,
       handle_performance_update('b', '{"persona_id": "r1", "interaction_count": 2, "view_count": 3}') > 0,
       handle_performance_update('c', '{"persona_id": "r1", "interaction_count": 30, "view_count": 1000}') > 0,
       handle_performance_update('d', '{"persona_id": "r1", "interaction_count": 10, "view_count": 500}') > 0,
       handle_performance_update('g', '{"persona_id": "r1", "interaction_count": 9, "view_count": 110}') > 0,
       handle_performance_update('other', '{"persona_id": "r2", "interaction_count": 99, "view_count": 100}') > 0;
-- d was killed 30 minutes after posting, this morning
INSERT INTO variant_kills (variant_id, persona_id, reason, final_engagement_rate, sample_size, posted_at, killed_at)
VALUES ('d', 'r1', 'Low engagement', 0.02, 500, '2026-03-10 08:00+00', '2026-03-10 08:30+00');

-- active variants, newest first; predicted 0.06 and actual 0.058 give -0.0333
SELECT jsonb_pretty(v - 'last_updated')
  FROM jsonb_array_elements(active_variants('r1', '2026-03-10 12:00+00')->'variants') WITH ORDINALITY AS a(v, n)
 ORDER BY n;
SELECT jsonb_array_length(active_variants('r1', '2026-03-10 12:00+00', 2)->'variants') AS limited;
-- as_of in the past: only what was posted by then
SELECT v->>'id' AS id, v->>'time_since_post' AS since FROM jsonb_array_elements(active_variants('r1', '2026-03-10 11:15+00')->'variants') v;

-- leaders rank by the Wilson 95% lower bound: a (5.8% of 2000 views, bound 0.0486) beats g (8.2% of
-- only 110 views, bound 0.0436); the 3-view variant b (2 of 3) is left out by the default minimum of
-- 100 views. Bounds checked by hand with (p + z^2/2n - z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n).
SELECT l->>'id' AS id, l->>'views' AS views, l->>'engagement_rate' AS rate, l->>'wilson_lower_bound' AS lower_bound
  FROM jsonb_array_elements(performance_leaders('r1', '2026-03-10 12:00+00')->'leaders') l;
-- without the minimum, 2 of 3 is extreme enough that even its lower bound (0.208) leads: hence the minimum
SELECT l->>'id' AS id FROM jsonb_array_elements(performance_leaders('r1', '2026-03-10 12:00+00', 2, 0)->'leaders') l;

-- fatigue: question_hook used 3 times in the trailing 7 days (the 8-day-old use does not count)
SELECT jsonb_pretty(fatigue_warnings('r1', '2026-03-10 12:00+00'));
SELECT register_variant('e', 'r1', 'Fourth hook', 0.05, 'question_hook', '2026-03-10 11:40+00') > 0,
       register_variant('f', 'r1', 'Fifth hook', 0.05, 'question_hook', '2026-03-10 11:50+00') > 0;
SELECT w->>'pattern' AS pattern, w->>'usage_count' AS uses, w->>'freshness_score' AS freshness,
       w->>'fatigue_score' AS fatigue, w->>'warning_level' AS level
  FROM jsonb_array_elements(fatigue_warnings('r1', '2026-03-10 12:00+00')->'warnings') w;
SELECT jsonb_array_length(fatigue_warnings('r1', '2026-03-09 12:00+00')->'warnings') AS warnings_a_day_earlier;

-- suggestions: hot_take at 3.0% against 8.0% predicted is below half; 1 kill of 7 variants in 24 hours (14%): no alarm
SELECT jsonb_pretty(optimization_suggestions('r1', '2026-03-10 12:00+00'));
-- 3 kills of 7 (43%) would raise the calibration alarm, but 7 variants are fewer than its minimum of 10
INSERT INTO variant_kills (variant_id, persona_id, reason, posted_at, killed_at)
VALUES ('e', 'r1', 'Low', '2026-03-10 11:40+00', '2026-03-10 11:55+00'),
       ('f', 'r1', 'Low', '2026-03-10 11:50+00', '2026-03-10 11:58+00');
SELECT s->>'type' AS type, s->>'priority' AS priority, s->>'title' AS title, s->>'description' AS description
  FROM jsonb_array_elements(optimization_suggestions('r1', '2026-03-10 12:00+00')->'suggestions') s;

-- dashboard_metrics: the whole object
SELECT jsonb_pretty(dashboard_metrics('r1', '2026-03-10 12:00+00') - 'real_time_feed' - 'last_event_id' - 'recent_kills'
                    - 'active_variants' - 'performance_leaders' - 'optimization_opportunities');
-- kills today: 3 kills after 30, 15 and 8 minutes average 17.67 minutes; today follows the persona's time zone (UTC by default)
SELECT dashboard_metrics('r1', '2026-03-10 12:00+00')->'early_kills_today' AS utc_day;
-- recent_kills lists the kills themselves, newest first, whatever came after them in the feed, with the prediction
SELECT k->>'variant_id' AS variant_id, k->>'kill_reason' AS reason, k->>'killed_at' AS killed_at, k->'predicted_er' AS predicted
  FROM jsonb_array_elements(dashboard_metrics('r1', '2026-03-10 12:00+00')->'recent_kills') k;
SELECT jsonb_array_length(dashboard_metrics('r1', '2026-03-10 11:56+00')->'recent_kills') AS kills_by_11_56;
-- in Auckland 12:00 UTC is 01:00 the next day, which began at 11:00 UTC: only the kills at 11:55 and 11:58
INSERT INTO persona_settings (persona_id, time_zone) VALUES ('r1', 'Pacific/Auckland');
SELECT dashboard_metrics('r1', '2026-03-10 12:00+00')->'early_kills_today' AS auckland_day;
SELECT persona_id, kills_today FROM personas('2026-03-10 12:00+00') WHERE persona_id = 'r1';
-- the session's own time zone does not move the persona's day
SET TimeZone = 'America/Los_Angeles';
SELECT dashboard_metrics('r1', '2026-03-10 12:00+00')->'early_kills_today' AS still_auckland_day;
SET TimeZone = 'UTC';
-- an unknown zone is refused
UPDATE persona_settings SET time_zone = 'Mars/Olympus_Mons' WHERE persona_id = 'r1';
DELETE FROM persona_settings WHERE persona_id = 'r1';
-- the feed: latest events first, and last_event_id is the newest of the persona
SELECT (m->'last_event_id')::bigint = (SELECT max(id) FROM dashboard_events WHERE persona_id = 'r1') AS last_event_id_ok,
       jsonb_array_length(m->'real_time_feed') AS feed_length,
       m->'real_time_feed'->0->>'event_type' AS newest,
       (SELECT count(*) FROM jsonb_array_elements(m->'real_time_feed') e WHERE e->>'variant_id' = 'other') AS foreign_events
  FROM dashboard_metrics('r1') m;
-- an unknown persona gets an empty dashboard, a malformed one an error
SELECT dashboard_metrics('nobody', '2026-03-10 12:00+00')->'summary' AS empty;
SELECT dashboard_metrics('no such persona!');
SELECT active_variants('r1', now(), -1);
-- the read functions are STABLE
SELECT proname, provolatile FROM pg_proc WHERE pronamespace = 'variant_dashboard'::regnamespace
   AND proname IN ('dashboard_metrics', 'active_variants', 'performance_leaders', 'fatigue_warnings',
                   'optimization_suggestions', 'events_after') ORDER BY 1;
-- the running totals behind summary equal a recount from the tables after every kind of write above
DELETE FROM variants WHERE id = 'g';
SELECT (dashboard_metrics('r1')->'summary'->>'total_variants')::int AS after_delete;
CREATE TEMP TABLE kept_totals AS SELECT * FROM persona_totals WHERE total_variants > 0;
SELECT rebuild_persona_totals();
SELECT count(*) AS mismatches FROM ((SELECT * FROM kept_totals EXCEPT SELECT * FROM persona_totals)
                                    UNION ALL (SELECT * FROM persona_totals EXCEPT SELECT * FROM kept_totals)) d;

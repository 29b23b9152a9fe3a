-- Bench data for one persona: 100,000 variants over 100 days (1,000 active, posted in the last day),
-- a monitoring row each, 20,000 kills, 1,000,000 events and a day of history. Loaded in bulk with the event triggers
-- off (session_replication_role = replica): the bench measures reads, not the loader.
\set ON_ERROR_STOP on
SET session_replication_role = replica;
TRUNCATE variant_dashboard.dashboard_events, variant_dashboard.variant_kills,
         variant_dashboard.variant_monitoring, variant_dashboard.variants,
         variant_dashboard.history_points, variant_dashboard.history_pooled;
INSERT INTO variant_dashboard.variants (id, persona_id, content, predicted_er, pattern_used, status, posted_at)
SELECT 'bv' || g, 'bench', 'Bench variant number ' || g || ' with a realistic length of text for a post',
       0.04 + (g % 50) / 1000.0, 'pattern_' || (g % 12),
       CASE WHEN g <= 1000 THEN 'active' WHEN g % 5 = 0 THEN 'killed' ELSE 'completed' END,
       CASE WHEN g <= 1000 THEN now() - (g * interval '80 seconds')
            ELSE now() - interval '1 day' - (g * interval '86 seconds') END
  FROM generate_series(1, 100000) g;
INSERT INTO variant_dashboard.variant_monitoring (variant_id, persona_id, current_er, interaction_count, view_count, status)
SELECT id, persona_id, (g % 70) / 1000.0, (g % 70) * 10, 10000, status
  FROM variant_dashboard.variants v, LATERAL (SELECT substr(v.id, 3)::int AS g) n;
INSERT INTO variant_dashboard.variant_kills (variant_id, persona_id, reason, final_engagement_rate, sample_size, posted_at, killed_at)
SELECT id, persona_id, 'bench kill', 0.01, 500, posted_at, posted_at + interval '7 minutes'
  FROM variant_dashboard.variants WHERE status = 'killed';
INSERT INTO variant_dashboard.dashboard_events (event_type, persona_id, variant_id, event_data, created_at)
SELECT 'performance_update', 'bench', 'bv' || (g % 100000 + 1),
       jsonb_build_object('event_type', 'performance_update', 'event_id', g, 'variant_id', 'bv' || (g % 100000 + 1),
                          'current_er', 0.05, 'interaction_count', g % 500, 'view_count', 10000,
                          'updated_at', now()),
       now() - (1000000 - g) * interval '1 second'
  FROM generate_series(1, 1000000) g;
-- History as the rollup trigger writes it: each active variant reported every minute during its first
-- hour (60,000 reports over the last day), pooled over them; kept at every level (10 s to 1 day).
CREATE TEMP TABLE bench_reports AS
SELECT v.id, v.posted_at + k * interval '1 minute' AS at, k * 200 AS views, k * (g % 70) / 10 AS interactions,
       200 AS d_views, k * (g % 70) / 10 - (k - 1) * (g % 70) / 10 AS d_interactions
  FROM variant_dashboard.variants v, LATERAL (SELECT substr(v.id, 3)::int AS g) n, generate_series(1, 60) k
 WHERE v.status = 'active' AND v.posted_at + k * interval '1 minute' <= now();
INSERT INTO variant_dashboard.history_points
SELECT DISTINCT ON (l, b, id) 'bench', l, b, id, views, interactions, interactions::float8 / views
  FROM bench_reports, unnest('{10,60,300,900,3600,86400}'::int[]) l,
       LATERAL (SELECT to_timestamp((floor(extract(epoch FROM at) / l) + 1) * l) AS b) e
 ORDER BY l, b, id, at DESC;
INSERT INTO variant_dashboard.history_points
SELECT DISTINCT ON (l, b) 'bench', l, b, '', views, interactions, NULL
  FROM (SELECT at, sum(d_views) OVER w AS views, sum(d_interactions) OVER w AS interactions
          FROM bench_reports WINDOW w AS (ORDER BY at, id)) p, unnest('{10,60,300,900,3600,86400}'::int[]) l,
       LATERAL (SELECT to_timestamp((floor(extract(epoch FROM at) / l) + 1) * l) AS b) e
 ORDER BY l, b, at DESC;
INSERT INTO variant_dashboard.history_pooled
SELECT 'bench', sum(view_count) FILTER (WHERE status <> 'active'), sum(interaction_count) FILTER (WHERE status <> 'active'),
       now() FROM variant_dashboard.variant_monitoring;
RESET session_replication_role;
SELECT variant_dashboard.rebuild_persona_totals();
SELECT variant_dashboard.rebuild_pattern_days();
VACUUM ANALYZE;

-- The schema: objects live in variant_dashboard; constraints make bad data impossible.
SELECT extrelocatable, nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace
 WHERE extname = 'variant_dashboard';
SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
 WHERE n.nspname = 'variant_dashboard' AND c.relkind IN ('r', 'i', 'p', 'I') ORDER BY 1;
SET search_path = variant_dashboard;
\set VERBOSITY terse

-- persona ids: 1-64 characters of [A-Za-z0-9_.-]
INSERT INTO variants (id, persona_id, content, predicted_er) VALUES ('s1', 'bad persona', 'x', 0.05);
INSERT INTO variants (id, persona_id, content, predicted_er) VALUES ('s1', '', 'x', 0.05);
INSERT INTO variants (id, persona_id, content, predicted_er) VALUES ('s1', repeat('a', 65), 'x', 0.05);
INSERT INTO variants (id, persona_id, content, predicted_er) VALUES ('s1', 'p''; DROP TABLE variants; --', 'x', 0.05);
-- rates in [0,1], predictions above 0
INSERT INTO variants (id, persona_id, content, predicted_er) VALUES ('s1', 'p1', 'x', 1.5);
INSERT INTO variants (id, persona_id, content, predicted_er) VALUES ('s1', 'p1', 'x', 0);
-- statuses from the documented set
INSERT INTO variants (id, persona_id, content, predicted_er, status) VALUES ('s1', 'p1', 'x', 0.05, 'paused');
INSERT INTO variants (id, persona_id, content, predicted_er, posted_at)
VALUES ('s1', 'p1', 'x', 0.05, '2026-01-01 10:00+00');
-- counts >= 0, rates in [0,1], and the monitoring row must name the variant's own persona
INSERT INTO variant_monitoring (variant_id, persona_id, view_count) VALUES ('s1', 'p1', -1);
INSERT INTO variant_monitoring (variant_id, persona_id, current_er) VALUES ('s1', 'p1', 1.01);
INSERT INTO variant_monitoring (variant_id, persona_id) VALUES ('s1', 'p2');
INSERT INTO variant_monitoring (variant_id, persona_id) VALUES ('nope', 'p1');
INSERT INTO variant_kills (variant_id, persona_id, reason, posted_at) VALUES ('s1', 'p1', '', now());
INSERT INTO variant_kills (variant_id, persona_id, reason, sample_size, posted_at) VALUES ('s1', 'p1', 'r', -5, now());
INSERT INTO dashboard_events (event_type, persona_id, event_data) VALUES ('gossip', 'p1', '{}');
-- a 20 KB variant text is stored and pushed (the NOTIFY carries only its id then)
INSERT INTO variants (id, persona_id, content, predicted_er) VALUES ('big', 'p1', repeat('x', 20000), 0.05);
SELECT length(event_data->>'content') FROM dashboard_events WHERE variant_id = 'big';
-- column types the reference got wrong: timestamptz, bigint counters, double precision rates
SELECT table_name, column_name, data_type, domain_name FROM information_schema.columns
 WHERE table_schema = 'variant_dashboard'
   AND column_name IN ('posted_at', 'killed_at', 'interaction_count', 'view_count', 'current_er', 'predicted_er', 'sample_size')
 ORDER BY 1, 2;

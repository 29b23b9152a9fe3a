-- Every change the dashboard shows appends one event, whoever writes it: plain SQL writes too.
SET search_path = variant_dashboard;
-- events without their clock-dependent timestamps
CREATE VIEW event_check AS
SELECT id = (event_data->>'event_id')::bigint AS id_matches, event_type, persona_id, variant_id,
       event_data - 'event_id' - 'updated_at' - 'killed_at' - 'changed_at' AS data
  FROM dashboard_events WHERE variant_id = 'e1' ORDER BY id;

INSERT INTO variants (id, persona_id, content, predicted_er, pattern_used, posted_at)
VALUES ('e1', 'p1', 'Plain insert', 0.04, 'listicle', '2026-02-01 09:00+00');
INSERT INTO variant_monitoring (variant_id, persona_id, current_er, interaction_count, view_count)
VALUES ('e1', 'p1', 0.05, 5, 100);
UPDATE variant_monitoring SET interaction_count = 12, view_count = 200, current_er = 0.06 WHERE variant_id = 'e1';
-- an update that changes no number is not an event
UPDATE variant_monitoring SET last_updated = now() WHERE variant_id = 'e1';
UPDATE variants SET status = 'completed' WHERE id = 'e1';
-- a status update to the same value is not an event
UPDATE variants SET status = 'completed' WHERE id = 'e1';
UPDATE variants SET status = 'active' WHERE id = 'e1';
-- a plain insert into variant_kills is a kill: one early_kill event, and the variant is marked killed
INSERT INTO variant_kills (variant_id, persona_id, reason, final_engagement_rate, sample_size, posted_at)
VALUES ('e1', 'p1', 'Manual kill', 0.01, 200, '2026-02-01 09:00+00');
SELECT status FROM variants WHERE id = 'e1';
SELECT status FROM variant_monitoring WHERE variant_id = 'e1';
SELECT * FROM event_check;
-- every event has its timestamps
SELECT count(*) AS events_with_times FROM dashboard_events
 WHERE coalesce(event_data->>'updated_at', event_data->>'killed_at', event_data->>'changed_at',
                event_data->>'posted_at') IS NOT NULL;

-- a failed write leaves no event behind
BEGIN;
INSERT INTO variants (id, persona_id, content, predicted_er) VALUES ('e2', 'p1', 'rolled back', 0.04);
ROLLBACK;
SELECT count(*) AS events_of_e2 FROM dashboard_events WHERE variant_id = 'e2';

-- events_after: the resume read, in id order, per persona, with a limit
INSERT INTO variants (id, persona_id, content, predicted_er) VALUES ('f1', 'p2', 'other persona', 0.04);
SELECT event_type, data->>'variant_id' AS variant_id FROM events_after('p1', 0);
SELECT event_type, data->>'variant_id' AS variant_id
  FROM events_after('p1', (SELECT min(id) FROM dashboard_events WHERE variant_id = 'e1'), 2);
SELECT event_type, data->>'variant_id' AS variant_id FROM events_after('p2', 0);
SELECT count(*) FROM events_after('nobody', 0);
-- event ids of one persona increase with commit order: the lock the writer holds shows in pg_locks
BEGIN;
UPDATE variant_monitoring SET view_count = 300 WHERE variant_id = 'e1';
SELECT locktype, classid = x'56445348'::int AS ours, mode, granted FROM pg_locks
 WHERE locktype = 'advisory' AND pid = pg_backend_pid();
COMMIT;

-- variant_history: the rollup written by every monitoring change, read at the bucket size that fits,
-- and retention by run_maintenance. Times are fixed: the rollup is keyed by last_updated.
SET search_path = variant_dashboard;
SET TIME ZONE 'UTC';
-- Plain UPDATEs of several rows: the persona lock first (docs/EVENTS.md).
CREATE FUNCTION report(p text, v text, er float8, i bigint, n bigint, at timestamptz) RETURNS void
    LANGUAGE sql AS $$
        SELECT variant_dashboard.lock_persona(p);
        INSERT INTO variant_dashboard.variant_monitoring AS m
               (variant_id, persona_id, current_er, interaction_count, view_count, last_updated)
        VALUES (v, p, er, i, n, at)
        ON CONFLICT (variant_id) DO UPDATE SET current_er = er, interaction_count = i, view_count = n,
                                               last_updated = at;
    $$;
SELECT count(*) FROM (
    SELECT register_variant('hv' || i, 'hist', 'History variant ' || i, 0.05, 'hook', '2026-03-01 09:00+00')
      FROM generate_series(1, 3) i) r;
SELECT register_variant('hv_other', 'hist2', 'Another persona', 0.05, NULL, '2026-03-01 09:00+00') > 0 AS ok;
-- hv1: three reports in the 10 s bucket ending 10:00:10, one in 10:00:20, one at 10:30:00 exactly
SELECT report('hist', 'hv1', 0.05, 5, 100, '2026-03-01 10:00:01+00');
SELECT report('hist', 'hv1', 0.06, 6, 100, '2026-03-01 10:00:05+00');
SELECT report('hist', 'hv1', 0.07, 14, 200, '2026-03-01 10:00:09+00');
SELECT report('hist', 'hv1', 0.08, 24, 300, '2026-03-01 10:00:15+00');
SELECT report('hist', 'hv2', 0.10, 10, 100, '2026-03-01 10:00:12+00');
SELECT report('hist', 'hv1', 0.09, 36, 400, '2026-03-01 10:30:00+00');
SELECT report('hist2', 'hv_other', 0.5, 50, 100, '2026-03-01 10:00:12+00');
-- last_updated alone moved: hv2 and the pooled series enter a new bucket with the same numbers
UPDATE variant_monitoring SET last_updated = '2026-03-01 11:00+00' WHERE variant_id = 'hv2';
SELECT level, bucket_end, variant_id, views, interactions, engagement_rate
  FROM history_points WHERE persona_id = 'hist' ORDER BY level, bucket_end, variant_id;

-- 10 minutes at 240 points: 10 s buckets; the last report of a bucket wins; pooled is hv1 + hv2
SELECT jsonb_pretty(variant_history('hist', '2026-03-01 10:00+00', '2026-03-01 10:10+00'));
-- 1 hour: 60 s buckets (360 of 10 s would exceed 240); the pooled bucket still open at 11:00 is stamped
-- with its last change (11:00:00), not its end (11:01)
SELECT h->'bucket_seconds' AS b, h->'pooled' AS pooled, h#>'{variants,0,points}' AS hv1
  FROM variant_history('hist', '2026-03-01 10:00+00', '2026-03-01 11:00+00') h;
-- 24 hours: 900 s buckets
SELECT h->'bucket_seconds' AS b, h->'pooled' AS pooled, h#>'{variants,0,points}' AS hv1
  FROM variant_history('hist', '2026-03-01 00:00+00', '2026-03-02 00:00+00') h;
-- 24 hours at 30 points: 3600 s; at 5 points: days
SELECT variant_history('hist', '2026-03-01 00:00+00', '2026-03-02 00:00+00', 30)->'bucket_seconds';
SELECT variant_history('hist', '2026-03-01 00:00+00', '2026-03-02 00:00+00', 5)->'bucket_seconds';
-- 1 year at 240 points: days, and the range keeps its last 240 days
SELECT h->'bucket_seconds' AS b, h->'from' AS "from", h->'to' AS "to", jsonb_array_length(h->'pooled') AS n
  FROM variant_history('hist', '2025-06-01 00:00+00', '2026-06-01 00:00+00') h;
-- one variant: its series and the pooled one
SELECT jsonb_pretty(variant_history('hist', '2026-03-01 10:00+00', '2026-03-01 10:10+00', 240, 'hv2'));
-- a range with nothing, an unknown variant, another persona's variant: empty series
SELECT variant_history('hist', '2026-02-01 00:00+00', '2026-02-01 01:00+00');
SELECT variant_history('hist', '2026-03-01 10:00+00', '2026-03-01 10:10+00', 240, 'hv_other')->'variants';

-- pooled counts active variants only: a kill takes hv2 out at its time, a revival brings it back
UPDATE variant_monitoring SET status = 'killed', last_updated = '2026-03-01 11:10:01+00' WHERE variant_id = 'hv2';
UPDATE variant_monitoring SET status = 'active', last_updated = '2026-03-01 11:10:15+00' WHERE variant_id = 'hv2';
SELECT variant_history('hist', '2026-03-01 11:00+00', '2026-03-01 11:11+00')->'pooled';
SELECT variant_history('hist', '2026-03-01 11:00+00', '2026-03-01 11:11+00')#>'{variants,0}' AS hv2_status_only;
SELECT * FROM history_pooled WHERE persona_id IN ('hist', 'hist2') ORDER BY persona_id;

-- refused arguments
SELECT variant_history('hist', '2026-03-01 10:00+00', '2026-03-01 10:00+00');
SELECT variant_history('hist', '2026-03-01 10:00+00', '2026-03-01 11:00+00', 0);
SELECT variant_history('bad persona', '2026-03-01 10:00+00');
SELECT variant_history('hist', NULL);

-- retention: an expired day partition is dropped whole, resuming from before it is refused (VDEXP),
-- a snapshot's last_event_id never points before what expired, history older than its retention goes
SELECT oldest_event_id();
CREATE TABLE dashboard_events_p20200101 PARTITION OF dashboard_events
    FOR VALUES FROM ('2020-01-01 00:00+00') TO ('2020-01-02 00:00+00');
SELECT lock_persona('gone');
INSERT INTO dashboard_events (event_type, persona_id, variant_id, event_data, created_at)
VALUES ('status_change', 'gone', 'x', '{}', '2020-01-01 12:00+00');
SELECT max(id) AS last_id FROM dashboard_events \gset
SELECT report('hist', 'hv3', 0.01, 1, 100, '2020-01-01 12:00+00');
-- history kept from 2026-02-01 on, whatever today is
SELECT set_config('variant_dashboard.history_retention', ((now()::date - date '2026-02-01') * 1440)::text, false) IS NOT NULL;
SELECT r->'partitions_dropped' AS dropped, r->'history_rows_deleted' AS history_deleted,
       (r->>'oldest_event_id')::bigint = :last_id + 1 AS oldest_after_it
  FROM run_maintenance() r;
SELECT to_regclass('dashboard_events_p20200101') IS NULL AS partition_gone;
SELECT oldest_event_id() = :last_id + 1 AS expired_through_recorded;
SELECT count(*) FROM events_after('hist', :last_id);
\set VERBOSITY sqlstate
SELECT count(*) FROM events_after('hist', :last_id - 1);
SELECT count(*) FROM events_after('hist', 0);
\set VERBOSITY default
SELECT (dashboard_metrics('gone')->>'last_event_id')::bigint = :last_id AS snapshot_at_expiry;
SELECT count(*) AS kept_2026 FROM history_points WHERE persona_id = 'hist' AND bucket_end >= '2026-01-01';
SELECT count(*) AS kept_2020 FROM history_points WHERE bucket_end < '2021-01-01';
-- the partitions ahead exist, named by day
SELECT count(*) >= 7 AS ahead FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
 WHERE i.inhparent = 'dashboard_events'::regclass AND c.relname ~ '^dashboard_events_p[0-9]{8}$'
   AND to_date(substr(c.relname, 19), 'YYYYMMDD') > now()::date;
SELECT run_maintenance(-1);
SET variant_dashboard.event_retention = 0;
RESET variant_dashboard.history_retention;
DROP FUNCTION report;

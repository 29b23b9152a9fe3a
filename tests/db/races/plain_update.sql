-- A plain UPDATE through the triggers, after lock_persona as docs/EVENTS.md asks of such writers.
\set n random(1, 3000)
BEGIN;
SELECT variant_dashboard.lock_persona('race');
UPDATE variant_dashboard.variant_monitoring SET view_count = view_count + 1 WHERE variant_id = 'pool-' || :n;
COMMIT;

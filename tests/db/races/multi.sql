-- One transaction that updates two variants and kills one of them, in either order.
\set a random(1, 3000)
\set b random(1, 3000)
\set views random(100, 1000000)
BEGIN;
SELECT variant_dashboard.handle_performance_update('pool-' || :a,
       jsonb_build_object('persona_id', 'race', 'interaction_count', :views / 40, 'view_count', :views));
SELECT variant_dashboard.handle_performance_update('pool-' || :b,
       jsonb_build_object('persona_id', 'race', 'interaction_count', :views / 30, 'view_count', :views));
SELECT race_kill('pool-' || :a);
COMMIT;

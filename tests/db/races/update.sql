-- A performance update of a random pool variant (counts only grow; a stale one changes nothing).
\set n random(1, 3000)
\set views random(100, 1000000)
SELECT variant_dashboard.handle_performance_update('pool-' || :n,
       jsonb_build_object('persona_id', 'race', 'interaction_count', :views / 40, 'view_count', :views));

\set vid random(1, 1000)
SELECT variant_dashboard.handle_performance_update('pv' || :vid,
  jsonb_build_object('persona_id', 'bench' || (:vid % 8), 'interaction_count', (extract(epoch FROM clock_timestamp()) * 1000)::bigint,
                     'view_count', (extract(epoch FROM clock_timestamp()) * 100000)::bigint));

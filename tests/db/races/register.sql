-- A registration through the function and one by plain INSERT (the triggers' path).
\set r random(1, 1000000000000)
SELECT variant_dashboard.register_variant('reg-' || :client_id || '-' || :r, 'race', 'registered in the race', 0.05);
INSERT INTO variant_dashboard.variants (id, persona_id, content, predicted_er)
     VALUES ('ins-' || :client_id || '-' || :r, 'race', 'inserted in the race', 0.05);

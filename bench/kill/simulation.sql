-- Decision-quality simulation of the early-kill rules, through the real SQL path: every update is a
-- handle_performance_update call, so the auto-kill trigger decides exactly as in production.
-- Variants predicted at 6%; interactions drawn Binomial(50, true rate) per 50 new views, up to 5,000
-- views; fixed seeds. One transaction per variant (the monitoring window runs from its posting).
\set ON_ERROR_STOP on
DROP SCHEMA IF EXISTS kill_sim CASCADE;
CREATE SCHEMA kill_sim;
CREATE TABLE kill_sim.outcome (rule text, factor float8, variant_id text, killed boolean, views bigint);
CREATE TABLE kill_sim.timing (rule text, factor float8, updates bigint, seconds float8);

-- Feeds n variants whose true rate is factor x 6% through handle_performance_update.
CREATE PROCEDURE kill_sim.run(rule text, auto_kill boolean, factor float8, n int, seed float8)
LANGUAGE plpgsql AS $$
DECLARE
    persona text := 'sim_' || rule || CASE WHEN auto_kill THEN '' ELSE '_off' END;
    label text := rule || CASE WHEN auto_kill THEN '' ELSE ' (auto-kill off)' END;
    variant text;
    views bigint;
    interactions bigint;
    killed boolean;
    updates bigint := 0;
    started timestamptz := clock_timestamp();
BEGIN
    INSERT INTO variant_dashboard.persona_settings (persona_id, kill_rule, auto_kill)
    VALUES (persona, rule, auto_kill)
    ON CONFLICT (persona_id) DO UPDATE SET kill_rule = excluded.kill_rule, auto_kill = excluded.auto_kill;
    PERFORM setseed(seed);
    FOR i IN 1..n LOOP
        variant := format('%s-%s-%s', persona, factor, i);
        PERFORM variant_dashboard.register_variant(variant, persona, 'simulated variant', 0.06, NULL, now());
        views := 0; interactions := 0; killed := false;
        WHILE views < 5000 AND NOT killed LOOP
            views := views + 50;
            interactions := interactions + (SELECT count(*) FROM generate_series(1, 50) WHERE random() < factor * 0.06);
            PERFORM variant_dashboard.handle_performance_update(variant,
                jsonb_build_object('persona_id', persona, 'interaction_count', interactions, 'view_count', views));
            updates := updates + 1;
            killed := EXISTS (SELECT 1 FROM variant_dashboard.variant_kills k WHERE k.variant_id = variant);
        END LOOP;
        INSERT INTO kill_sim.outcome VALUES (label, factor, variant, killed, CASE WHEN killed THEN views END);
        COMMIT;
    END LOOP;
    INSERT INTO kill_sim.timing VALUES (label, factor, updates, extract(epoch FROM clock_timestamp() - started));
    COMMIT;
END $$;

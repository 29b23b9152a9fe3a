-- Demo-like data for the dashboard benchmark: persona :'persona' with 20 active variants, 10 killed ones
-- and 8 performance updates each, written through the extension's ingestion functions. Replaces an earlier seed.
DELETE FROM variant_dashboard.dashboard_events WHERE persona_id = :'persona';
DELETE FROM variant_dashboard.variants WHERE persona_id = :'persona';

SET bench.persona TO :'persona';

DO $$
DECLARE
    persona   text := current_setting('bench.persona');
    patterns  text[] := ARRAY['question_hook', 'story', 'hot_take', 'listicle', 'contrarian'];
    variant   text;
    predicted float8;
    true_er   float8;
    views     bigint;
BEGIN
    FOR n IN 1..30 LOOP
        variant := format('%s-%s', persona, n);
        predicted := 0.05 + 0.03 * random();
        -- variants 21-30 fall flat (a quarter of their prediction) and are killed below
        true_er := predicted * CASE WHEN n > 20 THEN 0.25 ELSE 0.7 + 0.6 * random() END;
        PERFORM variant_dashboard.register_variant(variant, persona,
            format('Benchmark post %s: what would you change if nobody was keeping score for a whole week?', n),
            predicted, patterns[1 + n % 5], now() - make_interval(mins => 10 + 7 * n));
        views := 0;
        FOR batch IN 1..8 LOOP
            views := views + 150 + (random() * 100)::bigint;
            PERFORM variant_dashboard.handle_performance_update(variant, jsonb_build_object(
                'persona_id', persona, 'view_count', views, 'interaction_count', round(views * true_er)::bigint));
        END LOOP;
        IF n > 20 THEN
            PERFORM variant_dashboard.handle_early_kill_event(variant, jsonb_build_object(
                'persona_id', persona, 'reason', format('Engagement far below prediction after %s views', views),
                'final_engagement_rate', true_er, 'sample_size', views));
        END IF;
    END LOOP;
END
$$;

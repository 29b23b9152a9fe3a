-- The demo's own schema `demo` (not part of the extension): demo data, the hidden truth behind each demo
-- variant, the history loader and the live simulator. Every write goes through the extension's ingestion
-- functions, so each change becomes an event and a NOTIFY; the one exception is the history's kills,
-- inserted into variant_kills directly (whose trigger still emits the event) because they need a past killed_at.
--
-- Loading this file first removes whatever an earlier demo wrote: variants with ids 'demo-*' (their
-- monitoring rows and kills cascade), their events, and the schema itself. Nothing else is touched.

DELETE FROM variant_dashboard.dashboard_events WHERE variant_id LIKE 'demo-%';
DELETE FROM variant_dashboard.variants WHERE id LIKE 'demo-%';
DROP SCHEMA IF EXISTS demo CASCADE;
CREATE SCHEMA demo;

CREATE TABLE demo.personas (
    persona_id     text PRIMARY KEY,
    predicted_min  float8 NOT NULL,
    predicted_max  float8 NOT NULL
);

CREATE TABLE demo.persona_patterns (
    persona_id  text REFERENCES demo.personas,
    pattern     text,
    weight      integer NOT NULL CHECK (weight > 0),
    dud_chance  float8 NOT NULL CHECK (dud_chance BETWEEN 0 AND 1),
    PRIMARY KEY (persona_id, pattern)
);

CREATE TABLE demo.posts (
    id          serial PRIMARY KEY,
    persona_id  text NOT NULL,
    pattern     text NOT NULL,
    content     text NOT NULL,
    FOREIGN KEY (persona_id, pattern) REFERENCES demo.persona_patterns
);

-- What the dashboard cannot see: each demo variant's real engagement rate and how many views a batch brings.
CREATE TABLE demo.variant_truth (
    variant_id  text PRIMARY KEY,
    persona_id  text NOT NULL,
    true_er     float8 NOT NULL,
    reach       float8 NOT NULL
);

CREATE SEQUENCE demo.variant_number;

-- A standard normal draw (Box-Muller).
CREATE FUNCTION demo.gaussian() RETURNS float8 LANGUAGE sql VOLATILE
AS $$ SELECT sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random()) $$;

-- Interactions among n views that each interact with probability p: exact up to 2,000 views, normal above.
CREATE FUNCTION demo.binomial(n bigint, p float8) RETURNS bigint LANGUAGE sql VOLATILE
AS $$
    SELECT CASE WHEN n <= 2000
                THEN (SELECT count(*) FROM generate_series(1, n) WHERE random() < p)
                ELSE least(n, greatest(0, round(n * p + sqrt(n * p * (1 - p)) * demo.gaussian())))::bigint
           END
$$;

-- Picks one of the persona's patterns at random in proportion to its weight (smallest exponential key wins).
CREATE FUNCTION demo.pick_pattern(persona text) RETURNS demo.persona_patterns LANGUAGE sql VOLATILE
AS $$
    SELECT * FROM demo.persona_patterns WHERE persona_id = persona
     ORDER BY -ln(1 - random()) / weight LIMIT 1
$$;

-- The kill reason people read in the feed, e.g. 'Engagement 2.1% vs 6.0% predicted after 1,200 views'.
CREATE FUNCTION demo.kill_reason(live_er float8, predicted_er float8, views bigint) RETURNS text
LANGUAGE sql IMMUTABLE
AS $$
    SELECT format('Engagement %s%% vs %s%% predicted after %s views',
                  to_char(live_er * 100, 'FM990.0'), to_char(predicted_er * 100, 'FM990.0'),
                  to_char(views, 'FM999,999,999,990'))
$$;

-- Registers a new demo variant of a persona posted at posted_at, drawing its true rate and reach; returns its id.
-- Its text is one of the pattern's posts, preferring those no active variant of the persona shows.
-- The true rate is the prediction times a factor: mostly 0.7-1.3, for a dud (dud_chance of the pattern, or
-- always when dud is true) 0.2-0.4.
CREATE FUNCTION demo.post_variant(persona text, posted_at timestamptz, dud boolean DEFAULT false)
RETURNS text LANGUAGE plpgsql
AS $$
DECLARE
    persona_row  demo.personas;
    pattern_row  demo.persona_patterns;
    post         text;
    variant_id   text;
    predicted    float8;
    factor       float8;
BEGIN
    SELECT * INTO STRICT persona_row FROM demo.personas p WHERE p.persona_id = persona;
    pattern_row := demo.pick_pattern(persona);
    SELECT p.content INTO STRICT post FROM demo.posts p
     WHERE p.persona_id = persona AND p.pattern = pattern_row.pattern
     ORDER BY (SELECT count(*) FROM variant_dashboard.variants v
                WHERE v.persona_id = persona AND v.status = 'active' AND v.content = p.content), random()
     LIMIT 1;
    variant_id := format('demo-%s-%s', persona, nextval('demo.variant_number'));
    predicted := round((persona_row.predicted_min
                        + random() * (persona_row.predicted_max - persona_row.predicted_min))::numeric, 3);
    factor := CASE WHEN dud OR random() < pattern_row.dud_chance THEN 0.2 + 0.2 * random() ELSE 0.7 + 0.6 * random() END;
    PERFORM variant_dashboard.register_variant(variant_id, persona, post, predicted, pattern_row.pattern, posted_at);
    INSERT INTO demo.variant_truth VALUES (variant_id, persona, predicted * factor, 0.6 + 1.2 * random());
    RETURN variant_id;
END
$$;

-- Adds new_views views to a demo variant, interactions drawn around its true rate (which wobbles from batch
-- to batch), and reports the cumulative counts: live through handle_performance_update, or, for the
-- history, as of the past moment at (a plain write of variant_monitoring with that last_updated, so the
-- history rollup files it under that time; the caller holds the persona lock).
CREATE FUNCTION demo.add_views(variant text, new_views bigint, at timestamptz DEFAULT NULL)
RETURNS void LANGUAGE plpgsql
AS $$
DECLARE
    truth         demo.variant_truth;
    views         bigint;
    interactions  bigint;
BEGIN
    SELECT * INTO STRICT truth FROM demo.variant_truth WHERE variant_id = variant;
    SELECT m.view_count, m.interaction_count INTO views, interactions
      FROM variant_dashboard.variant_monitoring m WHERE m.variant_id = variant;
    views := coalesce(views, 0) + new_views;
    interactions := coalesce(interactions, 0)
                    + demo.binomial(new_views, least(1, truth.true_er * exp(0.1 * demo.gaussian())));
    IF at IS NULL THEN
        PERFORM variant_dashboard.handle_performance_update(variant, jsonb_build_object(
            'persona_id', truth.persona_id, 'view_count', views, 'interaction_count', interactions));
        RETURN;
    END IF;
    INSERT INTO variant_dashboard.variant_monitoring AS m
           (variant_id, persona_id, current_er, interaction_count, view_count, status, last_updated)
    VALUES (variant, truth.persona_id, interactions::float8 / greatest(views, 1), interactions, views, 'active', at)
    ON CONFLICT (variant_id) DO UPDATE
       SET current_er = excluded.current_er, interaction_count = excluded.interaction_count,
           view_count = excluded.view_count, last_updated = excluded.last_updated;
END
$$;

-- The live numbers of an active demo variant that is clearly failing: below half its prediction after
-- min_views views. No row when it is doing fine, has too few views or is no longer active.
CREATE FUNCTION demo.failing_variant(variant text, min_views bigint,
                                     OUT persona_id text, OUT predicted_er float8, OUT live_er float8,
                                     OUT views bigint)
RETURNS SETOF record LANGUAGE sql STABLE
AS $$
    SELECT v.persona_id, v.predicted_er, m.current_er, m.view_count
      FROM variant_dashboard.variants v
      JOIN variant_dashboard.variant_monitoring m ON m.variant_id = v.id
     WHERE v.id = variant AND v.status = 'active'
       AND m.view_count >= min_views AND m.current_er < 0.5 * v.predicted_er
$$;

-- Kills a demo variant now through handle_early_kill_event when it is clearly failing; true when it did.
CREATE FUNCTION demo.kill_if_failing(variant text, min_views bigint) RETURNS boolean LANGUAGE plpgsql
AS $$
DECLARE
    failing  record;
BEGIN
    SELECT * INTO failing FROM demo.failing_variant(variant, min_views);
    IF NOT FOUND THEN
        RETURN false;
    END IF;
    PERFORM variant_dashboard.handle_early_kill_event(variant, jsonb_build_object(
        'persona_id', failing.persona_id,
        'reason', demo.kill_reason(failing.live_er, failing.predicted_er, failing.views),
        'final_engagement_rate', failing.live_er, 'sample_size', failing.views));
    RETURN true;
END
$$;

-- Ends monitoring of a demo variant without a kill (a status_change event).
CREATE FUNCTION demo.complete_variant(variant text) RETURNS void LANGUAGE sql
AS $$
    UPDATE variant_dashboard.variants SET status = 'completed' WHERE id = variant;
    UPDATE variant_dashboard.variant_monitoring SET status = 'completed' WHERE variant_id = variant;
$$;

-- Completes a persona's older active demo variants so that at most keep stay active.
CREATE FUNCTION demo.complete_oldest(persona text, keep integer) RETURNS void LANGUAGE plpgsql
AS $$
BEGIN
    PERFORM demo.complete_variant(older.id)
       FROM (SELECT id FROM variant_dashboard.variants
              WHERE persona_id = persona AND status = 'active' AND id LIKE 'demo-%'
              ORDER BY posted_at DESC OFFSET keep) older;
END
$$;

-- One variant's history to come: the moments its views arrive (8 steps from its post to its end, denser
-- early, views growing as time^0.8 as reach fades) and the cumulative views at each, in time order.
CREATE FUNCTION demo.history_steps(variant text, posted timestamptz, ends timestamptz, final_views bigint,
                                   OUT variant_id text, OUT at timestamptz, OUT views bigint)
RETURNS SETOF record LANGUAGE sql IMMUTABLE
AS $$
    SELECT variant, posted + (ends - posted) * (j / 8.0) ^ 1.5, round(final_views * ((j / 8.0) ^ 1.5) ^ 0.8)::bigint
      FROM generate_series(1, 8) AS j
$$;

-- Loads about a week of history per persona, written at the moments it happened, so the chart's 24 h and
-- 7 d ranges show it: variants posted more densely towards now, their views arriving over their first
-- hours; a dud is killed at the first of those moments its views pass 1,000-1,600 (when clearly failing
-- then), variants older than 12 hours are completed at 12 hours, the last 12 hours' stay active.
-- Last, per persona, a dud posted 40 minutes ago is killed now: every persona has a kill today whatever the
-- time of day (the history's own kills may all be from before midnight).
CREATE PROCEDURE demo.load_history(variants_per_persona integer, seed float8) LANGUAGE plpgsql
AS $$
DECLARE
    persona    text;
    variant    text;
    age_hours  float8;
    posted     timestamptz;
    step       record;
    failing    record;
    previous   bigint;
BEGIN
    PERFORM setseed(seed);
    CREATE TEMP TABLE demo_steps (variant_id text, at timestamptz, views bigint, kill_views bigint,
                                  completes timestamptz) ON COMMIT DROP;
    FOR persona IN SELECT persona_id FROM demo.personas ORDER BY persona_id LOOP
        PERFORM variant_dashboard.lock_persona(persona);
        FOR k IN REVERSE variants_per_persona..1 LOOP
            age_hours := 0.4 + 160 * (k::float8 / variants_per_persona) ^ 2 * (0.85 + 0.3 * random());
            posted := now() - age_hours * interval '1 hour';
            variant := demo.post_variant(persona, posted);
            INSERT INTO demo_steps
            SELECT s.variant_id, s.at, s.views, 1000 + round(600 * random()),
                   CASE WHEN age_hours > 12 THEN posted + interval '12 hours' END
              FROM demo.history_steps(variant, posted, least(now(), posted + interval '12 hours'),
                                      round((SELECT reach FROM demo.variant_truth WHERE variant_id = variant)
                                            * 1000 * least(age_hours, 12) ^ 0.8)::bigint) s;
        END LOOP;
        -- every persona's steps in time order: the rollup and the pooled series only move forward
        FOR step IN SELECT d.* FROM demo_steps d JOIN variant_dashboard.variants v ON v.id = d.variant_id
                     WHERE v.persona_id = persona ORDER BY d.at, d.variant_id LOOP
            CONTINUE WHEN (SELECT status FROM variant_dashboard.variants WHERE id = step.variant_id) <> 'active';
            SELECT coalesce(max(view_count), 0) INTO previous
              FROM variant_dashboard.variant_monitoring WHERE variant_id = step.variant_id;
            PERFORM demo.add_views(step.variant_id, greatest(step.views - previous, 1), step.at);
            IF step.views >= step.kill_views THEN
                SELECT * INTO failing FROM demo.failing_variant(step.variant_id, 1000);
                IF FOUND THEN
                    INSERT INTO variant_dashboard.variant_kills
                        (variant_id, persona_id, reason, final_engagement_rate, sample_size, posted_at, killed_at)
                    SELECT v.id, v.persona_id, demo.kill_reason(failing.live_er, failing.predicted_er, failing.views),
                           failing.live_er, failing.views, v.posted_at, step.at
                      FROM variant_dashboard.variants v WHERE v.id = step.variant_id;
                    CONTINUE;
                END IF;
            END IF;
            IF step.completes IS NOT NULL AND step.at >= step.completes THEN
                PERFORM demo.complete_variant(step.variant_id);
            END IF;
        END LOOP;
        variant := demo.post_variant(persona, now() - interval '40 minutes', dud => true);
        PERFORM demo.add_views(variant, 1200);
        PERFORM demo.kill_if_failing(variant, 1000);
    END LOOP;
END
$$;

-- Runs until cancelled: every 4-8 s registers a variant for a random persona (completing its oldest beyond
-- max_active), otherwise adds a batch of views to a random active demo variant and kills it when clearly
-- failing. One step per 1/updates_per_second seconds, each committed on its own, so each is pushed at once.
CREATE PROCEDURE demo.simulate(updates_per_second float8, max_active integer, seed float8) LANGUAGE plpgsql
AS $$
DECLARE
    next_post  timestamptz := clock_timestamp();
    persona    text;
    target     record;
BEGIN
    PERFORM setseed(seed);
    LOOP
        BEGIN
            IF clock_timestamp() >= next_post THEN
                SELECT persona_id INTO persona FROM demo.personas ORDER BY random() LIMIT 1;
                PERFORM demo.post_variant(persona, now());
                PERFORM demo.complete_oldest(persona, max_active);
                next_post := clock_timestamp() + (4 + 4 * random()) * interval '1 second';
            ELSE
                SELECT t.variant_id, t.reach INTO target
                  FROM demo.variant_truth t
                  JOIN variant_dashboard.variants v ON v.id = t.variant_id
                 WHERE v.status = 'active' ORDER BY random() LIMIT 1;
                IF FOUND THEN
                    PERFORM demo.add_views(target.variant_id, round(target.reach * (40 + 120 * random()))::bigint);
                    PERFORM demo.kill_if_failing(target.variant_id, 1000);
                END IF;
            END IF;
        EXCEPTION WHEN others THEN
            RAISE WARNING 'demo step failed: %', SQLERRM;
        END;
        COMMIT;
        PERFORM pg_sleep(1 / updates_per_second);
    END LOOP;
END
$$;

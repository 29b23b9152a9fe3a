-- variant_dashboard 0.1.0: schema, ingestion, event log with NOTIFY, dashboard read functions
\echo Use "CREATE EXTENSION variant_dashboard" to load this file. \quit

-- Persona ids travel in URLs, channel payloads and log lines: keep them to a safe alphabet.
CREATE DOMAIN persona_id AS text
    CHECK (VALUE ~ '^[A-Za-z0-9_.-]{1,64}$');

-- An engagement rate: interactions per view, a fraction.
CREATE DOMAIN engagement_rate AS double precision
    CHECK (VALUE >= 0 AND VALUE <= 1);

-- Lifecycle of a variant; 'completed' ends monitoring without a kill.
CREATE DOMAIN variant_status AS text
    CHECK (VALUE IN ('active', 'killed', 'completed'));

CREATE TABLE variants (
    id            text PRIMARY KEY CHECK (length(id) BETWEEN 1 AND 200),
    persona_id    persona_id NOT NULL,
    content       text NOT NULL,
    predicted_er  double precision NOT NULL CHECK (predicted_er > 0 AND predicted_er <= 1),
    pattern_used  text CHECK (length(pattern_used) BETWEEN 1 AND 200),
    status        variant_status NOT NULL DEFAULT 'active',
    posted_at     timestamptz NOT NULL DEFAULT now(),
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (id, persona_id)
);
CREATE INDEX variants_persona_posted ON variants (persona_id, posted_at DESC);
CREATE INDEX variants_persona_active ON variants (persona_id, posted_at DESC) WHERE status = 'active';
CREATE INDEX variants_persona_pattern ON variants (persona_id, pattern_used, posted_at)
    WHERE pattern_used IS NOT NULL;

CREATE TABLE variant_monitoring (
    id                 bigserial PRIMARY KEY,
    variant_id         text NOT NULL UNIQUE,
    persona_id         persona_id NOT NULL,
    current_er         engagement_rate NOT NULL DEFAULT 0,
    interaction_count  bigint NOT NULL DEFAULT 0 CHECK (interaction_count >= 0),
    view_count         bigint NOT NULL DEFAULT 0 CHECK (view_count >= 0),
    status             variant_status NOT NULL DEFAULT 'active',
    last_updated       timestamptz NOT NULL DEFAULT now(),
    created_at         timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (variant_id, persona_id) REFERENCES variants (id, persona_id) ON DELETE CASCADE
);
CREATE INDEX variant_monitoring_persona ON variant_monitoring (persona_id);

CREATE TABLE variant_kills (
    id                     bigserial PRIMARY KEY,
    variant_id             text NOT NULL UNIQUE,
    persona_id             persona_id NOT NULL,
    reason                 text NOT NULL CHECK (length(reason) BETWEEN 1 AND 1000),
    final_engagement_rate  engagement_rate,
    sample_size            bigint CHECK (sample_size >= 0),
    posted_at              timestamptz NOT NULL,
    killed_at              timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (variant_id, persona_id) REFERENCES variants (id, persona_id) ON DELETE CASCADE
);
CREATE INDEX variant_kills_persona_killed ON variant_kills (persona_id, killed_at DESC);

-- The outbox. Per persona, id order is commit order (see docs/EVENTS.md).
CREATE TABLE dashboard_events (
    id          bigserial PRIMARY KEY,
    event_type  text NOT NULL
        CHECK (event_type IN ('variant_registered', 'performance_update', 'early_kill', 'status_change')),
    persona_id  persona_id NOT NULL,
    variant_id  text,
    event_data  jsonb NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX dashboard_events_persona_id ON dashboard_events (persona_id, id);

-- Running totals per persona, so the dashboard summary costs one row read, not a scan of every
-- variant. Kept by the triggers below; rebuild_persona_totals() recomputes them after bulk loads that
-- bypass triggers (session_replication_role = replica).
CREATE TABLE persona_totals (
    persona_id          persona_id PRIMARY KEY,
    total_variants      bigint NOT NULL DEFAULT 0,
    active_variants     bigint NOT NULL DEFAULT 0,
    killed_variants     bigint NOT NULL DEFAULT 0,
    total_views         bigint NOT NULL DEFAULT 0,
    total_interactions  bigint NOT NULL DEFAULT 0
);

SELECT pg_catalog.pg_extension_config_dump('variants', '');
SELECT pg_catalog.pg_extension_config_dump('variant_monitoring', '');
SELECT pg_catalog.pg_extension_config_dump('variant_kills', '');
SELECT pg_catalog.pg_extension_config_dump('dashboard_events', '');
SELECT pg_catalog.pg_extension_config_dump('persona_totals', '');
SELECT pg_catalog.pg_extension_config_dump('variant_monitoring_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('variant_kills_id_seq', '');
SELECT pg_catalog.pg_extension_config_dump('dashboard_events_id_seq', '');

-- Triggers: every change the dashboard shows becomes an event and a NOTIFY, whoever writes it.
CREATE FUNCTION variant_registered_event() RETURNS trigger
    AS 'MODULE_PATHNAME', 'vd_variant_registered_event' LANGUAGE C;
CREATE FUNCTION variant_status_event() RETURNS trigger
    AS 'MODULE_PATHNAME', 'vd_variant_status_event' LANGUAGE C;
CREATE FUNCTION performance_update_event() RETURNS trigger
    AS 'MODULE_PATHNAME', 'vd_performance_update_event' LANGUAGE C;
CREATE FUNCTION early_kill_event() RETURNS trigger
    AS 'MODULE_PATHNAME', 'vd_early_kill_event' LANGUAGE C;

CREATE TRIGGER variant_registered AFTER INSERT ON variants
    FOR EACH ROW EXECUTE FUNCTION variant_registered_event();
CREATE TRIGGER variant_status_changed AFTER UPDATE OF status ON variants
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION variant_status_event();
CREATE TRIGGER performance_inserted AFTER INSERT ON variant_monitoring
    FOR EACH ROW EXECUTE FUNCTION performance_update_event();
CREATE TRIGGER performance_updated AFTER UPDATE ON variant_monitoring
    FOR EACH ROW WHEN (OLD.current_er IS DISTINCT FROM NEW.current_er
                    OR OLD.interaction_count IS DISTINCT FROM NEW.interaction_count
                    OR OLD.view_count IS DISTINCT FROM NEW.view_count)
    EXECUTE FUNCTION performance_update_event();
CREATE TRIGGER early_kill_recorded AFTER INSERT ON variant_kills
    FOR EACH ROW EXECUTE FUNCTION early_kill_event();

-- Adds deltas to a persona's totals.
CREATE FUNCTION add_to_totals(p_persona text, d_total bigint, d_active bigint, d_killed bigint,
                              d_views bigint, d_interactions bigint) RETURNS void
    LANGUAGE sql AS $$
        INSERT INTO variant_dashboard.persona_totals AS t
               (persona_id, total_variants, active_variants, killed_variants, total_views, total_interactions)
        VALUES (p_persona, d_total, d_active, d_killed, d_views, d_interactions)
        ON CONFLICT (persona_id) DO UPDATE
           SET total_variants = t.total_variants + excluded.total_variants,
               active_variants = t.active_variants + excluded.active_variants,
               killed_variants = t.killed_variants + excluded.killed_variants,
               total_views = t.total_views + excluded.total_views,
               total_interactions = t.total_interactions + excluded.total_interactions
    $$;

-- Keeps persona_totals in step with variants (counts by status).
CREATE FUNCTION variant_totals_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.persona_id = NEW.persona_id THEN
        PERFORM variant_dashboard.add_to_totals(NEW.persona_id, 0,
            (NEW.status = 'active')::int - (OLD.status = 'active')::int,
            (NEW.status = 'killed')::int - (OLD.status = 'killed')::int, 0, 0);
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM variant_dashboard.add_to_totals(OLD.persona_id, -1, -(OLD.status = 'active')::int,
                                                -(OLD.status = 'killed')::int, 0, 0);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM variant_dashboard.add_to_totals(NEW.persona_id, 1, (NEW.status = 'active')::int,
                                                (NEW.status = 'killed')::int, 0, 0);
    END IF;
    RETURN NULL;
END $$;

-- Keeps persona_totals in step with variant_monitoring (views and interactions).
CREATE FUNCTION monitoring_totals_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.persona_id = NEW.persona_id THEN
        PERFORM variant_dashboard.add_to_totals(NEW.persona_id, 0, 0, 0, NEW.view_count - OLD.view_count,
                                                NEW.interaction_count - OLD.interaction_count);
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM variant_dashboard.add_to_totals(OLD.persona_id, 0, 0, 0, -OLD.view_count, -OLD.interaction_count);
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') THEN
        PERFORM variant_dashboard.add_to_totals(NEW.persona_id, 0, 0, 0, NEW.view_count, NEW.interaction_count);
    END IF;
    RETURN NULL;
END $$;

-- Recomputes every persona's totals from the tables.
CREATE FUNCTION rebuild_persona_totals() RETURNS void LANGUAGE sql AS $$
    DELETE FROM variant_dashboard.persona_totals;
    INSERT INTO variant_dashboard.persona_totals
    SELECT v.persona_id, count(*), count(*) FILTER (WHERE v.status = 'active'),
           count(*) FILTER (WHERE v.status = 'killed'),
           coalesce(sum(m.view_count), 0), coalesce(sum(m.interaction_count), 0)
      FROM variant_dashboard.variants v
      LEFT JOIN variant_dashboard.variant_monitoring m ON m.variant_id = v.id
     GROUP BY v.persona_id;
$$;

-- TRUNCATE bypasses row triggers: recompute instead.
CREATE FUNCTION truncate_totals_trigger() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM variant_dashboard.rebuild_persona_totals();
    RETURN NULL;
END $$;

-- The "zz_" names make these fire after the event triggers (triggers fire in name order), so every
-- writer takes the persona's event lock before the totals row: one lock order, no deadlock.
CREATE TRIGGER zz_variant_totals AFTER INSERT OR DELETE OR UPDATE OF status, persona_id ON variants
    FOR EACH ROW EXECUTE FUNCTION variant_totals_trigger();
CREATE TRIGGER zz_monitoring_totals AFTER INSERT OR DELETE OR UPDATE OF view_count, interaction_count, persona_id
    ON variant_monitoring FOR EACH ROW EXECUTE FUNCTION monitoring_totals_trigger();
CREATE TRIGGER zz_variant_totals_truncate AFTER TRUNCATE ON variants
    FOR EACH STATEMENT EXECUTE FUNCTION truncate_totals_trigger();
CREATE TRIGGER zz_monitoring_totals_truncate AFTER TRUNCATE ON variant_monitoring
    FOR EACH STATEMENT EXECUTE FUNCTION truncate_totals_trigger();

-- Ingestion: the reference's integration points.
CREATE FUNCTION register_variant(id text, persona_id text, content text, predicted_er double precision,
                                 pattern_used text DEFAULT NULL, posted_at timestamptz DEFAULT now())
    RETURNS bigint AS 'MODULE_PATHNAME', 'vd_register_variant' LANGUAGE C VOLATILE;
CREATE FUNCTION handle_performance_update(variant_id text, performance_data jsonb)
    RETURNS bigint AS 'MODULE_PATHNAME', 'vd_handle_performance_update' LANGUAGE C VOLATILE;
CREATE FUNCTION handle_early_kill_event(variant_id text, kill_data jsonb)
    RETURNS bigint AS 'MODULE_PATHNAME', 'vd_handle_early_kill_event' LANGUAGE C VOLATILE;

-- Reading the event log: a listener's resume point is the last event id it applied, per persona.
CREATE FUNCTION events_after(persona_id text, after_event_id bigint, max_events integer DEFAULT 1000,
                             OUT event_id bigint, OUT event_type text, OUT created_at timestamptz,
                             OUT data jsonb)
    RETURNS SETOF record LANGUAGE sql STABLE STRICT
    AS $$
        SELECT e.id, e.event_type, e.created_at, e.event_data
          FROM variant_dashboard.dashboard_events e
         WHERE e.persona_id = $1 AND e.id > $2
         ORDER BY e.id
         LIMIT greatest($3, 0)
    $$;

-- Dashboard read functions: jsonb built in C, reproducible with as_of.
CREATE FUNCTION dashboard_metrics(persona_id text, as_of timestamptz DEFAULT now())
    RETURNS jsonb AS 'MODULE_PATHNAME', 'vd_dashboard_metrics' LANGUAGE C STABLE STRICT;
CREATE FUNCTION active_variants(persona_id text, as_of timestamptz DEFAULT now(),
                                max_variants integer DEFAULT 50)
    RETURNS jsonb AS 'MODULE_PATHNAME', 'vd_active_variants' LANGUAGE C STABLE STRICT;
CREATE FUNCTION performance_leaders(persona_id text, as_of timestamptz DEFAULT now(),
                                    max_leaders integer DEFAULT 10, min_views bigint DEFAULT 100)
    RETURNS jsonb AS 'MODULE_PATHNAME', 'vd_performance_leaders' LANGUAGE C STABLE STRICT;
CREATE FUNCTION fatigue_warnings(persona_id text, as_of timestamptz DEFAULT now())
    RETURNS jsonb AS 'MODULE_PATHNAME', 'vd_fatigue_warnings' LANGUAGE C STABLE STRICT;
CREATE FUNCTION optimization_suggestions(persona_id text, as_of timestamptz DEFAULT now())
    RETURNS jsonb AS 'MODULE_PATHNAME', 'vd_optimization_suggestions' LANGUAGE C STABLE STRICT;

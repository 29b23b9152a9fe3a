-- variant_dashboard 0.2.0 -> 0.3.0: hardened writes (bounded counts, one lock order), history, retention
\echo Use "ALTER EXTENSION variant_dashboard UPDATE TO '0.3.0'" to load this file. \quit

-- Counts are bounded at the door (10^15, see VD_MAX_COUNT); the same bound holds for plain INSERT/UPDATE.
-- NOT VALID: rows written before the bound existed are kept as they are.
ALTER TABLE variant_monitoring ADD CONSTRAINT variant_monitoring_counts_bounded
    CHECK (interaction_count <= 1000000000000000 AND view_count <= 1000000000000000) NOT VALID;
ALTER TABLE variant_kills ADD CONSTRAINT variant_kills_sample_size_bounded
    CHECK (sample_size <= 1000000000000000) NOT VALID;
-- Totals are numeric: no sum of accepted counts, however many variants, can overflow.
ALTER TABLE persona_totals ALTER COLUMN total_views TYPE numeric,
                           ALTER COLUMN total_interactions TYPE numeric;

-- Variant ids travel in URLs, log lines and the dashboard: no control characters (C0, DEL, C1).
ALTER TABLE variants ADD CONSTRAINT variants_id_printable CHECK (id !~ '[\x01-\x1f\x7f-\x9f]') NOT VALID;

-- One lock order for every write of a persona: its commit-order lock first, then rows. The ingestion
-- functions take it at entry; this BEFORE ROW trigger takes it for plain INSERT/UPDATE (an UPDATE has
-- locked its own target row by then: see docs/EVENTS.md), and refuses moving a row to another persona.
CREATE FUNCTION persona_write_guard() RETURNS trigger
    AS 'MODULE_PATHNAME', 'vd_persona_write_guard' LANGUAGE C;
CREATE TRIGGER persona_write_guard BEFORE INSERT OR UPDATE ON variants
    FOR EACH ROW EXECUTE FUNCTION persona_write_guard();
CREATE TRIGGER persona_write_guard BEFORE INSERT OR UPDATE ON variant_monitoring
    FOR EACH ROW EXECUTE FUNCTION persona_write_guard();
CREATE TRIGGER persona_write_guard BEFORE INSERT OR UPDATE ON variant_kills
    FOR EACH ROW EXECUTE FUNCTION persona_write_guard();

-- Takes the persona's commit-order lock until the end of the transaction: call it first in a transaction
-- that changes the tables with plain UPDATE statements.
CREATE FUNCTION lock_persona(persona_id text) RETURNS void
    AS 'MODULE_PATHNAME', 'vd_lock_persona_sql' LANGUAGE C VOLATILE STRICT;

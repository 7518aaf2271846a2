-- The audit registry: append-only, hash-chained. Column names are a public contract.
CREATE TABLE audit_log (
    seq              bigint      PRIMARY KEY CHECK (seq > 0),
    at               timestamptz NOT NULL,
    instance_id      text        NOT NULL,
    workflow_id      text        NOT NULL,
    workflow_version integer     NOT NULL,
    business_key     text,
    step_id          text,
    action           text        NOT NULL,
    actor            text        NOT NULL,
    verdict          text        NOT NULL CHECK (verdict IN ('ALLOW', 'WARN', 'DENY')),
    detail           jsonb       NOT NULL DEFAULT '{}',
    idempotency_key  text        NOT NULL UNIQUE,
    prev_hash        bytea       NOT NULL CHECK (octet_length(prev_hash) = 32),
    hash             bytea       NOT NULL CHECK (octet_length(hash) = 32)
);

CREATE INDEX audit_log_instance_idx ON audit_log (instance_id, seq);
CREATE INDEX audit_log_business_key_idx ON audit_log (business_key, seq) WHERE business_key IS NOT NULL;
CREATE INDEX audit_log_at_idx ON audit_log (at);

COMMENT ON TABLE audit_log IS 'Append-only audit registry; hash = sha256(prev_hash || convert_to(audit_canonical_row(row), ''UTF8'')). See docs/audit.md.';

-- The chain head: one row, locked FOR UPDATE by every append, so appends are serialized, seq is
-- gapless and the chain never forks. chain_id names this chain in the external anchors.
CREATE TABLE audit_chain_head (
    singleton  boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    chain_id   uuid        NOT NULL DEFAULT gen_random_uuid(),
    seq        bigint      NOT NULL DEFAULT 0,
    hash       bytea       NOT NULL DEFAULT decode(repeat('00', 32), 'hex'),
    updated_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO audit_chain_head DEFAULT VALUES;

-- Immutability, second line of defence after privileges: triggers that refuse every change.
-- ENABLE ALWAYS makes them fire even with session_replication_role = replica.
CREATE FUNCTION audit_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% on % is refused: the table is append-only', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege',
              HINT = 'Rows of this table are never changed or removed; append a correcting entry instead.';
END
$$;

CREATE TRIGGER audit_log_refuse_update_delete BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_log_refuse_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
ALTER TABLE audit_log ENABLE ALWAYS TRIGGER audit_log_refuse_update_delete;
ALTER TABLE audit_log ENABLE ALWAYS TRIGGER audit_log_refuse_truncate;

-- The head only moves forward, and only to the newest row, whose hash it must carry.
CREATE FUNCTION audit_chain_head_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.chain_id <> OLD.chain_id OR NEW.seq < OLD.seq THEN
        RAISE EXCEPTION 'audit chain head may only move forward (seq % -> %)', OLD.seq, NEW.seq
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- max(seq) is an index lookup even with plpgsql's generic plans (a range predicate may not be).
    IF NEW.seq IS DISTINCT FROM (SELECT coalesce(max(seq), 0) FROM audit_log) THEN
        RAISE EXCEPTION 'audit chain head seq % is not the newest row', NEW.seq
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF NEW.seq > 0 AND NOT EXISTS (SELECT FROM audit_log WHERE seq = NEW.seq AND hash = NEW.hash) THEN
        RAISE EXCEPTION 'audit chain head seq % does not match a row with that hash', NEW.seq
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER audit_chain_head_guard BEFORE UPDATE ON audit_chain_head
    FOR EACH ROW EXECUTE FUNCTION audit_chain_head_guard();
CREATE TRIGGER audit_chain_head_refuse_delete BEFORE DELETE ON audit_chain_head
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_chain_head_refuse_truncate BEFORE TRUNCATE ON audit_chain_head
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
ALTER TABLE audit_chain_head ENABLE ALWAYS TRIGGER audit_chain_head_guard;
ALTER TABLE audit_chain_head ENABLE ALWAYS TRIGGER audit_chain_head_refuse_delete;
ALTER TABLE audit_chain_head ENABLE ALWAYS TRIGGER audit_chain_head_refuse_truncate;

-- The canonical row that is hashed, as SQL, so an auditor can recompute the chain in psql.
-- The coordinator computes the same bytes in C# (AuditRowHasher); docs/audit.md defines them.
CREATE FUNCTION audit_canonical_row(r audit_log) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT json_build_array(
        r.seq,
        to_char(r.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
        r.instance_id, r.workflow_id, r.workflow_version, r.business_key, r.step_id,
        r.action, r.actor, r.verdict, r.detail, r.idempotency_key)::text
$$;

CREATE FUNCTION audit_row_hash(r audit_log) RETURNS bytea
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT sha256(r.prev_hash || convert_to(audit_canonical_row(r), 'UTF8'))
$$;

REVOKE ALL ON audit_log, audit_chain_head FROM PUBLIC;
GRANT SELECT, INSERT ON audit_log TO coordinator_app;
GRANT SELECT, UPDATE ON audit_chain_head TO coordinator_app;
GRANT SELECT ON audit_log, audit_chain_head TO coordinator_auditor;

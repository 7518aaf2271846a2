-- The chain head remembers up to which seq the chain was anchored outside the database, so a
-- verify that finds no anchor of the chain at all (the anchors were deleted, or it was pointed at
-- another store) reports that, instead of "no anchor yet". Only audit_record_anchor() moves it,
-- after the anchor is stored, and only forward.
ALTER TABLE audit_chain_head
    ADD COLUMN anchored_seq bigint NOT NULL DEFAULT 0 CHECK (anchored_seq >= 0),
    ADD COLUMN anchored_at  timestamptz;

COMMENT ON COLUMN audit_chain_head.anchored_seq IS 'The highest seq whose (chain_id, seq, hash) was written to the external anchor store (0: never anchored). See docs/audit.md.';

-- The guard of migration 0002, plus: anchored_seq only moves forward and never past the head.
CREATE OR REPLACE FUNCTION audit_chain_head_guard() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
    IF NEW.chain_id <> OLD.chain_id OR NEW.seq < OLD.seq THEN
        RAISE EXCEPTION 'audit chain head may only move forward (seq % -> %)', OLD.seq, NEW.seq
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.anchored_seq < OLD.anchored_seq OR NEW.anchored_seq > NEW.seq THEN
        RAISE EXCEPTION 'audit chain head anchored_seq may only move forward, up to the head (anchored_seq % -> %, head seq %)',
            OLD.anchored_seq, NEW.anchored_seq, NEW.seq
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

-- Called by the anchor writer after the anchor (chain_id, seq, hash) is stored outside the database.
-- Returns the head's anchored_seq afterwards.
CREATE FUNCTION audit_record_anchor(p_chain_id uuid, p_seq bigint, p_hash bytea) RETURNS bigint
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
    v_chain_id uuid;
    v_anchored bigint;
BEGIN
    SELECT h.chain_id, h.anchored_seq INTO v_chain_id, v_anchored FROM audit_chain_head h FOR UPDATE;
    IF v_chain_id IS DISTINCT FROM p_chain_id THEN
        RAISE EXCEPTION 'The anchor names audit chain %, but this database''s chain is %', p_chain_id, v_chain_id
            USING ERRCODE = 'invalid_parameter_value';
    END IF;
    IF NOT EXISTS (SELECT FROM audit_log a WHERE a.seq = p_seq AND a.hash = p_hash) THEN
        RAISE EXCEPTION 'The anchor records seq % with hash %, which is not a row of this chain', p_seq, encode(p_hash, 'hex')
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'Run coordinator audit verify.';
    END IF;
    IF p_seq > v_anchored THEN
        UPDATE audit_chain_head SET anchored_seq = p_seq, anchored_at = now();
        v_anchored := p_seq;
    END IF;
    RETURN v_anchored;
END
$$;

REVOKE ALL ON FUNCTION audit_record_anchor(uuid, bigint, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit_record_anchor(uuid, bigint, bytea) TO coordinator_app;

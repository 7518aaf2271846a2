-- Appends go only through audit_append(): it locks the chain head, assigns seq, computes the hash
-- chain in the database, skips recorded idempotency keys and refuses forks. The application role
-- keeps SELECT on the registry and loses every direct write, so it cannot pick a seq of its own.

-- The fork rule: detail.sequence is the engine's action number per instance. Two different actions
-- with the same (instance_id, detail->>'sequence') are never both recorded. The predicate is the
-- one auditors query (docs/audit.md), so the index and the documented check agree; the
-- action.superseded rows that record a refused action carry no top-level "sequence".
--
-- A registry written before this rule may already hold forks, and rows are never removed: the
-- later rows of such forks stay out of the index (listed by seq), so the migration applies, every
-- (instance, action number) recorded so far stays taken, and `coordinator audit verify` keeps
-- reporting the old forks.
DO $$
DECLARE
    later_forks bigint[];
BEGIN
    SELECT coalesce(array_agg(r.seq ORDER BY r.seq), '{}') INTO later_forks
    FROM (SELECT a.seq, row_number() OVER (PARTITION BY a.instance_id, a.detail ->> 'sequence' ORDER BY a.seq) AS n
          FROM audit_log a WHERE a.detail ? 'sequence') r
    WHERE r.n > 1;
    IF cardinality(later_forks) = 0 THEN
        CREATE UNIQUE INDEX audit_log_action_number_key ON audit_log (instance_id, (detail ->> 'sequence'))
            WHERE detail ? 'sequence';
    ELSE
        RAISE WARNING 'audit_log already holds % row(s) that fork an earlier action number (seq %); they stay, are left out of the fork index and are reported by coordinator audit verify',
            cardinality(later_forks), array_to_string(later_forks, ', ');
        EXECUTE format(
            'CREATE UNIQUE INDEX audit_log_action_number_key ON audit_log (instance_id, (detail ->> %L)) WHERE detail ? %L AND seq <> ALL (%L::bigint[])',
            'sequence', 'sequence', later_forks);
    END IF;
END
$$;

COMMENT ON INDEX audit_log_action_number_key IS 'The fork rule: one action per (instance_id, detail->>''sequence''). See docs/audit.md.';

-- The refused actions, for `coordinator audit verify` and auditors (few rows, so a small index).
CREATE INDEX audit_log_superseded_idx ON audit_log (seq) WHERE action = 'action.superseded';

-- The only way to append. One call is one atomic batch: the entries in order, each either
-- appended (a new row), recorded (its idempotency key is already in the registry, or repeated in the
-- batch: skipped), or superseded (another action already holds its instance's action number: not
-- inserted; instead an action.superseded row, verdict WARN, records both keys, once, under the key
-- '{refused key}:superseded').
-- Returns one row per entry: its ordinal, key, outcome, the seq of the row that records it (the new
-- row, the existing row with its key, or the action.superseded row) and the head seq after the call.
--
-- The hash is audit_row_hash(), the definition docs/audit.md gives and AuditRowHasher and the
-- verifier recompute. The batch is first inserted optimistically in one statement (the normal case:
-- no key recorded, no number taken); if the unique indexes skip any row, that attempt is rolled back
-- and the entries are taken one by one.
CREATE FUNCTION audit_append(
    p_at               timestamptz[],
    p_instance_id      text[],
    p_workflow_id      text[],
    p_workflow_version integer[],
    p_business_key     text[],
    p_step_id          text[],
    p_action           text[],
    p_actor            text[],
    p_verdict          text[],
    p_detail           jsonb[],
    p_idempotency_key  text[])
RETURNS TABLE (entry integer, key text, outcome text, row_seq bigint, head_seq bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
    v_count    integer := coalesce(cardinality(p_idempotency_key), 0);
    v_start    bigint;
    v_start_hash bytea;
    v_seq      bigint;
    v_hash     bytea;
    v_inserted bigint;
    v_existing bigint;
    v_detail   jsonb;
    v_number   text;
    v_kept     record;
    v_key      text;
    r          audit_log;
    rows_      audit_log[] := '{}';
    outcomes   text[] := '{}';
    seqs       bigint[] := '{}';
BEGIN
    IF coalesce(cardinality(p_at), 0) <> v_count OR coalesce(cardinality(p_instance_id), 0) <> v_count
       OR coalesce(cardinality(p_workflow_id), 0) <> v_count OR coalesce(cardinality(p_workflow_version), 0) <> v_count
       OR coalesce(cardinality(p_business_key), 0) <> v_count OR coalesce(cardinality(p_step_id), 0) <> v_count
       OR coalesce(cardinality(p_action), 0) <> v_count OR coalesce(cardinality(p_actor), 0) <> v_count
       OR coalesce(cardinality(p_verdict), 0) <> v_count OR coalesce(cardinality(p_detail), 0) <> v_count THEN
        RAISE EXCEPTION 'audit_append: every array must hold one element per entry (% idempotency keys)', v_count
            USING ERRCODE = 'invalid_parameter_value';
    END IF;

    -- The chain lock: appends are serialized, seq is gapless, the chain never forks.
    SELECT h.seq, h.hash INTO v_start, v_start_hash FROM audit_chain_head h FOR UPDATE;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'The audit_chain_head row is missing; the schema was damaged. Restore it from a backup.'
            USING ERRCODE = 'data_corrupted';
    END IF;

    -- Optimistic: every entry is new. The unique indexes (idempotency_key, the fork rule) say otherwise.
    BEGIN
        v_hash := v_start_hash;
        FOR i IN 1 .. v_count LOOP
            r.seq := v_start + i;
            r.at := p_at[i];
            r.instance_id := p_instance_id[i];
            r.workflow_id := p_workflow_id[i];
            r.workflow_version := p_workflow_version[i];
            r.business_key := p_business_key[i];
            r.step_id := p_step_id[i];
            r.action := p_action[i];
            r.actor := p_actor[i];
            r.verdict := p_verdict[i];
            r.detail := coalesce(p_detail[i], '{}');
            r.idempotency_key := p_idempotency_key[i];
            r.prev_hash := v_hash;
            r.hash := audit_row_hash(r);
            rows_[i] := r;
            v_hash := r.hash;
            outcomes[i] := 'appended';
            seqs[i] := r.seq;
        END LOOP;
        INSERT INTO audit_log SELECT * FROM unnest(rows_) ON CONFLICT DO NOTHING;
        GET DIAGNOSTICS v_inserted = ROW_COUNT;
        IF v_inserted <> v_count THEN
            RAISE EXCEPTION 'audit_append: % of % entries are recorded already or take a recorded action number', v_count - v_inserted, v_count
                USING ERRCODE = 'CA001';
        END IF;
        v_seq := v_start + v_count;
    EXCEPTION WHEN SQLSTATE 'CA001' THEN
        -- Rolled back to the start of the block (the head lock is kept): one entry at a time. Rows
        -- appended earlier in this loop are visible to the later lookups, so keys and numbers
        -- repeated within the batch are handled like recorded ones.
        v_seq := v_start;
        v_hash := v_start_hash;
        FOR i IN 1 .. v_count LOOP
            SELECT a.seq INTO v_existing FROM audit_log a WHERE a.idempotency_key = p_idempotency_key[i];
            IF FOUND THEN
                outcomes[i] := 'recorded';
                seqs[i] := v_existing;
                CONTINUE;
            END IF;

            v_detail := coalesce(p_detail[i], '{}');
            v_number := CASE WHEN v_detail ? 'sequence' THEN v_detail ->> 'sequence' END;
            IF v_number IS NOT NULL THEN
                SELECT a.seq, a.idempotency_key, a.action INTO v_kept
                FROM audit_log a
                WHERE a.instance_id = p_instance_id[i] AND a.detail ? 'sequence' AND a.detail ->> 'sequence' = v_number
                ORDER BY a.seq LIMIT 1;
                IF FOUND THEN
                    v_key := p_idempotency_key[i] || ':superseded';
                    SELECT a.seq INTO v_existing FROM audit_log a WHERE a.idempotency_key = v_key;
                    IF NOT FOUND THEN
                        r.seq := v_seq + 1;
                        r.at := p_at[i];
                        r.instance_id := p_instance_id[i];
                        r.workflow_id := p_workflow_id[i];
                        r.workflow_version := p_workflow_version[i];
                        r.business_key := p_business_key[i];
                        r.step_id := p_step_id[i];
                        r.action := 'action.superseded';
                        r.actor := 'coordinator';
                        r.verdict := 'WARN';
                        r.detail := jsonb_build_object(
                            'instanceId', p_instance_id[i],
                            'actionSequence', v_detail -> 'sequence',
                            'keptSeq', v_kept.seq,
                            'keptIdempotencyKey', v_kept.idempotency_key,
                            'keptAction', v_kept.action,
                            'refusedIdempotencyKey', p_idempotency_key[i],
                            'refusedAction', p_action[i],
                            'refusedActor', p_actor[i],
                            'refusedDetail', v_detail);
                        r.idempotency_key := v_key;
                        r.prev_hash := v_hash;
                        r.hash := audit_row_hash(r);
                        INSERT INTO audit_log VALUES (r.*);
                        v_seq := r.seq;
                        v_hash := r.hash;
                        v_existing := r.seq;
                    END IF;
                    outcomes[i] := 'superseded';
                    seqs[i] := v_existing;
                    CONTINUE;
                END IF;
            END IF;

            r.seq := v_seq + 1;
            r.at := p_at[i];
            r.instance_id := p_instance_id[i];
            r.workflow_id := p_workflow_id[i];
            r.workflow_version := p_workflow_version[i];
            r.business_key := p_business_key[i];
            r.step_id := p_step_id[i];
            r.action := p_action[i];
            r.actor := p_actor[i];
            r.verdict := p_verdict[i];
            r.detail := v_detail;
            r.idempotency_key := p_idempotency_key[i];
            r.prev_hash := v_hash;
            r.hash := audit_row_hash(r);
            INSERT INTO audit_log VALUES (r.*);
            v_seq := r.seq;
            v_hash := r.hash;
            outcomes[i] := 'appended';
            seqs[i] := r.seq;
        END LOOP;
    END;

    IF v_seq > v_start THEN
        UPDATE audit_chain_head SET seq = v_seq, hash = v_hash, updated_at = now();
    END IF;

    RETURN QUERY
        SELECT u.n::integer, p_idempotency_key[u.n], u.o, u.s, v_seq
        FROM unnest(outcomes, seqs) WITH ORDINALITY AS u(o, s, n)
        ORDER BY u.n;
END
$$;

COMMENT ON FUNCTION audit_append(timestamptz[], text[], text[], integer[], text[], text[], text[], text[], text[], jsonb[], text[])
    IS 'The only way to append to audit_log: assigns seq, chains the hashes, skips recorded keys, refuses forks (action.superseded). See docs/audit.md.';

REVOKE ALL ON FUNCTION audit_append(timestamptz[], text[], text[], integer[], text[], text[], text[], text[], text[], jsonb[], text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit_append(timestamptz[], text[], text[], integer[], text[], text[], text[], text[], text[], jsonb[], text[]) TO coordinator_app;

-- No direct writes for the application: it reads the registry and appends through the function.
REVOKE ALL ON audit_log, audit_chain_head FROM coordinator_app;
GRANT SELECT ON audit_log, audit_chain_head TO coordinator_app;

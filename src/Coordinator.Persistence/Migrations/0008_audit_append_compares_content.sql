-- A re-executed turn can propose, under an idempotency key the registry already holds, an action
-- whose content differs (another note under the same action number, type and step): 0006 skipped
-- it as "recorded", silently keeping the first content while the orchestrator believed its own.
-- From here on, an engine action (detail carries "sequence") whose key is recorded with different
-- content (at, step, action, actor, verdict or detail) is refused like a fork: not inserted, one
-- action.superseded row records it, and the outcome is 'superseded'. Entries without an action
-- number (side-effect outcomes) keep the plain idempotent skip.
--
-- A batch is one turn. Once an engine action of an instance is refused, its later engine actions in
-- the same batch are not recorded either (outcome 'withheld', no row): they follow from a state the
-- registry does not hold (a refused step.completed must not leave its step.activated behind).
--
-- The function also returns, for a refused entry, the detail of the action the registry kept
-- (kept_detail), so the orchestrator can follow the turn that was recorded first (its detail.turn
-- says what caused it) instead of the one it decided again. The return type changes, so the
-- function is dropped and created again; the grants are given again.
DROP FUNCTION audit_append(timestamptz[], text[], text[], integer[], text[], text[], text[], text[], text[], jsonb[], text[]);

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
RETURNS TABLE (entry integer, key text, outcome text, row_seq bigint, head_seq bigint, kept_detail jsonb)
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
    v_same     record;
    outcomes   text[] := '{}';
    seqs       bigint[] := '{}';
    kept       jsonb[] := '{}';
    refused_in text[] := '{}';
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
            v_detail := coalesce(p_detail[i], '{}');
            v_number := CASE WHEN v_detail ? 'sequence' THEN v_detail ->> 'sequence' END;
            kept[i] := NULL;
            IF v_number IS NOT NULL AND p_instance_id[i] = ANY (refused_in) THEN
                -- An earlier action of this instance in the batch was refused: the rest of its turn
                -- was decided from a state the registry does not hold, so none of it is recorded.
                outcomes[i] := 'withheld';
                seqs[i] := NULL;
                CONTINUE;
            END IF;
            SELECT a.seq, a.idempotency_key, a.action, a.detail,
                   (a.at, a.step_id, a.action, a.actor, a.verdict, a.detail)
                       IS NOT DISTINCT FROM (p_at[i], p_step_id[i], p_action[i], p_actor[i], p_verdict[i], v_detail) AS same
            INTO v_same FROM audit_log a WHERE a.idempotency_key = p_idempotency_key[i];
            IF FOUND AND (v_same.same OR v_number IS NULL) THEN
                outcomes[i] := 'recorded';
                seqs[i] := v_same.seq;
                CONTINUE;
            END IF;

            IF v_number IS NOT NULL THEN
                IF v_same.seq IS NOT NULL THEN
                    -- The key is recorded with other content: the same refusal as a taken number.
                    SELECT v_same.seq AS seq, v_same.idempotency_key AS idempotency_key, v_same.action AS action, v_same.detail AS detail INTO v_kept;
                ELSE
                    SELECT a.seq, a.idempotency_key, a.action, a.detail INTO v_kept
                    FROM audit_log a
                    WHERE a.instance_id = p_instance_id[i] AND a.detail ? 'sequence' AND a.detail ->> 'sequence' = v_number
                    ORDER BY a.seq LIMIT 1;
                END IF;
                IF FOUND THEN
                    kept[i] := v_kept.detail;
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
                    refused_in := refused_in || p_instance_id[i];
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
        SELECT u.n::integer, p_idempotency_key[u.n], u.o, u.s, v_seq, kept[u.n]
        FROM unnest(outcomes, seqs) WITH ORDINALITY AS u(o, s, n)
        ORDER BY u.n;
END
$$;

COMMENT ON FUNCTION audit_append(timestamptz[], text[], text[], integer[], text[], text[], text[], text[], text[], jsonb[], text[])
    IS 'The only way to append to audit_log: assigns seq, chains the hashes, skips recorded keys, refuses forks and changed content under a recorded key (action.superseded). See docs/audit.md.';

REVOKE ALL ON FUNCTION audit_append(timestamptz[], text[], text[], integer[], text[], text[], text[], text[], text[], jsonb[], text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION audit_append(timestamptz[], text[], text[], integer[], text[], text[], text[], text[], text[], jsonb[], text[]) TO coordinator_app;

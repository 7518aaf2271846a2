using System.Globalization;

namespace Coordinator.Persistence.Tests.Infrastructure;

/// <summary>
/// What an attacker with owner rights on the database would run to hide an edit: the edit, then every
/// later row's link and hash recomputed (with the database's own <c>audit_row_hash</c>) and the chain
/// head moved, so the chain is consistent again. Only an external anchor can then tell.
/// </summary>
internal static class ChainForgery
{
    /// <summary>
    /// The forgery of issue 9: with the triggers disabled, the head gets a new <c>chain_id</c> (and
    /// forgets that it was anchored), then <paramref name="rewrite"/> truncates or rewrites the rows.
    /// Before anchors carried the database's identity, verify looked for anchors of the new chain id
    /// only and said "No anchor yet".
    /// </summary>
    public static string NewChainIdThen(string rewrite) => $"""
        ALTER TABLE audit_log DISABLE TRIGGER USER;
        ALTER TABLE audit_chain_head DISABLE TRIGGER USER;
        UPDATE audit_chain_head SET chain_id = gen_random_uuid(), anchored_seq = 0, anchored_at = NULL;
        {rewrite};
        """;

    /// <summary>Empties the registry and rewinds the head to the empty chain (triggers must be disabled).</summary>
    public const string Truncate =
        "TRUNCATE audit_log; UPDATE audit_chain_head SET seq = 0, hash = decode(repeat('00', 32), 'hex')";

    /// <summary>
    /// Appends a correctly chained row as the owner would without <c>audit_append()</c> (and without
    /// its fork rule): the way rows were written before migration 0006, or by a superuser who
    /// bypasses the function.
    /// </summary>
    public static string AppendBypassingTheFunction(string instanceId, long sequence, string action, string idempotencyKey)
    {
        var number = sequence.ToString(CultureInfo.InvariantCulture);
        return $"""
            DO $$
            DECLARE h record; r audit_log;
            BEGIN
                SELECT seq, hash INTO h FROM audit_chain_head;
                r.seq := h.seq + 1;
                r.at := timestamptz '2024-03-01 08:00:00+00' + r.seq * interval '1 minute';
                r.instance_id := '{instanceId}'; r.workflow_id := 'claim-handling'; r.workflow_version := 3;
                r.business_key := '2024-0847'; r.step_id := 'legal-review'; r.action := '{action}';
                r.actor := 'person-7'; r.verdict := 'ALLOW';
                r.detail := jsonb_build_object('sequence', {number}, 'key', '{idempotencyKey}');
                r.idempotency_key := '{idempotencyKey}';
                r.prev_hash := h.hash;
                r.hash := audit_row_hash(r);
                INSERT INTO audit_log VALUES (r.*);
                UPDATE audit_chain_head SET seq = r.seq, hash = r.hash;
            END $$;
            """;
    }

    /// <summary>The SQL that applies <paramref name="edit"/> to row <paramref name="editedSeq"/>'s content and re-hashes up to <paramref name="headSeq"/>.</summary>
    public static string EditAndRehash(string edit, long editedSeq, long headSeq)
    {
        var from = editedSeq.ToString(CultureInfo.InvariantCulture);
        var to = headSeq.ToString(CultureInfo.InvariantCulture);
        return $"""
            ALTER TABLE audit_log DISABLE TRIGGER USER;
            {edit};
            DO $$
            DECLARE s bigint;
            BEGIN
                FOR s IN {from}..{to} LOOP
                    UPDATE audit_log a SET prev_hash = (SELECT hash FROM audit_log WHERE seq = s - 1) WHERE seq = s;
                    UPDATE audit_log a SET hash = audit_row_hash(a) WHERE seq = s;
                END LOOP;
            END $$;
            ALTER TABLE audit_chain_head DISABLE TRIGGER USER;
            UPDATE audit_chain_head SET hash = (SELECT hash FROM audit_log WHERE seq = {to});
            """;
    }
}

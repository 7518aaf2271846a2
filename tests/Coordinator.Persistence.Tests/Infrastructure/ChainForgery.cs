using System.Globalization;

namespace Coordinator.Persistence.Tests.Infrastructure;

/// <summary>
/// What an attacker with owner rights on the database would run to hide an edit: the edit, then every
/// later row's link and hash recomputed (with the database's own <c>audit_row_hash</c>) and the chain
/// head moved, so the chain is consistent again. Only an external anchor can then tell.
/// </summary>
internal static class ChainForgery
{
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

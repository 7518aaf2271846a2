using Npgsql;

namespace Coordinator.Persistence.Audit.Anchors;

/// <summary>
/// Copies the current chain head to the anchor store, with the database's identity and the hash of
/// row 1, then records in the chain head that it did (<c>audit_record_anchor()</c>, migration 0007).
/// Needs the application role (or the owner).
/// </summary>
public sealed class AuditAnchorWriter(NpgsqlDataSource dataSource, IAuditAnchorStore store, TimeProvider timeProvider)
{
    private const string FirstHashSql = "SELECT hash FROM audit_log WHERE seq = 1";
    private const string RecordSql = "SELECT audit_record_anchor($1, $2, $3)";

    /// <summary>Writes an anchor of the current head; returns null (and writes nothing) while the registry is empty.</summary>
    public async Task<AuditAnchor?> AnchorAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var head = await AuditChainHead.ReadAsync(connection, null, cancellationToken).ConfigureAwait(false);
        if (head.Seq == 0)
        {
            return null;
        }

        var identity = await AuditDatabaseIdentity.ReadAsync(connection, cancellationToken).ConfigureAwait(false);
        byte[] firstHash;
        await using (var first = new NpgsqlCommand(FirstHashSql, connection))
        {
            firstHash = (byte[]?)await first.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false)
                ?? throw new InvalidOperationException($"The chain head records seq {head.Seq}, but row 1 of audit_log is missing. Run `coordinator audit verify`.");
        }

        var anchor = new AuditAnchor(
            head.ChainId, head.Seq, head.HashHex, head.UpdatedAt, timeProvider.GetUtcNow(),
            identity.DatabaseName, identity.SystemIdentifier, Convert.ToHexStringLower(firstHash));
        await store.WriteAsync(anchor, cancellationToken).ConfigureAwait(false);

        // Only after the anchor is stored: the head then never claims an anchor the store lacks.
        await using var record = new NpgsqlCommand(RecordSql, connection)
        {
            Parameters = { new() { Value = head.ChainId }, new() { Value = head.Seq }, new() { Value = head.Hash } },
        };
        await record.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return anchor;
    }
}

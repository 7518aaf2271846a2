using Npgsql;

namespace Coordinator.Persistence.Audit.Anchors;

/// <summary>Copies the current chain head to the anchor store.</summary>
public sealed class AuditAnchorWriter(NpgsqlDataSource dataSource, IAuditAnchorStore store, TimeProvider timeProvider)
{
    /// <summary>Writes an anchor of the current head; returns null (and writes nothing) while the registry is empty.</summary>
    public async Task<AuditAnchor?> AnchorAsync(CancellationToken cancellationToken = default)
    {
        AuditChainHead head;
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        {
            head = await AuditChainHead.ReadAsync(connection, null, cancellationToken).ConfigureAwait(false);
        }

        if (head.Seq == 0)
        {
            return null;
        }

        var anchor = new AuditAnchor(head.ChainId, head.Seq, head.HashHex, head.UpdatedAt, timeProvider.GetUtcNow());
        await store.WriteAsync(anchor, cancellationToken).ConfigureAwait(false);
        return anchor;
    }
}

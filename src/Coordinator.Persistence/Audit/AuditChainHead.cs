using Npgsql;

namespace Coordinator.Persistence.Audit;

/// <summary>The newest row of the chain as recorded in <c>audit_chain_head</c>.</summary>
/// <param name="ChainId">Names this chain in the external anchors.</param>
/// <param name="Seq">0 when the registry is empty.</param>
/// <param name="Hash">The newest row's hash (32 zero bytes when empty).</param>
/// <param name="AnchoredSeq">The highest seq written to the anchor store (0: never anchored).</param>
public sealed record AuditChainHead(Guid ChainId, long Seq, byte[] Hash, DateTimeOffset UpdatedAt, long AnchoredSeq = 0)
{
    public string HashHex => Convert.ToHexStringLower(Hash);

    internal static async Task<AuditChainHead> ReadAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand("SELECT chain_id, seq, hash, updated_at, anchored_seq FROM audit_chain_head", connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            throw new InvalidOperationException("The audit_chain_head row is missing; the schema was damaged. Restore it from a backup.");
        }

        return new AuditChainHead(
            reader.GetGuid(0),
            reader.GetInt64(1),
            reader.GetFieldValue<byte[]>(2),
            new DateTimeOffset(reader.GetDateTime(3), TimeSpan.Zero),
            reader.GetInt64(4));
    }
}

namespace Coordinator.Persistence.Audit.Anchors;

/// <summary>
/// Write-once storage for chain anchors, outside the database and out of reach of its
/// administrators: a local folder by default (<see cref="FileAuditAnchorStore"/>); in production an
/// Azure Blob container with a time-based immutability (WORM) policy is the intended implementation.
/// </summary>
public interface IAuditAnchorStore
{
    /// <summary>
    /// Stores the anchor. Writing the same (chain, seq, hash) again is a no-op; the same (chain, seq)
    /// with a different hash is refused, because it means the chain was rewritten.
    /// </summary>
    Task WriteAsync(AuditAnchor anchor, CancellationToken cancellationToken = default);

    /// <summary>The anchor with the highest sequence number for the chain, or null when there is none.</summary>
    Task<AuditAnchor?> ReadLatestAsync(Guid chainId, CancellationToken cancellationToken = default);

    /// <summary>
    /// The latest anchor of every chain in the store, in no particular order. The verifier looks
    /// here for anchors of its database under another chain id: a replaced chain.
    /// </summary>
    Task<IReadOnlyList<AuditAnchor>> ReadLatestOfEveryChainAsync(CancellationToken cancellationToken = default);
}

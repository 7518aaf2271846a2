namespace Coordinator.Persistence.Audit.Anchors;

/// <summary>
/// The chain head copied outside the database at <see cref="AnchoredAt"/>: a row with this
/// <see cref="Seq"/> and <see cref="Hash"/> (lowercase hex) must exist in the chain forever.
/// </summary>
public sealed record AuditAnchor(Guid ChainId, long Seq, string Hash, DateTimeOffset HeadUpdatedAt, DateTimeOffset AnchoredAt);

using Coordinator.Persistence.Audit.Anchors;

namespace Coordinator.Persistence.Audit;

public enum AuditVerificationStatus
{
    /// <summary>Every checked row hashes correctly and links to its predecessor.</summary>
    Ok,

    /// <summary>A row's stored hash differs from the recomputed one: its content was changed.</summary>
    RowAltered,

    /// <summary>A row's prev_hash differs from its predecessor's hash.</summary>
    BrokenLink,

    /// <summary>A sequence number is missing from the middle of the chain.</summary>
    MissingRow,

    /// <summary>Rows recorded by the chain head or an anchor are missing from the end.</summary>
    TruncatedTail,

    /// <summary>The row at an anchored seq has a different hash than the anchor: history was rewritten.</summary>
    AnchorMismatch,

    /// <summary>The chain head table disagrees with the newest row.</summary>
    HeadMismatch,

    /// <summary>
    /// The anchor store holds anchors of this database (or of this chain's first row) under another
    /// chain id than the chain head names: the chain was replaced. <see cref="AuditVerificationResult.Anchor"/> is the latest of them.
    /// </summary>
    ChainReplaced,

    /// <summary>The chain head records that the chain was anchored, but the anchor store holds no anchor of it.</summary>
    AnchorMissing,

    /// <summary>
    /// The chain is intact, but two or more actions were recorded with one (instance, action number):
    /// <see cref="AuditVerificationResult.Forks"/> lists them.
    /// </summary>
    Forked,
}

/// <summary>The outcome of recomputing the chain.</summary>
public sealed record AuditVerificationResult
{
    public required AuditVerificationStatus Status { get; init; }

    /// <summary>Rows whose hash was recomputed.</summary>
    public required long RowsChecked { get; init; }

    public required AuditChainHead Head { get; init; }

    /// <summary>The first sequence number at which the chain is broken (the first missing one for gaps and tails).</summary>
    public long? FirstBadSeq { get; init; }

    /// <summary>The latest anchor compared against, if any (for <see cref="AuditVerificationStatus.ChainReplaced"/>: the other chain's).</summary>
    public AuditAnchor? Anchor { get; init; }

    public required string Message { get; init; }

    /// <summary>(instance, action number) pairs held by more than one row: an error (<see cref="AuditVerificationStatus.Forked"/>).</summary>
    public IReadOnlyList<AuditFork> Forks { get; init; } = [];

    /// <summary>The <c>action.superseded</c> rows: forks the registry refused. Warnings; the result can still be OK.</summary>
    public IReadOnlyList<AuditSupersession> Supersessions { get; init; } = [];

    public bool IsOk => Status == AuditVerificationStatus.Ok;
}

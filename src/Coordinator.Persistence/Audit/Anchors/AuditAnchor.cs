namespace Coordinator.Persistence.Audit.Anchors;

/// <summary>
/// The chain head copied outside the database at <see cref="AnchoredAt"/>: a row with this
/// <see cref="Seq"/> and <see cref="Hash"/> (lowercase hex) must exist in the chain forever.
/// </summary>
/// <param name="DatabaseName">The database the chain lives in (<c>current_database()</c>).</param>
/// <param name="SystemIdentifier">
/// The PostgreSQL cluster's system identifier (<c>pg_control_system()</c>), null when the role may not read it.
/// With <see cref="DatabaseName"/> it finds the anchors of a database whatever its chain head says, so a
/// replaced chain (a new <c>chain_id</c>, rows truncated or rewritten) is detected.
/// </param>
/// <param name="FirstHash">The hash of row 1 (lowercase hex): the same chain under another <c>chain_id</c> is found by it.</param>
/// <remarks>Anchors written before these fields existed have them null; they are found by chain id only.</remarks>
public sealed record AuditAnchor(
    Guid ChainId,
    long Seq,
    string Hash,
    DateTimeOffset HeadUpdatedAt,
    DateTimeOffset AnchoredAt,
    string? DatabaseName = null,
    string? SystemIdentifier = null,
    string? FirstHash = null);

namespace Coordinator.Core.Ports;

/// <summary>
/// The append-only, tamper-evident audit registry. Implementations serialize appends so the
/// sequence is gapless and the hash chain never forks.
/// </summary>
public interface IAuditLog
{
    /// <summary>
    /// Appends the entries in order, atomically. Entries whose <see cref="AuditEntry.IdempotencyKey"/>
    /// is already recorded (or repeated within the batch) are skipped. An entry whose detail carries
    /// the engine's action number (<c>sequence</c>) is refused when another action of the same
    /// instance already holds that number: the registry keeps the first and records the refusal as an
    /// <c>action.superseded</c> entry (verdict WARN, key <c>{refused key}:superseded</c>) instead of forking.
    /// </summary>
    Task<AuditAppendResult> AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default);
}

namespace Coordinator.Core.Ports;

/// <summary>
/// The append-only, tamper-evident audit registry. Implementations serialize appends so the
/// sequence is gapless and the hash chain never forks.
/// </summary>
public interface IAuditLog
{
    /// <summary>
    /// Appends the entries in order, atomically. Entries whose <see cref="AuditEntry.IdempotencyKey"/>
    /// is already recorded (or repeated within the batch) are skipped.
    /// </summary>
    Task<AuditAppendResult> AppendAsync(IReadOnlyList<AuditEntry> entries, CancellationToken cancellationToken = default);
}

namespace Coordinator.Persistence.Audit;

/// <summary>One stored <c>audit_log</c> row.</summary>
/// <param name="Detail">The jsonb detail as PostgreSQL renders it.</param>
/// <param name="PrevHash">Lowercase hex.</param>
/// <param name="Hash">Lowercase hex.</param>
public sealed record AuditRecord(
    long Seq,
    DateTimeOffset At,
    string InstanceId,
    string WorkflowId,
    int WorkflowVersion,
    string? BusinessKey,
    string? StepId,
    string Action,
    string Actor,
    string Verdict,
    string Detail,
    string IdempotencyKey,
    string PrevHash,
    string Hash)
{
    internal static AuditRecord From(AuditRowContent row, byte[] prevHash, byte[] hash) => new(
        row.Seq,
        new DateTimeOffset(row.At, TimeSpan.Zero),
        row.InstanceId,
        row.WorkflowId,
        row.WorkflowVersion,
        row.BusinessKey,
        row.StepId,
        row.Action,
        row.Actor,
        row.Verdict,
        row.Detail,
        row.IdempotencyKey,
        Convert.ToHexStringLower(prevHash),
        Convert.ToHexStringLower(hash));
}

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
    string Hash);

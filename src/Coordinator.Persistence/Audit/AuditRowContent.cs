namespace Coordinator.Persistence.Audit;

/// <summary>The hashed columns of one <c>audit_log</c> row, in canonical order.</summary>
/// <param name="At">UTC, microsecond precision (PostgreSQL's).</param>
/// <param name="Detail">The detail as PostgreSQL renders the stored jsonb (<c>detail::text</c>).</param>
internal readonly record struct AuditRowContent(
    long Seq,
    DateTime At,
    string InstanceId,
    string WorkflowId,
    int WorkflowVersion,
    string? BusinessKey,
    string? StepId,
    string Action,
    string Actor,
    string Verdict,
    string Detail,
    string IdempotencyKey);

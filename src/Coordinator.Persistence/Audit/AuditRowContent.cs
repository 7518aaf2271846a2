namespace Coordinator.Persistence.Audit;

/// <summary>
/// The hashed columns of one <c>audit_log</c> row. Their order (the canonical row's, the SELECT
/// lists', the parameters of <c>audit_append()</c>) is <see cref="AuditColumns"/>'; readers fill one
/// instance per row (<see cref="AuditColumns.Read"/>, <see cref="AuditColumns.ReadAsync"/>).
/// </summary>
internal sealed class AuditRowContent
{
    public long Seq { get; set; }

    /// <summary>UTC, microsecond precision (PostgreSQL's).</summary>
    public DateTime At { get; set; }

    public string InstanceId { get; set; } = "";

    public string WorkflowId { get; set; } = "";

    public int WorkflowVersion { get; set; }

    public string? BusinessKey { get; set; }

    public string? StepId { get; set; }

    public string Action { get; set; } = "";

    public string Actor { get; set; } = "";

    public string Verdict { get; set; } = "";

    /// <summary>The detail as PostgreSQL renders the stored jsonb (<c>detail::text</c>).</summary>
    public string Detail { get; set; } = "{}";

    public string IdempotencyKey { get; set; } = "";
}

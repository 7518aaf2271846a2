using Npgsql;

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
    string IdempotencyKey)
{
    /// <summary>The hashed columns in canonical order, as every reader of the table selects them first.</summary>
    public const string SelectColumns =
        "seq, at, instance_id, workflow_id, workflow_version, business_key, step_id, action, actor, verdict, detail::text, idempotency_key";

    /// <summary>Reads the row's columns 0–11, selected as <see cref="SelectColumns"/>.</summary>
    public static AuditRowContent Read(NpgsqlDataReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return new(
            reader.GetInt64(0),
            reader.GetDateTime(1),
            reader.GetString(2),
            reader.GetString(3),
            reader.GetInt32(4),
            reader.IsDBNull(5) ? null : reader.GetString(5),
            reader.IsDBNull(6) ? null : reader.GetString(6),
            reader.GetString(7),
            reader.GetString(8),
            reader.GetString(9),
            reader.GetString(10),
            reader.GetString(11));
    }
}

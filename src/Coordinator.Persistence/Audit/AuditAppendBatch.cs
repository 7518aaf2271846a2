using Coordinator.Core.Ports;
using Npgsql;
using NpgsqlTypes;

namespace Coordinator.Persistence.Audit;

/// <summary>The entries of one append as column arrays, the parameters of <c>audit_append()</c> (migration 0006).</summary>
internal sealed class AuditAppendBatch(int capacity)
{
    private readonly List<DateTime> _at = new(capacity);
    private readonly List<string> _instanceId = new(capacity);
    private readonly List<string> _workflowId = new(capacity);
    private readonly List<int> _workflowVersion = new(capacity);
    private readonly List<string?> _businessKey = new(capacity);
    private readonly List<string?> _stepId = new(capacity);
    private readonly List<string> _action = new(capacity);
    private readonly List<string> _actor = new(capacity);
    private readonly List<string> _verdict = new(capacity);
    private readonly List<string> _detail = new(capacity);
    private readonly List<string> _idempotencyKey = new(capacity);

    public int Count => _idempotencyKey.Count;

    public void Add(AuditEntry entry, string detail)
    {
        _at.Add(AuditRowHasher.TruncateToMicroseconds(entry.At));
        _instanceId.Add(entry.InstanceId);
        _workflowId.Add(entry.WorkflowId);
        _workflowVersion.Add(entry.WorkflowVersion);
        _businessKey.Add(entry.BusinessKey);
        _stepId.Add(entry.StepId);
        _action.Add(entry.Action);
        _actor.Add(entry.Actor);
        _verdict.Add(AuditVerdicts.ToColumn(entry.Verdict));
        _detail.Add(detail);
        _idempotencyKey.Add(entry.IdempotencyKey);
    }

    /// <summary>Adds $1..$11 in the parameter order of <c>audit_append()</c>.</summary>
    public void AddParameters(NpgsqlParameterCollection parameters)
    {
        parameters.Add(new NpgsqlParameter { Value = _at.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        parameters.Add(new NpgsqlParameter { Value = _instanceId.ToArray() });
        parameters.Add(new NpgsqlParameter { Value = _workflowId.ToArray() });
        parameters.Add(new NpgsqlParameter { Value = _workflowVersion.ToArray() });
        parameters.Add(new NpgsqlParameter { Value = _businessKey.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        parameters.Add(new NpgsqlParameter { Value = _stepId.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        parameters.Add(new NpgsqlParameter { Value = _action.ToArray() });
        parameters.Add(new NpgsqlParameter { Value = _actor.ToArray() });
        parameters.Add(new NpgsqlParameter { Value = _verdict.ToArray() });
        parameters.Add(new NpgsqlParameter { Value = _detail.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        parameters.Add(new NpgsqlParameter { Value = _idempotencyKey.ToArray() });
    }
}

using Npgsql;

namespace Coordinator.Persistence.Audit;

/// <summary>Column arrays of a batch of audit rows, bound as the parameters of one <c>unnest</c> INSERT.</summary>
internal sealed class AuditRowArrays(int capacity)
{
    private readonly List<long> _seq = new(capacity);
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
    private readonly List<byte[]> _prevHash = new(capacity);
    private readonly List<byte[]> _hash = new(capacity);

    public int Count => _seq.Count;

    public void Add(in AuditRowContent row, byte[] prevHash, byte[] hash)
    {
        _seq.Add(row.Seq);
        _at.Add(row.At);
        _instanceId.Add(row.InstanceId);
        _workflowId.Add(row.WorkflowId);
        _workflowVersion.Add(row.WorkflowVersion);
        _businessKey.Add(row.BusinessKey);
        _stepId.Add(row.StepId);
        _action.Add(row.Action);
        _actor.Add(row.Actor);
        _verdict.Add(row.Verdict);
        _detail.Add(row.Detail);
        _idempotencyKey.Add(row.IdempotencyKey);
        _prevHash.Add(prevHash);
        _hash.Add(hash);
    }

    /// <summary>Adds $1..$14 in the column order of the INSERT (hash columns last).</summary>
    public void AddParameters(NpgsqlParameterCollection parameters)
    {
        parameters.Add(new NpgsqlParameter { Value = _seq.ToArray() });
        parameters.Add(new NpgsqlParameter { Value = _at.ToArray() });
        parameters.Add(new NpgsqlParameter { Value = _instanceId.ToArray() });
        parameters.Add(new NpgsqlParameter { Value = _workflowId.ToArray() });
        parameters.Add(new NpgsqlParameter { Value = _workflowVersion.ToArray() });
        parameters.Add(new NpgsqlParameter { Value = _businessKey.ToArray() });
        parameters.Add(new NpgsqlParameter { Value = _stepId.ToArray() });
        parameters.Add(new NpgsqlParameter { Value = _action.ToArray() });
        parameters.Add(new NpgsqlParameter { Value = _actor.ToArray() });
        parameters.Add(new NpgsqlParameter { Value = _verdict.ToArray() });
        parameters.Add(new NpgsqlParameter { Value = _detail.ToArray() });
        parameters.Add(new NpgsqlParameter { Value = _idempotencyKey.ToArray() });
        parameters.Add(new NpgsqlParameter { Value = _prevHash.ToArray() });
        parameters.Add(new NpgsqlParameter { Value = _hash.ToArray() });
    }
}

namespace Coordinator.Persistence.Audit;

/// <summary>Which audit rows to read: those of one instance, or of one business key.</summary>
public sealed record AuditQuery
{
    private AuditQuery(string? instanceId, string? businessKey)
    {
        InstanceId = instanceId;
        BusinessKey = businessKey;
    }

    public string? InstanceId { get; }

    public string? BusinessKey { get; }

    public static AuditQuery ForInstance(string instanceId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(instanceId);
        return new AuditQuery(instanceId, null);
    }

    public static AuditQuery ForBusinessKey(string businessKey)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(businessKey);
        return new AuditQuery(null, businessKey);
    }

    public override string ToString() => InstanceId is not null ? $"instance '{InstanceId}'" : $"business key '{BusinessKey}'";
}

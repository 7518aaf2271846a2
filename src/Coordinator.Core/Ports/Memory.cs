namespace Coordinator.Core.Ports;

/// <summary>
/// Something worth remembering about an instance (a block and its reason, a decision, a completion
/// note, a reassignment), stored for later recall (full-text and vector search).
/// </summary>
public sealed record MemoryRecord
{
    /// <summary>Instance id + action key.</summary>
    public required string IdempotencyKey { get; init; }

    public required string InstanceId { get; init; }

    public required string WorkflowId { get; init; }

    public string? BusinessKey { get; init; }

    public string? StepId { get; init; }

    /// <summary>The coordination action's wire name (<c>step.blocked</c>, <c>decision.made</c>, ...).</summary>
    public required string Kind { get; init; }

    /// <summary>The person whose event it was.</summary>
    public string? By { get; init; }

    public required DateTimeOffset At { get; init; }

    /// <summary>The text to remember, one self-contained sentence.</summary>
    public required string Text { get; init; }
}

/// <summary>The coordinator's long-term memory.</summary>
public interface IMemoryStore
{
    /// <summary>Stores the record. Idempotent by <see cref="MemoryRecord.IdempotencyKey"/>; throws when it cannot be stored.</summary>
    Task<SideEffectOutcome> RecordAsync(MemoryRecord record, CancellationToken cancellationToken = default);
}

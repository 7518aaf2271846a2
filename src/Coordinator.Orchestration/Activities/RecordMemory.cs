using Coordinator.Core.Ports;
using Microsoft.DurableTask;

namespace Coordinator.Orchestration.Activities;

/// <summary>Input of <see cref="RecordMemory"/>.</summary>
public sealed record RecordMemoryRequest(MemoryRecord Record)
{
    /// <summary>The trace context of the step event whose turn asked for this effect (see <see cref="Core.Engine.HumanEvent.TraceParent"/>); null for timer turns and retries of older instances.</summary>
    public string? TraceParent { get; init; }
}

/// <summary>Output of <see cref="RecordMemory"/>.</summary>
public sealed record RecordMemoryResult(SideEffectOutcome Outcome)
{
    /// <summary>The idempotency key of the effect this answers (the orchestrator checks it: see <see cref="AppendAuditEntriesRequest.Fingerprint"/>).</summary>
    public string? IdempotencyKey { get; init; }
}

/// <summary>Activity: stores one block, decision, reassignment or completion note in <see cref="IMemoryStore"/>.</summary>
public sealed class RecordMemory(IMemoryStore memory) : TaskActivity<RecordMemoryRequest, RecordMemoryResult>
{
    public override async Task<RecordMemoryResult> RunAsync(TaskActivityContext context, RecordMemoryRequest input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var span = CoordinatorTelemetry.StartEffect(nameof(RecordMemory), input.TraceParent, input.Record.WorkflowId);
        return new RecordMemoryResult(await memory.RecordAsync(input.Record).ConfigureAwait(false)) { IdempotencyKey = input.Record.IdempotencyKey };
    }
}

using Coordinator.Core.Ports;
using Microsoft.DurableTask;

namespace Coordinator.Orchestration.Activities;

/// <summary>Input of <see cref="UpdateCrm"/>.</summary>
public sealed record UpdateCrmRequest(CrmUpdate Update)
{
    /// <summary>The trace context of the step event whose turn asked for this effect (see <see cref="Core.Engine.HumanEvent.TraceParent"/>); null for timer turns and retries of older instances.</summary>
    public string? TraceParent { get; init; }
}

/// <summary>Output of <see cref="UpdateCrm"/>.</summary>
public sealed record UpdateCrmResult(SideEffectOutcome Outcome)
{
    /// <summary>The idempotency key of the effect this answers (the orchestrator checks it: see <see cref="AppendAuditEntriesRequest.Fingerprint"/>).</summary>
    public string? IdempotencyKey { get; init; }
}

/// <summary>Activity: mirrors one change of an instance's progress on its CRM record through <see cref="ICrmUpdater"/>.</summary>
public sealed class UpdateCrm(ICrmUpdater crm) : TaskActivity<UpdateCrmRequest, UpdateCrmResult>
{
    public override async Task<UpdateCrmResult> RunAsync(TaskActivityContext context, UpdateCrmRequest input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var span = CoordinatorTelemetry.StartEffect(nameof(UpdateCrm), input.TraceParent, input.Update.WorkflowId);
        return new UpdateCrmResult(await crm.UpdateAsync(input.Update).ConfigureAwait(false)) { IdempotencyKey = input.Update.IdempotencyKey };
    }
}

using Coordinator.Core.Ports;
using Microsoft.DurableTask;

namespace Coordinator.Orchestration.Activities;

/// <summary>Input of <see cref="ProjectWork"/>: what the instance waits on after a turn.</summary>
/// <param name="IdempotencyKey">The effect's key: <c>{instance id}:work/{version}</c>.</param>
public sealed record ProjectWorkRequest(string IdempotencyKey, InstanceWork Work)
{
    /// <summary>The trace context of the step event whose turn asked for this effect (see <see cref="Core.Engine.HumanEvent.TraceParent"/>); null for timer turns and retries of older instances.</summary>
    public string? TraceParent { get; init; }
}

/// <summary>Output of <see cref="ProjectWork"/>.</summary>
/// <param name="Written">False when a newer snapshot of the instance was already stored (this one was ignored).</param>
public sealed record ProjectWorkResult(bool Written)
{
    /// <summary>The idempotency key of the effect this answers (the orchestrator checks it: see <see cref="AppendAuditEntriesRequest.Fingerprint"/>).</summary>
    public string? IdempotencyKey { get; init; }
}

/// <summary>Activity: writes the instance's open work to the read model every channel reads (<see cref="IWorkProjection"/>).</summary>
public sealed class ProjectWork(IWorkProjection projection) : TaskActivity<ProjectWorkRequest, ProjectWorkResult>
{
    public override async Task<ProjectWorkResult> RunAsync(TaskActivityContext context, ProjectWorkRequest input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var span = CoordinatorTelemetry.StartEffect(nameof(ProjectWork), input.TraceParent, input.Work.Instance.WorkflowId);
        return new ProjectWorkResult(await projection.ProjectAsync(input.Work).ConfigureAwait(false)) { IdempotencyKey = input.IdempotencyKey };
    }
}

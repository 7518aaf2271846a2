namespace Coordinator.Core.Ports;

/// <summary>
/// What the running instances of one workflow hold right now, for a dashboard: read from the read
/// models (the "waiting on" projection and the audit registry), so every host reports the same
/// fleet-wide figures.
/// </summary>
/// <param name="InstancesRunning">Instances started and not completed.</param>
/// <param name="StepsActive">Task steps waiting on their owners.</param>
/// <param name="StepsBlocked">Steps blocked and waiting on a decision about the block.</param>
/// <param name="DecisionsWaiting">Decision steps waiting on their deciders.</param>
/// <param name="StepsOverdue">Waiting steps (any of the three) whose due moment has passed in the instance's workflow time.</param>
/// <param name="EffectsPendingRetry">Side effects (notifications, CRM updates, memory records, the projection) that failed and wait for a durable retry.</param>
public sealed record WorkflowWorkload(
    string WorkflowId,
    long InstancesRunning,
    long StepsActive,
    long StepsBlocked,
    long DecisionsWaiting,
    long StepsOverdue,
    long EffectsPendingRetry);

/// <summary>Reads the <see cref="WorkflowWorkload"/> of every workflow with running instances.</summary>
public interface IWorkloadReader
{
    /// <summary>One row per workflow with running instances, ordered by workflow id; overdue as of <paramref name="now"/>.</summary>
    Task<IReadOnlyList<WorkflowWorkload>> ReadAsync(DateTimeOffset now, CancellationToken cancellationToken = default);
}

using Coordinator.Core.Engine;

namespace Coordinator.Orchestration;

/// <summary>
/// The custom status of a coordinator orchestration, set after every turn: what an HTTP API needs to
/// answer <c>GET /api/instances/{id}</c> and to validate an event up front (409) without reading the
/// orchestration's history. Read it with <c>metadata.ReadCustomStatusAs&lt;CoordinatorStatus&gt;()</c>.
/// </summary>
/// <param name="Instance">The engine state itself (JSON round-trips losslessly), so an API can run <see cref="CoordinationEngine.Validate"/> on it.</param>
/// <param name="Progress">The orchestrator's bookkeeping; <see cref="CoordinatorProgress.WorkflowNow"/> is the workflow time the snapshot was taken at.</param>
/// <param name="NextWakeUp">The workflow time of the next reminder, escalation or summary; null when only a human event can change anything.</param>
/// <param name="TimeScale">How many times faster than declared the instance runs.</param>
public sealed record CoordinatorStatus(
    InstanceState Instance,
    CoordinatorProgress Progress,
    DateTimeOffset? NextWakeUp,
    double TimeScale);

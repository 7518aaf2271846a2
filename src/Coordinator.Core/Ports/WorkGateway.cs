using Coordinator.Core.Definitions;
using Coordinator.Core.Engine;

namespace Coordinator.Core.Ports;

/// <summary>The workflows a host serves, as integrations see them (to match a CRM event to the definition it starts).</summary>
public interface IServedWorkflows
{
    /// <summary>The latest version of every workflow the host serves.</summary>
    IReadOnlyList<WorkflowDefinition> Latest { get; }
}

/// <summary>What became of a start an integration asked for.</summary>
/// <param name="InstanceId">The instance started or found; null when refused.</param>
/// <param name="AlreadyExisted">An instance with this (workflow, business key) was there already; nothing new was started.</param>
/// <param name="Problem">Why it was refused (what is wrong and what to send instead); null when accepted.</param>
/// <param name="Field">The request field at fault when refused (<c>businessKey</c>, <c>context.deal_owner</c>).</param>
public sealed record GatewayStart(string? InstanceId, bool AlreadyExisted, string? Problem, string? Field = null)
{
    public bool Accepted => Problem is null;
}

/// <summary>What became of a step event an integration submitted.</summary>
public enum GatewayEventKind
{
    /// <summary>The instance applied it.</summary>
    Applied,

    /// <summary>Raised; the instance has not taken it up within the wait (its outcome shows in the instance later).</summary>
    Accepted,

    /// <summary>The engine refused it (the reason says why).</summary>
    Rejected,

    /// <summary>No such instance (or no instance of the workflow with that business key).</summary>
    UnknownInstance,

    /// <summary>The instance's workflow has no such step.</summary>
    UnknownStep,
}

/// <summary>The outcome of a submitted step event.</summary>
public sealed record GatewayEvent(GatewayEventKind Kind, string? InstanceId, string? Reason = null);

/// <summary>
/// The application core as integrations see it (HubSpot, CloudEvents): start an instance, idempotent on (workflow,
/// business key), and submit a step event, idempotent on the event's id; the same checks and outcomes as the HTTP
/// API. The hosts implement it on their <c>CoordinatorService</c>. Throws when the backend is out of reach.
/// </summary>
public interface IWorkGateway
{
    Task<GatewayStart> StartAsync(string workflowId, string? businessKey, IReadOnlyDictionary<string, string> context, CancellationToken cancellationToken = default);

    /// <summary>Submits <paramref name="humanEvent"/> to <paramref name="instanceId"/>, or, when that is null, to the instance of (<paramref name="workflowId"/>, <paramref name="businessKey"/>).</summary>
    Task<GatewayEvent> SubmitAsync(string? instanceId, string? workflowId, string? businessKey, HumanEvent humanEvent, CancellationToken cancellationToken = default);
}

using System.Text.Json;

namespace Coordinator.Core.Ports;

/// <summary>
/// One coordination action or human event to record in the audit registry. The registry assigns
/// the sequence number and the hash chain; everything here is what the caller knows.
/// </summary>
/// <remarks>
/// Store person ids in <see cref="Actor"/> and <see cref="Detail"/>, never names or contact details.
/// </remarks>
public sealed record AuditEntry
{
    /// <summary>The actor recorded for actions the coordinator takes by itself.</summary>
    public const string CoordinatorActor = "coordinator";

    /// <summary>
    /// Deterministic key of the action (for example instance id + step id + action + sequence):
    /// appending an entry whose key is already recorded is a no-op, so replayed or retried
    /// activities never write the same action twice.
    /// </summary>
    public required string IdempotencyKey { get; init; }

    /// <summary>When the action happened (microsecond precision is kept; finer ticks are dropped).</summary>
    public required DateTimeOffset At { get; init; }

    public required string InstanceId { get; init; }

    public required string WorkflowId { get; init; }

    public required int WorkflowVersion { get; init; }

    /// <summary>The business identifier of the instance (claim number, customer id), if the workflow declares one.</summary>
    public string? BusinessKey { get; init; }

    public string? StepId { get; init; }

    /// <summary>What happened, dotted lowercase: <c>step.activated</c>, <c>reminder</c>, <c>decision.made</c> (the engine's action types), ...</summary>
    public required string Action { get; init; }

    /// <summary>A person id, or <see cref="CoordinatorActor"/>.</summary>
    public required string Actor { get; init; }

    public AuditVerdict Verdict { get; init; } = AuditVerdict.Allow;

    /// <summary>
    /// Structured detail of the action (a JSON value); null records an empty object. A top-level
    /// <c>sequence</c> is the engine's action number within the instance (part of the registry's
    /// public contract): the registry records at most one action per (instance, sequence).
    /// </summary>
    public JsonElement? Detail { get; init; }

    /// <summary>
    /// An action of a component outside any instance (a channel, the CloudEvents relay, the CRM): its trail is the
    /// pseudo-instance <c>{component}:{name}</c> of workflow <paramref name="workflowId"/> (version 0), and its key
    /// <c>{component}:{name}:{action}:{key}</c>, so the same refusal or delay is recorded once.
    /// </summary>
    public static AuditEntry OutsideInstances(
        string component, string name, string workflowId, string action, AuditVerdict verdict, string actor, string key, object detail, DateTimeOffset at) => new()
    {
        IdempotencyKey = $"{component}:{name}:{action}:{key}",
        At = at,
        InstanceId = $"{component}:{name}",
        WorkflowId = workflowId,
        WorkflowVersion = 0,
        Action = action,
        Actor = actor,
        Verdict = verdict,
        Detail = JsonSerializer.SerializeToElement(detail),
    };
}

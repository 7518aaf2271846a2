using Coordinator.Core.Engine;

namespace Coordinator.Application;

/// <summary>An instance as every channel shows it (the API's <c>GET /api/instances/{id}</c>).</summary>
/// <param name="Context">The start context the instance was started with (roles' people, conditions, other details).</param>
public sealed record InstanceView(
    string InstanceId,
    string WorkflowId,
    int WorkflowVersion,
    string? BusinessKey,
    IReadOnlyDictionary<string, string> Context,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUpdatedAt,
    DateTimeOffset? WorkflowNow,
    DateTimeOffset? NextWakeUp,
    IReadOnlyList<StepView> Steps)
{
    /// <summary>Why the instance failed; null unless its status is <c>failed</c>.</summary>
    public FailureView? Failure { get; init; }

    /// <summary>Set while the instance waits for the audit store (PostgreSQL unreachable): it goes on by itself when the store is back.</summary>
    public Coordinator.Orchestration.WaitingFor? WaitingFor { get; init; }

    /// <summary>How many best-effort effects wait for a durable retry.</summary>
    public int PendingEffectCount { get; init; }

    /// <summary>The first of them (at most 10).</summary>
    public IReadOnlyList<Coordinator.Orchestration.PendingEffectView> PendingEffects { get; init; } = [];

    /// <summary>
    /// Whether people's work lists (<c>GET /api/people/{id}/work</c>, the inbox) show the instance as
    /// it is here: they follow each turn a moment after it (false meanwhile, and while their store is away).
    /// </summary>
    public bool WorkListed { get; init; }
}

/// <summary>One step of an instance.</summary>
public sealed record StepView(
    string StepId,
    string Title,
    string Status,
    IReadOnlyList<string> Owners,
    DateTimeOffset? ActivatedAt,
    DateTimeOffset? DueAt,
    DateTimeOffset? FinishedAt,
    DateTimeOffset? LastActivityAt,
    DateTimeOffset? NextReminderAt,
    int EscalationLevel,
    string? BlockReason,
    string? Decision);

/// <summary>Why an instance failed (a bug or a broken input): the error type and message.</summary>
public sealed record FailureView(string Type, string Message);

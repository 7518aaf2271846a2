using Coordinator.Orchestration.Activities;

namespace Coordinator.Orchestration;

/// <summary>The kinds of best-effort side effects.</summary>
public static class EffectKinds
{
    public const string Notify = "notify";
    public const string Crm = "crm";
    public const string Memory = "memory";

    /// <summary>The read model of open work (what waits for whom).</summary>
    public const string Work = "work";
}

/// <summary>
/// A best-effort side effect that failed its in-turn attempts and waits for its next durable retry,
/// under its original idempotency key (so it happens once when the dependency returns). Exactly one
/// of the request properties is set, the one of <see cref="Kind"/>.
/// </summary>
/// <param name="Kind">One of <see cref="EffectKinds"/>.</param>
/// <param name="IdempotencyKey">The effect's key: <c>{instance id}:{action key}</c>.</param>
/// <param name="StepId">The step of the action, if any.</param>
/// <param name="Failures">How many times it failed so far (each after its in-turn retries).</param>
/// <param name="FirstFailedAt">Real time of the first failure.</param>
/// <param name="NextAttemptAt">Real time of the next retry.</param>
/// <param name="LastError">The last error: type and message, truncated.</param>
public sealed record PendingEffect(
    string Kind,
    string IdempotencyKey,
    string? StepId,
    int Failures,
    DateTimeOffset FirstFailedAt,
    DateTimeOffset NextAttemptAt,
    string LastError)
{
    public NotifyPeopleRequest? Notify { get; init; }
    public UpdateCrmRequest? Crm { get; init; }
    public RecordMemoryRequest? Memory { get; init; }
    public ProjectWorkRequest? Work { get; init; }
}

/// <summary>What an instance waits for before it can go on: the audit store, since when, and the last error.</summary>
/// <param name="Store">"audit".</param>
/// <param name="Since">Real time of the first failed attempt.</param>
/// <param name="Attempts">Failed attempts so far.</param>
/// <param name="LastError">The last error: type and message, truncated.</param>
/// <param name="NextAttemptAt">Real time of the next attempt.</param>
public sealed record WaitingFor(string Store, DateTimeOffset Since, int Attempts, string LastError, DateTimeOffset NextAttemptAt);

/// <summary>The outcome of one human event that carried an <see cref="Core.Engine.HumanEvent.EventId"/>.</summary>
/// <param name="EventId">The id the channel gave the event.</param>
/// <param name="Applied">True when the engine applied it; false when it rejected it.</param>
/// <param name="Reason">The engine's reason when rejected.</param>
/// <param name="Sequence">The engine action number of the event's own first action (<c>step.completed</c>, <c>event.rejected</c>, ...).</param>
/// <param name="At">The workflow time the event was applied at.</param>
public sealed record EventOutcome(string EventId, bool Applied, string? Reason, long Sequence, DateTimeOffset At);

using Coordinator.Core.Engine;

namespace Coordinator.Orchestration;

/// <summary>
/// The custom status of a coordinator orchestration, set after every turn: what an HTTP API needs to
/// answer <c>GET /api/instances/{id}</c> and to validate an event up front (409) without reading the
/// orchestration's history. Read it with <c>metadata.ReadCustomStatusAs&lt;CoordinatorStatus&gt;()</c>.
/// It stays small whatever happens (see <see cref="Bounded"/>): the start context is left out (it is in
/// the input) and long texts are cut, because the Durable backends limit its size; the full texts are
/// in the audit registry.
/// </summary>
/// <param name="Instance">The engine state (without its start context when <see cref="ContextOmitted"/>; take it from the input), so an API can run <see cref="CoordinationEngine.Validate"/> on it.</param>
/// <param name="Progress">The orchestrator's bookkeeping; <see cref="CoordinatorProgress.WorkflowNow"/> is the workflow time the snapshot was taken at.</param>
/// <param name="NextWakeUp">The workflow time of the next reminder, escalation or summary; null when only a human event can change anything.</param>
/// <param name="TimeScale">How many times faster than declared the instance runs.</param>
public sealed record CoordinatorStatus(
    InstanceState Instance,
    CoordinatorProgress Progress,
    DateTimeOffset? NextWakeUp,
    double TimeScale)
{
    /// <summary>Longest text (block reason, outcome) kept per step in the status.</summary>
    public const int MaxTextLength = 500;

    /// <summary>At most this many pending effects are listed (<see cref="PendingEffectCount"/> counts them all).</summary>
    public const int MaxListedEffects = 10;

    /// <summary>At most this many recent event outcomes are kept.</summary>
    public const int MaxRecentEvents = 16;

    /// <summary>True when <see cref="InstanceState.Context"/> was left out of <see cref="Instance"/>: read the context from the input.</summary>
    public bool ContextOmitted { get; init; }

    /// <summary>Set while the instance cannot go on because the audit store refuses its batch: since when, and the last error.</summary>
    public WaitingFor? WaitingFor { get; init; }

    /// <summary>How many best-effort effects wait for a durable retry.</summary>
    public int PendingEffectCount { get; init; }

    /// <summary>The first <see cref="MaxListedEffects"/> of them, without their payloads.</summary>
    public IReadOnlyList<PendingEffectView>? PendingEffects { get; init; }

    /// <summary>The outcomes of the latest human events that carried an id (at most <see cref="MaxRecentEvents"/>), newest last.</summary>
    public IReadOnlyList<EventOutcome>? RecentEvents { get; init; }

    /// <summary>
    /// The engine action number (<see cref="InstanceState.Sequence"/>) up to which the read model of open
    /// work shows the instance: the projection of the turn is written after the turn's status is
    /// published, so a channel that waits for an event's outcome can then wait for this to reach the
    /// event's number before it reads people's work. Null for instances that do not project.
    /// </summary>
    public long? WorkProjectedThrough { get; init; }

    /// <summary>
    /// The status of a turn, bounded: the context is omitted, every step's block reason is cut to
    /// <see cref="MaxTextLength"/> characters, at most <see cref="MaxListedEffects"/> pending effects
    /// and <see cref="MaxRecentEvents"/> outcomes are listed.
    /// </summary>
    public static CoordinatorStatus Bounded(
        InstanceState state, CoordinatorProgress progress, DateTimeOffset? nextWakeUp, double timeScale,
        WaitingFor? waitingFor, IReadOnlyList<PendingEffect> pendingEffects, IReadOnlyList<EventOutcome> recentEvents, long? workProjectedThrough = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(pendingEffects);
        ArgumentNullException.ThrowIfNull(recentEvents);
        var steps = state.Steps.Select(static s => s.BlockReason is { Length: > MaxTextLength } || s.Outcome is { Length: > MaxTextLength }
            ? s with { BlockReason = Cut(s.BlockReason), Outcome = Cut(s.Outcome) }
            : s).ToArray();
        return new CoordinatorStatus(
            state with { Context = EmptyContext, Steps = steps },
            progress,
            nextWakeUp,
            timeScale)
        {
            ContextOmitted = true,
            WaitingFor = waitingFor,
            PendingEffectCount = pendingEffects.Count,
            PendingEffects = pendingEffects.Count == 0 ? null : pendingEffects.Take(MaxListedEffects).Select(PendingEffectView.Of).ToArray(),
            RecentEvents = recentEvents.Count == 0 ? null : recentEvents.TakeLast(MaxRecentEvents).ToArray(),
            WorkProjectedThrough = workProjectedThrough,
        };
    }

    /// <summary>
    /// Whether people's work lists (the read model of open work) show the instance up to action
    /// <paramref name="sequence"/>; always true for an instance that does not project (none to wait for).
    /// </summary>
    public bool WorkShows(long sequence) => WorkProjectedThrough is not { } through || through >= sequence;

    /// <summary>The outcome of the event with id <paramref name="eventId"/> if the status still lists it; null otherwise.</summary>
    public EventOutcome? OutcomeOf(string eventId) => RecentEvents?.LastOrDefault(e => e.EventId == eventId);

    /// <summary>The engine state with its start context: the status's own, or <paramref name="context"/> (from the input) when omitted.</summary>
    public InstanceState InstanceWith(IReadOnlyDictionary<string, string> context) =>
        ContextOmitted ? Instance with { Context = context } : Instance;

    private static readonly IReadOnlyDictionary<string, string> EmptyContext = new Dictionary<string, string>();

    private static string? Cut(string? text) =>
        text is { Length: > MaxTextLength } ? string.Concat(text.AsSpan(0, MaxTextLength - 1), "…") : text;
}

/// <summary>A pending best-effort effect as the status shows it.</summary>
public sealed record PendingEffectView(string Kind, string IdempotencyKey, string? StepId, int Failures, DateTimeOffset FirstFailedAt, DateTimeOffset NextAttemptAt, string LastError)
{
    public static PendingEffectView Of(PendingEffect effect)
    {
        ArgumentNullException.ThrowIfNull(effect);
        return new(effect.Kind, effect.IdempotencyKey, effect.StepId, effect.Failures, effect.FirstFailedAt, effect.NextAttemptAt, effect.LastError);
    }
}

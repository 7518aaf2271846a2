using Coordinator.Core.Definitions;

namespace Coordinator.Core.Engine;

/// <summary>
/// One coordination action the engine decided on (notify someone, record a transition). Immutable
/// and JSON-serializable. <see cref="Key"/> is unique within the instance and identical on every
/// replay, so side effects downstream can be made idempotent with (instance id, key).
/// </summary>
public sealed record CoordinationAction
{
    public required CoordinationActionType Type { get; init; }

    /// <summary>When the action is due (a timer action carries its own due time, not the time the engine ran).</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>1-based position of the action in the instance's history.</summary>
    public required long Sequence { get; init; }

    /// <summary>Deterministic idempotency key, <c>{sequence}:{type}:{step}</c>, e.g. <c>000012:reminder:it-setup</c>.</summary>
    public required string Key { get; init; }

    public string? StepId { get; init; }

    /// <summary>Person ids the action is addressed to (deduplicated, in resolution order).</summary>
    public IReadOnlyList<string> To { get; init; } = [];

    /// <summary>The person whose event caused the action (human-event actions and rejections).</summary>
    public string? By { get; init; }

    /// <summary>1-based escalation level as declared in the definition (escalations only).</summary>
    public int? Level { get; init; }

    /// <summary>Why: the block reason, the rejection reason, the reminder or escalation cause.</summary>
    public string? Reason { get; init; }

    /// <summary>The chosen option or alternative id (<c>decision.made</c>).</summary>
    public string? Option { get; init; }

    /// <summary>The options offered (<c>decision.requested</c>, and <c>step.activated</c> of a decision step).</summary>
    public IReadOnlyList<DecisionOption>? Options { get; init; }

    /// <summary>The step's deadline at the time of the action, where one applies.</summary>
    public DateTimeOffset? Due { get; init; }

    /// <summary>
    /// Free text carried from the human event (progress notes are not actions; done notes are); for an escalation of a
    /// blocked step, the block's reason.
    /// </summary>
    public string? Text { get; init; }

    /// <summary>How long the step has been silent (escalations only), so a channel can say it in the person's language.</summary>
    public TimeSpan? SilentFor { get; init; }

    /// <summary>The running steps (<c>summary</c> only).</summary>
    public IReadOnlyList<StepSnapshot>? Steps { get; init; }
}

/// <summary>One running step as listed in a summary.</summary>
public sealed record StepSnapshot(string StepId, string Title, StepStatus Status, IReadOnlyList<string> Owners, DateTimeOffset? Due);

namespace Coordinator.Core.Engine;

/// <summary>The coordination state of one step of a running instance. Immutable; JSON-serializable.</summary>
public sealed record StepState
{
    public required string StepId { get; init; }

    public StepStatus Status { get; init; } = StepStatus.Pending;

    /// <summary>Person ids of the current owners (resolved from the owning role, or set by a reassign).</summary>
    public IReadOnlyList<string> Owners { get; init; } = [];

    public DateTimeOffset? ActivatedAt { get; init; }

    /// <summary>The deadline (activation + due, moved by <c>extend_due</c> alternatives); null when the step has none.</summary>
    public DateTimeOffset? DueAt { get; init; }

    /// <summary>When the step was done or skipped.</summary>
    public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>The last human event accepted on this step.</summary>
    public DateTimeOffset? LastActivityAt { get; init; }

    /// <summary>Start of the current silence period: activation or the last human event.</summary>
    public DateTimeOffset? SilenceSince { get; init; }

    /// <summary>How many escalation levels (in firing order) have fired in the current silence period.</summary>
    public int EscalationsFired { get; init; }

    /// <summary>Reminders sent to the owner so far (numbers the reminder keys).</summary>
    public int RemindersSent { get; init; }

    /// <summary>When the next reminder is due; null when none is scheduled. Not sent while blocked.</summary>
    public DateTimeOffset? NextReminderAt { get; init; }

    /// <summary>The option chosen on a decision step.</summary>
    public string? Outcome { get; init; }

    /// <summary>The reason of the pending block (status <see cref="StepStatus.Blocked"/>).</summary>
    public string? BlockReason { get; init; }

    /// <summary>Who reported the pending block.</summary>
    public string? BlockedBy { get; init; }

    /// <summary>When the pending block was reported (since then a decision is pending).</summary>
    public DateTimeOffset? BlockedAt { get; init; }

    /// <summary>How many blocks have been reported on this step (numbers the block and decision keys).</summary>
    public int Blocks { get; init; }
}

using Coordinator.Core.Engine;

namespace Coordinator.Orchestration;

/// <summary>
/// The custom status of a coordinator orchestration, set after every turn: what an HTTP API needs to
/// answer <c>GET /api/instances/{id}</c> and to validate an event up front (409) without reading the
/// orchestration's history. Read it with <c>metadata.ReadCustomStatusAs&lt;CoordinatorStatus&gt;()</c>.
/// </summary>
/// <param name="Instance">The engine state, step by step.</param>
/// <param name="Progress">The orchestrator's bookkeeping; <see cref="CoordinatorProgress.WorkflowNow"/> is the workflow time the snapshot was taken at.</param>
/// <param name="NextWakeUp">The workflow time of the next reminder, escalation or summary; null when only a human event can change anything.</param>
/// <param name="TimeScale">How many times faster than declared the instance runs.</param>
public sealed record CoordinatorStatus(
    InstanceSnapshot Instance,
    CoordinatorProgress Progress,
    DateTimeOffset? NextWakeUp,
    double TimeScale);

/// <summary>
/// A JSON-friendly, lossless snapshot of an instance's engine state (<see cref="InstanceState"/>).
/// <see cref="From"/> and <see cref="ToInstanceState"/> convert both ways, so an API can run
/// <see cref="CoordinationEngine.Validate"/> on it.
/// </summary>
public sealed record InstanceSnapshot
{
    public required string DefinitionId { get; init; }
    public required int DefinitionVersion { get; init; }
    public required string DefinitionHash { get; init; }
    public required IReadOnlyDictionary<string, string> Context { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
    public DateTimeOffset? NextSummaryAt { get; init; }
    public int SummariesSent { get; init; }

    /// <summary>Actions produced so far (the sequence number of the latest one).</summary>
    public long Sequence { get; init; }

    /// <summary>One entry per step, in definition order.</summary>
    public required IReadOnlyList<StepStateSnapshot> Steps { get; init; }

    /// <summary>The snapshot of an engine state.</summary>
    public static InstanceSnapshot From(InstanceState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var steps = new StepStateSnapshot[state.Steps.Count];
        for (var i = 0; i < steps.Length; i++)
            steps[i] = StepStateSnapshot.From(state.Steps[i]);
        return new InstanceSnapshot
        {
            DefinitionId = state.DefinitionId,
            DefinitionVersion = state.DefinitionVersion,
            DefinitionHash = state.DefinitionHash,
            Context = state.Context,
            StartedAt = state.StartedAt,
            CompletedAt = state.CompletedAt,
            NextSummaryAt = state.NextSummaryAt,
            SummariesSent = state.SummariesSent,
            Sequence = state.Sequence,
            Steps = steps,
        };
    }

    /// <summary>The engine state the snapshot was taken from.</summary>
    public InstanceState ToInstanceState()
    {
        var steps = new StepState[Steps.Count];
        for (var i = 0; i < steps.Length; i++)
            steps[i] = Steps[i].ToStepState();
        return new InstanceState
        {
            DefinitionId = DefinitionId,
            DefinitionVersion = DefinitionVersion,
            DefinitionHash = DefinitionHash,
            Context = Context,
            StartedAt = StartedAt,
            CompletedAt = CompletedAt,
            NextSummaryAt = NextSummaryAt,
            SummariesSent = SummariesSent,
            Sequence = Sequence,
            Steps = steps,
        };
    }

    /// <summary>The snapshot of a step by id; null when there is no such step.</summary>
    public StepStateSnapshot? FindStep(string stepId) => Steps.FirstOrDefault(s => s.StepId == stepId);
}

/// <summary>Where one step stands (all of <see cref="StepState"/>, under API-friendly names).</summary>
public sealed record StepStateSnapshot
{
    public required string StepId { get; init; }
    public required StepStatus Status { get; init; }
    public required IReadOnlyList<string> Owners { get; init; }
    public DateTimeOffset? ActivatedAt { get; init; }
    public DateTimeOffset? DueAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public DateTimeOffset? LastActivityAt { get; init; }

    /// <summary>The next reminder to the owner; null when none is scheduled (or the step is blocked).</summary>
    public DateTimeOffset? NextReminderAt { get; init; }

    public int RemindersSent { get; init; }

    /// <summary>Start of the current silence period.</summary>
    public DateTimeOffset? SilenceSince { get; init; }

    /// <summary>Escalation levels fired in the current silence period (0 = not escalated).</summary>
    public int EscalationLevel { get; init; }

    /// <summary>The option chosen on a decision step.</summary>
    public string? Outcome { get; init; }

    public string? BlockReason { get; init; }
    public string? BlockedBy { get; init; }
    public DateTimeOffset? BlockedAt { get; init; }

    /// <summary>Blocks reported on the step so far.</summary>
    public int Blocks { get; init; }

    public static StepStateSnapshot From(StepState step)
    {
        ArgumentNullException.ThrowIfNull(step);
        return new StepStateSnapshot
        {
            StepId = step.StepId,
            Status = step.Status,
            Owners = step.Owners,
            ActivatedAt = step.ActivatedAt,
            DueAt = step.DueAt,
            FinishedAt = step.FinishedAt,
            LastActivityAt = step.LastActivityAt,
            NextReminderAt = step.NextReminderAt,
            RemindersSent = step.RemindersSent,
            SilenceSince = step.SilenceSince,
            EscalationLevel = step.EscalationsFired,
            Outcome = step.Outcome,
            BlockReason = step.BlockReason,
            BlockedBy = step.BlockedBy,
            BlockedAt = step.BlockedAt,
            Blocks = step.Blocks,
        };
    }

    public StepState ToStepState() => new()
    {
        StepId = StepId,
        Status = Status,
        Owners = Owners,
        ActivatedAt = ActivatedAt,
        DueAt = DueAt,
        FinishedAt = FinishedAt,
        LastActivityAt = LastActivityAt,
        NextReminderAt = NextReminderAt,
        RemindersSent = RemindersSent,
        SilenceSince = SilenceSince,
        EscalationsFired = EscalationLevel,
        Outcome = Outcome,
        BlockReason = BlockReason,
        BlockedBy = BlockedBy,
        BlockedAt = BlockedAt,
        Blocks = Blocks,
    };
}

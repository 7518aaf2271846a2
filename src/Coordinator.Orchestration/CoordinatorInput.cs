using Coordinator.Core.Definitions;
using Coordinator.Core.Engine;

namespace Coordinator.Orchestration;

/// <summary>
/// The input of <see cref="CoordinatorOrchestrator"/>: one workflow instance, pinned to the
/// definition snapshot it started with (<see cref="WorkflowDefinition.Id"/>, <see cref="WorkflowDefinition.Version"/>
/// and <see cref="WorkflowDefinition.ContentHash"/> identify it), so editing a YAML file only affects new instances
/// and replay never depends on the file system. <see cref="CarryOver"/> is set only by the
/// orchestrator itself when it continues as new.
/// </summary>
public sealed record CoordinatorInput
{
    /// <summary>The default number of engine turns before the orchestration continues as new.</summary>
    public const int DefaultTurnsPerGeneration = 50;

    public required WorkflowDefinition Definition { get; init; }

    /// <summary>The start context (people from <c>from_context</c> roles, fields for <c>when</c> conditions).</summary>
    public required IReadOnlyDictionary<string, string> Context { get; init; }

    /// <summary>The business identifier of the instance (deal id, claim number); see <see cref="Create"/>.</summary>
    public string? BusinessKey { get; init; }

    /// <summary>
    /// How many times faster than declared every workflow duration runs (≥ 1; 1 = real time). The
    /// engine keeps working in workflow time; see <see cref="WorkflowClock"/>.
    /// </summary>
    public double TimeScale { get; init; } = 1;

    /// <summary>Engine turns per orchestration generation before <c>ContinueAsNew</c> bounds the history.</summary>
    public int TurnsPerGeneration { get; init; } = DefaultTurnsPerGeneration;

    /// <summary>How activities (side effects) are retried.</summary>
    public ActivityRetrySettings Retry { get; init; } = ActivityRetrySettings.Default;

    /// <summary>The engine state and bookkeeping carried over by <c>ContinueAsNew</c>; null for a new instance.</summary>
    public CoordinatorCarryOver? CarryOver { get; init; }

    /// <summary>
    /// Whether turns that run late fold missed reminders and summaries (see
    /// <see cref="CoordinatorLoop.FoldGrace"/>). Set for every instance started by this version;
    /// false (absent) in the input of instances started before folding existed, so their replay
    /// makes the same decisions as when they first ran. <c>ContinueAsNew</c> keeps it.
    /// </summary>
    public bool FoldLateTimers { get; init; }

    /// <summary>
    /// Whether every decision is a function of the history (see docs/orchestration.md, "A turn that
    /// runs twice decides the same"): the instance starts at <see cref="RequestedAt"/>, events apply at
    /// the time they were accepted, timer turns advance to their own due time, the audit batch comes
    /// first and is retried until it succeeds, and other side effects never fail the instance. Set for
    /// every instance started by this version; false (absent) for instances started before, which
    /// replay the decisions they made. <c>ContinueAsNew</c> keeps it.
    /// </summary>
    public bool DeterministicTurns { get; init; }

    /// <summary>When the start was accepted (real UTC time): the instance's start time, the same in every execution of its first turn. Null for older instances.</summary>
    public DateTimeOffset? RequestedAt { get; init; }

    /// <summary>Which side effects the instance performs and how they are retried; frozen at the start. Null for older instances (the defaults).</summary>
    public SideEffectPolicy? SideEffects { get; init; }

    /// <summary>
    /// Whether the audit registry arbitrates a turn that runs twice (see docs/orchestration.md): the
    /// first audit entry of every turn records what caused it (<c>detail.turn</c>); a turn whose first
    /// entry the registry refuses (a lost execution recorded another turn at that point) is undone and
    /// the recorded turn is followed instead; every activity result is checked against its request.
    /// Set for every instance started by this version; false (absent) for older ones. <c>ContinueAsNew</c> keeps it.
    /// </summary>
    public bool FollowsRegistry { get; init; }

    /// <summary>
    /// Whether the instance writes what it waits on to the read model of open work after every turn
    /// that changes it (the <c>ProjectWork</c> activity; see <see cref="Core.Ports.InstanceWork"/>). Set for
    /// every instance started by this version; false (absent) for older ones, which replay as they ran
    /// and start projecting with their next generation (<c>ContinueAsNew</c> sets it, with
    /// <see cref="CoordinatorCarryOver.ProjectWorkFirst"/>).
    /// </summary>
    public bool ProjectsWork { get; init; }

    /// <summary>
    /// Whether the instance's CRM updates carry where it stands (<see cref="Core.Ports.CrmUpdate.Standing"/>: health,
    /// steps under way, next due, escalation level) and are also sent on reminders and escalations (the standing moves
    /// to at risk, overdue, a higher level). Set for every instance started by this version; false (absent) for older
    /// ones, which replay the effects they scheduled. <c>ContinueAsNew</c> keeps it.
    /// </summary>
    public bool CrmShowsStanding { get; init; }

    /// <summary>
    /// The input for a new instance. The business key is taken from the start context field the
    /// definition names in <c>business_key</c>, unless given.
    /// </summary>
    public static CoordinatorInput Create(
        WorkflowDefinition definition,
        IReadOnlyDictionary<string, string> context,
        double timeScale = 1,
        string? businessKey = null,
        DateTimeOffset? requestedAt = null,
        SideEffectPolicy? sideEffects = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(context);
        businessKey ??= definition.BusinessKey is { } field && context.TryGetValue(field, out var value) ? value : null;
        return new CoordinatorInput
        {
            Definition = definition,
            Context = context,
            BusinessKey = businessKey,
            TimeScale = timeScale,
            FoldLateTimers = true,
            DeterministicTurns = true,
            FollowsRegistry = true,
            ProjectsWork = true,
            CrmShowsStanding = true,
            RequestedAt = requestedAt,
            SideEffects = sideEffects ?? SideEffectPolicy.Default,
        };
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming what is wrong and how to fix it.</summary>
    public void Validate()
    {
        if (Definition is null)
            throw new ArgumentException("The coordinator input has no workflow definition; start the instance with CoordinatorInput.Create(definition, context).");
        if (Context is null)
            throw new ArgumentException($"The coordinator input for '{Definition.Id}' has no start context; pass an empty dictionary when the workflow needs none.");
        if (!double.IsFinite(TimeScale) || TimeScale < 1)
            throw new ArgumentException($"TimeScale must be a finite number ≥ 1 (1 = real time, 60 = a workflow hour per real minute); got {TimeScale}.");
        if (TurnsPerGeneration < 1)
            throw new ArgumentException($"TurnsPerGeneration must be at least 1 (default {DefaultTurnsPerGeneration}); got {TurnsPerGeneration}.");
        ArgumentNullException.ThrowIfNull(Retry);
        Retry.Validate();
        SideEffects?.Validate();
        if (CarryOver?.State is { } state
            && (state.DefinitionId != Definition.Id || state.DefinitionVersion != Definition.Version || state.DefinitionHash != Definition.ContentHash))
        {
            throw new ArgumentException(
                $"The carried engine state belongs to '{state.DefinitionId}' v{state.DefinitionVersion} ({state.DefinitionHash}) but the input pins "
                + $"'{Definition.Id}' v{Definition.Version} ({Definition.ContentHash}); an instance must continue with the definition it started with.");
        }
    }
}

/// <summary>What <c>ContinueAsNew</c> carries from one orchestration generation to the next.</summary>
/// <param name="State">The engine state.</param>
/// <param name="Progress">The orchestrator's bookkeeping (counters, the workflow clock reading).</param>
/// <param name="PendingEffects">Best-effort effects waiting for their next durable retry.</param>
/// <param name="RecentEvents">The outcomes of the latest human events that carried an id (bounded).</param>
public sealed record CoordinatorCarryOver(
    InstanceState State,
    CoordinatorProgress Progress,
    IReadOnlyList<PendingEffect>? PendingEffects = null,
    IReadOnlyList<EventOutcome>? RecentEvents = null)
{
    /// <summary>A turn whose audit batch the previous generation could not append (a long outage of the audit store); performed first.</summary>
    public UnfinishedTurn? Unfinished { get; init; }

    /// <summary>Events the previous generation had received but not applied yet; applied first (earliest accepted first).</summary>
    public IReadOnlyList<HumanEvent>? Received { get; init; }

    /// <summary>Whether the generation starts by projecting the instance's open work (the first generation of an older instance that projects).</summary>
    public bool ProjectWorkFirst { get; init; }

    /// <summary>How far the read model of open work showed the instance when the previous generation ended (see <see cref="CoordinatorStatus.WorkProjectedThrough"/>).</summary>
    public long? WorkProjectedThrough { get; init; }
}

/// <summary>A turn left unfinished by a generation: its audit batch, and the actions whose best-effort effects still have to run after it.</summary>
public sealed record UnfinishedTurn(Activities.AppendAuditEntriesRequest Audit, IReadOnlyList<CoordinationAction>? EffectsOf)
{
    /// <summary>The outcome of the turn's event, published once its audit batch is in.</summary>
    public EventOutcome? Outcome { get; init; }
}

/// <summary>The orchestrator's bookkeeping across the whole life of an instance (all generations).</summary>
/// <param name="WorkflowNow">The workflow time of the latest turn; the workflow clock never runs backwards.</param>
/// <param name="Generation">0 for the first orchestration execution, +1 at every <c>ContinueAsNew</c>.</param>
/// <param name="Turns">Engine calls so far.</param>
/// <param name="ActionCount">Coordination actions performed so far.</param>
/// <param name="EventsProcessed">Human events applied so far (accepted or rejected).</param>
/// <param name="EventsRejected">Human events the engine rejected.</param>
/// <param name="LastEventAt">The workflow time at which the latest human event was applied.</param>
public sealed record CoordinatorProgress(
    DateTimeOffset WorkflowNow,
    int Generation = 0,
    int Turns = 0,
    long ActionCount = 0,
    int EventsProcessed = 0,
    int EventsRejected = 0,
    DateTimeOffset? LastEventAt = null);

/// <summary>The retry policy of the side-effect activities (exponential backoff; real time, not scaled).</summary>
/// <param name="MaxAttempts">Attempts in total, the first included.</param>
/// <param name="FirstRetryInterval">The wait before the second attempt.</param>
/// <param name="BackoffCoefficient">How much each wait grows.</param>
/// <param name="MaxRetryInterval">The longest wait between attempts.</param>
public sealed record ActivityRetrySettings(int MaxAttempts, TimeSpan FirstRetryInterval, double BackoffCoefficient, TimeSpan MaxRetryInterval)
{
    /// <summary>
    /// 3 attempts, waiting 2 s and 4 s in between: the in-turn retries of a best-effort effect. What
    /// still fails is retried on <see cref="SideEffectPolicy.EffectRetrySchedule"/> without holding up
    /// the instance. (Instances started before side effects were best-effort keep the 5 attempts,
    /// 5 s to 40 s apart, written in their input.)
    /// </summary>
    public static readonly ActivityRetrySettings Default = new(3, TimeSpan.FromSeconds(2), 2.0, TimeSpan.FromSeconds(10));

    public void Validate()
    {
        if (MaxAttempts < 1)
            throw new ArgumentException($"Retry.MaxAttempts must be at least 1; got {MaxAttempts}.");
        if (FirstRetryInterval <= TimeSpan.Zero || MaxRetryInterval < FirstRetryInterval)
            throw new ArgumentException($"Retry intervals must be positive with MaxRetryInterval ≥ FirstRetryInterval; got {FirstRetryInterval} and {MaxRetryInterval}.");
        if (!double.IsFinite(BackoffCoefficient) || BackoffCoefficient < 1)
            throw new ArgumentException($"Retry.BackoffCoefficient must be ≥ 1; got {BackoffCoefficient}.");
    }
}

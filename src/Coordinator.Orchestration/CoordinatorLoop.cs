using System.Text.Json;
using Coordinator.Core.Definitions;
using Coordinator.Core.Engine;
using Coordinator.Core.Input;
using Coordinator.Orchestration.Activities;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace Coordinator.Orchestration;

/// <summary>
/// One execution (generation) of <see cref="CoordinatorOrchestrator"/>. Everything here is replayed:
/// time comes only from <see cref="TaskOrchestrationContext.CurrentUtcDateTime"/>, waiting only from
/// durable timers and external events, side effects only from activities.
/// </summary>
/// <remarks>
/// <para>
/// <b>A turn that runs twice decides the same.</b> Durable is at-least-once: after a crash or a lost
/// lease an episode is executed again, and the activities the first execution scheduled may already
/// have run. So every decision that schedules an activity depends only on what is in the history: the
/// instance starts at <see cref="CoordinatorInput.RequestedAt"/>; a human event is applied at the time
/// it was accepted (<see cref="HumanEvent.AcceptedAt"/>, never earlier than the previous turn); a timer
/// turn advances to the time planned when the timer was created; events are taken one at a time, in
/// arrival order, each turn's activities awaited before the next. The orchestration's own clock is
/// read in one place only, <see cref="PlanWake"/>, in an episode that schedules nothing but the timer
/// (a lost execution of it leaves no trace but a timer message).
/// </para>
/// <para>
/// <b>Audit first, then effects.</b> A turn's audit batch is appended before its other side effects and
/// retried on durable timers for as long as it takes (<see cref="WaitingFor"/> in the status says so);
/// notifications, CRM updates and memory records are best-effort: what still fails after the in-turn
/// retries is audited (<c>side_effect.failed</c>) and retried on <see cref="SideEffectPolicy.EffectRetrySchedule"/>
/// under its original idempotency key, without holding up the instance.
/// </para>
/// Instances started before this (<see cref="CoordinatorInput.DeterministicTurns"/> false) replay the
/// decisions they made with the rules of their time.
/// </remarks>
internal sealed class CoordinatorLoop
{
    /// <summary>
    /// How late, in real time, a reminder or summary must be before a turn folds it into a later one
    /// of the same step (see <see cref="CoordinationEngine.Advance"/>). A punctual turn runs within
    /// seconds of its timer, even on a busy machine; the first turn after an outage of the host (or a
    /// long pause) runs minutes to days late and would otherwise send every missed reminder at once.
    /// One real minute separates the two with a wide margin. It is real time because lateness is: at
    /// time scale N it is N minutes of workflow time, so a punctual turn never folds even when one
    /// overdue period lasts a real second.
    /// </summary>
    internal static readonly TimeSpan FoldGrace = TimeSpan.FromMinutes(1);

    /// <summary>Audit attempts in one generation before it continues as new with the unfinished turn (bounds the history of a long outage: about 3 h at the 1-minute cap).</summary>
    internal const int MaxAuditAttemptsPerGeneration = 200;

    /// <summary>Most events moved from the SDK's buffer into the inbox at once (bounds the loop; the rest follow in the next turn).</summary>
    internal const int MaxDrainedEvents = 1000;

    /// <summary>Rounds of durable effect retries between two engine turns before the generation continues as new.</summary>
    internal const int MaxEffectRoundsPerTurn = 100;

    /// <summary>Outcomes of events with an id kept to recognise a resent event (carried across generations; the status shows the latest 16).</summary>
    internal const int MaxKnownEvents = 256;

    /// <summary>Most recorded turns one turn follows in a row (each undoes the turn and performs the recorded one; see <see cref="Follow"/>).</summary>
    internal const int MaxFollowedTurns = 8;

    private const string AuditStore = "audit";
    private const int MaxErrorLength = 300;

    private readonly TaskOrchestrationContext context;
    private readonly CoordinatorInput input;
    private readonly WorkflowDefinition definition;
    private readonly SideEffectPlanner planner;
    private readonly SideEffectPolicy policy;
    private readonly bool deterministic;
    private readonly bool followsRegistry;
    private readonly TaskOptions activityOptions;
    private WorkflowClock clock;
    private InstanceState state = null!;
    private CoordinatorProgress progress = null!;
    private DateTimeOffset? nextWakeUp;
    private WaitingFor? waitingFor;
    private List<PendingEffect> pendingEffects = [];
    private List<EventOutcome> recentEvents = [];

    // The open work this generation last projected (without its version): an unchanged one is not written again.
    private string? lastProjectedWork;

    // The action number up to which the read model of open work shows the instance (see CoordinatorStatus.WorkProjectedThrough).
    private long? workProjectedThrough;

    // The one waiter for human events. It is created once and kept across successive timers until an
    // event completes it: a cancelled waiter is not removed by the SDK and would swallow a later event.
    private Task<HumanEvent?>? pendingEvent;

    // Events the SDK has delivered but that are not applied yet. They are applied earliest accepted
    // first, not in delivery order: after a crash the backend may deliver them in another order (a
    // message taken by the lost execution stays invisible for a while), and a re-executed turn must
    // take the same event as the first execution did.
    private readonly List<HumanEvent?> inbox = [];

    // A turn whose audit batch could not be appended in this generation; the next one starts with it.
    private UnfinishedTurn? unfinished;

    // The outcome of the event of the turn being performed: published once the turn's audit batch is in
    // the registry, so an answer "applied" always means recorded.
    private EventOutcome? outcomeOfTurn;

    // What caused the turn being performed (recorded in its first audit entry), and what the instance
    // was before it: a turn the registry refuses is undone to there (see Follow).
    private TurnCause? causeOfTurn;
    private TurnStart? beforeTurn;

    public CoordinatorLoop(TaskOrchestrationContext context, CoordinatorInput input)
    {
        this.context = context;
        this.input = input;
        definition = input.Definition;
        planner = new SideEffectPlanner(context.InstanceId, definition, input.BusinessKey, input.CrmShowsStanding);
        policy = input.SideEffects ?? SideEffectPolicy.Default;
        deterministic = input.DeterministicTurns;
        followsRegistry = deterministic && input.FollowsRegistry;
        var retry = input.Retry;
        activityOptions = TaskOptions.FromRetryPolicy(
            new RetryPolicy(retry.MaxAttempts, retry.FirstRetryInterval, retry.BackoffCoefficient, retry.MaxRetryInterval));
    }

    public async Task<CoordinatorResult> RunAsync()
    {
        try
        {
            return await RunTurnsAsync();
        }
        catch (Exception e) when (deterministic && input.ProjectsWork && state is not null && e is not OperationCanceledException)
        {
            // The instance fails (a bug, a broken input): nobody waits on it any more. Its work leaves
            // people's lists for good (a final version), then the failure goes on as it was.
            await WithdrawWorkAsync();
            throw;
        }
    }

    /// <summary>Projects the instance as ended, under a version no later snapshot passes; a failure to do so is only logged (the instance fails anyway).</summary>
    private async Task WithdrawWorkAsync()
    {
        var withdrawn = planner.Work(state with { CompletedAt = state.CompletedAt ?? progress.WorkflowNow }, input.Context, input.TimeScale, long.MaxValue);
        try
        {
            await context.CallActivityAsync<ProjectWorkResult>(nameof(ProjectWork), withdrawn, activityOptions);
        }
        catch (TaskFailedException e)
        {
            Log.EffectFailed(Logger(), context.InstanceId, EffectKinds.Work, withdrawn.IdempotencyKey, 1, RealNow(), Describe(e));
        }
    }

    private async Task<CoordinatorResult> RunTurnsAsync()
    {
        var turn = Begin();
        var turnsThisGeneration = 0;
        if (input.CarryOver?.Unfinished is { } unfinished && !await FinishAsync(unfinished))
            return ContinueAsNew(turnsThisGeneration);
        if (input.CarryOver is { ProjectWorkFirst: true, Unfinished: null } && !await ProjectWorkAsync())
            return ContinueAsNew(turnsThisGeneration);
        while (true)
        {
            if (!await PerformAsync(turn))
                return ContinueAsNew(turnsThisGeneration);
            turnsThisGeneration++;
            if (state.IsCompleted && pendingEffects.Count == 0)
                return Complete();

            if (!state.IsCompleted && turnsThisGeneration >= input.TurnsPerGeneration && NoEventReceived())
                return ContinueAsNew(turnsThisGeneration);
            if (await NextTurnAsync() is not { } next)
                return ContinueAsNew(turnsThisGeneration);
            turn = next;
        }
    }

    /// <summary>Completes the turn the previous generation left unfinished (its audit batch could not be appended yet): the audit, then the turn's effects.</summary>
    private async Task<bool> FinishAsync(UnfinishedTurn unfinished)
    {
        outcomeOfTurn ??= unfinished.Outcome;
        if (await AppendAuditAsync(unfinished.Audit, unfinished.EffectsOf) is not { } appended)
            return false;
        RememberOutcomeOfTurn();
        PublishStatus();
        // A turn's batch (not one of effect outcomes) carries the actions whose effects are still to run, and the turn changed the work.
        if (unfinished.EffectsOf is not { } actions)
            return true;
        if (!await PerformEffectsAsync(Recorded(actions, appended)))
            return false;
        PublishStatus();
        return await ProjectWorkAsync();
    }

    private EngineTurn Begin()
    {
        if (input.CarryOver is { } carried)
        {
            state = carried.State;
            progress = carried.Progress;
            pendingEffects = carried.PendingEffects?.ToList() ?? [];
            recentEvents = carried.RecentEvents?.ToList() ?? [];
            workProjectedThrough = carried.WorkProjectedThrough ?? (deterministic && input.ProjectsWork ? 0 : null);
            inbox.AddRange(carried.Received ?? []);
            clock = new WorkflowClock(state.StartedAt, input.TimeScale);
            if (deterministic)
            {
                // Nothing to decide: the next timer is planned like any other, late or not.
                return new EngineTurn(state, [], CoordinationEngine.NextWakeUp(definition, state));
            }

            // Before deterministic turns: a generation may start long after the previous one ended (an outage): fold like any turn.
            var now = ReadClock();
            return CoordinationEngine.Advance(definition, state, now, FoldBefore(now));
        }

        // Nothing of a projecting instance is in people's work lists before its first turn is.
        workProjectedThrough = deterministic && input.ProjectsWork ? 0 : null;

        // Workflow time and real time coincide at the start.
        var start = deterministic && input.RequestedAt is { } requested ? requested : RealNow();
        clock = new WorkflowClock(start, input.TimeScale);
        progress = new CoordinatorProgress(start);
        Log.InstanceStarted(Logger(), context.InstanceId, definition.Id, definition.Version, start, input.TimeScale);
        return CoordinationEngine.Start(definition, input.Context, start);
    }

    /// <summary>
    /// Whether no human event has been received but not yet applied. Creating the waiter first takes
    /// any event the SDK buffered (one that arrived while no waiter existed, e.g. during a turn's
    /// activities): such an event must be applied before continuing as new, because forwarding
    /// buffered events to the next execution is not reliable on every backend. An event that arrives
    /// after the decision is carried over to the next execution by the framework.
    /// </summary>
    private bool NoEventReceived()
    {
        Drain();
        return inbox.Count == 0;
    }

    /// <summary>
    /// Moves every event the SDK has already delivered into <see cref="inbox"/>, leaving one waiter
    /// pending for the next (never cancelled: see <see cref="pendingEvent"/>).
    /// </summary>
    private void Drain()
    {
        for (var i = 0; i < MaxDrainedEvents; i++)
        {
            pendingEvent ??= context.WaitForExternalEvent<HumanEvent?>(CoordinatorEvents.HumanEvent);
            if (!pendingEvent.IsCompleted)
                return;
            inbox.Add(pendingEvent.Result);
            pendingEvent = null;
        }
    }

    /// <summary>
    /// Takes the next event of the inbox: the earliest accepted (ties: the smaller event id, then
    /// delivery order), so that every execution of a turn that sees the same events takes the same
    /// one; in delivery order for instances started before deterministic turns.
    /// </summary>
    private HumanEvent? TakeNextEvent()
    {
        var index = 0;
        if (deterministic)
        {
            for (var i = 1; i < inbox.Count; i++)
            {
                if (Earlier(inbox[i], inbox[index]))
                    index = i;
            }
        }
        var next = inbox[index];
        inbox.RemoveAt(index);
        return next;

        static bool Earlier(HumanEvent? a, HumanEvent? b)
        {
            var (at, bt) = (a?.AcceptedAt ?? DateTimeOffset.MinValue, b?.AcceptedAt ?? DateTimeOffset.MinValue);
            return at != bt ? at < bt : string.CompareOrdinal(a?.EventId ?? "", b?.EventId ?? "") < 0;
        }
    }

    /// <summary>
    /// The next engine turn: a received event (earliest accepted first), a timer turn, or (after durable retries of
    /// effects) whichever comes next. Null when the generation must continue as new first (many
    /// rounds of effect retries, or an audit store that stayed away).
    /// </summary>
    private async Task<EngineTurn?> NextTurnAsync()
    {
        for (var round = 0; round < MaxEffectRoundsPerTurn; round++)
        {
            Drain();
            if (inbox.Count > 0)
            {
                if (TakeEvent(plan: null) is { } waiting)
                    return waiting;
                continue;
            }
            if (state.IsCompleted && pendingEffects.Count == 0)
                return new EngineTurn(state, [], null);

            var plan = PlanWake();
            if (plan is null)
            {
                await pendingEvent!;
                Drain();
                if (TakeEvent(plan: null) is { } next)
                    return next;
                continue;
            }

            using var timerCancellation = new CancellationTokenSource();
            var timer = context.CreateTimer(plan.FireAt.UtcDateTime, timerCancellation.Token);
            if (await Task.WhenAny(pendingEvent!, timer) == timer)
            {
                if (plan.Engine)
                    return AdvanceTo(plan);
                if (!await RetryEffectsAsync(plan.FireAt))
                    return null;
                continue;
            }
            timerCancellation.Cancel();
            Drain();
            if (TakeEvent(plan) is { } afterTimer)
                return afterTimer;
        }
        return null;
    }

    /// <summary>
    /// Plans the next timer: the engine's next wake-up, or the earliest durable retry of a pending
    /// effect. This is the one place that reads the orchestration's clock to decide anything: it runs
    /// in an episode that schedules no activity, so a lost execution of it leaves only a timer message,
    /// and the plan the history keeps is the one every later decision replays.
    /// </summary>
    private TimerPlan? PlanWake()
    {
        if (!deterministic)
            return nextWakeUp is { } legacyWake ? new TimerPlan(clock.ToRealTime(legacyWake), legacyWake, null, Engine: true) : null;

        var realNow = RealNow();
        TimerPlan? engine = null;
        if (!state.IsCompleted && nextWakeUp is { } wake)
        {
            var due = clock.ToRealTime(wake);
            if (input.FoldLateTimers && realNow - due > FoldGrace)
            {
                // Late (the host was down or paused): catch up to now at once, folding what was missed.
                var target = Max(wake, clock.ToWorkflowTime(realNow));
                engine = new TimerPlan(realNow, target, FoldBefore(target), Engine: true);
            }
            else
            {
                engine = new TimerPlan(due, wake, FoldBefore(wake), Engine: true);
            }
        }
        if (pendingEffects.Count > 0)
        {
            var retryAt = pendingEffects.Min(static e => e.NextAttemptAt);
            if (engine is null || retryAt < engine.FireAt)
                return new TimerPlan(retryAt, default, null, Engine: false);
        }
        return engine;
    }

    /// <summary>
    /// Takes the next event of the inbox. When a timer turn was pending that is due no later than
    /// the event, the timer turn goes first and the event stays in the inbox for the next turn: the
    /// same order as when the timer fires before the event arrives, so the order in which the backend
    /// delivers the two changes nothing.
    /// </summary>
    /// <returns>The turn; null when the event was one already applied (resent), which changes nothing.</returns>
    private EngineTurn? TakeEvent(TimerPlan? plan)
    {
        var humanEvent = TakeNextEvent();
        if (deterministic && IsResent(humanEvent))
            return null;
        if (plan is { Engine: true } timerTurn && deterministic && humanEvent?.AcceptedAt is { } accepted
            && timerTurn.Target <= Max(clock.ToWorkflowTime(accepted), progress.WorkflowNow))
        {
            inbox.Add(humanEvent);
            return AdvanceTo(timerTurn);
        }
        return Apply(humanEvent);
    }

    private EngineTurn AdvanceTo(TimerPlan plan)
    {
        if (!deterministic)
        {
            var legacyNow = ReadClock(atLeast: plan.Target);
            return CoordinationEngine.Advance(definition, state, legacyNow, FoldBefore(legacyNow));
        }
        BeginTurn(null, followsRegistry ? new TurnCause(Timer: plan.Target) : null);
        var now = Max(plan.Target, progress.WorkflowNow);
        progress = progress with { WorkflowNow = now };
        return CoordinationEngine.Advance(definition, state, now, plan.Fold);
    }

    private EngineTurn Apply(HumanEvent? humanEvent)
    {
        // Checked once, on the event as delivered (a missing id validates as an empty one).
        var textProblem = humanEvent is null ? null : TextProblemOf(humanEvent);
        BeginTurn(humanEvent, followsRegistry && humanEvent is { EventId: not null } && textProblem is null ? new TurnCause(Event: humanEvent) : null);
        var now = EventTime(humanEvent);
        var foldMissedBefore = FoldBefore(now);
        if (humanEvent is null)
        {
            Log.EmptyEventIgnored(Logger(), context.InstanceId, CoordinatorEvents.HumanEvent);
            return CoordinationEngine.Advance(definition, state, now, foldMissedBefore);
        }

        // Payloads come from outside: missing ids become empty ones, which the engine rejects with a reason.
        humanEvent = humanEvent with { StepId = humanEvent.StepId ?? "", By = humanEvent.By ?? "" };

        // What fell due up to the event's time first, then the event itself (so its own first action is known).
        var advanced = CoordinationEngine.Advance(definition, state, now, foldMissedBefore);
        var applied = deterministic && textProblem is not null
            ? CoordinationEngine.Reject(definition, advanced.State, Recordable(humanEvent), now, $"The event was refused: {textProblem}")
            : CoordinationEngine.Apply(definition, advanced.State, humanEvent, now, foldMissedBefore);
        var turn = advanced.Actions.Count == 0 ? applied : new EngineTurn(applied.State, [.. advanced.Actions, .. applied.Actions], applied.NextWakeUp);
        var rejection = turn.Actions.FirstOrDefault(static a => a.Type == CoordinationActionType.EventRejected);
        if (rejection is not null)
            Log.EventRejected(Logger(), context.InstanceId, humanEvent.Type.ToString(), humanEvent.StepId, humanEvent.By, rejection.Reason);
        progress = progress with
        {
            EventsProcessed = progress.EventsProcessed + 1,
            EventsRejected = progress.EventsRejected + (rejection is null ? 0 : 1),
            LastEventAt = now,
        };
        if (humanEvent.EventId is { } eventId && TextRules.Validate("id", eventId, TextKind.Id) is null)
            outcomeOfTurn = new EventOutcome(eventId, rejection is null, rejection?.Reason, applied.Actions[0].Sequence, now);
        return turn;
    }

    /// <summary>
    /// What is wrong with the texts of an event that reached the instance without passing a channel's
    /// checks (raised directly): a NUL or other control character, a lone surrogate, an oversize text.
    /// Such text must not enter the state, the status or the audit registry (PostgreSQL refuses a NUL;
    /// the instance would wait for the audit store for ever), so the event is rejected instead.
    /// </summary>
    private static string? TextProblemOf(HumanEvent e) =>
        TextRules.ValidateEvent(e)?.Message ?? TextRules.Validate("id", e.EventId, TextKind.Id);

    /// <summary>The parts of a refused event that are safe to record: its valid ids, none of its texts.</summary>
    private static HumanEvent Recordable(HumanEvent e)
    {
        static string Safe(string value) => TextRules.Validate("id", value, TextKind.Id) is null ? value : "";
        return new HumanEvent(Safe(e.StepId), e.Type, Safe(e.By));
    }

    /// <summary>Keeps an event's outcome, newest last, at most <see cref="MaxKnownEvents"/>.</summary>
    private void Remember(EventOutcome outcome)
    {
        recentEvents.RemoveAll(e => e.EventId == outcome.EventId);
        recentEvents.Add(outcome);
        if (recentEvents.Count > MaxKnownEvents)
            recentEvents.RemoveRange(0, recentEvents.Count - MaxKnownEvents);
    }

    /// <summary>
    /// Whether the event was applied or rejected before (a client resent it with the same id after
    /// a lost answer): then it is not applied again; its outcome is put back among the latest, so
    /// whoever waits for it finds it.
    /// </summary>
    private bool IsResent(HumanEvent? humanEvent)
    {
        if (humanEvent?.EventId is not { } id || recentEvents.FindLast(e => e.EventId == id) is not { } known)
            return false;
        Remember(known);
        Log.ResentEventIgnored(Logger(), context.InstanceId, id, known.Sequence);
        PublishStatus();
        return true;
    }

    /// <summary>The workflow time an event applies at: when it was accepted, never earlier than the previous turn.</summary>
    private DateTimeOffset EventTime(HumanEvent? humanEvent)
    {
        if (!deterministic || humanEvent?.AcceptedAt is not { } accepted)
            return ReadClock();
        var now = Max(clock.ToWorkflowTime(accepted), progress.WorkflowNow);
        progress = progress with { WorkflowNow = now };
        return now;
    }

    /// <summary>Performs a turn's side effects: the audit batch first, then the best-effort effects. False when the generation must continue as new with the turn unfinished.</summary>
    private async Task<bool> PerformAsync(EngineTurn turn)
    {
        for (var followed = 0; ; followed++)
        {
            var (cause, before) = (causeOfTurn, beforeTurn);
            (causeOfTurn, beforeTurn) = (null, null);
            // The request that sent the turn's event: its trace gets the spans of the turn's effects (data of the event, so replay-safe).
            var trace = cause?.Event?.TraceParent ?? before?.Taken?.TraceParent;
            state = turn.State;
            nextWakeUp = turn.NextWakeUp;
            progress = progress with { Turns = progress.Turns + 1, ActionCount = progress.ActionCount + turn.Actions.Count };
            if (turn.Actions.Count > 0)
            {
                if (deterministic)
                {
                    if (await AppendAuditAsync(planner.Audit(turn.Actions, cause) with { TraceParent = trace }, turn.Actions) is not { } appended)
                        return false;
                    if (followed < MaxFollowedTurns && appended.RecordedTurn is { } recorded && before is not null
                        && Follow(recorded, cause, before, turn.Actions[0].Sequence) is { } recordedTurn)
                    {
                        turn = recordedTurn;
                        continue;
                    }
                    RememberOutcomeOfTurn();
                    if (!await PerformEffectsAsync(Recorded(turn.Actions, appended), trace))
                        return false;
                    PublishStatus();
                    if (!await ProjectWorkAsync(trace))
                        return false;
                }
                else
                {
                    await Task.WhenAll(LegacySideEffects(turn.Actions));
                    RememberOutcomeOfTurn();
                }
            }
            PublishStatus();
            Log.TurnCompleted(Logger(), context.InstanceId, progress.Turns, progress.WorkflowNow, turn.Actions.Count, turn.NextWakeUp);
            return true;
        }
    }

    /// <summary>Notes what the instance is before a turn and what causes it (see <see cref="Follow"/>).</summary>
    private void BeginTurn(HumanEvent? taken, TurnCause? cause)
    {
        beforeTurn = new TurnStart(state, progress, nextWakeUp, taken);
        causeOfTurn = cause;
    }

    /// <summary>
    /// The registry refused this turn's first action because it holds another turn at that point: an
    /// execution of this turn that was lost (a crash, a lost lease) after its audit batch went in
    /// decided first, from an event or a timer this execution has not been given yet (a message the
    /// lost execution took stays invisible to the backend for minutes). The registry is the record, so
    /// this turn is undone (its event goes back to the inbox) and the recorded one performed instead:
    /// its audit batch is then the one already recorded (a no-op), its effects run under the same keys
    /// as the lost execution's, and when its event is delivered later it is recognised as applied.
    /// </summary>
    /// <returns>The recorded turn; null when it cannot be followed (the same cause, which means an earlier divergence, or an event without an id, whose later delivery could not be recognised).</returns>
    private EngineTurn? Follow(TurnCause recorded, TurnCause? undone, TurnStart before, long sequence)
    {
        if (recorded == undone || recorded.Event is { EventId: null } || (recorded.Event is null && recorded.Timer is null))
            return null;
        Log.FollowingRecordedTurn(Logger(), context.InstanceId, sequence, Describe(recorded), undone is null ? "an event without an id" : Describe(undone));
        (state, progress, nextWakeUp, outcomeOfTurn) = (before.State, before.Progress, before.NextWakeUp, null);
        if (before.Taken is { } taken)
            inbox.Add(taken);
        if (recorded.Event is { } recordedEvent)
            return Apply(recordedEvent);
        var target = recorded.Timer!.Value;
        return AdvanceTo(new TimerPlan(default, target, FoldBefore(target), Engine: true));

        static string Describe(TurnCause cause) => cause.Event is { } e
            ? $"event {e.EventId} ({e.Type} on {e.StepId} by {e.By}, accepted {e.AcceptedAt:O})"
            : $"timer turn to {cause.Timer:O}";
    }

    /// <summary>
    /// Appends an audit batch; must succeed. Each failure waits on a durable timer (doubling, capped at
    /// <see cref="SideEffectPolicy.AuditMaxRetryInterval"/>) and tries again, for as long as it takes;
    /// meanwhile the status says what the instance waits for.
    /// </summary>
    /// <remarks>
    /// After <see cref="MaxAuditAttemptsPerGeneration"/> failed attempts it returns false with the batch
    /// (and the actions whose effects still have to run) set aside in <see cref="unfinished"/>: the
    /// generation continues as new and the next one starts with it, so an outage of days does not grow
    /// one history without bound.
    /// </remarks>
    private async Task<AppendAuditEntriesResult?> AppendAuditAsync(AppendAuditEntriesRequest request, IReadOnlyList<CoordinationAction>? effectsOf = null)
    {
        var asked = followsRegistry ? request.WithFingerprint() : request;
        for (var attempt = 1; attempt <= MaxAuditAttemptsPerGeneration; attempt++)
        {
            try
            {
                var result = await context.CallActivityAsync<AppendAuditEntriesResult>(nameof(AppendAuditEntries), asked);
                if (followsRegistry && result?.Fingerprint != asked.Fingerprint)
                {
                    Log.StaleActivityResult(Logger(), context.InstanceId, nameof(AppendAuditEntries), result?.Fingerprint ?? "no fingerprint", asked.Fingerprint!);
                    continue;
                }
                if (waitingFor is { } waited)
                {
                    Log.AuditStoreBack(Logger(), context.InstanceId, waited.Attempts, waited.Since);
                    waitingFor = null;
                }
                return result ?? new AppendAuditEntriesResult(0, 0);
            }
            catch (JsonException) when (followsRegistry)
            {
                // The completion of another activity that a lost execution (or another host's concurrent one)
                // scheduled under the same task id, in a shape this one cannot read: ask again, as for a stale result.
                Log.StaleActivityResult(Logger(), context.InstanceId, nameof(AppendAuditEntries), UnreadableResult, asked.Fingerprint!);
            }
            catch (TaskFailedException e)
            {
                var failures = (waitingFor?.Attempts ?? 0) + 1;
                var delay = policy.AuditRetryDelay(failures);
                var now = RealNow();
                waitingFor = new WaitingFor(AuditStore, waitingFor?.Since ?? now, failures, Describe(e), now + delay);
                Log.AuditStoreUnavailable(Logger(), context.InstanceId, failures, delay, waitingFor.LastError);
                PublishStatus();
                await context.CreateTimer(waitingFor.NextAttemptAt.UtcDateTime, CancellationToken.None);
            }
        }
        unfinished = new UnfinishedTurn(request, effectsOf) { Outcome = outcomeOfTurn };
        return null;
    }

    private void RememberOutcomeOfTurn()
    {
        if (outcomeOfTurn is { } outcome)
            Remember(outcome);
        outcomeOfTurn = null;
    }

    /// <summary>
    /// The actions the registry recorded as this execution decided them: an action it refused as a
    /// fork (another action already holds its number) gets no notification, CRM update or memory record.
    /// </summary>
    private IReadOnlyList<CoordinationAction> Recorded(IReadOnlyList<CoordinationAction> actions, AppendAuditEntriesResult appended)
    {
        if (appended.Superseded is not { Count: > 0 } refused)
            return actions;
        var keys = refused.ToHashSet(StringComparer.Ordinal);
        foreach (var key in keys)
            Log.ActionSuperseded(Logger(), context.InstanceId, key);
        return [.. actions.Where(a => !keys.Contains(SideEffectPlanner.IdempotencyKey(context.InstanceId, a)))];
    }

    /// <summary>
    /// Writes what the instance waits on now to the read model of open work (when it projects, and the
    /// work changed since this generation last wrote it), then publishes how far the read model is:
    /// after the turn's status, so a channel never sees work the instance's status does not show yet.
    /// A failure is audited and retried durably like any best-effort effect (a later snapshot supersedes it).
    /// </summary>
    private async Task<bool> ProjectWorkAsync(string? trace = null)
    {
        if (!deterministic || !input.ProjectsWork)
            return true;
        var through = state.Sequence;
        if (WorkToProject() is { } work)
        {
            var effect = new PendingEffect(EffectKinds.Work, work.IdempotencyKey, null, 0, default, default, "") { Work = work with { TraceParent = trace } };
            if (await TryEffectAsync(effect) is { } failed)
            {
                lastProjectedWork = null;
                return await ScheduleRetriesAsync([failed]);
            }
        }
        workProjectedThrough = through;
        PublishStatus();
        return true;
    }

    /// <summary>The turn's best-effort effects, in parallel; what fails is audited and kept for a durable retry.</summary>
    private async Task<bool> PerformEffectsAsync(IReadOnlyList<CoordinationAction> actions, string? trace = null)
    {
        var attempts = new List<Task<PendingEffect?>>();
        foreach (var action in actions)
        {
            if (policy.Notify && planner.Notify(action) is { } notify)
                attempts.Add(TryEffectAsync(NewEffect(EffectKinds.Notify, notify.Notification.IdempotencyKey, action) with { Notify = notify with { TraceParent = trace } }));
            if (policy.Crm && planner.Crm(action, state) is { } crm)
                attempts.Add(TryEffectAsync(NewEffect(EffectKinds.Crm, crm.Update.IdempotencyKey, action) with { Crm = crm with { TraceParent = trace } }));
            if (policy.Memory && planner.Memory(action) is { } memory)
                attempts.Add(TryEffectAsync(NewEffect(EffectKinds.Memory, memory.Record.IdempotencyKey, action) with { Memory = memory with { TraceParent = trace } }));
        }
        if (attempts.Count == 0)
            return true;
        return await ScheduleRetriesAsync((await Task.WhenAll(attempts)).OfType<PendingEffect>().ToList());
    }

    /// <summary>Keeps effects that failed their in-turn attempts for a durable retry, and audits that they failed.</summary>
    private async Task<bool> ScheduleRetriesAsync(List<PendingEffect> failed)
    {
        if (failed.Count == 0)
            return true;

        // The turn's own time (deterministic), not the clock of this episode.
        var failedAt = clock.ToRealTime(progress.WorkflowNow);
        var scheduled = failed.Select(f => f with { FirstFailedAt = failedAt, NextAttemptAt = failedAt + policy.EffectRetryDelay(f.Failures) }).ToList();
        foreach (var effect in scheduled)
        {
            Log.EffectFailed(Logger(), context.InstanceId, effect.Kind, effect.IdempotencyKey, effect.Failures, effect.NextAttemptAt, effect.LastError);
            CountFailure(effect);
        }
        pendingEffects.AddRange(scheduled);
        return await AppendAuditAsync(new AppendAuditEntriesRequest(
            scheduled.Select(f => planner.EffectAudit(f, SideEffectPlanner.EffectFailed, progress.WorkflowNow, f.NextAttemptAt - failedAt)).ToArray())) is not null;
    }

    /// <summary>What the log says an activity answered when its result could not be read as the result it was asked for.</summary>
    private const string UnreadableResult = "a result of another activity";

    /// <summary>Counts a failed effect attempt once: not again when the turn replays (a turn that re-executes after a crash may count it twice).</summary>
    private void CountFailure(PendingEffect effect)
    {
        if (!context.IsReplaying)
            CoordinatorTelemetry.SideEffectsFailed.Add(1, new("workflow", definition.Id), new("effect", effect.Kind));
    }

    /// <summary>Retries the pending effects due at <paramref name="now"/> (the planned timer time), audits what recovered, failed again or was given up.</summary>
    private async Task<bool> RetryEffectsAsync(DateTimeOffset now)
    {
        var due = pendingEffects.Where(e => e.NextAttemptAt <= now).ToList();
        var results = await Task.WhenAll(due.Select(TryEffectAsync));
        var audit = new List<Core.Ports.AuditEntry>(due.Count);
        var at = Max(progress.WorkflowNow, clock.ToWorkflowTime(now));
        for (var i = 0; i < due.Count; i++)
        {
            var effect = due[i];
            pendingEffects.Remove(effect);
            if (results[i] is not { } failedAgain)
            {
                // A projection that went in late: the work lists show the instance up to its version (a newer one may be there already).
                if (effect.Work is { } work && work.Work.Version > (workProjectedThrough ?? 0))
                    workProjectedThrough = work.Work.Version;
                audit.Add(planner.EffectAudit(effect, SideEffectPlanner.EffectRecovered, at, null));
                Log.EffectRecovered(Logger(), context.InstanceId, effect.Kind, effect.IdempotencyKey, effect.Failures);
            }
            else if (now - effect.FirstFailedAt >= policy.EffectGiveUpAfter)
            {
                audit.Add(planner.EffectAudit(failedAgain, SideEffectPlanner.EffectAbandoned, at, null));
                Log.EffectAbandoned(Logger(), context.InstanceId, effect.Kind, effect.IdempotencyKey, failedAgain.Failures, failedAgain.LastError);
            }
            else
            {
                var delay = policy.EffectRetryDelay(failedAgain.Failures);
                var rescheduled = failedAgain with { NextAttemptAt = now + delay };
                audit.Add(planner.EffectAudit(rescheduled, SideEffectPlanner.EffectFailed, at, delay));
                Log.EffectFailed(Logger(), context.InstanceId, effect.Kind, effect.IdempotencyKey, rescheduled.Failures, rescheduled.NextAttemptAt, rescheduled.LastError);
                CountFailure(rescheduled);
                pendingEffects.Add(rescheduled);
            }
        }
        PublishStatus();
        return audit.Count == 0 || await AppendAuditAsync(new AppendAuditEntriesRequest(audit)) is not null;
    }

    private static PendingEffect NewEffect(string kind, string key, CoordinationAction action) =>
        new(kind, key, action.StepId, 0, default, default, "");

    /// <summary>
    /// The projection of what the instance waits on now, versioned by its last action number; null when
    /// it is what this generation last projected (a reminder, a rejected event, a progress note change
    /// nothing a person waits on). Pure: a function of the state, so every execution of a turn projects the same.
    /// </summary>
    private ProjectWorkRequest? WorkToProject()
    {
        var request = planner.Work(state, input.Context, input.TimeScale, state.Sequence);
        var content = JsonSerializer.Serialize(request.Work with { Version = 0 }, SideEffectPlanner.DetailJson);
        if (content == lastProjectedWork)
            return null;
        lastProjectedWork = content;
        return request;
    }

    /// <summary>Runs one effect (with the in-turn retries); null when it succeeded, else the effect with one more failure and the error.</summary>
    private async Task<PendingEffect?> TryEffectAsync(PendingEffect effect)
    {
        try
        {
            for (var ask = 1; ; ask++)
            {
                string? answered;
                try
                {
                    answered = effect.Kind switch
                    {
                        EffectKinds.Notify => (await context.CallActivityAsync<NotifyPeopleResult>(nameof(NotifyPeople), effect.Notify, activityOptions))?.IdempotencyKey,
                        EffectKinds.Crm => (await context.CallActivityAsync<UpdateCrmResult>(nameof(UpdateCrm), effect.Crm, activityOptions))?.IdempotencyKey,
                        EffectKinds.Work => (await context.CallActivityAsync<ProjectWorkResult>(nameof(ProjectWork), effect.Work, activityOptions))?.IdempotencyKey,
                        _ => (await context.CallActivityAsync<RecordMemoryResult>(nameof(RecordMemory), effect.Memory, activityOptions))?.IdempotencyKey,
                    };
                }
                catch (JsonException) when (followsRegistry)
                {
                    // Another activity's result under this task id, in a shape this one cannot read (see AppendAuditAsync).
                    answered = UnreadableResult;
                }

                // A result for another effect is the completion of an activity a lost execution scheduled under the same task id.
                if (!followsRegistry || answered == effect.IdempotencyKey)
                    return null;
                Log.StaleActivityResult(Logger(), context.InstanceId, effect.Kind, answered ?? "no key", effect.IdempotencyKey);
                if (ask == 2)
                    return effect with { Failures = effect.Failures + 1, LastError = "the activity answered another request twice; retried later" };
            }
        }
        catch (TaskFailedException e)
        {
            return effect with { Failures = effect.Failures + 1, LastError = Describe(e) };
        }
    }

    /// <summary>Before deterministic turns: one activity per side effect, all at once, the instance failing when one is exhausted.</summary>
    private List<Task> LegacySideEffects(IReadOnlyList<CoordinationAction> actions)
    {
        var tasks = new List<Task>(1 + (actions.Count * 2))
        {
            context.CallActivityAsync<AppendAuditEntriesResult>(nameof(AppendAuditEntries), planner.Audit(actions), activityOptions),
        };
        foreach (var action in actions)
        {
            if (planner.Notify(action) is { } notify)
                tasks.Add(context.CallActivityAsync<NotifyPeopleResult>(nameof(NotifyPeople), notify, activityOptions));
            if (planner.Crm(action) is { } crm)
                tasks.Add(context.CallActivityAsync<UpdateCrmResult>(nameof(UpdateCrm), crm, activityOptions));
            if (planner.Memory(action) is { } memory)
                tasks.Add(context.CallActivityAsync<RecordMemoryResult>(nameof(RecordMemory), memory, activityOptions));
        }
        return tasks;
    }

    private void PublishStatus() =>
        context.SetCustomStatus(CoordinatorStatus.Bounded(state, progress, nextWakeUp, input.TimeScale, waitingFor, pendingEffects, recentEvents, workProjectedThrough));

    /// <summary>Continues as new, carrying the state, the pending effects, the recent outcomes and an unfinished turn. Returns the (discarded) output.</summary>
    private CoordinatorResult ContinueAsNew(int turnsThisGeneration)
    {
        var next = progress with { Generation = progress.Generation + 1 };
        Log.ContinuingAsNew(Logger(), context.InstanceId, turnsThisGeneration, next.Generation);
        var carryOver = new CoordinatorCarryOver(
            state, next, pendingEffects.Count == 0 ? null : pendingEffects, recentEvents.Count == 0 ? null : recentEvents)
        {
            Unfinished = unfinished,
            ProjectWorkFirst = deterministic && !input.ProjectsWork,
            WorkProjectedThrough = workProjectedThrough,
        };
        if (inbox.Count > 0)
        {
            // Delivered but not applied yet (a generation that ends with its audit store away): the next generation applies them first.
            carryOver = carryOver with { Received = [.. inbox.OfType<HumanEvent>()] };
        }
        context.ContinueAsNew(input with { CarryOver = carryOver, ProjectsWork = input.ProjectsWork || deterministic }, preserveUnprocessedEvents: true);

        // The output of an execution that continues as new is discarded.
        return null!;
    }

    private CoordinatorResult Complete()
    {
        var completed = new List<string>();
        var skipped = new List<string>();
        foreach (var step in state.Steps)
        {
            if (step.Status == StepStatus.Done)
                completed.Add(step.StepId);
            else if (step.Status == StepStatus.Skipped)
                skipped.Add(step.StepId);
        }
        var completedAt = state.CompletedAt!.Value;
        Log.InstanceCompleted(Logger(), context.InstanceId, completedAt, progress.ActionCount, progress.EventsProcessed);
        return new CoordinatorResult(
            definition.Id,
            definition.Version,
            input.BusinessKey,
            state.StartedAt,
            completedAt,
            completed,
            skipped,
            progress.ActionCount,
            progress.EventsProcessed,
            progress.EventsRejected,
            progress.Turns,
            progress.Generation + 1);
    }

    /// <summary>The workflow time now: the mapped durable time, never earlier than the last turn nor than <paramref name="atLeast"/>.</summary>
    private DateTimeOffset ReadClock(DateTimeOffset? atLeast = null)
    {
        var now = clock.ToWorkflowTime(RealNow());
        if (now < progress.WorkflowNow)
            now = progress.WorkflowNow;
        if (atLeast is { } floor && floor > now)
            now = floor;
        progress = progress with { WorkflowNow = now };
        return now;
    }

    /// <summary>The fold instant of a turn at <paramref name="now"/>; null (fold nothing) for instances started before folding existed.</summary>
    private DateTimeOffset? FoldBefore(DateTimeOffset now) => input.FoldLateTimers ? FoldMissedBefore(clock, now) : null;

    /// <summary>
    /// The instant before which a turn at <paramref name="workflowNow"/> folds missed reminders and
    /// summaries: <see cref="FoldGrace"/> of real time before it, in workflow time. Pure: depends only
    /// on the clock (origin and scale from the input) and the replayed workflow time.
    /// </summary>
    internal static DateTimeOffset FoldMissedBefore(WorkflowClock clock, DateTimeOffset workflowNow)
    {
        var grace = clock.ToWorkflowDuration(FoldGrace);
        return workflowNow - DateTimeOffset.MinValue <= grace ? DateTimeOffset.MinValue : workflowNow - grace;
    }

    /// <summary>An activity's failure as the status and the audit show it: type and message, cut short.</summary>
    private static string Describe(TaskFailedException e)
    {
        var details = e.FailureDetails;
        var text = details is null ? e.Message : $"{details.ErrorType}: {details.ErrorMessage}";
        return text.Length <= MaxErrorLength ? text : string.Concat(text.AsSpan(0, MaxErrorLength - 1), "…");
    }

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a >= b ? a : b;

    private ILogger Logger() => context.CreateReplaySafeLogger<CoordinatorOrchestrator>();

    private DateTimeOffset RealNow() => new(DateTime.SpecifyKind(context.CurrentUtcDateTime, DateTimeKind.Utc));

    /// <summary>The instance before a turn, and the event the turn took (null for a timer turn).</summary>
    private sealed record TurnStart(InstanceState State, CoordinatorProgress Progress, DateTimeOffset? NextWakeUp, HumanEvent? Taken);

    /// <summary>A planned timer: when it fires (real time); for an engine turn, the workflow time it advances to and the fold instant.</summary>
    private sealed record TimerPlan(DateTimeOffset FireAt, DateTimeOffset Target, DateTimeOffset? Fold, bool Engine);
}

using Coordinator.Core.Definitions;
using Coordinator.Core.Engine;
using Coordinator.Orchestration.Activities;
using Microsoft.DurableTask;
using Microsoft.Extensions.Logging;

namespace Coordinator.Orchestration;

/// <summary>
/// One execution (generation) of <see cref="CoordinatorOrchestrator"/>. Everything here is replayed:
/// time comes only from <see cref="TaskOrchestrationContext.CurrentUtcDateTime"/>, waiting only from
/// durable timers and external events, side effects only from activities.
/// </summary>
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

    private readonly TaskOrchestrationContext context;
    private readonly CoordinatorInput input;
    private readonly WorkflowDefinition definition;
    private readonly SideEffectPlanner planner;
    private readonly TaskOptions activityOptions;
    private WorkflowClock clock;
    private InstanceState state = null!;
    private CoordinatorProgress progress = null!;

    // The one waiter for human events. It is created once and kept across successive timers until an
    // event completes it: a cancelled waiter is not removed by the SDK and would swallow a later event.
    private Task<HumanEvent?>? pendingEvent;

    public CoordinatorLoop(TaskOrchestrationContext context, CoordinatorInput input)
    {
        this.context = context;
        this.input = input;
        definition = input.Definition;
        planner = new SideEffectPlanner(context.InstanceId, definition, input.BusinessKey);
        var retry = input.Retry;
        activityOptions = TaskOptions.FromRetryPolicy(
            new RetryPolicy(retry.MaxAttempts, retry.FirstRetryInterval, retry.BackoffCoefficient, retry.MaxRetryInterval));
    }

    public async Task<CoordinatorResult> RunAsync()
    {
        var turn = Begin();
        var turnsThisGeneration = 0;
        while (true)
        {
            await PerformAsync(turn);
            turnsThisGeneration++;
            if (state.IsCompleted)
                return Complete();

            if (turnsThisGeneration >= input.TurnsPerGeneration && NoEventReceived())
            {
                ContinueAsNew(turnsThisGeneration);

                // The output of an execution that continues as new is discarded.
                return null!;
            }
            turn = await NextTurnAsync(turn.NextWakeUp);
        }
    }

    private EngineTurn Begin()
    {
        if (input.CarryOver is { } carried)
        {
            state = carried.State;
            progress = carried.Progress;
            clock = new WorkflowClock(state.StartedAt, input.TimeScale);

            // A generation may start long after the previous one ended (an outage): fold like any turn.
            var now = ReadClock();
            return CoordinationEngine.Advance(definition, state, now, FoldBefore(now));
        }

        // Workflow time and real time coincide at the start.
        var start = RealNow();
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
        pendingEvent ??= context.WaitForExternalEvent<HumanEvent?>(CoordinatorEvents.HumanEvent);
        return !pendingEvent.IsCompleted;
    }

    private async Task<EngineTurn> NextTurnAsync(DateTimeOffset? wakeUp)
    {
        pendingEvent ??= context.WaitForExternalEvent<HumanEvent?>(CoordinatorEvents.HumanEvent);
        if (wakeUp is { } wake && !pendingEvent.IsCompleted)
        {
            using var timerCancellation = new CancellationTokenSource();
            var timer = context.CreateTimer(clock.ToRealTime(wake).UtcDateTime, timerCancellation.Token);
            if (await Task.WhenAny(pendingEvent, timer) == timer)
            {
                var now = ReadClock(atLeast: wake);
                return CoordinationEngine.Advance(definition, state, now, FoldBefore(now));
            }
            timerCancellation.Cancel();
        }
        var humanEvent = await pendingEvent;
        pendingEvent = null;
        return Apply(humanEvent);
    }

    private EngineTurn Apply(HumanEvent? humanEvent)
    {
        var now = ReadClock();
        var foldMissedBefore = FoldBefore(now);
        if (humanEvent is null)
        {
            Log.EmptyEventIgnored(Logger(), context.InstanceId, CoordinatorEvents.HumanEvent);
            return CoordinationEngine.Advance(definition, state, now, foldMissedBefore);
        }

        // Payloads come from outside: missing ids become empty ones, which the engine rejects with a reason.
        humanEvent = humanEvent with { StepId = humanEvent.StepId ?? "", By = humanEvent.By ?? "" };
        var turn = CoordinationEngine.Apply(definition, state, humanEvent, now, foldMissedBefore);
        var rejection = turn.Actions.FirstOrDefault(static a => a.Type == CoordinationActionType.EventRejected);
        if (rejection is not null)
            Log.EventRejected(Logger(), context.InstanceId, humanEvent.Type.ToString(), humanEvent.StepId, humanEvent.By, rejection.Reason);
        progress = progress with
        {
            EventsProcessed = progress.EventsProcessed + 1,
            EventsRejected = progress.EventsRejected + (rejection is null ? 0 : 1),
            LastEventAt = now,
        };
        return turn;
    }

    private async Task PerformAsync(EngineTurn turn)
    {
        state = turn.State;
        if (turn.Actions.Count > 0)
            await Task.WhenAll(SideEffects(turn.Actions));
        progress = progress with { Turns = progress.Turns + 1, ActionCount = progress.ActionCount + turn.Actions.Count };
        context.SetCustomStatus(new CoordinatorStatus(state, progress, turn.NextWakeUp, input.TimeScale));
        Log.TurnCompleted(Logger(), context.InstanceId, progress.Turns, progress.WorkflowNow, turn.Actions.Count, turn.NextWakeUp);
    }

    /// <summary>One activity per side effect: the turn's audit batch, then per action its notification, CRM update and memory record.</summary>
    private List<Task> SideEffects(IReadOnlyList<CoordinationAction> actions)
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

    private void ContinueAsNew(int turnsThisGeneration)
    {
        var next = progress with { Generation = progress.Generation + 1 };
        Log.ContinuingAsNew(Logger(), context.InstanceId, turnsThisGeneration, next.Generation);
        context.ContinueAsNew(input with { CarryOver = new CoordinatorCarryOver(state, next) }, preserveUnprocessedEvents: true);
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

    private ILogger Logger() => context.CreateReplaySafeLogger<CoordinatorOrchestrator>();

    private DateTimeOffset RealNow() => new(DateTime.SpecifyKind(context.CurrentUtcDateTime, DateTimeKind.Utc));
}

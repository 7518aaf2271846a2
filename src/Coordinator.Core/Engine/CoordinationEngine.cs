using Coordinator.Core.Definitions;

namespace Coordinator.Core.Engine;

/// <summary>
/// The coordination rules, as pure functions of (definition, state, event, time): no I/O, no clock,
/// no randomness. The same inputs always give the same state, actions and wake-up, so a durable
/// orchestrator can replay them and a simulator can run weeks on a virtual clock.
/// </summary>
/// <remarks>
/// Drive an instance like this: <see cref="Start"/> once; then, whenever <see cref="EngineTurn.NextWakeUp"/>
/// is reached, <see cref="Advance"/>; whenever a person reports something, <see cref="Apply"/>. Carry the
/// returned <see cref="EngineTurn.State"/> to the next call and perform <see cref="EngineTurn.Actions"/>
/// in order (each has an idempotency key). Thread-safe: definitions are compiled into an immutable
/// index cached per definition object.
/// </remarks>
public static class CoordinationEngine
{
    /// <summary>Starts an instance: <c>instance.started</c>, then activates (or skips) the steps without dependencies.</summary>
    /// <exception cref="ArgumentException">The start context lacks a field that names the owner of a role (<c>from_context</c>).</exception>
    public static EngineTurn Start(WorkflowDefinition definition, IReadOnlyDictionary<string, string> context, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(context);
        var compiled = CompiledDefinition.For(definition);
        var missing = MissingContext(compiled, context);
        if (missing.Count > 0)
        {
            throw new ArgumentException(
                $"The start context of '{definition.Id}' lacks {string.Join(", ", missing)}: these fields name the people of roles (from_context). Add them to the context.",
                nameof(context));
        }
        var run = new InstanceRun(compiled, InstanceRun.Initial(compiled, context, now));
        run.Start(now);
        return run.ToTurn();
    }

    /// <summary>The start-context fields a definition requires (roles with <c>from_context</c>) that the context lacks.</summary>
    public static IReadOnlyList<string> MissingContext(WorkflowDefinition definition, IReadOnlyDictionary<string, string> context) =>
        MissingContext(CompiledDefinition.For(definition), context);

    /// <summary>Fires every reminder, escalation and summary due at or before <paramref name="now"/>, in time order, each stamped with its own due time.</summary>
    /// <param name="definition">The definition the instance is pinned to.</param>
    /// <param name="state">The state of the previous turn.</param>
    /// <param name="now">The time of this turn.</param>
    /// <param name="foldMissedBefore">
    /// Null (the default): everything due is sent. Otherwise a reminder that fell due before this instant
    /// is not sent when a later reminder of the same step is also due by <paramref name="now"/>; the next one
    /// sent says in its reason how many earlier ones it stands for. Summaries fold the same way; escalation
    /// levels never do. A host passes it after an outage, so people do not get a burst of stale reminders.
    /// </param>
    public static EngineTurn Advance(WorkflowDefinition definition, InstanceState state, DateTimeOffset now, DateTimeOffset? foldMissedBefore = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        var run = new InstanceRun(CompiledDefinition.For(definition), state);
        run.AdvanceTo(now, foldMissedBefore);
        return run.ToTurn();
    }

    /// <summary>
    /// Advances to <paramref name="now"/> (folding missed reminders and summaries as <see cref="Advance"/> does
    /// when <paramref name="foldMissedBefore"/> is given), then applies a human event. A rejected event
    /// produces one <c>event.rejected</c> action with the reason and changes nothing else (beyond the action count).
    /// </summary>
    public static EngineTurn Apply(WorkflowDefinition definition, InstanceState state, HumanEvent humanEvent, DateTimeOffset now, DateTimeOffset? foldMissedBefore = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(humanEvent);
        var compiled = CompiledDefinition.For(definition);
        var run = new InstanceRun(compiled, state);
        run.AdvanceTo(now, foldMissedBefore);
        var validation = EventValidator.Validate(compiled, run.ToState(), humanEvent);
        if (validation.Accepted)
            run.Apply(humanEvent, now);
        else
            run.Reject(humanEvent, now, validation.Reason!);
        return run.ToTurn();
    }

    /// <summary>
    /// Advances to <paramref name="now"/> like <see cref="Apply"/>, then records the event as rejected
    /// with <paramref name="reason"/> without looking at it further: for an event a host refuses before
    /// the rules (text that may not enter an instance, see <see cref="Input.TextRules"/>). Pass an
    /// event whose ids are safe to record.
    /// </summary>
    public static EngineTurn Reject(WorkflowDefinition definition, InstanceState state, HumanEvent humanEvent, DateTimeOffset now, string reason, DateTimeOffset? foldMissedBefore = null)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(humanEvent);
        ArgumentException.ThrowIfNullOrEmpty(reason);
        var run = new InstanceRun(CompiledDefinition.For(definition), state);
        run.AdvanceTo(now, foldMissedBefore);
        run.Reject(humanEvent, now, reason);
        return run.ToTurn();
    }

    /// <summary>Whether <see cref="Apply"/> would accept the event in this state (so an API can refuse it up front).</summary>
    public static EventValidation Validate(WorkflowDefinition definition, InstanceState state, HumanEvent humanEvent)
    {
        ArgumentNullException.ThrowIfNull(state);
        return EventValidator.Validate(CompiledDefinition.For(definition), state, humanEvent);
    }

    /// <summary>When the engine must next be advanced; null when only a human event can change anything.</summary>
    public static DateTimeOffset? NextWakeUp(WorkflowDefinition definition, InstanceState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        return new InstanceRun(CompiledDefinition.For(definition), state).NextWakeUp();
    }

    /// <summary>
    /// True when the instance is running but nothing new can happen without a human: every
    /// escalation level of the current silence periods has fired and only repeating overdue
    /// reminders and summaries remain.
    /// </summary>
    public static bool WaitsOnlyForHumans(WorkflowDefinition definition, InstanceState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (state.IsCompleted)
            return false;
        var compiled = CompiledDefinition.For(definition);
        for (var i = 0; i < compiled.Steps.Length; i++)
        {
            var s = state.Steps[i];
            if (!s.Status.IsRunning())
                continue;
            if (s.EscalationsFired < compiled.Steps[i].Levels.Length)
                return false;
            if (s.Status == StepStatus.Active && s.NextReminderAt is { } reminder && !ReminderSchedule.IsRepeating(reminder, s.DueAt))
                return false;
        }
        return true;
    }

    /// <summary>The running steps and whom each waits on (owners; the deciders while blocked), in definition order.</summary>
    public static IReadOnlyList<WaitingStep> WaitingOn(WorkflowDefinition definition, InstanceState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var compiled = CompiledDefinition.For(definition);
        var waiting = new List<WaitingStep>();
        for (var i = 0; i < compiled.Steps.Length; i++)
        {
            var s = state.Steps[i];
            if (s.Status == StepStatus.Active)
                waiting.Add(new WaitingStep(s.StepId, s.Status, s.Owners, s.DueAt));
            else if (s.Status == StepStatus.Blocked)
                waiting.Add(new WaitingStep(s.StepId, s.Status, EventValidator.DecidersOf(compiled, state, i), s.DueAt));
        }
        return waiting;
    }

    private static List<string> MissingContext(CompiledDefinition compiled, IReadOnlyDictionary<string, string> context)
    {
        var missing = new List<string>();
        foreach (var field in compiled.ContextPeopleFields)
        {
            if ((!context.TryGetValue(field, out var value) || string.IsNullOrWhiteSpace(value)) && !missing.Contains(field))
                missing.Add(field);
        }
        return missing;
    }
}

using System.Globalization;
using Coordinator.Core.Definitions;

namespace Coordinator.Core.Engine;

/// <summary>
/// A mutable working copy of an instance for the duration of one engine call. Never escapes the
/// call: the engine copies the state in, mutates the copy and hands back a new immutable state.
/// </summary>
internal sealed class InstanceRun
{
    private readonly CompiledDefinition definition;
    private readonly InstanceState original;
    private readonly StepState[] steps;
    private readonly List<CoordinationAction> actions = [];
    private long sequence;
    private DateTimeOffset? completedAt;
    private DateTimeOffset? nextSummaryAt;
    private int summariesSent;

    public InstanceRun(CompiledDefinition definition, InstanceState state)
    {
        if (state.Steps.Count != definition.Steps.Length)
        {
            throw new InvalidOperationException(
                $"The instance state has {state.Steps.Count} steps but definition '{definition.Definition.Id}' v{definition.Definition.Version} has {definition.Steps.Length}; run an instance with the definition it started with.");
        }
        this.definition = definition;
        original = state;
        steps = [.. state.Steps];
        sequence = state.Sequence;
        completedAt = state.CompletedAt;
        nextSummaryAt = state.NextSummaryAt;
        summariesSent = state.SummariesSent;
    }

    private IReadOnlyDictionary<string, string> Context => original.Context;

    public IReadOnlyList<CoordinationAction> Actions => actions;

    public static InstanceState Initial(CompiledDefinition definition, IReadOnlyDictionary<string, string> context, DateTimeOffset now)
    {
        var d = definition.Definition;
        var stepStates = new StepState[definition.Steps.Length];
        for (var i = 0; i < stepStates.Length; i++)
            stepStates[i] = new StepState { StepId = definition.Steps[i].Id };
        var ordered = new Dictionary<string, string>(context.Count, StringComparer.Ordinal);
        foreach (var pair in context.OrderBy(static p => p.Key, StringComparer.Ordinal))
            ordered[pair.Key] = pair.Value;
        return new InstanceState
        {
            DefinitionId = d.Id,
            DefinitionVersion = d.Version,
            DefinitionHash = d.ContentHash,
            Context = ordered,
            StartedAt = now,
            NextSummaryAt = d.Summary is { Every: var every } && every > TimeSpan.Zero ? now + every : null,
            Steps = stepStates,
        };
    }

    public InstanceState ToState() => original with
    {
        Steps = steps,
        Sequence = sequence,
        CompletedAt = completedAt,
        NextSummaryAt = nextSummaryAt,
        SummariesSent = summariesSent,
    };

    public EngineTurn ToTurn() => new(ToState(), actions.ToArray(), NextWakeUp());

    public void Start(DateTimeOffset now)
    {
        var key = definition.Definition.BusinessKey;
        Emit(CoordinationActionType.InstanceStarted, now, -1, ProcessOwnerPeople(),
            reason: key is not null && Context.TryGetValue(key, out var value) ? $"{key} {value}" : null);
        ActivateReady(now);
    }

    // ---------------------------------------------------------------- timers

    /// <summary>
    /// Fires every reminder, escalation and summary due at or before <paramref name="now"/>, earliest first.
    /// With <paramref name="foldMissedBefore"/>, a reminder (or summary) that fell due before that instant
    /// is not sent when a later one of the same step (or a later summary) is also due by
    /// <paramref name="now"/>: it is folded into the next one sent, whose reason says how many it stands for.
    /// </summary>
    public void AdvanceTo(DateTimeOffset now, DateTimeOffset? foldMissedBefore = null)
    {
        // Reminders folded per step (and summaries folded) that the next one sent stands for. The next
        // one is always sent in this same call: it is due by now, and timers never finish a step.
        long[]? foldedReminders = null;
        long foldedSummaries = 0;
        var foldBefore = foldMissedBefore ?? DateTimeOffset.MinValue;
        while (completedAt is null)
        {
            var (at, kind, index) = NextTimer();
            if (kind == TimerKind.None || at > now)
                return;
            var fold = at < foldBefore;
            switch (kind)
            {
                case TimerKind.Reminder:
                    var skipped = fold ? FoldReminders(index, at, now, foldBefore) : 0;
                    if (skipped > 0)
                    {
                        (foldedReminders ??= new long[steps.Length])[index] += skipped;
                    }
                    else
                    {
                        FireReminder(index, at, foldedReminders?[index] ?? 0);
                        if (foldedReminders is not null)
                            foldedReminders[index] = 0;
                    }
                    break;
                case TimerKind.Escalation:
                    // Every level notifies other people: levels are never folded.
                    FireEscalation(index, at);
                    break;
                default:
                    var skippedSummaries = fold ? FoldSummaries(at, now, foldBefore) : 0;
                    if (skippedSummaries > 0)
                    {
                        foldedSummaries += skippedSummaries;
                    }
                    else
                    {
                        FireSummary(at, foldedSummaries);
                        foldedSummaries = 0;
                    }
                    break;
            }
        }
    }

    /// <summary>
    /// When a later reminder of the step than the one due at <paramref name="at"/> is due by
    /// <paramref name="now"/>: moves the step's next reminder past the ones before
    /// <paramref name="before"/> (never past the latest one due) and returns how many it skipped; else 0.
    /// </summary>
    private long FoldReminders(int index, DateTimeOffset at, DateTimeOffset now, DateTimeOffset before)
    {
        var s = steps[index];
        var step = definition.Steps[index];
        var activatedAt = s.ActivatedAt!.Value;
        var due = s.DueAt!.Value;
        var latest = ReminderSchedule.LatestAtOrBefore(step, activatedAt, due, at, now)!.Value;
        if (latest <= at)
            return 0;
        var cut = latest < before ? latest : before;
        var resume = ReminderSchedule.Next(step, activatedAt, due, cut, inclusive: true)!.Value;
        steps[index] = s with { NextReminderAt = resume };
        return ReminderSchedule.CountBetween(step, activatedAt, due, at, resume);
    }

    /// <summary>Like <see cref="FoldReminders"/> for the periodic summary due at <paramref name="at"/>.</summary>
    private long FoldSummaries(DateTimeOffset at, DateTimeOffset now, DateTimeOffset before)
    {
        var every = definition.Definition.Summary!.Every.Ticks;
        var latest = at + TimeSpan.FromTicks(every * ((now - at).Ticks / every));
        if (latest <= at)
            return 0;
        var cut = latest < before ? latest : before;
        var skipped = (((cut - at).Ticks - 1) / every) + 1;
        nextSummaryAt = at + TimeSpan.FromTicks(every * skipped);
        return skipped;
    }

    /// <summary>The note on a reminder or summary that stands for earlier ones that were folded into it.</summary>
    private static string FoldedNote(long folded, string one, string many) => folded switch
    {
        0 => "",
        1 => $" (sent late: 1 earlier {one} folded into this one)",
        _ => string.Create(CultureInfo.InvariantCulture, $" (sent late: {folded} earlier {many} folded into this one)"),
    };

    public DateTimeOffset? NextWakeUp()
    {
        var (at, kind, _) = NextTimer();
        return kind == TimerKind.None ? null : at;
    }

    private enum TimerKind
    {
        None,
        Reminder,
        Escalation,
        Summary,
    }

    // Ties: steps in definition order, a step's reminder before its escalation, the summary last.
    private (DateTimeOffset At, TimerKind Kind, int Step) NextTimer()
    {
        if (completedAt is not null)
            return (default, TimerKind.None, -1);
        var best = (At: DateTimeOffset.MaxValue, Kind: TimerKind.None, Step: -1);
        for (var i = 0; i < steps.Length; i++)
        {
            var s = steps[i];
            if (!s.Status.IsRunning())
                continue;
            if (s.Status == StepStatus.Active && s.NextReminderAt is { } reminder && reminder < best.At)
                best = (reminder, TimerKind.Reminder, i);
            if (EscalationDue(i) is { } escalation && escalation < best.At)
                best = (escalation, TimerKind.Escalation, i);
        }
        if (nextSummaryAt is { } summary && summary < best.At)
            best = (summary, TimerKind.Summary, -1);
        return best;
    }

    private DateTimeOffset? EscalationDue(int index)
    {
        var s = steps[index];
        var levels = definition.Steps[index].Levels;
        if (s.EscalationsFired >= levels.Length || s.SilenceSince is not { } since)
            return null;
        return since + definition.Steps[index].Silence + levels[s.EscalationsFired].After;
    }

    private void FireReminder(int index, DateTimeOffset at, long folded)
    {
        var s = steps[index];
        var due = s.DueAt!.Value;
        var reason = (at < due
            ? $"due in {Durations.Format(due - at)}"
            : at == due ? "due now" : $"overdue by {Durations.Format(at - due)}") + FoldedNote(folded, "reminder", "reminders");
        Emit(CoordinationActionType.Reminder, at, index, s.Owners, reason: reason, due: due);
        steps[index] = s with
        {
            RemindersSent = s.RemindersSent + 1,
            NextReminderAt = ReminderSchedule.Next(definition.Steps[index], s.ActivatedAt!.Value, due, at, inclusive: false),
        };
    }

    private void FireEscalation(int index, DateTimeOffset at)
    {
        var s = steps[index];
        var stage = definition.Steps[index].Levels[s.EscalationsFired];
        var silence = at - s.SilenceSince!.Value;
        var silent = Durations.Format(silence);
        var blocked = s.Status == StepStatus.Blocked;
        var reason = blocked
            ? $"decision on the block pending for {silent}: {s.BlockReason}"
            : $"no activity for {silent}";
        Emit(CoordinationActionType.Escalation, at, index, ResolveEscalationTargets(index, stage.Notify), level: stage.Number, reason: reason, due: s.DueAt,
            text: blocked ? s.BlockReason : null, silentFor: silence);
        steps[index] = s with { EscalationsFired = s.EscalationsFired + 1 };
    }

    private void FireSummary(DateTimeOffset at, long folded)
    {
        var summary = definition.Definition.Summary!;
        var running = new List<StepSnapshot>();
        for (var i = 0; i < steps.Length; i++)
        {
            var s = steps[i];
            if (s.Status.IsRunning())
                running.Add(new StepSnapshot(s.StepId, definition.Steps[i].Definition.Title, s.Status, s.Owners, s.DueAt));
        }
        summariesSent++;
        Emit(CoordinationActionType.Summary, at, -1, ResolveTargets(-1, summary.To),
            reason: $"summary {summariesSent.ToString(CultureInfo.InvariantCulture)}: {running.Count.ToString(CultureInfo.InvariantCulture)} running step(s)"
                + FoldedNote(folded, "summary", "summaries"),
            snapshot: running);
        nextSummaryAt = at + summary.Every;
    }

    // ---------------------------------------------------------------- activation

    /// <summary>Activates or skips every pending step whose dependencies are all finished, until nothing changes.</summary>
    private void ActivateReady(DateTimeOffset now)
    {
        bool changed;
        do
        {
            changed = false;
            for (var i = 0; i < steps.Length; i++)
            {
                if (steps[i].Status != StepStatus.Pending || !DependenciesFinished(i))
                    continue;
                changed = true;
                if (ConditionHolds(i, out var skipReason))
                    Activate(i, now);
                else
                    Skip(i, now, skipReason);
            }
        }
        while (changed);

        foreach (var s in steps)
        {
            if (!s.Status.IsFinished())
                return;
        }
        completedAt = now;
        nextSummaryAt = null;
        Emit(CoordinationActionType.InstanceCompleted, now, -1, ProcessOwnerPeople());
    }

    private bool DependenciesFinished(int index)
    {
        foreach (var d in definition.Steps[index].Dependencies)
        {
            if (!steps[d].Status.IsFinished())
                return false;
        }
        return true;
    }

    private bool ConditionHolds(int index, out string reason)
    {
        reason = "";
        var step = definition.Steps[index];
        if (step.Definition.When is not { } when)
            return true;
        if (when.Field is { } field)
        {
            var value = Context.GetValueOrDefault(field);
            if (value is not null && when.In is { } allowed && allowed.Contains(value))
                return true;
            reason = value is null
                ? $"start context has no '{field}'"
                : $"{field} is '{value}', not one of {string.Join(", ", when.In ?? [])}";
            return false;
        }
        if (step.DecisionStep >= 0)
        {
            var outcome = steps[step.DecisionStep].Outcome;
            if (outcome is not null && outcome == when.Is)
                return true;
            reason = outcome is null
                ? $"decision '{when.Decision}' was not made"
                : $"decision '{when.Decision}' chose '{outcome}', not '{when.Is}'";
            return false;
        }
        return true;
    }

    private void Activate(int index, DateTimeOffset now)
    {
        var step = definition.Steps[index];
        var owners = ResolveRole(step.Definition.Owner);
        DateTimeOffset? due = step.Definition.Due is { } d ? now + d : null;
        steps[index] = steps[index] with
        {
            Status = StepStatus.Active,
            Owners = owners,
            ActivatedAt = now,
            DueAt = due,
            SilenceSince = now,
            EscalationsFired = 0,
            NextReminderAt = ReminderSchedule.Next(step, now, due, now, inclusive: true),
        };
        Emit(CoordinationActionType.StepActivated, now, index, owners, due: due,
            options: step.IsDecision ? step.Definition.Options : null);
    }

    private void Skip(int index, DateTimeOffset now, string reason)
    {
        steps[index] = steps[index] with { Status = StepStatus.Skipped, FinishedAt = now };
        Emit(CoordinationActionType.StepSkipped, now, index, [], reason: reason);
    }

    // ---------------------------------------------------------------- human events

    /// <summary>Applies an event that <see cref="EventValidator"/> accepted.</summary>
    public void Apply(HumanEvent e, DateTimeOffset now)
    {
        var index = definition.IndexOf(e.StepId);
        var step = definition.Steps[index];
        var s = steps[index];
        switch (e.Type)
        {
            case HumanEventType.Done:
                Finish(index, now, e.By, e.Text);
                break;
            case HumanEventType.Progress:
                steps[index] = Touched(s, now);
                Emit(CoordinationActionType.StepProgress, now, index, [], by: e.By, text: e.Text);
                break;
            case HumanEventType.Blocked:
                steps[index] = Touched(s, now) with
                {
                    Status = StepStatus.Blocked,
                    BlockReason = e.Reason,
                    BlockedBy = e.By,
                    BlockedAt = now,
                    Blocks = s.Blocks + 1,
                };
                Emit(CoordinationActionType.StepBlocked, now, index, ResolveTargets(index, step.BlockNotify), by: e.By, reason: e.Reason, due: s.DueAt);
                Emit(CoordinationActionType.DecisionRequested, now, index, ResolveTargets(index, [step.DecisionBy]), by: e.By,
                    reason: e.Reason, options: step.Alternatives, due: s.DueAt);
                break;
            case HumanEventType.Decide when step.ResolvesBlock(s, e.Option):
                Resume(index, now, e);
                break;
            case HumanEventType.Decide:
                steps[index] = Touched(s, now) with { Outcome = e.Option };
                Emit(CoordinationActionType.DecisionMade, now, index, ProcessOwnerPeople(), by: e.By, option: e.Option,
                    reason: step.FindOption(e.Option)?.Title);
                Finish(index, now, e.By, e.Text);
                break;
            case HumanEventType.Reassign:
                IReadOnlyList<string> owners = [e.To!];
                steps[index] = Touched(s, now) with { Owners = owners };
                Emit(CoordinationActionType.StepReassigned, now, index, owners, by: e.By, reason: e.Reason ?? e.Text, due: s.DueAt);
                break;
            default:
                throw new InvalidOperationException($"Unhandled event type {e.Type}.");
        }
    }

    public void Reject(HumanEvent e, DateTimeOffset now, string reason)
    {
        var index = definition.IndexOf(e.StepId);
        IReadOnlyList<string> to = !string.IsNullOrEmpty(e.By) && definition.IsKnownPerson(e.By, Context) ? [e.By] : [];
        Emit(CoordinationActionType.EventRejected, now, index, to, by: e.By, reason: reason, option: e.Option,
            stepId: index < 0 ? e.StepId : null);
    }

    /// <summary>A human event restarts the silence period and cancels the pending escalation levels.</summary>
    private static StepState Touched(StepState s, DateTimeOffset now) =>
        s with { LastActivityAt = now, SilenceSince = now, EscalationsFired = 0 };

    private void Resume(int index, DateTimeOffset now, HumanEvent e)
    {
        var step = definition.Steps[index];
        var s = steps[index];
        var alternative = step.FindAlternative(e.Option);
        var due = s.DueAt is { } d && alternative?.ExtendDue is { } extend ? d + extend : s.DueAt;
        steps[index] = Touched(s, now) with
        {
            Status = StepStatus.Active,
            DueAt = due,
            BlockReason = null,
            BlockedBy = null,
            BlockedAt = null,
            // Reminders missed while blocked are not sent late; the schedule resumes after now.
            NextReminderAt = ReminderSchedule.Next(step, s.ActivatedAt!.Value, due, now, inclusive: false),
        };
        Emit(CoordinationActionType.DecisionMade, now, index, s.Owners, by: e.By, option: e.Option, reason: alternative?.Title, due: due);
    }

    private void Finish(int index, DateTimeOffset now, string by, string? text)
    {
        var s = steps[index];
        steps[index] = s with
        {
            Status = StepStatus.Done,
            FinishedAt = now,
            LastActivityAt = now,
            NextReminderAt = null,
            BlockReason = null,
            BlockedBy = null,
            BlockedAt = null,
        };
        Emit(CoordinationActionType.StepCompleted, now, index, [], by: by, text: text, due: s.DueAt);
        ActivateReady(now);
    }

    // ---------------------------------------------------------------- people

    private IReadOnlyList<string> ProcessOwnerPeople() => ResolveRole(definition.ProcessOwnerRole);

    /// <summary>The people of a role: its fixed people, or the person named by its start-context field.</summary>
    internal static IReadOnlyList<string> ResolveRole(CompiledDefinition definition, IReadOnlyDictionary<string, string> context, string roleId)
    {
        var role = definition.Role(roleId);
        if (role is null)
            return [];
        if (role.FromContext is { } field)
            return context.TryGetValue(field, out var person) && person.Length > 0 ? [person] : [];
        return role.People;
    }

    private IReadOnlyList<string> ResolveRole(string roleId) => ResolveRole(definition, Context, roleId);

    /// <summary>The people of the lead role of a step's owning role; the process owner when it has none.</summary>
    internal static IReadOnlyList<string> LeadPeople(CompiledDefinition definition, IReadOnlyDictionary<string, string> context, string roleId)
    {
        var lead = definition.Role(roleId)?.Lead;
        var people = lead is null ? [] : ResolveRole(definition, context, lead);
        return people.Count > 0 ? people : ResolveRole(definition, context, definition.ProcessOwnerRole);
    }

    /// <summary>Resolves role ids and special targets (<c>owner</c>, <c>lead</c>, <c>process_owner</c>) for a step (-1: none).</summary>
    private IReadOnlyList<string> ResolveTargets(int index, IReadOnlyList<string> targets)
    {
        var people = new List<string>(4);
        foreach (var target in targets)
        {
            var resolved = target switch
            {
                NotifyTargets.ProcessOwner => ProcessOwnerPeople(),
                NotifyTargets.Owner => index >= 0 ? steps[index].Owners : [],
                NotifyTargets.Lead => index >= 0 ? LeadPeople(definition, Context, definition.Steps[index].Definition.Owner) : [],
                _ => ResolveRole(target),
            };
            AddDistinct(people, resolved);
        }
        return people;
    }

    /// <summary>
    /// Escalation targets. While a step is blocked the silence is the decider's: <c>owner</c> means
    /// the people the decision waits on and <c>lead</c> the lead of the deciding role (else of the owner's role).
    /// </summary>
    private IReadOnlyList<string> ResolveEscalationTargets(int index, IReadOnlyList<string> targets)
    {
        if (steps[index].Status != StepStatus.Blocked)
            return ResolveTargets(index, targets);
        var step = definition.Steps[index];
        var people = new List<string>(4);
        foreach (var target in targets)
        {
            var resolved = target switch
            {
                NotifyTargets.Owner => ResolveTargets(index, [step.DecisionBy]),
                NotifyTargets.Lead when definition.Role(step.DecisionBy)?.Lead is { } lead => ResolveRole(lead),
                _ => ResolveTargets(index, [target]),
            };
            AddDistinct(people, resolved);
        }
        return people;
    }

    internal static void AddDistinct(List<string> people, IReadOnlyList<string> more)
    {
        foreach (var person in more)
        {
            if (!people.Contains(person))
                people.Add(person);
        }
    }

    // ---------------------------------------------------------------- output

    private void Emit(
        CoordinationActionType type,
        DateTimeOffset at,
        int index,
        IReadOnlyList<string> to,
        string? by = null,
        int? level = null,
        string? reason = null,
        string? option = null,
        IReadOnlyList<DecisionOption>? options = null,
        DateTimeOffset? due = null,
        string? text = null,
        IReadOnlyList<StepSnapshot>? snapshot = null,
        string? stepId = null,
        TimeSpan? silentFor = null)
    {
        sequence++;
        var step = stepId ?? (index >= 0 ? definition.Steps[index].Id : null);
        var wire = type.WireName();
        actions.Add(new CoordinationAction
        {
            Type = type,
            At = at,
            Sequence = sequence,
            Key = step is null
                ? string.Create(CultureInfo.InvariantCulture, $"{sequence:D6}:{wire}")
                : string.Create(CultureInfo.InvariantCulture, $"{sequence:D6}:{wire}:{step}"),
            StepId = step,
            To = to,
            By = by,
            Level = level,
            Reason = reason,
            Option = option,
            Options = options,
            Due = due,
            Text = text,
            Steps = snapshot,
            SilentFor = silentFor,
        });
    }
}

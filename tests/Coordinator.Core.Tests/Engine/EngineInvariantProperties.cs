using System.Text.Json;
using Coordinator.Core.Definitions;
using Coordinator.Core.Engine;
using FsCheck.Xunit;
using static Coordinator.Core.Tests.Engine.TestDefinitions;

namespace Coordinator.Core.Tests.Engine;

/// <summary>Invariants of the engine over random sequences of human events on the onboarding workflow.</summary>
public sealed class EngineInvariantProperties
{
    private static readonly WorkflowDefinition Definition = Onboarding;

    private static readonly string[] People =
        ["sales.rep", "sales.lead", "csm.lead", "cs.director", "legal.counsel", "billing.specialist", "finance.lead", "it.engineer", "it.lead", "stranger"];

    private static readonly string?[] Options = ["temporary-accounts", "wait-for-customer", "manual-provisioning", "bogus", null];

    /// <summary>Who plausibly acts on each step: its owner, the owner's lead, the block decider.</summary>
    private static readonly Dictionary<string, string[]> Actors = new()
    {
        ["contract"] = ["sales.rep", "sales.lead"],
        ["legal-review"] = ["legal.counsel", "csm.lead"],
        ["billing-setup"] = ["billing.specialist", "finance.lead"],
        ["it-setup"] = ["it.engineer", "it.lead"],
        ["data-migration"] = ["it.engineer", "it.lead"],
        ["training"] = ["csm.lead", "cs.director"],
        ["go-live"] = ["csm.lead", "cs.director"],
        ["handover"] = ["csm.lead"],
    };

    /// <summary>
    /// Decodes 4 raw integers into the next event: a gap of 0–96 hours, a step (mostly a running one,
    /// sometimes any), a type, a person (mostly a plausible actor, sometimes anyone) and the details.
    /// </summary>
    private static (DateTimeOffset At, HumanEvent Event) Decode(int[] raw, int k, DateTimeOffset previous, InstanceState state)
    {
        var at = previous + TimeSpan.FromHours(Math.Abs(raw[k] % 97));
        var running = state.Steps.Where(s => s.Status.IsRunning()).Select(s => s.StepId).ToList();
        var choice = Math.Abs(raw[k + 1]);
        var step = running.Count > 0 && choice % 4 != 0
            ? running[choice / 4 % running.Count]
            : Definition.Steps[choice % Definition.Steps.Count].Id;
        var type = (HumanEventType)Math.Abs(raw[k + 2] % 5);
        var pick = Math.Abs(raw[k + 3]);
        var by = pick % 4 != 0 ? Actors[step][pick / 4 % Actors[step].Length] : People[pick / 4 % People.Length];
        return (at, new HumanEvent(step, type, by,
            Reason: pick % 5 == 0 ? null : "stuck",
            Option: Options[pick / 7 % Options.Length],
            To: People[pick / 11 % People.Length]));
    }

    /// <summary>An action, or the marker of an accepted human event placed where it took effect.</summary>
    private sealed record Entry(CoordinationAction? Action, HumanEvent? Accepted);

    private static List<CoordinationAction> Run(int[] raw) => [.. Timeline(raw).Where(e => e.Action is not null).Select(e => e.Action!)];

    /// <summary>Runs the events through the engine (advancing through wake-ups in between), checking per-call invariants.</summary>
    private static List<Entry> Timeline(int[] raw)
    {
        var context = new Dictionary<string, string>(OnboardingContext) { ["segment"] = raw.Length % 2 == 0 ? "enterprise" : "smb" };
        var turn = CoordinationEngine.Start(Definition, context, T0);
        var entries = turn.Actions.Select(a => new Entry(a, null)).ToList();
        var at = T0;
        for (var k = 0; k + 3 < raw.Length; k += 4)
        {
            (at, var e) = Decode(raw, k, at, turn.State);
            var advanced = CoordinationEngine.Advance(Definition, turn.State, at);
            var validation = CoordinationEngine.Validate(Definition, advanced.State, e);
            var applied = CoordinationEngine.Apply(Definition, turn.State, e, at);

            // Apply = Advance, then the event; a rejection adds one action and changes nothing else.
            Assert.Equal(
                JsonSerializer.Serialize(advanced.Actions),
                JsonSerializer.Serialize(applied.Actions.Take(advanced.Actions.Count)));
            if (!validation.Accepted)
            {
                var rejection = Assert.Single(applied.Actions.Skip(advanced.Actions.Count));
                Assert.Equal((CoordinationActionType.EventRejected, validation.Reason), (rejection.Type, rejection.Reason));
                Assert.Equal(JsonSerializer.Serialize(advanced.State), JsonSerializer.Serialize(applied.State with { Sequence = advanced.State.Sequence }));
            }
            for (var i = 0; i < applied.Actions.Count; i++)
            {
                if (i == advanced.Actions.Count && validation.Accepted)
                    entries.Add(new Entry(null, e));
                entries.Add(new Entry(applied.Actions[i], null));
            }
            if (validation.Accepted && applied.Actions.Count == advanced.Actions.Count)
                entries.Add(new Entry(null, e));
            turn = applied;
        }
        var last = entries.LastOrDefault(x => x.Action is not null)?.Action?.At ?? T0;
        turn = CoordinationEngine.Advance(Definition, turn.State, last + TimeSpan.FromDays(30));
        entries.AddRange(turn.Actions.Select(a => new Entry(a, null)));
        return entries;
    }

    [Property(MaxTest = 300)]
    public void Engine_RandomEvents_NoStepActivatesBeforeItsDependenciesFinish(int[] raw)
    {
        var finished = new HashSet<string>();
        foreach (var a in Run(raw))
        {
            if (a.Type is CoordinationActionType.StepActivated or CoordinationActionType.StepSkipped)
            {
                var step = Definition.FindStep(a.StepId!)!;
                Assert.All(step.After, dependency => Assert.Contains(dependency, finished));
            }
            if (a.Type is CoordinationActionType.StepCompleted or CoordinationActionType.StepSkipped)
                finished.Add(a.StepId!);
        }
    }

    [Property(MaxTest = 300)]
    public void Engine_RandomEvents_NoReminderToAFinishedOrBlockedStep(int[] raw)
    {
        var quiet = new HashSet<string>();
        foreach (var a in Run(raw))
        {
            switch (a.Type)
            {
                case CoordinationActionType.Reminder:
                    Assert.DoesNotContain(a.StepId!, quiet);
                    break;
                case CoordinationActionType.StepCompleted or CoordinationActionType.StepSkipped or CoordinationActionType.StepBlocked:
                    quiet.Add(a.StepId!);
                    break;
                case CoordinationActionType.DecisionMade when Definition.FindStep(a.StepId!)!.Type == StepType.Task:
                    quiet.Remove(a.StepId!);
                    break;
            }
        }
    }

    [Property(MaxTest = 300)]
    public void Engine_RandomEvents_EachEscalationLevelAtMostOncePerSilencePeriod(int[] raw)
    {
        var firedInPeriod = new Dictionary<string, HashSet<int>>();
        foreach (var (action, accepted) in Timeline(raw))
        {
            if (accepted is not null)
                firedInPeriod[accepted.StepId] = []; // a human event starts a new silence period
            else if (action!.Type == CoordinationActionType.StepActivated)
                firedInPeriod[action.StepId!] = [];
            else if (action.Type == CoordinationActionType.Escalation)
                Assert.True(firedInPeriod[action.StepId!].Add(action.Level!.Value), $"level {action.Level} of {action.StepId} fired twice in one silence period");
        }
    }

    [Property(MaxTest = 200)]
    public void Engine_SameInputs_ProduceIdenticalActions(int[] raw)
    {
        Assert.Equal(JsonSerializer.Serialize(Run(raw)), JsonSerializer.Serialize(Run(raw)));
    }

    [Property(MaxTest = 200)]
    public void Engine_RandomEvents_ActionsAreInTimeOrderWithUniqueKeys(int[] raw)
    {
        var actions = Run(raw);
        for (var i = 1; i < actions.Count; i++)
            Assert.True(actions[i - 1].At <= actions[i].At, $"{actions[i - 1].Key} at {actions[i - 1].At} before {actions[i].Key} at {actions[i].At}");
        Assert.Equal(actions.Count, actions.Select(a => a.Key).Distinct().Count());
    }

    /// <summary>
    /// Outages of up to 12 days between random events, each turn folding what fell due before the turn
    /// itself, an hour or a day before it. Compared with the same turn without folding: every reminder
    /// (and summary) sent stands for itself and the ones folded into it, the latest one due is always
    /// sent, nothing due after the fold instant is folded, folding up to the turn sends at most one
    /// reminder per step, and everything else (escalations, state, next wake-up) is the same.
    /// </summary>
    [Property(MaxTest = 300)]
    public void Engine_RandomOutagesWithFolding_EachReminderSentStandsForTheOnesFoldedIntoIt(int[] raw)
    {
        var context = new Dictionary<string, string>(OnboardingContext) { ["segment"] = raw.Length % 2 == 0 ? "enterprise" : "smb" };
        var turn = CoordinationEngine.Start(Definition, context, T0);
        var sent = new List<CoordinationAction>();
        var at = T0;
        for (var k = 0; k + 3 < raw.Length; k += 4)
        {
            (var next, var e) = Decode(raw, k, at, turn.State);
            at += (next - at) * 3;
            var foldBefore = at - (Math.Abs(raw[k] / 97 % 3) switch { 0 => TimeSpan.Zero, 1 => H(1), _ => D(1) });

            var folded = CoordinationEngine.Advance(Definition, turn.State, at, foldBefore);
            AssertFoldedLike(CoordinationEngine.Advance(Definition, turn.State, at), folded, foldBefore, at);
            turn = CoordinationEngine.Apply(Definition, turn.State, e, at, foldBefore);
            Assert.Equal(JsonSerializer.Serialize(folded.Actions), JsonSerializer.Serialize(turn.Actions.Take(folded.Actions.Count)));
            sent.AddRange(turn.Actions);
        }
        var end = at + D(30);
        var last = CoordinationEngine.Advance(Definition, turn.State, end, end);
        AssertFoldedLike(CoordinationEngine.Advance(Definition, turn.State, end), last, end, end);
        sent.AddRange(last.Actions);

        // RemindersSent and SummariesSent count what was sent, not what was folded.
        foreach (var step in last.State.Steps)
            Assert.Equal(sent.Count(a => a.Type == CoordinationActionType.Reminder && a.StepId == step.StepId), step.RemindersSent);
        Assert.Equal(sent.Count(a => a.Type == CoordinationActionType.Summary), last.State.SummariesSent);
    }

    private static void AssertFoldedLike(EngineTurn plain, EngineTurn folded, DateTimeOffset foldBefore, DateTimeOffset now)
    {
        static bool Folds(CoordinationAction a) => a.Type is CoordinationActionType.Reminder or CoordinationActionType.Summary;
        Assert.Equal(
            plain.Actions.Where(a => !Folds(a)).Select(a => (a.Type, a.At, a.StepId, a.Level, string.Join(",", a.To), a.Reason)),
            folded.Actions.Where(a => !Folds(a)).Select(a => (a.Type, a.At, a.StepId, a.Level, string.Join(",", a.To), a.Reason)));

        foreach (var group in plain.Actions.Where(Folds).GroupBy(a => (a.Type, a.StepId)))
        {
            var all = group.Select(a => a.At).ToList();
            var kept = folded.Actions.Where(a => (a.Type, a.StepId) == group.Key).ToList();
            Assert.Equal(all.Count, kept.Sum(a => 1 + ReminderTests.FoldedCount(a.Reason)));
            Assert.Equal(all[^1], kept[^1].At);
            Assert.Equal(all.Where(t => t >= foldBefore), kept.Select(a => a.At).Where(t => t >= foldBefore));
            Assert.All(kept, a => Assert.Contains(a.At, all));
            if (foldBefore >= now)
                Assert.Single(kept);
        }
        Assert.Equal(plain.Actions.Count(Folds) == 0, folded.Actions.Count(Folds) == 0);

        var counts = folded.State.Steps.ToDictionary(s => s.StepId, s => s.RemindersSent);
        var expected = plain.State with
        {
            Sequence = folded.State.Sequence,
            SummariesSent = folded.State.SummariesSent,
            Steps = [.. plain.State.Steps.Select(s => s with { RemindersSent = counts[s.StepId] })],
        };
        Assert.Equal(JsonSerializer.Serialize(expected), JsonSerializer.Serialize(folded.State));
        Assert.Equal(plain.NextWakeUp, folded.NextWakeUp);
    }

    [Fact]
    public void Timeline_LongRandomSequence_AcceptsEventsAndCompletesTheInstance()
    {
        var random = new Random(7);
        var raw = Enumerable.Range(0, 400).Select(_ => random.Next()).ToArray();

        var timeline = Timeline(raw);

        Assert.True(timeline.Count(e => e.Accepted is not null) > 20);
        Assert.Contains(timeline, e => e.Action?.Type == CoordinationActionType.InstanceCompleted);
    }
}

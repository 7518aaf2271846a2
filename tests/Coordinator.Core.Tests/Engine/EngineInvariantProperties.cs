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

using Coordinator.Core.Definitions;
using Coordinator.Core.Engine;

namespace Coordinator.Core.Tests.Engine;

/// <summary>Drives the engine the way a host does, collecting every action; times are offsets from <see cref="TestDefinitions.T0"/>.</summary>
internal sealed class EngineDriver
{
    private readonly List<CoordinationAction> all = [];

    private EngineDriver(WorkflowDefinition definition, EngineTurn first)
    {
        Definition = definition;
        Take(first);
    }

    public WorkflowDefinition Definition { get; }

    public InstanceState State { get; private set; } = null!;

    public DateTimeOffset? NextWakeUp { get; private set; }

    public IReadOnlyList<CoordinationAction> Actions => all;

    /// <summary>The actions of the last call.</summary>
    public IReadOnlyList<CoordinationAction> Last { get; private set; } = [];

    public static EngineDriver Start(WorkflowDefinition definition, IReadOnlyDictionary<string, string>? context = null) =>
        new(definition, CoordinationEngine.Start(definition, context ?? new Dictionary<string, string>(), TestDefinitions.T0));

    public static EngineDriver Onboarding(string segment = "enterprise")
    {
        var context = new Dictionary<string, string>(TestDefinitions.OnboardingContext) { ["segment"] = segment };
        return Start(TestDefinitions.Onboarding, context);
    }

    /// <summary>Advances to an offset; with <paramref name="foldBefore"/> (an offset too), folds what fell due before it.</summary>
    public EngineDriver AdvanceTo(TimeSpan offset, TimeSpan? foldBefore = null)
    {
        Take(CoordinationEngine.Advance(Definition, State, TestDefinitions.T0 + offset, TestDefinitions.T0 + foldBefore));
        return this;
    }

    public EngineDriver Apply(
        TimeSpan offset, string step, HumanEventType type, string by, string? reason = null, string? option = null, string? to = null, string? text = null, TimeSpan? foldBefore = null)
    {
        Take(CoordinationEngine.Apply(
            Definition, State, new HumanEvent(step, type, by, Text: text, Reason: reason, Option: option, To: to), TestDefinitions.T0 + offset, TestDefinitions.T0 + foldBefore));
        return this;
    }

    public EngineDriver Done(TimeSpan offset, string step, string by) => Apply(offset, step, HumanEventType.Done, by);

    public StepState Step(string id) => State.FindStep(id) ?? throw new InvalidOperationException($"no step {id}");

    public IEnumerable<CoordinationAction> OfType(CoordinationActionType type, string? step = null) =>
        all.Where(a => a.Type == type && (step is null || a.StepId == step));

    private void Take(EngineTurn turn)
    {
        State = turn.State;
        NextWakeUp = turn.NextWakeUp;
        Last = turn.Actions;
        all.AddRange(turn.Actions);
    }
}

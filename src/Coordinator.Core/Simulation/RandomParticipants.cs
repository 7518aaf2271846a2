using Coordinator.Core.Definitions;
using Coordinator.Core.Engine;

namespace Coordinator.Core.Simulation;

/// <summary>
/// Plausible, reproducible participant behaviour for load simulation, reacting to the engine's
/// actions: owners mostly finish within their deadline, some late; they report progress every few
/// days, sometimes not often enough to stay clear of escalations; steps with block alternatives are
/// sometimes blocked, and the decider picks an alternative after a while; decision steps get a
/// random option. All randomness comes from the seeded <see cref="Random"/> given here (the engine
/// itself has none).
/// </summary>
internal sealed class RandomParticipants(WorkflowDefinition definition, Random random, SimulationLoop loop)
{
    private static readonly TimeSpan DefaultWork = TimeSpan.FromDays(3);
    private static readonly TimeSpan MinGap = TimeSpan.FromHours(12);
    private static readonly TimeSpan MaxGap = TimeSpan.FromDays(4);

    public void React(CoordinationAction action, InstanceState state)
    {
        switch (action.Type)
        {
            case CoordinationActionType.StepActivated:
                OnActivated(action);
                break;
            case CoordinationActionType.DecisionRequested when action.To.Count > 0:
                var alternatives = action.Options ?? [];
                loop.Schedule(action.At + Between(TimeSpan.FromHours(2), TimeSpan.FromDays(4)),
                    new HumanEvent(action.StepId!, HumanEventType.Decide, action.To[0],
                        Option: alternatives.Count > 0 ? alternatives[random.Next(alternatives.Count)].Id : null));
                break;
            case CoordinationActionType.DecisionMade when state.FindStep(action.StepId!) is { Status: StepStatus.Active } resumed:
                // A block was resolved: the owner gets on with it.
                loop.Schedule(action.At + Scale(WorkFor(action.StepId!), 0.2, 0.8), new HumanEvent(action.StepId!, HumanEventType.Done, resumed.Owners[0]));
                break;
        }
    }

    private void OnActivated(CoordinationAction action)
    {
        var step = definition.FindStep(action.StepId!)!;
        var owner = action.To.Count > 0 ? action.To[0] : "";
        var work = WorkFor(step.Id);
        if (step.Type == StepType.Decision)
        {
            var option = step.Options[random.Next(step.Options.Count)].Id;
            loop.Schedule(action.At + Scale(work, 0.2, 1.2), new HumanEvent(step.Id, HumanEventType.Decide, owner, Option: option));
            return;
        }
        if (step.OnBlocked is { Alternatives.Count: > 0 } && random.NextDouble() < 0.15)
        {
            loop.Schedule(action.At + Scale(work, 0.1, 0.5), new HumanEvent(step.Id, HumanEventType.Blocked, owner, Reason: "waiting on the customer"));
            return;
        }
        // Most finish in time; the tail runs late. Owners report progress every few days, mostly.
        var doneAt = action.At + Scale(work, 0.3, 1.5);
        for (var at = action.At + Between(MinGap, MaxGap); at < doneAt; at += Between(MinGap, MaxGap))
        {
            if (random.NextDouble() < 0.8)
                loop.Schedule(at, new HumanEvent(step.Id, HumanEventType.Progress, owner, Text: "under way"));
        }
        loop.Schedule(doneAt, new HumanEvent(step.Id, HumanEventType.Done, owner));
    }

    private TimeSpan WorkFor(string stepId) => definition.FindStep(stepId)?.Due ?? DefaultWork;

    private TimeSpan Scale(TimeSpan work, double min, double max) => work * (min + (random.NextDouble() * (max - min)));

    private TimeSpan Between(TimeSpan min, TimeSpan max) => min + ((max - min) * random.NextDouble());
}

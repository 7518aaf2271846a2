using Coordinator.Core.Definitions;
using Coordinator.Core.Engine;

namespace Coordinator.Core.Simulation;

/// <summary>
/// Runs one instance on a virtual clock with the engine calls a durable orchestrator makes
/// (<see cref="CoordinationEngine.Start"/>, <see cref="CoordinationEngine.Advance"/> at each wake-up,
/// <see cref="CoordinationEngine.Apply"/> for each human event): the clock jumps from wake-up to
/// wake-up and event to event. It never applies rules itself.
/// </summary>
internal sealed class SimulationLoop
{
    private readonly WorkflowDefinition definition;
    private readonly DateTimeOffset start;
    private readonly DateTimeOffset? until;
    private readonly bool keepActions;
    private readonly PriorityQueue<HumanEvent, (DateTimeOffset At, long Order)> events = new();
    private readonly List<CoordinationAction> actions = [];
    private readonly ActionCounts counts = new();
    private long order;

    public SimulationLoop(WorkflowDefinition definition, DateTimeOffset start, DateTimeOffset? until, bool keepActions)
    {
        this.definition = definition;
        this.start = start;
        this.until = until;
        this.keepActions = keepActions;
    }

    /// <summary>Queues a human event; events at equal times are applied in the order they were queued.</summary>
    public void Schedule(DateTimeOffset at, HumanEvent e) => events.Enqueue(e, (at, order++));

    /// <summary>
    /// Runs until the instance completes, only humans could move it on and no events are queued,
    /// or the time bound. <paramref name="react"/> sees every action (and may queue events).
    /// </summary>
    public SimulationResult Run(IReadOnlyDictionary<string, string> context, Action<CoordinationAction, InstanceState>? react = null)
    {
        var turn = CoordinationEngine.Start(definition, context, start);
        Take(turn, react);
        var now = start;
        SimulationOutcome outcome;
        while (true)
        {
            if (turn.State.IsCompleted)
            {
                outcome = SimulationOutcome.Completed;
                break;
            }
            var hasEvent = events.TryPeek(out var next, out var key);
            if (!hasEvent && (turn.NextWakeUp is null || CoordinationEngine.WaitsOnlyForHumans(definition, turn.State)))
            {
                outcome = SimulationOutcome.WaitingOnHumans;
                break;
            }
            var at = hasEvent && (turn.NextWakeUp is not { } wake || key.At <= wake) ? key.At : turn.NextWakeUp!.Value;
            if (at > until)
            {
                now = until.Value;
                Take(turn = CoordinationEngine.Advance(definition, turn.State, now), react);
                outcome = turn.State.IsCompleted ? SimulationOutcome.Completed : SimulationOutcome.TimeLimit;
                break;
            }
            now = at < now ? now : at;
            if (hasEvent && key.At == at)
            {
                events.Dequeue();
                turn = CoordinationEngine.Apply(definition, turn.State, next!, now);
            }
            else
            {
                turn = CoordinationEngine.Advance(definition, turn.State, now);
            }
            Take(turn, react);
        }
        var end = turn.State.CompletedAt ?? now;
        return new SimulationResult(actions, turn.State, outcome, start, end, CoordinationEngine.WaitingOn(definition, turn.State), counts);
    }

    private void Take(EngineTurn turn, Action<CoordinationAction, InstanceState>? react)
    {
        foreach (var action in turn.Actions)
        {
            counts.Add(action.Type);
            if (keepActions)
                actions.Add(action);
            react?.Invoke(action, turn.State);
        }
    }
}

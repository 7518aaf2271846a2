using Coordinator.Core.Definitions;
using Coordinator.Core.Engine;
using Coordinator.Orchestration;

namespace Coordinator.HostBenchmarks;

/// <summary>
/// How many activities the coordinator's orchestrator calls in each turn of one benchmark instance
/// (turn 0 = start, turn k = after the k-th <c>done</c> event), worked out with the orchestrator's
/// own pure code: the engine's actions and the <see cref="SideEffectPlanner"/>. The bare Durable
/// baseline calls exactly as many activities per turn.
/// </summary>
internal sealed record ActivityPlan(IReadOnlyList<int> PerTurn)
{
    public int Total => PerTurn.Sum();

    public static ActivityPlan For(WorkflowDefinition definition, string businessKey, string by)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var now = DateTimeOffset.UnixEpoch;
        var planner = new SideEffectPlanner("plan", definition, businessKey);
        var context = new Dictionary<string, string>(StringComparer.Ordinal);
        if (definition.BusinessKey is { } field)
            context[field] = businessKey;
        var turn = CoordinationEngine.Start(definition, context, now);
        var perTurn = new List<int> { ActivitiesOf(turn, planner) };
        foreach (var step in definition.Steps)
        {
            turn = CoordinationEngine.Apply(definition, turn.State, new HumanEvent(step.Id, HumanEventType.Done, by), now);
            if (turn.Actions.Any(a => a.Type == CoordinationActionType.EventRejected))
                throw new InvalidOperationException($"The engine rejected 'done' on step '{step.Id}': the benchmark workflow must be sequential steps owned by '{by}'.");
            perTurn.Add(ActivitiesOf(turn, planner));
        }
        if (!turn.State.IsCompleted)
            throw new InvalidOperationException($"Workflow '{definition.Id}' is not complete after 'done' on every step; the benchmark needs sequential steps only.");
        return new ActivityPlan(perTurn);
    }

    /// <summary>As the orchestrator's loop: one audit batch and one projection of open work per turn with actions, and per action its notification, CRM update and memory record.</summary>
    private static int ActivitiesOf(EngineTurn turn, SideEffectPlanner planner)
    {
        if (turn.Actions.Count == 0)
            return 0;
        // The audit batch, and the projection of open work (every turn of a sequential workflow changes who waits).
        var count = 2;
        foreach (var action in turn.Actions)
        {
            count += planner.Notify(action) is null ? 0 : 1;
            count += planner.Crm(action) is null ? 0 : 1;
            count += planner.Memory(action) is null ? 0 : 1;
        }
        return count;
    }
}

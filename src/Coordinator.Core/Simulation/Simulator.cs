using Coordinator.Core.Definitions;

namespace Coordinator.Core.Simulation;

/// <summary>Simulates one instance of a definition following a scenario, on a virtual clock.</summary>
public static class Simulator
{
    /// <param name="definition">A validated definition.</param>
    /// <param name="scenario">The start context and the human events.</param>
    /// <param name="start">The virtual start time.</param>
    /// <param name="until">Stop at this virtual time at the latest; null: run until completion or until only humans can move the instance on.</param>
    public static SimulationResult Run(WorkflowDefinition definition, Scenario scenario, DateTimeOffset start, DateTimeOffset? until = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(scenario);
        var loop = new SimulationLoop(definition, start, until, keepActions: true);
        foreach (var e in scenario.Events)
            loop.Schedule(start + e.At, e.Event);
        return loop.Run(scenario.Context);
    }
}

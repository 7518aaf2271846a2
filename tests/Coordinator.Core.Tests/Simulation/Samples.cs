using System.Runtime.CompilerServices;
using Coordinator.Core.Definitions;
using Coordinator.Core.Simulation;

namespace Coordinator.Core.Tests.Simulation;

/// <summary>The sample definitions and scenarios of the repository.</summary>
internal static class Samples
{
    public static readonly DateTimeOffset Start = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    public static string Root { get; } = FindRoot();

    public static string DefinitionPath(string id) => Path.Combine(Root, "workflow-definitions", id + ".yaml");

    public static string ScenarioPath(string name) => Path.Combine(Root, "workflow-definitions", "scenarios", name + ".yaml");

    public static WorkflowDefinition Definition(string id)
    {
        var result = WorkflowLoader.LoadFile(DefinitionPath(id));
        Assert.True(result.Succeeded, string.Join(Environment.NewLine, result.Diagnostics));
        return result.Definition!;
    }

    public static Scenario Scenario(string name, WorkflowDefinition definition)
    {
        var result = ScenarioLoader.LoadFile(ScenarioPath(name), definition);
        Assert.True(result.Succeeded, string.Join(Environment.NewLine, result.Diagnostics));
        return result.Scenario!;
    }

    public static SimulationResult Simulate(string definitionId, string scenario, TimeSpan? until = null)
    {
        var definition = Definition(definitionId);
        return Simulator.Run(definition, Scenario(scenario, definition), Start, until is { } u ? Start + u : null);
    }

    private static string FindRoot([CallerFilePath] string source = "")
    {
        var directory = Path.GetDirectoryName(source);
        while (directory is not null && !File.Exists(Path.Combine(directory, "Coordinator.sln")))
            directory = Path.GetDirectoryName(directory);
        return directory ?? throw new InvalidOperationException($"No Coordinator.sln above {source}.");
    }
}

using System.Runtime.CompilerServices;
using BenchmarkDotNet.Attributes;
using Coordinator.Core.Definitions;
using Coordinator.Core.Simulation;

namespace Coordinator.Benchmarks;

/// <summary>
/// The six-week B2B onboarding simulated on the virtual clock: the scripted happy path
/// (block, decision, reminders, escalations, summaries) and randomized participants.
/// Goal: well under 1 ms per instance on one core.
/// </summary>
[MemoryDiagnoser]
public class OnboardingSimulationBenchmarks
{
    private const int RandomInstances = 100;
    private static readonly DateTimeOffset Start = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    private WorkflowDefinition definition = null!;
    private Scenario scenario = null!;

    [GlobalSetup]
    public void Setup()
    {
        var root = RepositoryRoot();
        var loaded = WorkflowLoader.LoadFile(Path.Combine(root, "workflow-definitions", "b2b-onboarding.yaml"));
        definition = loaded.Definition ?? throw new InvalidOperationException(string.Join(Environment.NewLine, loaded.Diagnostics));
        var script = ScenarioLoader.LoadFile(Path.Combine(root, "workflow-definitions", "scenarios", "b2b-onboarding.happy-path.yaml"), definition);
        scenario = script.Scenario ?? throw new InvalidOperationException(string.Join(Environment.NewLine, script.Diagnostics));
    }

    /// <summary>One instance following the happy-path scenario; keeps the whole timeline.</summary>
    [Benchmark(Baseline = true)]
    public SimulationResult HappyPathScenario() => Simulator.Run(definition, scenario, Start);

    /// <summary>One instance with randomized participants (averaged over 100 fixed seeds); counts only.</summary>
    [Benchmark(OperationsPerInvoke = RandomInstances)]
    public int RandomizedInstance()
    {
        var completed = 0;
        for (var seed = 0; seed < RandomInstances; seed++)
        {
            if (BatchSimulator.RunOne(definition, seed, Start, null).Outcome == SimulationOutcome.Completed)
                completed++;
        }
        return completed;
    }

    private static string RepositoryRoot([CallerFilePath] string source = "")
    {
        var directory = Path.GetDirectoryName(source);
        while (directory is not null && !File.Exists(Path.Combine(directory, "Coordinator.sln")))
            directory = Path.GetDirectoryName(directory);
        return directory ?? throw new InvalidOperationException($"Run the benchmarks from a checkout: no Coordinator.sln above {source}.");
    }
}

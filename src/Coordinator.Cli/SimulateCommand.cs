using System.CommandLine;
using System.Globalization;
using Coordinator.Core.Definitions;
using Coordinator.Core.Simulation;

namespace Coordinator.Cli;

/// <summary>
/// <c>coordinator simulate DEFINITION --scenario SCENARIO [--start T] [--format text|json] [--until 8w]</c>
/// runs one instance on a virtual clock and prints its coordination actions;
/// <c>coordinator simulate DEFINITION --instances N --seed S</c> runs N instances with randomized,
/// reproducible participants and reports throughput. Exit code 0 on success, 1 when the definition
/// or scenario has errors, 2 on wrong usage.
/// </summary>
public static class SimulateCommand
{
    public static readonly DateTimeOffset DefaultStart = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    public static Command Create()
    {
        var definition = new Argument<string>("definition") { Description = "The workflow definition file (YAML or JSON)." };
        var scenario = new Option<string>("--scenario") { Description = "Scenario file: the start context and the human events at offsets from the start." };
        var start = new Option<string>("--start") { Description = "Virtual start time, UTC ISO 8601. Default: 2026-01-05T09:00:00Z." };
        var format = new Option<string>("--format") { Description = "text (a readable timeline) or json (one JSON object per line). Default: text." };
        var until = new Option<string>("--until") { Description = "Stop after this long at the latest, e.g. 8w. Default: until completion or until only humans can move the instance on." };
        var instances = new Option<int?>("--instances") { Description = "Simulate this many instances with randomized participants (the engine benchmark)." };
        var seed = new Option<int>("--seed") { Description = "Seed of the randomized participants (with --instances). Default: 1.", DefaultValueFactory = _ => 1 };

        var command = new Command("simulate", "Run a workflow on a virtual clock: a scripted scenario as a timeline, or many randomized instances as a benchmark.");
        command.Arguments.Add(definition);
        command.Options.Add(scenario);
        command.Options.Add(start);
        command.Options.Add(format);
        command.Options.Add(until);
        command.Options.Add(instances);
        command.Options.Add(seed);
        command.SetAction(parseResult => Run(
            new SimulateOptions(
                parseResult.GetValue(definition)!,
                parseResult.GetValue(scenario),
                parseResult.GetValue(start),
                parseResult.GetValue(format),
                parseResult.GetValue(until),
                parseResult.GetValue(instances),
                parseResult.GetValue(seed)),
            parseResult.InvocationConfiguration.Output,
            parseResult.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>Runs the command; returns the exit code.</summary>
    public static int Run(SimulateOptions options, TextWriter output, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);

        if (Usage(options) is { } usage)
        {
            error.WriteLine(usage);
            return 2;
        }
        var startAt = options.Start is null ? DefaultStart : DateTimeOffset.Parse(options.Start, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal).ToUniversalTime();
        TimeSpan? bound = options.Until is null ? null : Durations.Parse(options.Until);

        var loaded = WorkflowLoader.LoadFile(options.Definition);
        foreach (var diagnostic in loaded.Diagnostics.Where(d => d.IsError))
            error.WriteLine(diagnostic.ToString());
        if (!loaded.Succeeded)
        {
            error.WriteLine($"The definition {options.Definition} has errors; fix them (coordinator validate {options.Definition}) and simulate again.");
            return 1;
        }
        var workflow = loaded.Definition!;

        Scenario? script = null;
        if (options.Scenario is not null)
        {
            var scenarioResult = ScenarioLoader.LoadFile(options.Scenario, workflow);
            foreach (var diagnostic in scenarioResult.Diagnostics)
                error.WriteLine(diagnostic.ToString());
            if (!scenarioResult.Succeeded)
            {
                error.WriteLine($"The scenario {options.Scenario} has errors; fix them and simulate again.");
                return 1;
            }
            script = scenarioResult.Scenario!;
        }

        return options.Instances is { } count
            ? RunBatch(workflow, count, options.Seed, startAt, script?.Context, output, error)
            : RunScenario(workflow, script!, startAt, bound, options.Format ?? "text", output, error);
    }

    private static string? Usage(SimulateOptions options)
    {
        if (options.Scenario is null && options.Instances is null)
            return "Say what to simulate: --scenario SCENARIO for one scripted instance, or --instances N [--seed S] for a randomized batch.";
        if (options.Instances is < 1)
            return $"--instances must be at least 1 (got {options.Instances}).";
        if (options.Format is not (null or "text" or "json"))
            return $"--format must be text or json (got '{options.Format}').";
        if (options.Start is not null && !DateTimeOffset.TryParse(options.Start, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out _))
            return $"--start '{options.Start}' is not a time; write UTC ISO 8601 such as 2026-01-05T09:00:00Z.";
        if (options.Until is not null && !Durations.TryParse(options.Until, out _))
            return $"--until '{options.Until}' is not a duration; write for example 8w, 30d or 12h.";
        return null;
    }

    private static int RunScenario(WorkflowDefinition workflow, Scenario script, DateTimeOffset startAt, TimeSpan? bound, string format, TextWriter output, TextWriter error)
    {
        var result = Simulator.Run(workflow, script, startAt, bound is { } b ? startAt + b : null);
        if (format == "json")
        {
            TimelineWriter.WriteJsonLines(output, result.Actions);
            error.WriteLine(TimelineWriter.Outcome(result));
        }
        else
        {
            TimelineWriter.WriteText(output, workflow, result);
        }
        return 0;
    }

    private static int RunBatch(WorkflowDefinition workflow, int count, int seed, DateTimeOffset startAt, IReadOnlyDictionary<string, string>? context, TextWriter output, TextWriter error)
    {
        output.WriteLine($"Simulating {count:N0} instances of {workflow.Id} v{workflow.Version} (seed {seed})...");
        var progress = count >= 1000 ? new InlineProgress(error, count) : null;
        var result = BatchSimulator.Run(workflow, count, seed, startAt, context, progress);
        progress?.Finish();
        var n = (double)result.Instances;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Completed:     {result.Completed:N0} of {result.Instances:N0}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Per instance:  {result.Reminders / n:F2} reminders, {result.Escalations / n:F2} escalations, {result.Decisions / n:F2} decisions, {result.Actions / n:F1} actions, {(result.SimulatedTime / n).TotalDays:F1} simulated days"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Time:          {result.Elapsed.TotalMilliseconds:N0} ms total, {result.PerInstance.TotalMicroseconds:F1} µs per instance, {result.InstancesPerSecond:N0} instances/second"));
        return 0;
    }

    /// <summary>"simulated 12,000 / 100,000" on one line of the error stream, updated in place.</summary>
    private sealed class InlineProgress(TextWriter error, int total) : IProgress<int>
    {
        public void Report(int value) => error.Write(string.Create(CultureInfo.InvariantCulture, $"\r  simulated {value:N0} / {total:N0}"));

        public void Finish() => error.WriteLine();
    }
}

/// <summary>The options of <c>coordinator simulate</c>.</summary>
public sealed record SimulateOptions(
    string Definition,
    string? Scenario = null,
    string? Start = null,
    string? Format = null,
    string? Until = null,
    int? Instances = null,
    int Seed = 1);

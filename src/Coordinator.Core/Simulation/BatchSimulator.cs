using System.Diagnostics;
using Coordinator.Core.Definitions;
using Coordinator.Core.Engine;

namespace Coordinator.Core.Simulation;

/// <summary>The totals of a batch of simulated instances.</summary>
public sealed record BatchResult(int Instances, int Completed, long Reminders, long Escalations, long Decisions, long Rejections, long Actions, TimeSpan SimulatedTime, TimeSpan Elapsed)
{
    public double InstancesPerSecond => Elapsed > TimeSpan.Zero ? Instances / Elapsed.TotalSeconds : double.PositiveInfinity;

    public TimeSpan PerInstance => Instances > 0 ? Elapsed / Instances : TimeSpan.Zero;
}

/// <summary>
/// Simulates many instances with randomized but reproducible participants (instance i uses
/// <c>new Random(seed + i)</c>), the engine's throughput benchmark.
/// </summary>
public static class BatchSimulator
{
    /// <param name="definition">A validated definition.</param>
    /// <param name="instances">How many instances to run.</param>
    /// <param name="seed">Makes the run reproducible.</param>
    /// <param name="start">The virtual start time of every instance.</param>
    /// <param name="context">The start context; null: one is made up per instance (people for <c>from_context</c> roles, a random allowed value for each <c>when</c> field).</param>
    /// <param name="progress">Receives the number of instances done, every 1% or so.</param>
    public static BatchResult Run(
        WorkflowDefinition definition,
        int instances,
        int seed,
        DateTimeOffset start,
        IReadOnlyDictionary<string, string>? context = null,
        IProgress<int>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentOutOfRangeException.ThrowIfNegative(instances);
        var until = start + TimeSpan.FromDays(365);
        var step = Math.Max(1, instances / 100);
        int completed = 0;
        long reminders = 0, escalations = 0, decisions = 0, rejections = 0, actions = 0;
        var simulated = TimeSpan.Zero;
        var stopwatch = Stopwatch.StartNew();
        for (var i = 0; i < instances; i++)
        {
            var result = RunOne(definition, seed + i, start, until, context);
            if (result.Outcome == SimulationOutcome.Completed)
                completed++;
            var counts = result.Counts;
            reminders += counts.Reminders;
            escalations += counts.Escalations;
            decisions += counts[CoordinationActionType.DecisionMade];
            rejections += counts.Rejections;
            foreach (var type in Enum.GetValues<CoordinationActionType>())
                actions += counts[type];
            simulated += result.EndedAt - result.StartedAt;
            if ((i + 1) % step == 0)
                progress?.Report(i + 1);
        }
        stopwatch.Stop();
        return new BatchResult(instances, completed, reminders, escalations, decisions, rejections, actions, simulated, stopwatch.Elapsed);
    }

    /// <summary>One instance with participants driven by <c>new Random(seed)</c>.</summary>
    public static SimulationResult RunOne(WorkflowDefinition definition, int seed, DateTimeOffset start, DateTimeOffset? until, IReadOnlyDictionary<string, string>? context = null, bool keepActions = false)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var random = new Random(seed);
        var loop = new SimulationLoop(definition, start, until, keepActions);
        var participants = new RandomParticipants(definition, random, loop);
        return loop.Run(context ?? MakeContext(definition, random, seed), participants.React);
    }

    private static Dictionary<string, string> MakeContext(WorkflowDefinition definition, Random random, int seed)
    {
        var context = new Dictionary<string, string>(StringComparer.Ordinal);
        if (definition.BusinessKey is { } key)
            context[key] = $"SIM-{seed}";
        foreach (var role in definition.Roles)
        {
            if (role.FromContext is { } field)
                context[field] = $"{role.Id}.person";
        }
        // Each condition field gets one of the values any step accepts, now and then one none does.
        var values = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var step in definition.Steps)
        {
            if (step.When is { Field: { } field, In: { } allowed } && !context.ContainsKey(field))
            {
                if (!values.TryGetValue(field, out var list))
                    values[field] = list = [];
                list.AddRange(allowed.Where(v => !list.Contains(v)));
            }
        }
        foreach (var (field, list) in values)
            context[field] = list.Count > 0 && random.NextDouble() < 0.9 ? list[random.Next(list.Count)] : "other";
        return context;
    }
}

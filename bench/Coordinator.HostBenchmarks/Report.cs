using System.Globalization;
using System.Runtime.InteropServices;

namespace Coordinator.HostBenchmarks;

/// <summary>The comparison table of one run.</summary>
internal static class Report
{
    public const double Goal = 0.80;

    public static void Write(TextWriter output, HostBenchSettings settings, ActivityPlan plan, LoadResult coordinator, LoadResult bare)
    {
        var ratio = coordinator.InstancesPerSecond / bare.InstancesPerSecond;
        output.WriteLine();
        output.WriteLine("Standalone host benchmark: Durable Azure Storage backend on " + (settings.Storage is null ? "a private Azurite" : "the given storage account"));
        output.WriteLine($"  machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}");
        output.WriteLine($"  instances: {coordinator.Instances} per side (+{settings.Warmup} warm-up), concurrency {settings.Concurrency}, "
            + $"MaxQueuePollingInterval {settings.MaxQueuePollingInterval.TotalMilliseconds:F0} ms, {settings.Partitions} partitions");
        output.WriteLine($"  activities per instance: {plan.Total} (per turn: {string.Join(" + ", plan.PerTurn)}), 3 events per instance");
        output.WriteLine($"  latency = event sent -> next step seen waiting, by polling every {settings.PollInterval.TotalMilliseconds:F0} ms (granularity: poll interval + one GET)");
        output.WriteLine();
        output.WriteLine("| side                      | instances/s | p50 latency | p95 latency | samples |");
        output.WriteLine("|---------------------------|------------:|------------:|------------:|--------:|");
        Row(output, "coordinator (HTTP API)", coordinator);
        Row(output, "bare Durable (client)", bare);
        output.WriteLine();
        output.WriteLine($"coordinator / bare rate: {ratio:P0} (goal ≥ {Goal:P0}): "
            + (ratio >= Goal ? "GOAL MET" : "GOAL MISSED"));
    }

    public static TimeSpan Percentile(IReadOnlyList<TimeSpan> samples, double percentile)
    {
        ArgumentNullException.ThrowIfNull(samples);
        if (samples.Count == 0)
            return TimeSpan.Zero;
        var sorted = samples.Order().ToArray();
        var rank = (int)Math.Ceiling(percentile / 100 * sorted.Length);
        return sorted[Math.Clamp(rank - 1, 0, sorted.Length - 1)];
    }

    private static void Row(TextWriter output, string side, LoadResult result) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {side,-25} | {result.InstancesPerSecond,11:F2} | {Ms(Percentile(result.EventToNextStep, 50)),11} | {Ms(Percentile(result.EventToNextStep, 95)),11} | {result.EventToNextStep.Count,7} |"));

    private static string Ms(TimeSpan value) => string.Create(CultureInfo.InvariantCulture, $"{value.TotalMilliseconds:F0} ms");
}

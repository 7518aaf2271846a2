using System.Globalization;
using System.Runtime.InteropServices;

namespace Coordinator.HostBenchmarks;

/// <summary>The comparison table of one run: a row per side and round, then both sides over all rounds.</summary>
internal static class Report
{
    public const double Goal = 0.80;

    public static void Write(TextWriter output, HostBenchSettings settings, ActivityPlan plan, IReadOnlyList<RoundResult> rounds)
    {
        ArgumentNullException.ThrowIfNull(rounds);
        var coordinator = LoadResult.Combine(rounds.Select(r => r.Coordinator));
        var bare = LoadResult.Combine(rounds.Select(r => r.Bare));
        var ratio = coordinator.InstancesPerSecond / bare.InstancesPerSecond;
        output.WriteLine();
        output.WriteLine("Standalone host benchmark: Durable Azure Storage backend on " + (settings.Storage is null ? "a private Azurite" : "the given storage account"));
        output.WriteLine($"  machine: {Environment.ProcessorCount} cores, {RuntimeInformation.OSDescription}, {RuntimeInformation.FrameworkDescription}");
        output.WriteLine($"  instances: {settings.Instances} per side and round, {rounds.Count} rounds (+{settings.Warmup} warm-up per side), concurrency {settings.Concurrency}, "
            + $"MaxQueuePollingInterval {settings.MaxQueuePollingInterval.TotalMilliseconds:F0} ms, {settings.Partitions} partitions");
        output.WriteLine($"  activities per instance: {plan.Total} (per turn: {string.Join(" + ", plan.PerTurn)}), {plan.PerTurn.Count - 1} events per instance");
        output.WriteLine($"  latency = event sent -> next step seen waiting, by polling every {settings.PollInterval.TotalMilliseconds:F0} ms (granularity: poll interval + one GET)");
        output.WriteLine();
        output.WriteLine("| round | side                      | instances/s | p50 latency | p95 latency | samples | read p50 | event p50 | host CPU / inst. | Azurite CPU / inst. | coordinator / bare |");
        output.WriteLine("|-------|---------------------------|------------:|------------:|------------:|--------:|---------:|----------:|-----------------:|--------------------:|-------------------:|");
        foreach (var round in rounds)
        {
            var label = round.Round.ToString(CultureInfo.InvariantCulture);
            Row(output, label, "coordinator (HTTP API)", round.Coordinator, Percent(round.Ratio));
            Row(output, label, "bare Durable (client)", round.Bare, "");
        }
        Row(output, "all", "coordinator (HTTP API)", coordinator, Percent(ratio));
        Row(output, "all", "bare Durable (client)", bare, "");
        output.WriteLine();
        output.WriteLine("read / event p50 = median time of one status read (GET) and of one event (POST / RaiseEvent) as the driver saw it.");
        output.WriteLine("CPU / inst. = processor time used while a side was measured, divided by its instances (host = this process: both hosts, workers and the driver).");
        output.WriteLine($"coordinator / bare rate over all rounds: {Percent(ratio)} (goal ≥ {Goal:P0}; rounds {string.Join(", ", rounds.Select(r => Percent(r.Ratio)))}): "
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

    private static void Row(TextWriter output, string round, string side, LoadResult result, string ratio) =>
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {round,-5} | {side,-25} | {result.InstancesPerSecond,11:F2} | {Ms(Percentile(result.EventToNextStep, 50)),11} | {Ms(Percentile(result.EventToNextStep, 95)),11} | {result.EventToNextStep.Count,7} | {Ms(Percentile(result.ReadCalls, 50)),8} | {Ms(Percentile(result.EventCalls, 50)),9} | {Ms(result.HostCpu / result.Instances),16} | {(result.StorageCpu is { } storage ? Ms(storage / result.Instances) : "-"),19} | {ratio,18} |"));

    private static string Percent(double ratio) => string.Create(CultureInfo.InvariantCulture, $"{ratio * 100:F0} %");

    private static string Ms(TimeSpan value) => string.Create(CultureInfo.InvariantCulture, $"{value.TotalMilliseconds:F0} ms");
}

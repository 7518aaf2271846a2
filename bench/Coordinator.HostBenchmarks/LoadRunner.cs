using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace Coordinator.HostBenchmarks;

/// <summary>Where an instance stands, as its driver observes it.</summary>
/// <param name="WaitingAt">Index of the step waiting for its <c>done</c> event; -1 when none (starting, between turns, or completed).</param>
/// <param name="Completed">Whether the instance has completed.</param>
internal readonly record struct InstanceProgress(int WaitingAt, bool Completed);

/// <summary>One side of the comparison: starts instances, observes them, reports <c>done</c> events.</summary>
internal interface IWorkflowDriver
{
    /// <summary>Steps per instance, each finished by one event.</summary>
    int Steps { get; }

    Task<string> StartAsync(string key, CancellationToken cancellationToken);

    Task<InstanceProgress> ReadAsync(string instanceId, CancellationToken cancellationToken);

    Task SendDoneAsync(string instanceId, int step, CancellationToken cancellationToken);
}

/// <summary>What one side measured.</summary>
internal sealed record LoadResult(int Instances, TimeSpan Elapsed, IReadOnlyList<TimeSpan> EventToNextStep)
{
    public double InstancesPerSecond => Instances / Elapsed.TotalSeconds;
}

/// <summary>
/// Drives instances through a side with bounded concurrency, the same way for both sides: start,
/// poll until the first step waits, report it done, poll until the next step waits (that interval is
/// one latency sample), ..., poll until the instance completes. Stops by count or cancellation.
/// </summary>
internal sealed class LoadRunner(IWorkflowDriver driver, int concurrency, TimeSpan pollInterval, TextWriter progress, string label)
{
    public async Task<LoadResult> RunAsync(string keyPrefix, int instances, CancellationToken cancellationToken)
    {
        var latencies = new ConcurrentBag<TimeSpan>();
        var completed = 0;
        var clock = Stopwatch.StartNew();
        using var reporterStop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var reporter = ReportProgressAsync(() => Volatile.Read(ref completed), instances, clock, reporterStop.Token);
        try
        {
            await Parallel.ForEachAsync(
                Enumerable.Range(0, instances),
                new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
                async (index, token) =>
                {
                    await DriveOneAsync($"{keyPrefix}-{index.ToString(CultureInfo.InvariantCulture)}", latencies, token).ConfigureAwait(false);
                    Interlocked.Increment(ref completed);
                }).ConfigureAwait(false);
            clock.Stop();
        }
        finally
        {
            await reporterStop.CancelAsync().ConfigureAwait(false);
            await reporter.ConfigureAwait(false);
        }
        progress.WriteLine($"  [{label}] {instances}/{instances} completed in {clock.Elapsed.TotalSeconds:F1} s");
        return new LoadResult(instances, clock.Elapsed, [.. latencies]);
    }

    private async Task DriveOneAsync(string key, ConcurrentBag<TimeSpan> latencies, CancellationToken cancellationToken)
    {
        var instanceId = await driver.StartAsync(key, cancellationToken).ConfigureAwait(false);
        long? eventSentAt = null;
        for (var step = 0; step < driver.Steps; step++)
        {
            var waitingStep = step;
            await PollUntilAsync(instanceId, p => p.WaitingAt == waitingStep, $"step {step + 1} to wait for its event", cancellationToken).ConfigureAwait(false);
            if (eventSentAt is { } sent)
                latencies.Add(Stopwatch.GetElapsedTime(sent));
            eventSentAt = Stopwatch.GetTimestamp();
            await driver.SendDoneAsync(instanceId, step, cancellationToken).ConfigureAwait(false);
        }
        await PollUntilAsync(instanceId, p => p.Completed, "completion", cancellationToken).ConfigureAwait(false);
    }

    private async Task PollUntilAsync(string instanceId, Func<InstanceProgress, bool> reached, string what, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var state = await driver.ReadAsync(instanceId, cancellationToken).ConfigureAwait(false);
                if (reached(state))
                    return;
                if (state.Completed)
                    throw new InvalidOperationException($"[{label}] instance {instanceId} completed while the driver waited for {what}.");
                await Task.Delay(pollInterval, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"[{label}] the run's time limit passed while instance {instanceId} waited for {what}; raise --timeout-minutes or lower --instances.");
        }
    }

    private async Task ReportProgressAsync(Func<int> completed, int total, Stopwatch clock, CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(5));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                var done = completed();
                progress.WriteLine($"  [{label}] {done}/{total} completed, {done / clock.Elapsed.TotalSeconds:F2} instances/s so far ({clock.Elapsed.TotalSeconds:F0} s)");
            }
        }
        catch (OperationCanceledException)
        {
            // The run is over.
        }
    }
}

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

    /// <summary>The backend's orchestration history of an instance, as JSON (for <c>--timeline</c>).</summary>
    Task<string> HistoryAsync(string instanceId);
}

/// <summary>What one side measured.</summary>
internal sealed record LoadResult(int Instances, TimeSpan Elapsed, IReadOnlyList<TimeSpan> EventToNextStep)
{
    public double InstancesPerSecond => Instances / Elapsed.TotalSeconds;

    /// <summary>How long each status read took (the driver's GET or client call).</summary>
    public IReadOnlyList<TimeSpan> ReadCalls { get; init; } = [];

    /// <summary>How long each event took to be accepted (the driver's POST or RaiseEvent call).</summary>
    public IReadOnlyList<TimeSpan> EventCalls { get; init; } = [];

    /// <summary>The id of the last instance that completed (for <c>--timeline</c>).</summary>
    public string? LastInstanceId { get; init; }

    /// <summary>Processor time of the benchmark process (host, workers, driver) while measuring.</summary>
    public TimeSpan HostCpu { get; init; }

    /// <summary>Processor time of the private Azurite while measuring; null with <c>--storage</c>.</summary>
    public TimeSpan? StorageCpu { get; init; }

    /// <summary>Several measurements as one: instances and time added up, latency samples pooled.</summary>
    public static LoadResult Combine(IEnumerable<LoadResult> results)
    {
        var all = results.ToArray();
        return new LoadResult(
            all.Sum(r => r.Instances),
            TimeSpan.FromTicks(all.Sum(r => r.Elapsed.Ticks)),
            [.. all.SelectMany(r => r.EventToNextStep)])
        {
            ReadCalls = [.. all.SelectMany(r => r.ReadCalls)],
            EventCalls = [.. all.SelectMany(r => r.EventCalls)],
            HostCpu = TimeSpan.FromTicks(all.Sum(r => r.HostCpu.Ticks)),
            StorageCpu = all.All(r => r.StorageCpu is not null) ? TimeSpan.FromTicks(all.Sum(r => r.StorageCpu!.Value.Ticks)) : null,
        };
    }
}

/// <summary>
/// Drives instances through a side with bounded concurrency, the same way for both sides: start,
/// poll until the first step waits, report it done, poll until the next step waits (that interval is
/// one latency sample), ..., poll until the instance completes. Stops by count or cancellation.
/// </summary>
internal sealed class LoadRunner(IWorkflowDriver driver, int concurrency, TimeSpan pollInterval, TextWriter progress, string label)
{
    /// <summary>What one run collects, shared by its concurrent instances.</summary>
    private sealed class Samples
    {
        public ConcurrentBag<TimeSpan> EventToNextStep { get; } = [];
        public ConcurrentBag<TimeSpan> Reads { get; } = [];
        public ConcurrentBag<TimeSpan> Events { get; } = [];
    }

    public async Task<LoadResult> RunAsync(string keyPrefix, int instances, CancellationToken cancellationToken)
    {
        var samples = new Samples();
        var completed = 0;
        string? lastInstanceId = null;
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
                    var instanceId = await DriveOneAsync($"{keyPrefix}-{index.ToString(CultureInfo.InvariantCulture)}", samples, token).ConfigureAwait(false);
                    Volatile.Write(ref lastInstanceId, instanceId);
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
        return new LoadResult(instances, clock.Elapsed, [.. samples.EventToNextStep])
        {
            LastInstanceId = lastInstanceId,
            ReadCalls = [.. samples.Reads],
            EventCalls = [.. samples.Events],
        };
    }

    private async Task<string> DriveOneAsync(string key, Samples samples, CancellationToken cancellationToken)
    {
        var instanceId = await driver.StartAsync(key, cancellationToken).ConfigureAwait(false);
        long? eventSentAt = null;
        for (var step = 0; step < driver.Steps; step++)
        {
            var waitingStep = step;
            await PollUntilAsync(instanceId, p => p.WaitingAt == waitingStep, $"step {step + 1} to wait for its event", samples, cancellationToken).ConfigureAwait(false);
            if (eventSentAt is { } sent)
                samples.EventToNextStep.Add(Stopwatch.GetElapsedTime(sent));
            var sentAt = Stopwatch.GetTimestamp();
            eventSentAt = sentAt;
            await driver.SendDoneAsync(instanceId, step, cancellationToken).ConfigureAwait(false);
            samples.Events.Add(Stopwatch.GetElapsedTime(sentAt));
        }
        await PollUntilAsync(instanceId, p => p.Completed, "completion", samples, cancellationToken).ConfigureAwait(false);
        return instanceId;
    }

    private async Task PollUntilAsync(string instanceId, Func<InstanceProgress, bool> reached, string what, Samples samples, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var readAt = Stopwatch.GetTimestamp();
                var state = await driver.ReadAsync(instanceId, cancellationToken).ConfigureAwait(false);
                samples.Reads.Add(Stopwatch.GetElapsedTime(readAt));
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

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;

namespace Coordinator.ScaleBenchmarks;

/// <summary>Options of one run (see <see cref="Usage"/>).</summary>
internal sealed record ScaleSettings(
    IReadOnlyList<int> Tiers, int Baseline, int Samples, int Concurrency, TimeSpan Idle, string? Connection, string? Azurite, IReadOnlyList<string> Settings)
{
    /// <summary>Set by <c>--six-weeks N</c>: run N onboardings through six simulated weeks and report their history instead of the tiers.</summary>
    public int? SixWeeks { get; init; }

    /// <summary>Set by <c>--fleet N</c>: one host against two on one task hub, rounds of N three-step instances.</summary>
    public int? Fleet { get; init; }

    /// <summary>Azurite keeps its data on disk (rewriting its whole database file every few seconds) instead of in memory.</summary>
    public bool AzuriteOnDisk { get; init; }

    public const string Usage = """
        Usage: dotnet run -c Release --project bench/Coordinator.ScaleBenchmarks -- [options]
          --instances 1000,5000   running-instance tiers, in increasing order (default 1000,5000)
          --baseline N            instances of the small run the latencies are compared with (default 10)
          --samples N             step events measured per tier (default 20)
          --concurrency N         starts in flight (default 16)
          --idle-seconds N        how long the host's idle processor use is measured per tier (default 30)
          --connection CS         PostgreSQL superuser connection (default: COORDINATOR_BENCH_CONNECTION)
          --azurite PATH          the Azurite binary (default: the one scripts/azurite.sh install puts in .data/tools)
          --azurite-on-disk       Azurite persists to disk (default: in memory, --inMemoryPersistence; on disk it rewrites its
                                  whole database file every few seconds, a cost real Azure Storage does not have)
          --six-weeks N           instead: N onboardings through six simulated weeks (time scale 20,000), each step finished
                                  half a day to two days after its due moment; prints the history rows per instance as it goes
          --fleet N               instead: one host against two on one task hub, rounds of N instances of the three-step
                                  workflow of the host benchmark (each done waits for its outcome), --concurrency at a time
          --set NAME=VALUE        an extra environment variable for serve (repeatable), e.g. --set Coordinator__Durable__PartitionCount=8
        """;

    public static ScaleSettings Parse(string[] args)
    {
        var settings = new ScaleSettings([1000, 5000], 10, 20, 16, TimeSpan.FromSeconds(30), null, null, []);
        for (var i = 0; i < args.Length; i++)
        {
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int Number() => int.TryParse(Next(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{args[i - 1]} needs a whole number > 0.");
            settings = args[i] switch
            {
                "--instances" => settings with { Tiers = [.. Next().Split(',').Select(t => int.Parse(t, NumberStyles.None, CultureInfo.InvariantCulture)).Order()] },
                "--baseline" => settings with { Baseline = Number() },
                "--samples" => settings with { Samples = Number() },
                "--concurrency" => settings with { Concurrency = Number() },
                "--idle-seconds" => settings with { Idle = TimeSpan.FromSeconds(Number()) },
                "--connection" => settings with { Connection = Next() },
                "--azurite" => settings with { Azurite = Next() },
                "--set" => settings with { Settings = [.. settings.Settings, Next()] },
                "--azurite-on-disk" => settings with { AzuriteOnDisk = true },
                "--six-weeks" => settings with { SixWeeks = Number() },
                "--fleet" => settings with { Fleet = Number() },
                _ => throw new ArgumentException($"Unknown option {args[i]}."),
            };
        }
        return settings;
    }
}

/// <summary>
/// How the cost grows with the number of running instances: one <c>coordinator serve</c> (a separate
/// process, time scale 1, Azure Storage backend on a private Azurite, PostgreSQL audit and read models)
/// holding 10, then 1,000, then 5,000 instances of the B2B onboarding that wait on timers and people.
/// Per tier: the time to start them (accepted, and until every first turn is done), the host's memory
/// and idle processor use, Azurite's storage and history rows per instance, and the latency from a
/// step event <c>POST</c> to the next step's activation (the event's answer, which comes once the
/// instance applied it), against the same latency with 10 instances in the same run.
/// </summary>
internal static class ScaleBenchmark
{
    private const string Workflow = "b2b-onboarding";
    private const string Owner = "sales.rep";

    public static async Task<int> RunAsync(ScaleSettings settings, TextWriter output, CancellationToken cancellationToken)
    {
        await using var deployment = await ScaleDeployment.StartAsync(settings, timeScale: 1, output, cancellationToken).ConfigureAwait(false);
        var (host, azurite, http) = (deployment.Host, deployment.Azurite, deployment.Http);
        var rows = new List<TierResult>();
        var started = new List<string>();
        var tiers = new[] { settings.Baseline }.Concat(settings.Tiers.Where(t => t > settings.Baseline)).ToArray();
        foreach (var tier in tiers)
        {
            output.WriteLine();
            output.WriteLine($"Tier: {tier:N0} running instances");
            var fresh = Enumerable.Range(started.Count, tier - started.Count).Select(i => "S-" + i.ToString("D6", CultureInfo.InvariantCulture)).ToArray();
            var (accepted, drained) = await StartAllAsync(deployment, fresh, started.Count, settings.Concurrency, output, cancellationToken).ConfigureAwait(false);
            started.AddRange(fresh);

            // Idle: nothing is sent; every instance waits on a timer (reminders days away) or on a person.
            await Task.Delay(TimeSpan.FromSeconds(5), cancellationToken).ConfigureAwait(false);
            var (hostBefore, azuriteBefore) = (host.ProcessorTime, azurite.ProcessorTime);
            await Task.Delay(settings.Idle, cancellationToken).ConfigureAwait(false);
            var idleHost = (host.ProcessorTime - hostBefore) / settings.Idle;
            var idleAzurite = (azurite.ProcessorTime - azuriteBefore) / settings.Idle;
            var memory = host.ResidentBytes;
            var azuriteMemory = ProcessStats.ResidentBytes(azurite.ProcessId);
            // Instances that only waited (not the ones the latency samples moved on).
            var history = await deployment.HistoryAsync([.. fresh.Take(50).Select(InstanceId)], cancellationToken).ConfigureAwait(false);
            // On disk: Azurite's files; in memory: what the instance's rows hold (history and instance rows, keys and payloads).
            var storagePerInstance = settings.AzuriteOnDisk ? ProcessStats.FolderBytes(azurite.DataFolder) / (double)started.Count : history.Bytes + history.InstanceBytes;

            // Step events on instances that wait for them: the first step's done, one per instance, one at a time.
            var targets = fresh.Skip(tier == settings.Baseline ? 0 : fresh.Length / 2).Take(settings.Samples).ToArray();
            var latencies = new List<double>();
            var timeouts = 0;
            foreach (var key in targets)
            {
                var (elapsed, applied) = await SendDoneAsync(http, InstanceId(key), cancellationToken).ConfigureAwait(false);
                latencies.Add(elapsed.TotalMilliseconds);
                timeouts += applied ? 0 : 1;
            }
            var result = new TierResult(tier, accepted, drained, memory, azuriteMemory, storagePerInstance, idleHost, idleAzurite, history,
                ScaleDeployment.Percentile(latencies, 0.50), ScaleDeployment.Percentile(latencies, 0.95), timeouts);
            rows.Add(result);
            output.WriteLine($"  started in {accepted.TotalSeconds:F0} s (accepted), first turns done after {drained.TotalSeconds:F0} s; host {memory / 1048576.0:F0} MiB, " +
                             $"idle CPU host {idleHost:P1} / Azurite {idleAzurite:P1} of a core; Azurite {azuriteMemory / 1048576.0:F0} MiB; storage {result.StoragePerInstance / 1024:F1} KiB per instance, " +
                             $"history {history.Rows:F1} rows / {history.Bytes / 1024:F1} KiB per instance; event → next step p50 {result.P50:F0} ms, p95 {result.P95:F0} ms{(timeouts > 0 ? $" ({timeouts} answered 202: not applied within the wait)" : "")}");
        }

        output.WriteLine();
        output.WriteLine("| running instances | start (accepted / first turns done) | host memory | host CPU idle | Azurite CPU idle | Azurite memory | storage per instance | history per instance | event → next step p50 / p95 | p95 vs 10 |");
        output.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        var baseline = rows[0].P95;
        foreach (var r in rows)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {r.Instances:N0} | {r.Accepted.TotalSeconds:F0} s / {r.Drained.TotalSeconds:F0} s | {r.Memory / 1048576.0:F0} MiB | {r.IdleHost:P1} | {r.IdleAzurite:P1} | {r.AzuriteMemory / 1048576.0:F0} MiB | " +
                $"{r.StoragePerInstance / 1024:F1} KiB | {r.History.Rows:F1} rows, {r.History.Bytes / 1024:F1} KiB | {r.P50:F0} / {r.P95:F0} ms | {r.P95 / baseline:F2}× |"));
        }
        deployment.DescribeWarnings(output);
        return 0;
    }

    private static string InstanceId(string key) => $"{Workflow}.{key}";

    /// <summary>Starts the instances (<paramref name="concurrency"/> at a time), then waits until each one's first turn is in the read model; prints progress.</summary>
    private static async Task<(TimeSpan Accepted, TimeSpan Drained)> StartAllAsync(
        ScaleDeployment deployment, IReadOnlyList<string> keys, int already, int concurrency, TextWriter output, CancellationToken cancellationToken)
    {
        var http = deployment.Http;
        var clock = Stopwatch.StartNew();
        var next = -1;
        var accepted = 0;
        using var progress = new Timer(_ => output.WriteLine($"  {clock.Elapsed.TotalSeconds,5:F0} s: {Volatile.Read(ref accepted):N0} of {keys.Count:N0} starts accepted"), null, 10_000, 10_000);
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) is var i && i < keys.Count)
            {
                await StartOnboardingAsync(http, keys[i], cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref accepted);
            }
        })).ConfigureAwait(false);
        await progress.DisposeAsync().ConfigureAwait(false);
        var acceptedAfter = clock.Elapsed;
        var expected = already + keys.Count;
        var lastPrint = TimeSpan.Zero;
        while (true)
        {
            var done = await deployment.ScalarAsync("SELECT count(*) FROM work_instances", cancellationToken).ConfigureAwait(false);
            if (done >= expected)
                return (acceptedAfter, clock.Elapsed);
            if (clock.Elapsed - lastPrint >= TimeSpan.FromSeconds(10))
            {
                output.WriteLine($"  {clock.Elapsed.TotalSeconds,5:F0} s: first turns done {done - already:N0} of {keys.Count:N0}");
                lastPrint = clock.Elapsed;
            }
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Starts an onboarding whose first step (<c>contract</c>) <see cref="Owner"/> owns.</summary>
    public static Task StartOnboardingAsync(HttpClient http, string key, CancellationToken cancellationToken) =>
        ScaleDeployment.StartInstanceAsync(http, Workflow, key, new { deal_id = key, deal_owner = Owner, segment = "enterprise" }, cancellationToken);

    /// <summary>Posts the first step's <c>done</c> and waits for its answer (the API answers 200 once the instance applied it and activated the next steps).</summary>
    private static async Task<(TimeSpan Elapsed, bool Applied)> SendDoneAsync(HttpClient http, string instanceId, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        using var response = await http.PostAsJsonAsync(
            $"/api/instances/{Uri.EscapeDataString(instanceId)}/steps/contract/events", new { type = "done", by = Owner }, cancellationToken).ConfigureAwait(false);
        var elapsed = clock.Elapsed;
        if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.Accepted))
            throw new InvalidOperationException($"done on {instanceId} was answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)}");
        return (elapsed, response.StatusCode == HttpStatusCode.OK);
    }

    private sealed record TierResult(
        int Instances, TimeSpan Accepted, TimeSpan Drained, long Memory, long AzuriteMemory, double StoragePerInstance, double IdleHost, double IdleAzurite,
        (double Rows, double Bytes, double InstanceBytes) History, double P50, double P95, int Timeouts);
}

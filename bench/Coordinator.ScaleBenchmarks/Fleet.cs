using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Reflection;

namespace Coordinator.ScaleBenchmarks;

/// <summary>
/// One host against two on the same task hub and database: instances of the host benchmark's
/// three-step workflow completed per second, each step finished by a <c>done</c> that waits for its
/// outcome, requests alternating over the hosts. Two rounds with one host, then the second host
/// starts (and gets a minute and a round of its own to take its share of the partitions), then three rounds with both.
/// </summary>
internal static class Fleet
{
    private const string Workflow = "bench-three-steps";
    private static readonly string[] Steps = ["first", "second", "third"];

    public static async Task<int> RunAsync(ScaleSettings settings, int instances, TextWriter output, CancellationToken cancellationToken)
    {
        await using var deployment = await ScaleDeployment.StartAsync(
            settings, timeScale: 1, output, cancellationToken, Path.Combine(ScaleDeployment.RepositoryRoot, "bench", "Coordinator.HostBenchmarks", "workflows")).ConfigureAwait(false);
        var clients = new List<HttpClient> { deployment.Http };
        var results = new List<(int Hosts, double Rate, double P50, double P95)>();
        var round = 0;
        // Warm-up (JIT, plans, connections), not measured.
        await RoundAsync(clients, $"warm", Math.Max(10, instances / 4), settings.Concurrency, cancellationToken).ConfigureAwait(false);
        foreach (var hosts in new[] { 1, 1, 2, 2, 2 })
        {
            if (hosts > clients.Count)
            {
                clients.Add(await deployment.AddHostAsync(cancellationToken).ConfigureAwait(false));
                output.WriteLine("second host ready; letting it take its share of the partitions (60 s and a round) ...");
                await Task.Delay(TimeSpan.FromSeconds(60), cancellationToken).ConfigureAwait(false);
                await RoundAsync(clients, "rebalance", Math.Max(10, instances / 4), settings.Concurrency, cancellationToken).ConfigureAwait(false);
            }
            var (rate, p50, p95) = await RoundAsync(clients, $"r{++round}", instances, settings.Concurrency, cancellationToken).ConfigureAwait(false);
            results.Add((hosts, rate, p50, p95));
            output.WriteLine($"  round {round}: {hosts} host(s): {rate:F2} instances/s, done → applied p50 {p50:F0} ms, p95 {p95:F0} ms");
        }
        foreach (var client in clients.Skip(1))
            client.Dispose();

        double Rate(int hosts) => results.Where(r => r.Hosts == hosts).Average(r => r.Rate);
        output.WriteLine();
        output.WriteLine("| hosts on the task hub | instances/s (mean of its rounds) | done → applied p50 / p95 |");
        output.WriteLine("|---:|---:|---:|");
        foreach (var hosts in new[] { 1, 2 })
        {
            var mine = results.Where(r => r.Hosts == hosts).ToArray();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {hosts} | {Rate(hosts):F2} | {mine.Average(r => r.P50):F0} / {mine.Max(r => r.P95):F0} ms |"));
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Two hosts / one: {Rate(2) / Rate(1):F2}×"));
        deployment.DescribeWarnings(output);
        return 0;
    }

    /// <summary>Runs <paramref name="count"/> instances to completion, <paramref name="concurrency"/> at a time, requests alternating over the hosts.</summary>
    private static async Task<(double Rate, double P50, double P95)> RoundAsync(
        IReadOnlyList<HttpClient> clients, string prefix, int count, int concurrency, CancellationToken cancellationToken)
    {
        var next = -1;
        var request = 0;
        HttpClient Client() => clients[(Interlocked.Increment(ref request) & int.MaxValue) % clients.Count];
        var latencies = new ConcurrentBag<double>();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) is var i && i < count)
            {
                var key = $"{prefix}-{i.ToString("D4", CultureInfo.InvariantCulture)}-{Guid.NewGuid():N}"[..40];
                await ScaleDeployment.StartInstanceAsync(Client(), Workflow, key, context: null, cancellationToken).ConfigureAwait(false);
                var id = $"{Workflow}.{key}";
                foreach (var step in Steps)
                {
                    var sent = Stopwatch.StartNew();
                    while (true)
                    {
                        using var done = await Client().PostAsJsonAsync($"/api/instances/{Uri.EscapeDataString(id)}/steps/{step}/events", new { type = "done", by = "bench.user" }, cancellationToken).ConfigureAwait(false);
                        if (done.StatusCode == HttpStatusCode.OK)
                            break;
                        if (done.StatusCode == HttpStatusCode.Accepted)
                        {
                            // Not applied within the API's wait: never sent again, its step is watched instead.
                            await UntilDoneAsync(Client, id, step, cancellationToken).ConfigureAwait(false);
                            break;
                        }
                        // 503: the instance's first turn has not run yet.
                        if (done.StatusCode != HttpStatusCode.ServiceUnavailable)
                            throw new InvalidOperationException($"done on {id}/{step} was answered {(int)done.StatusCode}: {await done.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)}");
                        await Task.Delay(100, cancellationToken).ConfigureAwait(false);
                    }
                    latencies.Add(sent.Elapsed.TotalMilliseconds);
                }
            }
        })).ConfigureAwait(false);
        return (count / clock.Elapsed.TotalSeconds, ScaleDeployment.Percentile(latencies, 0.5), ScaleDeployment.Percentile(latencies, 0.95));
    }

    private static async Task UntilDoneAsync(Func<HttpClient> client, string id, string step, CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromMinutes(5))
        {
            var view = await client().GetFromJsonAsync<System.Text.Json.JsonElement>($"/api/instances/{Uri.EscapeDataString(id)}", cancellationToken).ConfigureAwait(false);
            if (view.GetProperty("steps").EnumerateArray().Any(s => s.GetProperty("stepId").GetString() == step && s.GetProperty("status").GetString() == "done"))
                return;
            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
        throw new TimeoutException($"{id}/{step}: its done was accepted but not applied within 5 minutes.");
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Coordinator.Core.Ports;
using Coordinator.Persistence.Audit;
using Npgsql;

namespace Coordinator.AuditBenchmarks;

/// <summary>
/// The chain head's contention: 1, 2, 4, ... writer processes append turn-sized batches to one audit
/// registry at the same time, each process with a few appends in flight (as a host's concurrent
/// activities are), for a fixed time. Every append locks the single <c>audit_chain_head</c> row until it
/// commits, so appends from every process queue on it: the question is how many turns per second the
/// registry takes in all, and how long one waits, as writers are added.
/// </summary>
internal static class Contention
{
    /// <summary>What one writer process reports on its last line of output.</summary>
    internal sealed record WriterReport(int Writer, long Appends, long Rows, double Seconds, double P50Ms, double P95Ms, double P99Ms);

    internal sealed record Settings(IReadOnlyList<int> Writers, int Seconds, int TurnRows, int InFlight);

    /// <summary>Runs every round (a number of writer processes) against the prepared database and prints the table.</summary>
    public static async Task<int> RunAsync(string connectionString, Settings settings)
    {
        Console.WriteLine($"Chain-head contention: {string.Join(", ", settings.Writers)} writer processes, {settings.InFlight} appends in flight each, " +
                          $"{settings.TurnRows} rows per append (a turn), {settings.Seconds} s per round");
        var results = new List<(int Writers, WriterReport[] Reports)>();
        foreach (var writers in settings.Writers)
        {
            var startAt = DateTimeOffset.UtcNow.AddSeconds(4 + writers);
            var children = Enumerable.Range(0, writers).Select(w => StartWriter(connectionString, w, settings, startAt)).ToArray();
            var reports = await Task.WhenAll(children);
            if (reports.Any(static r => r is null))
            {
                Console.Error.WriteLine($"A writer process of the {writers}-writer round failed; see its output above.");
                return 1;
            }
            var done = reports.OfType<WriterReport>().ToArray();
            results.Add((writers, done));
            var (appends, rows) = (done.Sum(static r => r.Appends), done.Sum(static r => r.Rows));
            Console.WriteLine($"  {writers} writer(s): {appends / settings.Seconds,8:N0} appends/s  {rows / settings.Seconds,8:N0} rows/s  " +
                              $"per append p50 {done.Average(static r => r.P50Ms):N1} ms, p95 {done.Max(static r => r.P95Ms):N1} ms");
        }

        Console.WriteLine();
        Console.WriteLine("| writer processes | appends/s (all) | rows/s | per append p50 / p95 / p99 | vs the first round |");
        Console.WriteLine("|---:|---:|---:|---:|---:|");
        var first = results[0].Reports.Sum(static r => r.Appends) / (double)settings.Seconds;
        foreach (var (writers, reports) in results)
        {
            var rate = reports.Sum(static r => r.Appends) / (double)settings.Seconds;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {writers} | {rate:N0} | {reports.Sum(static r => r.Rows) / (double)settings.Seconds:N0} | " +
                $"{reports.Average(static r => r.P50Ms):N1} / {reports.Max(static r => r.P95Ms):N1} / {reports.Max(static r => r.P99Ms):N1} ms | {rate / first:N2}× |"));
        }
        return 0;
    }

    private static async Task<WriterReport?> StartWriter(string connectionString, int writer, Settings settings, DateTimeOffset startAt)
    {
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("The benchmark cannot find its own executable.");
        var start = new ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
            start.ArgumentList.Add(typeof(Contention).Assembly.Location);
        foreach (var argument in new[]
                 {
                     "--writer", writer.ToString(CultureInfo.InvariantCulture), "--connection", connectionString,
                     "--seconds", settings.Seconds.ToString(CultureInfo.InvariantCulture), "--turn-rows", settings.TurnRows.ToString(CultureInfo.InvariantCulture),
                     "--in-flight", settings.InFlight.ToString(CultureInfo.InvariantCulture), "--start-at", startAt.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture),
                 })
            start.ArgumentList.Add(argument);
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        var last = (await output).Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        if (process.ExitCode != 0 || last is null)
        {
            Console.Error.WriteLine($"writer {writer} exited with {process.ExitCode}: {await error}{await output}");
            return null;
        }
        return JsonSerializer.Deserialize<WriterReport>(last);
    }

    /// <summary>One writer process: warms up, waits for the common start, appends for the round's time, prints its report as JSON.</summary>
    public static async Task<int> WriteAsync(string[] args)
    {
        string? connection = null;
        int writer = 0, seconds = 20, turnRows = 4, inFlight = 4;
        long startAt = 0;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--writer": writer = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--connection": connection = args[++i]; break;
                case "--seconds": seconds = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--turn-rows": turnRows = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--in-flight": inFlight = int.Parse(args[++i], CultureInfo.InvariantCulture); break;
                case "--start-at": startAt = long.Parse(args[++i], CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"Unknown writer option {args[i]}.");
            }
        }

        await using var dataSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(connection) { MaxPoolSize = inFlight + 2 }.ConnectionString);
        var log = new PostgresAuditLog(dataSource);
        var run = Guid.NewGuid().ToString("N")[..8];
        long next = 0;
        List<AuditEntry> Turn()
        {
            var turn = Interlocked.Increment(ref next);
            return Rows.Generate($"w{writer}-{run}-t{turn}", 0, turnRows);
        }

        for (var i = 0; i < 50; i++)
            await log.AppendAsync(Turn());
        var wait = DateTimeOffset.FromUnixTimeMilliseconds(startAt) - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero)
            await Task.Delay(wait);

        var deadline = Stopwatch.GetTimestamp() + (long)(seconds * (double)Stopwatch.Frequency);
        var latencies = new List<double>[inFlight];
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, inFlight).Select(async lane =>
        {
            var mine = latencies[lane] = new List<double>(4096);
            while (Stopwatch.GetTimestamp() < deadline)
            {
                var rows = Turn();
                var started = Stopwatch.GetTimestamp();
                await log.AppendAsync(rows);
                mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }));
        var elapsed = clock.Elapsed.TotalSeconds;
        var all = latencies.SelectMany(static l => l).Order().ToArray();
        double Percentile(double p) => all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, (int)Math.Ceiling(p * all.Length) - 1)];
        Console.WriteLine(JsonSerializer.Serialize(new WriterReport(writer, all.Length, (long)all.Length * turnRows, elapsed, Percentile(0.50), Percentile(0.95), Percentile(0.99))));
        return 0;
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Coordinator.ScaleBenchmarks;

/// <summary>
/// History over a whole onboarding: instances of the B2B onboarding run through six simulated weeks
/// on a fast clock (time scale 20,000: a workflow day in 4.3 s), each step finished by its owner
/// only after it went overdue (so reminders before the due date, overdue reminders and escalations all
/// fire). Every few seconds it reads each instance's rows in the history table: ContinueAsNew keeps
/// them bounded however many turns the instance has had.
/// </summary>
internal static class SixWeeks
{
    public const double TimeScale = 20_000;
    private const string Workflow = "b2b-onboarding";

    public static async Task<int> RunAsync(ScaleSettings settings, int instances, TextWriter output, CancellationToken cancellationToken)
    {
        await using var deployment = await ScaleDeployment.StartAsync(settings, TimeScale, output, cancellationToken).ConfigureAwait(false);
        var http = deployment.Http;
        var keys = Enumerable.Range(0, instances).Select(i => "W-" + i.ToString("D3", CultureInfo.InvariantCulture)).ToArray();
        foreach (var key in keys)
            await ScaleBenchmark.StartOnboardingAsync(http, key, cancellationToken).ConfigureAwait(false);
        var ids = keys.Select(k => $"{Workflow}.{k}").ToArray();
        var random = new Random(6);
        var lateBy = new Dictionary<(string, string), TimeSpan>();
        var maxRows = 0.0;
        var clock = Stopwatch.StartNew();
        var lastPrint = TimeSpan.Zero;
        var completed = new HashSet<string>(StringComparer.Ordinal);
        while (completed.Count < ids.Length)
        {
            if (clock.Elapsed > TimeSpan.FromMinutes(20))
                throw new InvalidOperationException($"Only {completed.Count} of {ids.Length} instances completed in 20 minutes.");
            foreach (var id in ids.Where(i => !completed.Contains(i)))
            {
                var view = await http.GetFromJsonAsync<JsonElement>($"/api/instances/{Uri.EscapeDataString(id)}", cancellationToken).ConfigureAwait(false);
                if (view.GetProperty("status").GetString() == "completed")
                {
                    completed.Add(id);
                    continue;
                }
                if (view.TryGetProperty("workflowNow", out var nowProperty) is false || nowProperty.ValueKind != JsonValueKind.String)
                    continue;
                var now = nowProperty.GetDateTimeOffset();
                foreach (var step in view.GetProperty("steps").EnumerateArray())
                {
                    if (step.GetProperty("status").GetString() != "active" || step.GetProperty("dueAt").ValueKind != JsonValueKind.String)
                        continue;
                    var stepId = step.GetProperty("stepId").GetString()!;
                    // Finished between half a day and two days after its due moment: late enough for the overdue reminders and an escalation.
                    if (!lateBy.TryGetValue((id, stepId), out var late))
                        lateBy[(id, stepId)] = late = TimeSpan.FromHours(12 + random.Next(36));
                    if (now < step.GetProperty("dueAt").GetDateTimeOffset() + late)
                        continue;
                    var owner = step.GetProperty("owners").EnumerateArray().First().GetString();
                    using var done = await http.PostAsJsonAsync($"/api/instances/{Uri.EscapeDataString(id)}/steps/{stepId}/events?wait=0", new { type = "done", by = owner }, cancellationToken).ConfigureAwait(false);
                }
            }
            if (clock.Elapsed - lastPrint >= TimeSpan.FromSeconds(15) || completed.Count == ids.Length)
            {
                var history = await deployment.HistoryAsync(ids, cancellationToken).ConfigureAwait(false);
                maxRows = Math.Max(maxRows, history.Rows);
                var turns = await deployment.ScalarAsync("SELECT count(DISTINCT (instance_id, detail ->> 'sequence')) FROM audit_log WHERE detail ? 'sequence'", cancellationToken).ConfigureAwait(false);
                output.WriteLine($"  {clock.Elapsed.TotalSeconds,5:F0} s ({clock.Elapsed.TotalDays * TimeScale,5:F1} workflow days): {completed.Count} of {ids.Length} completed; " +
                                 $"{turns / (double)ids.Length:F0} engine actions per instance so far; history now {history.Rows:F1} rows, {history.Bytes / 1024:F1} KiB per instance");
                lastPrint = clock.Elapsed;
            }
            await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken).ConfigureAwait(false);
        }

        var final = await deployment.HistoryAsync(ids, cancellationToken).ConfigureAwait(false);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var action in new[] { "reminder", "escalation" })
            counts[action] = await deployment.ScalarAsync($"SELECT count(*) FROM audit_log WHERE action = '{action}'", cancellationToken).ConfigureAwait(false);
        var actions = await deployment.ScalarAsync("SELECT count(*) FROM audit_log WHERE detail ? 'sequence'", cancellationToken).ConfigureAwait(false);
        output.WriteLine();
        output.WriteLine($"| instances | engine actions per instance | of them reminders / escalations | history rows per instance, largest seen / at the end | history bytes at the end |");
        output.WriteLine("|---:|---:|---:|---:|---:|");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {ids.Length} | {actions / (double)ids.Length:F0} | {counts["reminder"] / (double)ids.Length:F0} / {counts["escalation"] / (double)ids.Length:F0} | " +
            $"{maxRows:F0} / {final.Rows:F0} | {final.Bytes / 1024:F1} KiB |"));
        return 0;
    }
}

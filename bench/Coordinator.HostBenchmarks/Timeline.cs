using System.Globalization;
using System.Text.Json;

namespace Coordinator.HostBenchmarks;

/// <summary>
/// <c>--timeline</c>: one instance's orchestration history as the backend stored it, each event with
/// its time since the instance started and since the event before, to see where a turn spends its time.
/// </summary>
internal static class Timeline
{
    public static async Task WriteAsync(TextWriter output, string label, IWorkflowDriver driver, string? instanceId)
    {
        if (instanceId is null)
            return;
        var history = await driver.HistoryAsync(instanceId).ConfigureAwait(false);
        output.WriteLine();
        output.WriteLine($"Timeline of {label} instance {instanceId}, history {history.Length:N0} characters as stored (ms since start, +ms since the event before):");
        using var document = JsonDocument.Parse(history);
        DateTimeOffset? first = null, previous = null;
        foreach (var item in document.RootElement.EnumerateArray())
        {
            var type = item.TryGetProperty("EventType", out var t) && t.TryGetInt32(out var number) ? number : -1;
            var at = item.TryGetProperty("Timestamp", out var ts) ? ts.GetDateTimeOffset() : default;
            var what = type switch
            {
                0 => "started",
                1 => "completed",
                4 => "scheduled " + (item.TryGetProperty("Name", out var n) ? n.GetString() : "?"),
                5 => "activity result " + (item.TryGetProperty("TaskScheduledId", out var id) ? id.GetRawText() : "?"),
                10 => "timer created",
                11 => "timer fired",
                12 => "-- episode --",
                15 => "event raised " + (item.TryGetProperty("Name", out var e) ? e.GetString() : "?"),
                _ => null,
            };
            if (what is not null)
                Line(output, ref first, ref previous, at, what);
        }
    }

    private static void Line(TextWriter output, ref DateTimeOffset? first, ref DateTimeOffset? previous, DateTimeOffset at, string what)
    {
        first ??= at;
        var since = (at - first.Value).TotalMilliseconds;
        var delta = previous is { } p ? (at - p).TotalMilliseconds : 0;
        previous = at;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {since,7:F0} ms  +{delta,5:F0}  {what}"));
    }
}

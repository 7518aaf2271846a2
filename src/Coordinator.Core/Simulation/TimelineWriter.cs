using System.Globalization;
using System.Text;
using System.Text.Json;
using Coordinator.Core.Definitions;
using Coordinator.Core.Engine;

namespace Coordinator.Core.Simulation;

/// <summary>Writes simulated actions as JSON lines or as a readable timeline.</summary>
public static class TimelineWriter
{
    private const string TimeFormat = "yyyy-MM-dd'T'HH:mm:ss'Z'";

    /// <summary>One JSON object per action: <c>at</c> (UTC ISO 8601), <c>type</c>, and where they apply <c>step</c>, <c>to</c>, <c>by</c>, <c>level</c>, <c>reason</c>, <c>option</c>, <c>options</c> (ids), <c>due</c>, <c>steps</c> (summaries).</summary>
    public static string ToJsonLine(CoordinationAction action)
    {
        ArgumentNullException.ThrowIfNull(action);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("at", Utc(action.At));
            json.WriteString("type", action.Type.WireName());
            if (action.StepId is not null)
                json.WriteString("step", action.StepId);
            if (action.To.Count > 0)
                WriteStrings(json, "to", action.To);
            if (action.By is not null)
                json.WriteString("by", action.By);
            if (action.Level is { } level)
                json.WriteNumber("level", level);
            if (action.Reason is not null)
                json.WriteString("reason", action.Reason);
            if (action.Option is not null)
                json.WriteString("option", action.Option);
            if (action.Options is { } options)
                WriteStrings(json, "options", [.. options.Select(static o => o.Id)]);
            if (action.Due is { } due)
                json.WriteString("due", Utc(due));
            if (action.Steps is { } steps)
            {
                json.WriteStartArray("steps");
                foreach (var s in steps)
                {
                    json.WriteStartObject();
                    json.WriteString("step", s.StepId);
                    json.WriteString("status", s.Status.ToString().ToLowerInvariant());
                    WriteStrings(json, "owners", s.Owners);
                    if (s.Due is { } stepDue)
                        json.WriteString("due", Utc(stepDue));
                    json.WriteEndObject();
                }
                json.WriteEndArray();
            }
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static void WriteJsonLines(TextWriter output, IEnumerable<CoordinationAction> actions)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(actions);
        foreach (var action in actions)
            output.WriteLine(ToJsonLine(action));
    }

    /// <summary>A readable timeline, one line per action, then the one-line outcome.</summary>
    public static void WriteText(TextWriter output, WorkflowDefinition definition, SimulationResult result)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(result);
        output.WriteLine($"{definition.Id} v{definition.Version.ToString(CultureInfo.InvariantCulture)}: {definition.Title}, simulated from {Short(result.StartedAt)} UTC");
        foreach (var action in result.Actions)
        {
            var offset = "+" + Durations.Format(action.At - result.StartedAt);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{Short(action.At)}  {offset,-8} {action.Type.WireName(),-19} {action.StepId ?? "",-16} {Describe(action)}").TrimEnd());
        }
        output.WriteLine(Outcome(result));
    }

    /// <summary>The one-line outcome: how the run ended, and the counts; when waiting, which steps wait on whom.</summary>
    public static string Outcome(SimulationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var c = result.Counts;
        var elapsed = Durations.Format(result.EndedAt - result.StartedAt);
        var done = result.State.Steps.Count(s => s.Status == StepStatus.Done);
        var skipped = result.State.Steps.Count(s => s.Status == StepStatus.Skipped);
        var counts = $"{done} done, {skipped} skipped of {Count(result.State.Steps.Count, "step")}; {Count(c.Reminders, "reminder")}, {Count(c.Escalations, "escalation")}, {Count(c[CoordinationActionType.DecisionMade], "decision")}, {Count(c.Rejections, "rejected event")}";
        var waiting = string.Join("; ", result.Waiting.Select(w =>
            $"{w.StepId}{(w.Status == StepStatus.Blocked ? " (blocked, decision)" : "")} on {string.Join(", ", w.WaitingOn)}{(w.Due is { } due ? $" (due {Short(due)})" : "")}"));
        return result.Outcome switch
        {
            SimulationOutcome.Completed => $"Completed after {elapsed}: {counts}.",
            SimulationOutcome.WaitingOnHumans => $"Stopped after {elapsed}: nothing more happens without a human. {counts}. Waiting: {waiting}.",
            _ => $"Stopped at the time limit after {elapsed}: {counts}. Still running: {waiting}.",
        };
    }

    private static string Describe(CoordinationAction a)
    {
        var to = a.To.Count > 0 ? "→ " + string.Join(", ", a.To) : "";
        var due = a.Due is { } d ? $" (due {Short(d)})" : "";
        return a.Type switch
        {
            CoordinationActionType.InstanceStarted => $"{a.Reason} {to}".Trim(),
            CoordinationActionType.StepActivated when a.Options is { Count: > 0 } options => $"{to}{due}: {string.Join(" | ", options.Select(o => o.Id))}",
            CoordinationActionType.StepActivated => $"{to}{due}",
            CoordinationActionType.StepSkipped => a.Reason ?? "",
            CoordinationActionType.Reminder => $"{to}: {a.Reason}",
            CoordinationActionType.Escalation => $"level {a.Level?.ToString(CultureInfo.InvariantCulture)} {to}: {a.Reason}",
            CoordinationActionType.StepBlocked => $"by {a.By}: \"{a.Reason}\" {to}",
            CoordinationActionType.DecisionRequested => $"{to}: {string.Join(" | ", (a.Options ?? []).Select(o => o.Id))}",
            CoordinationActionType.DecisionMade => $"{a.Option ?? "resume"} by {a.By}{due}",
            CoordinationActionType.StepReassigned => $"by {a.By} {to}",
            CoordinationActionType.StepCompleted => $"by {a.By}",
            CoordinationActionType.StepProgress => $"by {a.By}: \"{a.Text}\"",
            CoordinationActionType.Summary => $"{to}: " + string.Join(", ", (a.Steps ?? []).Select(s =>
                $"{s.StepId} ({string.Join(", ", s.Owners)}, {s.Status.ToString().ToLowerInvariant()}{(s.Due is { } sd ? $", due {Short(sd)}" : "")})")),
            CoordinationActionType.EventRejected => $"from {a.By}: {a.Reason}",
            CoordinationActionType.InstanceCompleted => to,
            _ => a.Reason ?? "",
        };
    }

    private static string Count(int n, string noun) => string.Create(CultureInfo.InvariantCulture, $"{n} {noun}{(n == 1 ? "" : "s")}");

    private static string Utc(DateTimeOffset at) => at.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    private static string Short(DateTimeOffset at) => at.UtcDateTime.ToString("ddd yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);

    private static void WriteStrings(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        json.WriteStartArray(name);
        foreach (var value in values)
            json.WriteStringValue(value);
        json.WriteEndArray();
    }
}

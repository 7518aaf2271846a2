using System.Globalization;
using Coordinator.Core.Engine;

namespace Coordinator.Hosting.Inbox;

/// <summary>The inbox page's limits and the texts its components compute (headlines, due dates, durations).</summary>
internal static class InboxText
{
    /// <summary>How many notifications the page lists.</summary>
    public const int NotificationsShown = 25;

    /// <summary>The most running instances the welcome page lists (newest first).</summary>
    public const int RunningShown = 50;

    public static string Headline(CoordinationAction action, string? stepTitle)
    {
        ArgumentNullException.ThrowIfNull(action);
        var step = stepTitle ?? action.StepId ?? "";
        return action.Type switch
        {
            CoordinationActionType.StepActivated when action.Options is { Count: > 0 } => $"Decide: {step}",
            CoordinationActionType.StepActivated => $"New step: {step}",
            CoordinationActionType.Reminder => $"Reminder: {step}",
            CoordinationActionType.Escalation => $"Escalation (level {action.Level ?? 1}): {step}",
            CoordinationActionType.StepBlocked => $"Blocked: {step}",
            CoordinationActionType.DecisionRequested => $"Decision requested: {step}",
            CoordinationActionType.DecisionMade => $"Decided: {step}",
            CoordinationActionType.StepReassigned => $"Reassigned: {step}",
            CoordinationActionType.StepCompleted => $"Done: {step}",
            CoordinationActionType.Summary => "Summary",
            CoordinationActionType.EventRejected => $"Not accepted: {step}",
            CoordinationActionType.InstanceCompleted => "Instance completed",
            _ => $"{action.Type.WireName()} {step}",
        };
    }

    /// <summary>"due Sun 6 Dec 2026, 15:26 UTC (in 4d 19h)" or "(overdue by 2h)", against the instance's workflow time.</summary>
    public static string DueText(DateTimeOffset due, DateTimeOffset workflowNow) =>
        $"due {When(due)} ({(due < workflowNow ? "overdue by " + Durations(workflowNow - due) : "in " + Durations(due - workflowNow))})";

    public static string When(DateTimeOffset at) => at.UtcDateTime.ToString("ddd d MMM yyyy, HH:mm 'UTC'", CultureInfo.InvariantCulture);

    /// <summary>A duration in its two largest units: "4d 3h", "2h 10m", "45m".</summary>
    public static string Durations(TimeSpan span)
    {
        if (span < TimeSpan.Zero)
            span = span.Negate();
        if (span.TotalDays >= 1)
            return span.Hours == 0 ? $"{(int)span.TotalDays}d" : $"{(int)span.TotalDays}d {span.Hours}h";
        if (span.TotalHours >= 1)
            return span.Minutes == 0 ? $"{span.Hours}h" : $"{span.Hours}h {span.Minutes}m";
        return $"{Math.Max(span.Minutes, 0)}m";
    }
}

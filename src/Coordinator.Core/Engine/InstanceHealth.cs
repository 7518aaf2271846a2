using Coordinator.Core.Definitions;

namespace Coordinator.Core.Engine;

/// <summary>
/// Where an instance stands, as a process owner or a CRM user reads it. One value, the most pressing that
/// applies: <see cref="Completed"/>; <see cref="Blocked"/> (a step is blocked); <see cref="AwaitingDecision"/>
/// (a decision step is active); <see cref="Overdue"/> (an active step is past its due time); <see cref="AtRisk"/>
/// (an active step is inside its reminder window: due within the largest <c>before_due</c> offset of its
/// reminders, or within <see cref="InstanceHealths.DefaultRiskWindow"/> when it has none); else <see cref="OnTrack"/>.
/// </summary>
public enum InstanceHealth
{
    OnTrack,
    AtRisk,
    Overdue,
    Blocked,
    AwaitingDecision,
    Completed,
}

/// <summary>What the CRM shows of an instance at one moment: its health, the steps under way, the next due time, the escalation level.</summary>
/// <param name="Health">See <see cref="InstanceHealth"/>.</param>
/// <param name="CurrentSteps">The titles of the active and blocked steps, in declaration order.</param>
/// <param name="NextDue">The earliest due time of an active or blocked step (workflow time); null when none has one.</param>
/// <param name="EscalationLevel">The highest escalation level reached by an active or blocked step; 0 when none escalated.</param>
public sealed record InstanceStanding(InstanceHealth Health, IReadOnlyList<string> CurrentSteps, DateTimeOffset? NextDue, int EscalationLevel);

public static class InstanceHealths
{
    /// <summary>How close to its due time a step without before-due reminders counts as at risk.</summary>
    public static readonly TimeSpan DefaultRiskWindow = TimeSpan.FromDays(1);

    /// <summary>The wire names (API, CRM property values, CloudEvents): <c>on-track</c>, <c>at-risk</c>, <c>overdue</c>, <c>blocked</c>, <c>awaiting-decision</c>, <c>completed</c>.</summary>
    public static string WireName(this InstanceHealth health) => health switch
    {
        InstanceHealth.AtRisk => "at-risk",
        InstanceHealth.Overdue => "overdue",
        InstanceHealth.Blocked => "blocked",
        InstanceHealth.AwaitingDecision => "awaiting-decision",
        InstanceHealth.Completed => "completed",
        _ => "on-track",
    };

    /// <summary>The label people read (<c>On track</c>, <c>At risk</c>, ...).</summary>
    public static string Label(this InstanceHealth health) => health switch
    {
        InstanceHealth.AtRisk => "At risk",
        InstanceHealth.Overdue => "Overdue",
        InstanceHealth.Blocked => "Blocked",
        InstanceHealth.AwaitingDecision => "Awaiting decision",
        InstanceHealth.Completed => "Completed",
        _ => "On track",
    };

    /// <summary>Every health, in the order a list of choices shows them.</summary>
    public static IReadOnlyList<InstanceHealth> All { get; } =
        [InstanceHealth.OnTrack, InstanceHealth.AtRisk, InstanceHealth.Overdue, InstanceHealth.Blocked, InstanceHealth.AwaitingDecision, InstanceHealth.Completed];

    /// <summary>The instance's standing at workflow time <paramref name="now"/>. Pure: the same state and time give the same answer.</summary>
    public static InstanceStanding Of(WorkflowDefinition definition, InstanceState state, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(state);
        if (state.IsCompleted)
            return new InstanceStanding(InstanceHealth.Completed, [], null, 0);

        var titles = new List<string>();
        DateTimeOffset? nextDue = null;
        var level = 0;
        bool blocked = false, deciding = false, overdue = false, atRisk = false;
        foreach (var declared in definition.Steps)
        {
            if (state.FindStep(declared.Id) is not { Status: StepStatus.Active or StepStatus.Blocked } step)
                continue;
            titles.Add(declared.Title);
            level = Math.Max(level, step.EscalationsFired);
            blocked |= step.Status == StepStatus.Blocked;
            deciding |= step.Status == StepStatus.Active && declared.Type == StepType.Decision;
            if (step.DueAt is not { } due)
                continue;
            nextDue = nextDue is { } earlier && earlier <= due ? earlier : due;
            if (now > due)
            {
                overdue = true;
                continue;
            }
            var offsets = definition.RemindersFor(declared).BeforeDue;
            var window = offsets.Count > 0 ? offsets.Max() : DefaultRiskWindow;
            atRisk |= now >= due - window;
        }
        var health = blocked ? InstanceHealth.Blocked
            : deciding ? InstanceHealth.AwaitingDecision
            : overdue ? InstanceHealth.Overdue
            : atRisk ? InstanceHealth.AtRisk
            : InstanceHealth.OnTrack;
        return new InstanceStanding(health, titles, nextDue, level);
    }
}

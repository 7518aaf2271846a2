using System.Text.Json.Serialization;

namespace Coordinator.Core.Engine;

/// <summary>Where a step of a running instance stands.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<StepStatus>))]
public enum StepStatus
{
    /// <summary>Waiting for the steps in its <c>after</c> list to finish.</summary>
    Pending,

    /// <summary>Activated and owned; reminders and silence escalation run.</summary>
    Active,

    /// <summary>Active, but reported blocked: reminders are paused and a decision on the block is pending.</summary>
    Blocked,

    /// <summary>Finished by its owner (or, for a decision step, by the decision).</summary>
    Done,

    /// <summary>Finished without running because its <c>when</c> condition was false.</summary>
    Skipped,
}

public static class StepStatusExtensions
{
    /// <summary>Active or blocked: the step is running and owned.</summary>
    public static bool IsRunning(this StepStatus status) => status is StepStatus.Active or StepStatus.Blocked;

    /// <summary>Done or skipped: the step counts as finished for its dependents.</summary>
    public static bool IsFinished(this StepStatus status) => status is StepStatus.Done or StepStatus.Skipped;
}

/// <summary>The wire names of <see cref="StepStatus"/> (API, read models, pages): <c>pending</c>, <c>active</c>, <c>blocked</c>, <c>done</c>, <c>skipped</c>.</summary>
public static class StepStatusNames
{
    public static string Of(StepStatus status) => status switch
    {
        StepStatus.Pending => "pending",
        StepStatus.Active => "active",
        StepStatus.Blocked => "blocked",
        StepStatus.Done => "done",
        StepStatus.Skipped => "skipped",
        _ => status.ToString().ToLowerInvariant(),
    };
}

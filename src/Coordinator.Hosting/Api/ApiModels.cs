using Coordinator.Core.Engine;

namespace Coordinator.Hosting.Api;

/// <summary>The answer to a start request.</summary>
public sealed record StartInstanceResponse(string InstanceId, string StatusUri, bool AlreadyExisted);

/// <summary>An instance as the API shows it.</summary>
public sealed record InstanceView(
    string InstanceId,
    string WorkflowId,
    int WorkflowVersion,
    string? BusinessKey,
    string Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset LastUpdatedAt,
    DateTimeOffset? WorkflowNow,
    DateTimeOffset? NextWakeUp,
    IReadOnlyList<StepView> Steps);

/// <summary>One step of an instance.</summary>
public sealed record StepView(
    string StepId,
    string Title,
    string Status,
    IReadOnlyList<string> Owners,
    DateTimeOffset? ActivatedAt,
    DateTimeOffset? DueAt,
    DateTimeOffset? FinishedAt,
    DateTimeOffset? LastActivityAt,
    DateTimeOffset? NextReminderAt,
    int EscalationLevel,
    string? BlockReason,
    string? Decision);

/// <summary>An instance in a list.</summary>
public sealed record InstanceSummary(string InstanceId, string WorkflowId, string? BusinessKey, string Status, DateTimeOffset CreatedAt, DateTimeOffset LastUpdatedAt, string StatusUri);

/// <summary>A workflow the host serves.</summary>
public sealed record WorkflowView(string Id, int Version, string Title, string ContentHash, string? BusinessKey, IReadOnlyList<string> Steps);

internal static class StepStatusNames
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

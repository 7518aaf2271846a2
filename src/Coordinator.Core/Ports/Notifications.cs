using Coordinator.Core.Engine;

namespace Coordinator.Core.Ports;

/// <summary>
/// A coordination action to deliver to people in the channel they use (reminder, escalation,
/// decision request, ...). Carries the action itself and the titles a channel needs to render it
/// without loading the workflow definition.
/// </summary>
public sealed record Notification
{
    /// <summary>Instance id + action key: the same notification always has the same key, however often it is retried.</summary>
    public required string IdempotencyKey { get; init; }

    public required string InstanceId { get; init; }

    public required string WorkflowId { get; init; }

    public required string WorkflowTitle { get; init; }

    /// <summary>The business identifier of the instance (deal id, claim number), when the workflow declares one.</summary>
    public string? BusinessKey { get; init; }

    /// <summary>The title of the step the action is about, when it is about a step.</summary>
    public string? StepTitle { get; init; }

    /// <summary>Person ids to notify (the action's <see cref="CoordinationAction.To"/>).</summary>
    public required IReadOnlyList<string> Recipients { get; init; }

    public required CoordinationAction Action { get; init; }

    /// <summary>The topics the workflow declares (<c>guardrails.topics</c>), when it declares any: the guardrail keeps drafts on them.</summary>
    public IReadOnlyList<string>? Topics { get; init; }
}

/// <summary>Delivers notifications to people (chat channels, e-mail, the web inbox).</summary>
public interface INotificationSender
{
    /// <summary>
    /// Delivers the notification to every recipient. Idempotent by <see cref="Notification.IdempotencyKey"/>:
    /// a key already delivered returns <see cref="SideEffectOutcome.AlreadyPerformed"/> and sends nothing.
    /// Throws when delivery fails (the caller's retry policy decides what happens next).
    /// </summary>
    Task<SideEffectOutcome> SendAsync(Notification notification, CancellationToken cancellationToken = default);

    /// <summary>The channel this sender delivers through, as metrics tag it (<c>inbox</c> for the built-in web inbox).</summary>
    string Channel { get; }
}

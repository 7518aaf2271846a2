using Coordinator.Core.Engine;
using Coordinator.Core.Ports;
using Microsoft.DurableTask;

namespace Coordinator.Orchestration.Activities;

/// <summary>Input of <see cref="NotifyPeople"/>: one action to deliver to its recipients.</summary>
public sealed record NotifyPeopleRequest(Notification Notification)
{
    /// <summary>The trace context of the step event whose turn asked for this effect (see <see cref="Core.Engine.HumanEvent.TraceParent"/>); null for timer turns and retries of older instances.</summary>
    public string? TraceParent { get; init; }
}

/// <summary>Output of <see cref="NotifyPeople"/>.</summary>
/// <param name="Outcome">Sent now, or already sent by an earlier attempt.</param>
/// <param name="Recipients">How many people the notification was addressed to.</param>
public sealed record NotifyPeopleResult(SideEffectOutcome Outcome, int Recipients)
{
    /// <summary>The idempotency key of the effect this answers (the orchestrator checks it: see <see cref="AppendAuditEntriesRequest.Fingerprint"/>).</summary>
    public string? IdempotencyKey { get; init; }
}

/// <summary>Activity: delivers one coordination action to the people in its <c>To</c> list through <see cref="INotificationSender"/>.</summary>
public sealed class NotifyPeople(INotificationSender sender) : TaskActivity<NotifyPeopleRequest, NotifyPeopleResult>
{
    public override async Task<NotifyPeopleResult> RunAsync(TaskActivityContext context, NotifyPeopleRequest input)
    {
        ArgumentNullException.ThrowIfNull(input);
        using var span = CoordinatorTelemetry.StartEffect(nameof(NotifyPeople), input.TraceParent, input.Notification.WorkflowId);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var outcome = await sender.SendAsync(input.Notification).ConfigureAwait(false);
        if (outcome == SideEffectOutcome.Performed)
        {
            CoordinatorTelemetry.NotificationDeliveryDuration.Record(
                System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalSeconds,
                new System.Diagnostics.TagList { { "workflow", input.Notification.WorkflowId }, { "channel", sender.Channel } });
            var action = input.Notification.Action;
            var tags = new System.Diagnostics.TagList { { "workflow", input.Notification.WorkflowId }, { "action", action.Type.WireName() } };
            if (action.Level is { } level)
                tags.Add("level", level);
            CoordinatorTelemetry.NotificationsSent.Add(1, tags);
        }
        return new NotifyPeopleResult(outcome, input.Notification.Recipients.Count) { IdempotencyKey = input.Notification.IdempotencyKey };
    }
}

using System.Text.Json;
using Coordinator.Core.People;
using Coordinator.Core.Ports;

namespace Coordinator.Channels;

/// <summary>
/// The audit rows of the channels that belong to no instance: a webhook request refused (<c>webhook.denied</c>,
/// <c>DENY</c>) and a reply from someone the directory lacks (<c>webhook.unknown_sender</c>, <c>WARN</c>). Their
/// <c>instance_id</c> is <c>channel:&lt;name&gt;</c> and <c>workflow_id</c> <c>channels</c>; the detail names the channel
/// and the reason, never the request's body.
/// </summary>
public sealed class ChannelAudit(IAuditLog audit, TimeProvider time)
{
    public const string WorkflowId = "channels";

    public Task DeniedAsync(ChannelKind channel, string reason, CancellationToken cancellationToken = default) =>
        AppendAsync(channel, "webhook.denied", AuditVerdict.Deny, "anonymous", $"{Guid.NewGuid():N}", new { channel = ChannelNames.Of(channel), reason }, cancellationToken);

    public Task UnknownSenderAsync(ChannelKind channel, string deliveryId, CancellationToken cancellationToken = default) =>
        // Keyed by the delivery: a provider's retry of the same reply writes no second row. The handle is not recorded (contact data).
        AppendAsync(channel, "webhook.unknown_sender", AuditVerdict.Warn, "anonymous", deliveryId,
            new { channel = ChannelNames.Of(channel), reason = "the sender's handle is not in the people directory; nothing was raised" }, cancellationToken);

    /// <summary>
    /// The topic-guardrail's verdict on free text a person sent (<c>control.topic-guardrail</c>): <c>ALLOW</c> on topic,
    /// <c>WARN</c> off topic, <c>DENY</c> an injection attempt. Keyed by the delivery, so a provider's retry writes no
    /// second row; the actor is the person; the detail has the channel, the category and the rule, never the text.
    /// </summary>
    public Task InboundCheckedAsync(ChannelKind channel, string deliveryId, string personId, GuardrailVerdict verdict, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        return AppendAsync(channel, "control.topic-guardrail", verdict.Verdict, personId, deliveryId,
            new { channel = ChannelNames.Of(channel), checks = "inbound", category = verdict.CategoryName, reason = verdict.Reason }, cancellationToken);
    }

    /// <summary>
    /// The pii-detector's verdict on free text a person sent before it went to the model to be interpreted
    /// (<c>control.pii-detector</c>, <c>ALLOW</c>): how many values of each kind were replaced by placeholders, never the
    /// values. Keyed by the delivery, so a provider's retry writes no second row.
    /// </summary>
    public Task InboundRedactedAsync(ChannelKind channel, string deliveryId, string personId, IReadOnlyDictionary<string, int> redacted, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(redacted);
        return AppendAsync(channel, "control.pii-detector", AuditVerdict.Allow, personId, deliveryId, new
        {
            channel = ChannelNames.Of(channel),
            checks = "inbound",
            redacted,
            reason = redacted.Count == 0 ? "no personal data in the reply" : "personal data replaced by placeholders before the model",
        }, cancellationToken);
    }

    /// <summary>Failures after which a delayed delivery is written to the audit (a blip is not; an outage is).</summary>
    public const int DelayedAfterFailures = 3;

    /// <summary>The provider refused a message for good (<c>channel.delivery_refused</c>, <c>WARN</c>), on the instance's trail.</summary>
    public Task DeliveryRefusedAsync(ChannelSend send, string reason, CancellationToken cancellationToken = default) =>
        AppendDeliveryAsync(send, "channel.delivery_refused", AuditVerdict.Warn,
            new { channel = ChannelNames.Of(send.Channel), person = send.PersonId, notification = send.Notification.IdempotencyKey, reason }, cancellationToken);

    /// <summary>The provider failed <see cref="DelayedAfterFailures"/> times in a row (<c>channel.delivery_delayed</c>, <c>WARN</c>): the message waits in the outbox.</summary>
    public Task DeliveryDelayedAsync(ChannelSend send, int failures, string error, TimeSpan nextTry, CancellationToken cancellationToken = default) =>
        AppendDeliveryAsync(send, "channel.delivery_delayed", AuditVerdict.Warn,
            new { channel = ChannelNames.Of(send.Channel), person = send.PersonId, notification = send.Notification.IdempotencyKey, failures, error, next_try_seconds = nextTry.TotalSeconds }, cancellationToken);

    /// <summary>A delayed message was delivered after all (<c>channel.delivery_recovered</c>, <c>ALLOW</c>).</summary>
    public Task DeliveryRecoveredAsync(ChannelSend send, int failures, TimeSpan late, CancellationToken cancellationToken = default) =>
        AppendDeliveryAsync(send, "channel.delivery_recovered", AuditVerdict.Allow,
            new { channel = ChannelNames.Of(send.Channel), person = send.PersonId, notification = send.Notification.IdempotencyKey, failures, late_seconds = Math.Round(late.TotalSeconds, 3) }, cancellationToken);

    // On the instance's trail (its instance id and workflow), keyed by the outbox row: a repeat writes nothing. Not a
    // turn of the instance: no sequence, version 0.
    private async Task AppendDeliveryAsync(ChannelSend send, string action, AuditVerdict verdict, object detail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(send);
        await audit.AppendAsync([new AuditEntry
        {
            IdempotencyKey = $"channel:{ChannelNames.Of(send.Channel)}:{action}:outbox-{send.Id}",
            At = time.GetUtcNow(),
            InstanceId = send.Notification.InstanceId,
            WorkflowId = send.Notification.WorkflowId,
            WorkflowVersion = 0,
            BusinessKey = send.Notification.BusinessKey,
            StepId = send.Notification.Action.StepId,
            Action = action,
            Actor = AuditEntry.CoordinatorActor,
            Verdict = verdict,
            Detail = JsonSerializer.SerializeToElement(detail),
        }], cancellationToken).ConfigureAwait(false);
    }

    private Task AppendAsync(ChannelKind channel, string action, AuditVerdict verdict, string actor, string key, object detail, CancellationToken cancellationToken) =>
        audit.AppendAsync([AuditEntry.OutsideInstances("channel", ChannelNames.Of(channel), WorkflowId, action, verdict, actor, key, detail, time.GetUtcNow())], cancellationToken);
}

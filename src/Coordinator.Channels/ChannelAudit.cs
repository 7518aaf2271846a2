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

    private async Task AppendAsync(ChannelKind channel, string action, AuditVerdict verdict, string actor, string key, object detail, CancellationToken cancellationToken)
    {
        var name = ChannelNames.Of(channel);
        await audit.AppendAsync([new AuditEntry
        {
            IdempotencyKey = $"channel:{name}:{action}:{key}",
            At = time.GetUtcNow(),
            InstanceId = "channel:" + name,
            WorkflowId = WorkflowId,
            WorkflowVersion = 0,
            Action = action,
            Actor = actor,
            Verdict = verdict,
            Detail = JsonSerializer.SerializeToElement(detail),
        }], cancellationToken).ConfigureAwait(false);
    }
}

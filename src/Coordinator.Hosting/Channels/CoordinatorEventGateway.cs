using Coordinator.Channels.Replies;
using Coordinator.Core.Engine;

namespace Coordinator.Hosting.Channels;

/// <summary>The channels' replies enter the application core here, as the API's step events do (same checks, same outcome).</summary>
public sealed class CoordinatorEventGateway(CoordinatorService core) : IHumanEventGateway
{
    /// <summary>How long a reply waits for the instance's verdict before answering "received".</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(5);

    public async Task<SubmittedEvent> SubmitAsync(string instanceId, HumanEvent humanEvent, CancellationToken cancellationToken)
    {
        var result = await core.SubmitEventAsync(instanceId, humanEvent, Wait, cancellationToken).ConfigureAwait(false);
        return result.Kind switch
        {
            EventResultKind.Applied => new SubmittedEvent(SubmittedKind.Applied),
            EventResultKind.Accepted => new SubmittedEvent(SubmittedKind.Pending),
            EventResultKind.Starting => throw new InvalidOperationException(result.Reason ?? $"Instance '{instanceId}' is starting; the reply is tried again."),
            _ => new SubmittedEvent(SubmittedKind.Rejected, result.Reason),
        };
    }
}

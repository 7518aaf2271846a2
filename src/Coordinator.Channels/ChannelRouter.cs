using Coordinator.Channels.Rendering;
using Coordinator.Core.People;
using Coordinator.Core.Ports;

namespace Coordinator.Channels;

/// <summary>
/// The notification port when chat channels are configured: every notification goes to the inbox (which always shows
/// everything), and each recipient whose preferred channel is configured also gets it there, through the outbox: at
/// most once per (notification, person, channel), not before the end of the person's quiet hours, sent by the
/// <see cref="ChannelDispatcher"/>. Both writes are idempotent, so a retried activity repeats them safely and a crash
/// between them loses nothing: the retry writes what is missing.
/// </summary>
public sealed class ChannelRouter(
    INotificationSender inbox,
    IEnumerable<IChannel> channels,
    IPersonDirectory directory,
    IChannelOutbox outbox,
    ChannelDispatchSignal signal,
    TimeProvider time) : INotificationSender
{
    private readonly HashSet<ChannelKind> _configured = [.. channels.Select(c => c.Kind)];

    /// <summary>The built-in inbox is where every notification lands; the chat channels follow through the outbox.</summary>
    public string Channel => inbox.Channel;

    public async Task<SideEffectOutcome> SendAsync(Notification notification, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var delivered = await inbox.SendAsync(notification, cancellationToken).ConfigureAwait(false);
        var sends = Plan(notification, time.GetUtcNow());
        var enqueued = await outbox.EnqueueAsync(sends, cancellationToken).ConfigureAwait(false);
        if (enqueued > 0)
            signal.Notify();
        return delivered == SideEffectOutcome.Performed || enqueued > 0 ? SideEffectOutcome.Performed : SideEffectOutcome.AlreadyPerformed;
    }

    /// <summary>The chat messages a notification becomes: one per recipient whose preferred channel is configured here.</summary>
    public IReadOnlyList<ChannelSendRequest> Plan(Notification notification, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(notification);
        if (MessageKinds.Of(notification.Action) is null)
            return [];
        var sends = new List<ChannelSendRequest>();
        foreach (var id in notification.Recipients.Distinct(StringComparer.Ordinal))
        {
            // People taken from the start context who are not in the directory have the inbox only.
            if (directory.Find(id) is not { } person || person.Channel == ChannelKind.Inbox || !_configured.Contains(person.Channel))
                continue;
            if (AddressOf(person, person.Channel) is not { } address)
                continue;
            var at = person.QuietHours is { } quiet && TimeZones.TryFind(person.TimeZone, out var zone) ? quiet.DeliveryTime(now, zone) : now;
            sends.Add(new ChannelSendRequest(notification, person.Id, person.Channel, address, at));
        }
        return sends;
    }

    /// <summary>A person's handle on a channel: the recipient's queue in the outbox.</summary>
    public static string? AddressOf(Person person, ChannelKind channel)
    {
        ArgumentNullException.ThrowIfNull(person);
        return channel switch
        {
            ChannelKind.Slack => person.Slack,
            ChannelKind.Teams => person.Teams?.Conversation,
            ChannelKind.WhatsApp => person.WhatsApp,
            ChannelKind.Telegram => person.Telegram?.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _ => null,
        };
    }
}

/// <summary>Wakes a background worker of this host when there is work for it (other hosts find it on their next poll).</summary>
public class WakeSignal
{
    private readonly System.Threading.Channels.Channel<bool> _wake = System.Threading.Channels.Channel.CreateBounded<bool>(
        new System.Threading.Channels.BoundedChannelOptions(1) { FullMode = System.Threading.Channels.BoundedChannelFullMode.DropWrite });

    public void Notify() => _wake.Writer.TryWrite(true);

    /// <summary>Waits for a notification or the timeout, whichever comes first.</summary>
    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout);
        try
        {
            await _wake.Reader.ReadAsync(timer.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // The timeout: poll.
        }
    }
}

/// <summary>Wakes the <see cref="ChannelDispatcher"/>: a message was enqueued.</summary>
public sealed class ChannelDispatchSignal : WakeSignal;

/// <summary>Wakes the <see cref="Replies.ReplyWorker"/>: a webhook kept a reply.</summary>
public sealed class ReplySignal : WakeSignal;

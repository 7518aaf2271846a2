using Coordinator.Channels.Rendering;
using Coordinator.Core.People;
using Coordinator.Core.Ports;

namespace Coordinator.Channels;

/// <summary>
/// The notification port when chat channels are configured: every notification goes to the inbox (which always shows
/// everything), and each recipient whose preferred channel is configured also gets it there, through the outbox: at
/// most once per (notification, person, channel), not before the end of the person's quiet hours, sent by the
/// <see cref="ChannelDispatcher"/>. Both writes are idempotent, so a retried activity repeats them safely and a crash
/// between them loses nothing: the retry writes what is missing. With a model configured (<see cref="IMessageDrafter"/>),
/// each new message is drafted here, in the activity, before it is kept: the draft is kept with the message, so neither a
/// replay nor a later send calls the model again, and a retried activity drafts only what an earlier attempt did not keep.
/// </summary>
public sealed class ChannelRouter(
    INotificationSender inbox,
    IEnumerable<IChannel> channels,
    IPersonDirectory directory,
    IChannelOutbox outbox,
    ChannelDispatchSignal signal,
    TimeProvider time,
    MessageRenderer? renderer = null,
    IMessageDrafter? drafter = null) : INotificationSender
{
    private readonly HashSet<ChannelKind> _configured = [.. channels.Select(c => c.Kind)];

    /// <summary>The built-in inbox is where every notification lands; the chat channels follow through the outbox.</summary>
    public string Channel => inbox.Channel;

    public async Task<SideEffectOutcome> SendAsync(Notification notification, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var delivered = await inbox.SendAsync(notification, cancellationToken).ConfigureAwait(false);
        var sends = Plan(notification, time.GetUtcNow());
        if (drafter is not null && renderer is not null && sends.Count > 0)
            sends = await DraftAsync(notification, sends, renderer, drafter, cancellationToken).ConfigureAwait(false);
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

    /// <summary>
    /// The messages with the model's drafts, for the recipients an earlier attempt did not already keep (those are kept
    /// as they are: the outbox ignores a repeat). The drafter never throws for the model; the template is its fallback.
    /// </summary>
    private async Task<IReadOnlyList<ChannelSendRequest>> DraftAsync(
        Notification notification, IReadOnlyList<ChannelSendRequest> sends, MessageRenderer templates, IMessageDrafter model, CancellationToken cancellationToken)
    {
        var kept = await outbox.EnqueuedAsync(notification.IdempotencyKey, cancellationToken).ConfigureAwait(false);
        var people = PeopleOf(notification);
        var drafted = await Task.WhenAll(sends.Select(async send =>
        {
            if (kept.Contains((send.PersonId, send.Channel)) || directory.Find(send.PersonId) is not { } person
                || templates.Render(notification, person) is not { } message)
                return send;
            var draft = await model.DraftAsync(new DraftRequest
            {
                Notification = notification,
                Kind = message.Kind.FileName(),
                RecipientId = person.Id,
                Language = message.Language,
                Template = message.Text,
                Facts = message.Facts.Skip(1).Select(f => f.Value).Where(v => v.Length > 0).ToList(),
                People = people,
                Topics = TopicsOf(notification),
                Input = InputOf(notification.Action),
            }, cancellationToken).ConfigureAwait(false);
            return draft.Text is { } text ? send with { Draft = text } : send;
        })).ConfigureAwait(false);
        return drafted;
    }

    /// <summary>
    /// The people a notification may name: its recipients, who acted, and the owners of the steps it lists, as the
    /// pii-detector knows them (names and handles).
    /// </summary>
    private List<KnownPerson> PeopleOf(Notification notification)
    {
        var action = notification.Action;
        var ids = notification.Recipients.Concat(action.By is { } by ? [by] : [])
            .Concat(action.Steps?.SelectMany(s => s.Owners) ?? []);
        return [.. ids.Distinct(StringComparer.Ordinal).Select(directory.Find).OfType<Person>().Select(p => p.AsKnownPerson())];
    }

    /// <summary>What a message is about, for the guardrail: the workflow, the step, and the topics the workflow declares.</summary>
    public static List<string> TopicsOf(Notification notification)
    {
        ArgumentNullException.ThrowIfNull(notification);
        return [.. new[] { notification.WorkflowTitle, notification.StepTitle }.OfType<string>().Where(t => t.Length > 0)
            .Concat(notification.Topics ?? []).Distinct(StringComparer.OrdinalIgnoreCase)];
    }

    /// <summary>The free text people wrote that a message quotes: a block's reason, a note's text.</summary>
    private static string? InputOf(Core.Engine.CoordinationAction action) =>
        string.Join('\n', new[] { action.Type == Core.Engine.CoordinationActionType.DecisionMade ? null : action.Reason, action.Text }.Where(t => !string.IsNullOrWhiteSpace(t))) is { Length: > 0 } text
            ? text
            : null;

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

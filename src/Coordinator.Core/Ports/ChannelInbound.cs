using Coordinator.Core.People;

namespace Coordinator.Core.Ports;

/// <summary>
/// A person's reply or button press, as a webhook received it after authenticating it: who (their handle on the
/// channel), what (text, or the number of the action pressed), and what it answers (the provider's id of the message
/// replied to or pressed on).
/// </summary>
public sealed record InboundReply
{
    public required ChannelKind Channel { get; init; }

    /// <summary>The provider's id of this delivery (Slack <c>event_id</c> or the interaction's trigger, Telegram <c>update_id</c>, Twilio <c>MessageSid</c>, Teams activity id): a repeat is the same reply.</summary>
    public required string DeliveryId { get; init; }

    /// <summary>The sender's handle (Slack user id, Telegram chat id, WhatsApp number, Teams conversation).</summary>
    public required string Sender { get; init; }

    /// <summary>The text typed, for a message.</summary>
    public string? Text { get; init; }

    /// <summary>The number of the action pressed, for a button (<c>MessageAction.Number</c>).</summary>
    public int? ActionNumber { get; init; }

    /// <summary>The provider's id of the message this answers (a thread's parent, a replied-to message, the message whose button was pressed).</summary>
    public string? ReplyTo { get; init; }

    /// <summary>Where to answer (the Slack DM channel, the Telegram chat), when it differs from the sender's handle.</summary>
    public string? Conversation { get; init; }

    /// <summary>Teams: the activity's <c>serviceUrl</c> (checked against the token's <c>serviceurl</c> claim), where answers go.</summary>
    public string? ServiceUrl { get; init; }

    public required DateTimeOffset ReceivedAt { get; init; }
}

/// <summary>One of a person's open items, as a numbered list offered it.</summary>
public sealed record ChoiceItem(string InstanceId, string StepId, string Title);

/// <summary>
/// The question asked when a reply could mean several of the person's open items: the reply's text (what to do, once
/// they say which) and the items in the order they were numbered. With <paramref name="Confirm"/>, the question is
/// "shall I?" about what the person's own words were read as (a command on its one item), answered yes or no.
/// </summary>
public sealed record PendingChoice(string Text, IReadOnlyList<ChoiceItem> Items, bool Confirm = false);

/// <summary>A reply claimed for handling.</summary>
public sealed record ClaimedReply(long Id, InboundReply Reply, int Attempts);

/// <summary>A message the outbox sent: what it was about, and to whom.</summary>
public sealed record SentMessage(Notification Notification, string PersonId, string Address, string MessageId);

/// <summary>
/// Replies received and not yet handled, kept in PostgreSQL so a webhook can acknowledge at once and a restart loses
/// none; a delivery id seen before is not kept again (providers' retries and duplicate deliveries are one reply).
/// </summary>
public interface IChannelInbound
{
    /// <summary>Keeps the reply; false when its delivery id was received before (a duplicate: nothing to do).</summary>
    Task<bool> AcceptAsync(InboundReply reply, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<ClaimedReply>> ClaimAsync(int max, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>Records what became of the reply (for operators: applied, rejected and why, unknown sender).</summary>
    Task CompleteAsync(long id, string outcome, CancellationToken cancellationToken = default);

    Task PostponeAsync(long id, TimeSpan delay, string error, CancellationToken cancellationToken = default);

    /// <summary>The message the outbox sent to <paramref name="address"/> on <paramref name="channel"/> with the provider's id <paramref name="messageId"/>.</summary>
    Task<SentMessage?> FindSentAsync(ChannelKind channel, string address, string messageId, CancellationToken cancellationToken = default);

    /// <summary>The latest message the outbox sent to <paramref name="address"/> (WhatsApp has no threads: a reply answers the latest).</summary>
    Task<SentMessage?> LatestSentAsync(ChannelKind channel, string address, CancellationToken cancellationToken = default);

    /// <summary>Keeps the question "which one?" asked of <paramref name="sender"/> for <paramref name="ttl"/> (replacing an earlier one; a zero <paramref name="ttl"/> forgets it).</summary>
    Task RememberChoiceAsync(ChannelKind channel, string sender, PendingChoice choice, TimeSpan ttl, CancellationToken cancellationToken = default);

    /// <summary>The question last asked of <paramref name="sender"/>, unless it has expired.</summary>
    Task<PendingChoice?> FindChoiceAsync(ChannelKind channel, string sender, CancellationToken cancellationToken = default);
}

using Coordinator.Core.People;

namespace Coordinator.Core.Ports;

/// <summary>One message to put in a chat channel's outbox: a notification for one person on one channel, not before a time.</summary>
/// <param name="Address">The person's handle on the channel (Slack user id, Teams conversation, E.164 number, Telegram chat id): the recipient's queue.</param>
/// <param name="NotBefore">When it may be sent: now, or the end of the person's quiet hours.</param>
public sealed record ChannelSendRequest(Notification Notification, string PersonId, ChannelKind Channel, string Address, DateTimeOffset NotBefore)
{
    /// <summary>The model's draft for this person (see <see cref="IMessageDrafter"/>), sent instead of the template; null: the template.</summary>
    public string? Draft { get; init; }
}

/// <summary>A message of the outbox, claimed for sending.</summary>
public sealed record ChannelSend
{
    public required long Id { get; init; }
    public required Notification Notification { get; init; }
    public required string PersonId { get; init; }
    public required ChannelKind Channel { get; init; }
    public required string Address { get; init; }

    /// <summary>How many times a send was started, this one included (above 1: an earlier attempt failed or its host stopped).</summary>
    public required int Attempts { get; init; }

    /// <summary>How many earlier attempts the provider failed (an outage; not rate limits, which only wait).</summary>
    public int Failures { get; init; }

    /// <summary>When the message was due: enqueued, or the end of the recipient's quiet hours.</summary>
    public DateTimeOffset? DueAt { get; init; }

    /// <summary>The model's draft, drafted when the message was enqueued; null: the template writes it.</summary>
    public string? Draft { get; init; }
}

/// <summary>What the provider answered for a message it accepted.</summary>
/// <param name="MessageId">The provider's id of the message (Slack <c>ts</c>, Telegram <c>message_id</c>, Twilio <c>sid</c>, Teams activity id).</param>
/// <param name="Conversation">Where it landed, when the provider says (the Slack DM channel id), so replies in that thread find it.</param>
public sealed record ChannelReceipt(string MessageId, string? Conversation = null);

/// <summary>The outbox's answer to a claim: the messages to send now, and when the next one is due.</summary>
public sealed record ChannelClaim(IReadOnlyList<ChannelSend> Sends, DateTimeOffset? NextDueAt);

/// <summary>
/// The chat channels' outbox: every (notification, person, channel) at most once, in each recipient's order, durable
/// across restarts and shared by every host. A message is recorded before it is sent (enqueued, then claimed with a
/// lease) and after (the provider's message id), so a retried activity, a second host or a restart never sends it again;
/// the only window left is a host that stops after the provider accepted a message and before the receipt commits
/// (the lease expires and the message is sent once more).
/// </summary>
public interface IChannelOutbox
{
    /// <summary>Adds the messages not already there; answers how many were new.</summary>
    Task<int> EnqueueAsync(IReadOnlyList<ChannelSendRequest> sends, CancellationToken cancellationToken = default);

    /// <summary>
    /// The (person, channel) pairs already in the outbox for a notification: a retried delivery drafts (calls the model
    /// for) only the messages an earlier attempt did not keep.
    /// </summary>
    Task<IReadOnlySet<(string PersonId, ChannelKind Channel)>> EnqueuedAsync(string notificationKey, CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims up to <paramref name="max"/> messages that are due, at most one per recipient (the oldest open one: per
    /// recipient the order is kept), leasing them for <paramref name="lease"/>.
    /// </summary>
    Task<ChannelClaim> ClaimAsync(int max, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>Records the provider's receipt: the message is sent and is never sent again.</summary>
    Task CompleteAsync(long id, ChannelReceipt receipt, CancellationToken cancellationToken = default);

    /// <summary>Gives a claimed message back, to be sent after <paramref name="delay"/> (rate limit, provider outage).</summary>
    Task PostponeAsync(long id, TimeSpan delay, string? error, CancellationToken cancellationToken = default);

    /// <summary>Gives a claimed message back after the provider failed (it may work later), counting the failure.</summary>
    Task RetryLaterAsync(long id, TimeSpan delay, string error, CancellationToken cancellationToken = default);

    /// <summary>Gives up on a message the provider refused for good (an unknown user); the inbox still has it.</summary>
    Task FailAsync(long id, string error, CancellationToken cancellationToken = default);
}

/// <summary>
/// Token buckets shared by every host (the channels' tool-rate-limit): one bucket per key, refilled at a rate up to a
/// burst, measured on the database's clock so hosts whose clocks differ share one limit.
/// </summary>
public interface IRateLimitBuckets
{
    /// <summary>Takes one token from the bucket; answers <see cref="TimeSpan.Zero"/> when taken, else how long until one is there (nothing taken).</summary>
    Task<TimeSpan> TryTakeAsync(string bucket, double perSecond, int burst, CancellationToken cancellationToken = default);

    /// <summary>
    /// Empties the bucket for <paramref name="retryAfter"/> (the provider answered 429 with <c>Retry-After</c>). A
    /// negative value means it was empty that long ago (refilling since): a message paced by the provider's answer,
    /// recorded a moment after that answer. Never adds tokens the bucket does not have.
    /// </summary>
    Task DrainAsync(string bucket, double perSecond, TimeSpan retryAfter, CancellationToken cancellationToken = default);
}

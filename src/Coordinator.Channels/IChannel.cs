using Coordinator.Channels.Rendering;
using Coordinator.Core.People;
using Coordinator.Core.Ports;

namespace Coordinator.Channels;

/// <summary>
/// How fast a channel may send, as its provider publishes it: per conversation (one person's chat) and for the whole
/// bot or sender. Shared across hosts through <see cref="IRateLimitBuckets"/>.
/// </summary>
public sealed record ChannelLimits(double PerConversationPerSecond, int ConversationBurst, double PerChannelPerSecond, int ChannelBurst);

/// <summary>
/// A chat channel (Slack, Teams, WhatsApp, Telegram): sends one rendered message to one person and answers the
/// provider's receipt. Registered only when its credentials are configured. Throws
/// <see cref="ChannelRateLimitedException"/> on the provider's 429, <see cref="ChannelRefusedException"/> when the
/// provider refuses the message for good, anything else when it may work later.
/// </summary>
public interface IChannel
{
    ChannelKind Kind { get; }

    ChannelLimits Limits { get; }

    Task<ChannelReceipt> SendAsync(ChannelSend send, Person recipient, RenderedMessage message, CancellationToken cancellationToken);

    /// <summary>Answers a reply in its conversation (in its thread where the channel has threads): an acknowledgement, a question, the help.</summary>
    Task AnswerAsync(InboundReply reply, string text, CancellationToken cancellationToken);
}

/// <summary>The provider said 429: nothing was sent; try again after <see cref="RetryAfter"/>.</summary>
public sealed class ChannelRateLimitedException : Exception
{
    public ChannelRateLimitedException(TimeSpan retryAfter)
        : base($"The provider is rate limiting; retry after {retryAfter.TotalSeconds:0.###} s.") => RetryAfter = retryAfter;

    public ChannelRateLimitedException() : this(TimeSpan.FromSeconds(1)) { }

    public ChannelRateLimitedException(string message) : base(message) => RetryAfter = TimeSpan.FromSeconds(1);

    public ChannelRateLimitedException(string message, Exception innerException) : base(message, innerException) => RetryAfter = TimeSpan.FromSeconds(1);

    public TimeSpan RetryAfter { get; }
}

/// <summary>The provider refused the message for good (an unknown user, a closed conversation): it is not retried.</summary>
public sealed class ChannelRefusedException : Exception
{
    public ChannelRefusedException() { }

    public ChannelRefusedException(string message) : base(message) { }

    public ChannelRefusedException(string message, Exception innerException) : base(message, innerException) { }
}

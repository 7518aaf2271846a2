using Coordinator.Core.People;
using Coordinator.Core.Ports;
using Microsoft.Extensions.Logging;

namespace Coordinator.Channels.Replies;

/// <summary>
/// One round of reply handling: claims the oldest open reply of each sender, turns each into an event
/// (<see cref="ReplyHandler"/>), answers in the conversation, and records the outcome. A failure (the backend out of
/// reach, an instance still starting) keeps the reply for another try; the event's id makes a second try raise nothing
/// new. serve runs rounds in its <see cref="ReplyWorker"/>; the Functions app on a timer.
/// </summary>
public sealed partial class ReplyBatch(IChannelInbound inbound, IRateLimitBuckets buckets, IEnumerable<IChannel> channels, ILogger<ReplyBatch> logger)
{
    private readonly Dictionary<ChannelKind, IChannel> _channels = channels.ToDictionary(c => c.Kind);

    /// <summary>Handles up to <paramref name="max"/> replies; answers how many were claimed.</summary>
    public async Task<int> RunOnceAsync(ReplyHandler handler, int max, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(handler);
        var claimed = await inbound.ClaimAsync(max, lease, cancellationToken).ConfigureAwait(false);
        await Task.WhenAll(claimed.Select(c => HandleOneAsync(handler, c, cancellationToken))).ConfigureAwait(false);
        return claimed.Count;
    }

    private async Task HandleOneAsync(ReplyHandler handler, ClaimedReply claimed, CancellationToken cancellationToken)
    {
        var channelName = ChannelNames.Of(claimed.Reply.Channel);
        try
        {
            var handling = await handler.HandleAsync(claimed.Reply, cancellationToken).ConfigureAwait(false);
            if (handling.Answer is { } answer && _channels.TryGetValue(claimed.Reply.Channel, out var channel))
            {
                try
                {
                    await AnswerAsync(channel, claimed.Reply, answer, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The event is in; only the acknowledgement is lost. Not retried: a retry would raise nothing, but answer twice.
                    AnswerFailed(logger, e, channelName, claimed.Reply.DeliveryId);
                }
            }
            await inbound.CompleteAsync(claimed.Id, handling.Outcome, cancellationToken).ConfigureAwait(false);
            Handled(logger, channelName, claimed.Reply.DeliveryId, handling.Outcome);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var retry = ChannelDispatcher.Backoff(claimed.Attempts);
            HandlingFailed(logger, e, channelName, claimed.Reply.DeliveryId, claimed.Attempts, retry.TotalSeconds);
            try
            {
                await inbound.PostponeAsync(claimed.Id, retry, e.Message, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception again) when (again is not OperationCanceledException)
            {
                // The lease expires and the reply is claimed again.
                Unavailable(logger, again.Message);
            }
        }
    }

    /// <summary>
    /// Answers within the conversation's rate limit, shared with the outbox's messages: waits for a token (one sender's
    /// replies are handled one at a time, so only that conversation waits), and after a 429 for its <c>Retry-After</c>
    /// (three times at most).
    /// </summary>
    private async Task AnswerAsync(IChannel channel, InboundReply reply, string answer, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            TimeSpan wait;
            while ((wait = await ChannelDispatcher.TakeAsync(buckets, channel, reply.Sender, cancellationToken).ConfigureAwait(false)) > TimeSpan.Zero)
                await Task.Delay(wait, cancellationToken).ConfigureAwait(false);
            try
            {
                await channel.AnswerAsync(reply, answer, cancellationToken).ConfigureAwait(false);
                await ChannelDispatcher.SentAsync(buckets, channel, reply.Sender, TimeSpan.Zero, cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (ChannelRateLimitedException e) when (attempt < 3)
            {
                await buckets.DrainAsync(ChannelDispatcher.ConversationBucket(channel.Kind, reply.Sender), ChannelDispatcher.ConversationRate(channel.Limits), e.RetryAfter, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reply {DeliveryId} on {Channel}: {Outcome}")]
    private static partial void Handled(ILogger logger, string channel, string deliveryId, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handling reply {DeliveryId} on {Channel} failed (attempt {Attempts}); next try in {Seconds} s")]
    private static partial void HandlingFailed(ILogger logger, Exception exception, string channel, string deliveryId, int attempts, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Answering reply {DeliveryId} on {Channel} failed; the reply was handled")]
    private static partial void AnswerFailed(ILogger logger, Exception exception, string channel, string deliveryId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The replies table cannot be written ({Reason}); the reply is handled again when its claim expires")]
    private static partial void Unavailable(ILogger logger, string reason);
}

using Coordinator.Core.Ports;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Coordinator.Channels.Replies;

/// <summary>
/// Handles the replies the webhooks kept, on every host: claims the oldest open reply of each sender, turns it into an
/// event (<see cref="ReplyHandler"/>), answers in the conversation, and records the outcome. A failure (the backend out
/// of reach, an instance still starting) keeps the reply for another try; the event's id makes a second try raise nothing new.
/// </summary>
public sealed partial class ReplyWorker(
    IChannelInbound inbound,
    ReplyHandler handler,
    IEnumerable<IChannel> channels,
    ReplySignal signal,
    IOptions<ChannelDispatchOptions> options,
    ILogger<ReplyWorker> logger) : BackgroundService
{
    private readonly Dictionary<Core.People.ChannelKind, IChannel> _channels = channels.ToDictionary(c => c.Kind);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = settings.PollInterval;
            try
            {
                var claimed = await inbound.ClaimAsync(32, settings.Lease, stoppingToken).ConfigureAwait(false);
                if (claimed.Count > 0)
                {
                    await Task.WhenAll(claimed.Select(c => HandleOneAsync(c, stoppingToken))).ConfigureAwait(false);
                    continue;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                InboundUnavailable(logger, e.Message);
                wait = settings.PollInterval * 5;
            }
            await signal.WaitAsync(wait, stoppingToken).ConfigureAwait(false);
        }
    }

    internal async Task HandleOneAsync(ClaimedReply claimed, CancellationToken cancellationToken)
    {
        try
        {
            var handling = await handler.HandleAsync(claimed.Reply, cancellationToken).ConfigureAwait(false);
            if (handling.Answer is { } answer && _channels.TryGetValue(claimed.Reply.Channel, out var channel))
            {
                try
                {
                    await channel.AnswerAsync(claimed.Reply, answer, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // The event is in; only the acknowledgement is lost. Not retried: a retry would raise nothing, but answer twice.
                    AnswerFailed(logger, e, Core.People.ChannelNames.Of(claimed.Reply.Channel), claimed.Reply.DeliveryId);
                }
            }
            await inbound.CompleteAsync(claimed.Id, handling.Outcome, cancellationToken).ConfigureAwait(false);
            Handled(logger, Core.People.ChannelNames.Of(claimed.Reply.Channel), claimed.Reply.DeliveryId, handling.Outcome);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var retry = ChannelDispatcher.Backoff(claimed.Attempts);
            HandlingFailed(logger, e, Core.People.ChannelNames.Of(claimed.Reply.Channel), claimed.Reply.DeliveryId, claimed.Attempts, retry.TotalSeconds);
            try
            {
                await inbound.PostponeAsync(claimed.Id, retry, e.Message, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception again) when (again is not OperationCanceledException)
            {
                InboundUnavailable(logger, again.Message); // the lease expires and the reply is claimed again
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Reply {DeliveryId} on {Channel}: {Outcome}")]
    private static partial void Handled(ILogger logger, string channel, string deliveryId, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Handling reply {DeliveryId} on {Channel} failed (attempt {Attempts}); next try in {Seconds} s")]
    private static partial void HandlingFailed(ILogger logger, Exception exception, string channel, string deliveryId, int attempts, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Answering reply {DeliveryId} on {Channel} failed; the reply was handled")]
    private static partial void AnswerFailed(ILogger logger, Exception exception, string channel, string deliveryId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The replies table cannot be read or written ({Reason}); replies wait in it and are handled when the database answers")]
    private static partial void InboundUnavailable(ILogger logger, string reason);
}

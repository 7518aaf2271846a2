using Coordinator.Channels.Rendering;
using Coordinator.Core.People;
using Coordinator.Core.Ports;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Coordinator.Channels;

/// <summary>Options of the channels' dispatcher (<c>Coordinator:Channels:Dispatch</c>).</summary>
public sealed class ChannelDispatchOptions
{
    public const string Section = "Coordinator:Channels:Dispatch";

    /// <summary>How often the outbox is read when nothing woke the dispatcher (other hosts' messages, due quiet-hours messages).</summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:00:00.050", "00:01:00", ErrorMessage = "Coordinator:Channels:Dispatch:PollInterval must be between 50 ms and 1 minute, such as 00:00:01.")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How many messages one read claims (at most one per recipient).</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 1000, ErrorMessage = "Coordinator:Channels:Dispatch:BatchSize must be between 1 and 1000.")]
    public int BatchSize { get; set; } = 128;

    /// <summary>How long a claimed message is this host's; a host that stops gives its claims back when they expire.</summary>
    [System.ComponentModel.DataAnnotations.Range(typeof(TimeSpan), "00:00:05", "01:00:00", ErrorMessage = "Coordinator:Channels:Dispatch:Lease must be between 5 seconds and 1 hour, such as 00:01:00.")]
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Sends the outbox's messages, on every host: claims the due head of each recipient's queue, takes a token from the
/// channel's and the conversation's shared buckets (or gives the message back until there is one), renders it for the
/// person, sends it, and records the provider's receipt. A 429 empties the conversation's bucket for the
/// <c>Retry-After</c> and gives the message back for that long; a provider outage gives it back with a growing wait
/// (never dropped); a refusal for good marks it failed (the inbox still has it).
/// </summary>
public sealed partial class ChannelDispatcher(
    IChannelOutbox outbox,
    IRateLimitBuckets buckets,
    IEnumerable<IChannel> channels,
    MessageRenderer renderer,
    IPersonDirectory directory,
    ChannelDispatchSignal signal,
    ChannelAudit audit,
    IOptions<ChannelDispatchOptions> options,
    TimeProvider time,
    ILogger<ChannelDispatcher> logger) : BackgroundService
{
    private readonly Dictionary<ChannelKind, IChannel> _channels = channels.ToDictionary(c => c.Kind);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        // Sends run side by side; the outbox is read again as soon as there is room, not when the slowest send of a
        // batch is done, so a message whose token is due is claimed (and sent) on time.
        var inFlight = new HashSet<Task>();
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                var room = settings.BatchSize - inFlight.Count;
                var claim = room > 0 ? await outbox.ClaimAsync(room, settings.Lease, stoppingToken).ConfigureAwait(false) : null;
                foreach (var send in claim?.Sends ?? [])
                    inFlight.Add(SendOneAsync(send, stoppingToken));
                if (claim is { Sends.Count: > 0 })
                    continue;
                wait = claim?.NextDueAt is { } next ? Clamp(next - time.GetUtcNow(), settings.PollInterval) : settings.PollInterval;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The database is away: the messages wait in the outbox; try again.
                OutboxUnavailable(logger, e.Message);
                wait = settings.PollInterval * 5;
            }
            // Wake on a new message, a due time, or a send finishing (room to claim the recipient's next message).
            var woken = signal.WaitAsync(wait, stoppingToken);
            await (inFlight.Count == 0 ? woken : Task.WhenAny(inFlight.Append(woken))).ConfigureAwait(false);
            inFlight.RemoveWhere(t => t.IsCompleted);
        }
        await Task.WhenAll(inFlight).ConfigureAwait(false);
    }

    /// <summary>The longest a send waits for its token holding its claim; a longer wait gives the message back to the outbox.</summary>
    private static readonly TimeSpan MaxHold = TimeSpan.FromSeconds(3);

    private static TimeSpan Clamp(TimeSpan wait, TimeSpan max) =>
        wait < TimeSpan.FromMilliseconds(10) ? TimeSpan.FromMilliseconds(10) : wait > max ? max : wait;

    /// <summary>One message: its tokens, the provider call, the receipt. Never throws but on shutdown.</summary>
    internal async Task SendOneAsync(ChannelSend send, CancellationToken cancellationToken)
    {
        try
        {
            if (!_channels.TryGetValue(send.Channel, out var channel))
            {
                await outbox.PostponeAsync(send.Id, TimeSpan.FromMinutes(1), $"the {ChannelNames.Of(send.Channel)} channel is not configured on this host", cancellationToken).ConfigureAwait(false);
                return;
            }
            if (directory.Find(send.PersonId) is not { } person)
            {
                await outbox.FailAsync(send.Id, $"'{send.PersonId}' is no longer in the people directory", cancellationToken).ConfigureAwait(false);
                return;
            }
            if (renderer.Render(send.Notification, person) is not { } template)
            {
                await outbox.FailAsync(send.Id, "nothing to tell: the action is not a message", cancellationToken).ConfigureAwait(false);
                return;
            }
            // The model's draft, when one was kept, says it in other words; the headline, facts and actions stay the template's.
            var message = send.Draft is { Length: > 0 } draft ? template with { Text = draft } : template;
            var name = ChannelNames.Of(send.Channel);
            var limits = channel.Limits;
            var conversation = ConversationBucket(send.Channel, send.Address);
            var wait = await TakeAsync(buckets, channel, send.Address, cancellationToken).ConfigureAwait(false);
            // A token due soon is waited for here (the claim holds the recipient's queue, so the order is kept).
            while (wait > TimeSpan.Zero && wait <= MaxHold)
            {
                await Task.Delay(wait, time, cancellationToken).ConfigureAwait(false);
                wait = await TakeAsync(buckets, channel, send.Address, cancellationToken).ConfigureAwait(false);
            }
            if (wait > TimeSpan.Zero)
            {
                await outbox.PostponeAsync(send.Id, wait, null, cancellationToken).ConfigureAwait(false);
                return;
            }
            try
            {
                var receipt = await channel.SendAsync(send, person, message, cancellationToken).ConfigureAwait(false);
                var answered = time.GetTimestamp();
                await outbox.CompleteAsync(send.Id, receipt, cancellationToken).ConfigureAwait(false);
                await SentAsync(buckets, channel, send.Address, time.GetElapsedTime(answered), cancellationToken).ConfigureAwait(false);
                Sent(logger, send.Notification.IdempotencyKey, name, send.PersonId, receipt.MessageId);
                var late = send.DueAt is { } due ? time.GetUtcNow() - due : TimeSpan.Zero;
                ChannelTelemetry.DeliveryDuration.Record(Math.Max(0, late.TotalSeconds), new KeyValuePair<string, object?>("channel", name));
                ChannelTelemetry.Count(name, "sent");
                if (send.Failures >= ChannelAudit.DelayedAfterFailures)
                    await AuditAsync(audit.DeliveryRecoveredAsync(send, send.Failures, late, cancellationToken)).ConfigureAwait(false);
            }
            catch (ChannelRateLimitedException e)
            {
                await buckets.DrainAsync(conversation, ConversationRate(limits), e.RetryAfter, cancellationToken).ConfigureAwait(false);
                await outbox.PostponeAsync(send.Id, e.RetryAfter, "429: " + e.Message, cancellationToken).ConfigureAwait(false);
                RateLimited(logger, name, send.PersonId, e.RetryAfter.TotalSeconds);
                ChannelTelemetry.Count(name, "rate_limited");
            }
            catch (ChannelRefusedException e)
            {
                await outbox.FailAsync(send.Id, e.Message, cancellationToken).ConfigureAwait(false);
                Refused(logger, send.Notification.IdempotencyKey, name, send.PersonId, e.Message);
                ChannelTelemetry.Count(name, "refused");
                await AuditAsync(audit.DeliveryRefusedAsync(send, e.Message, cancellationToken)).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                var failures = send.Failures + 1;
                var retry = Backoff(failures);
                await outbox.RetryLaterAsync(send.Id, retry, e.Message, cancellationToken).ConfigureAwait(false);
                Failed(logger, e, send.Notification.IdempotencyKey, name, send.PersonId, failures, retry.TotalSeconds);
                ChannelTelemetry.Count(name, "failed");
                if (failures == ChannelAudit.DelayedAfterFailures)
                    await AuditAsync(audit.DeliveryDelayedAsync(send, failures, e.Message, retry, cancellationToken)).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // The outbox itself failed: the claim's lease expires and the message is claimed again.
            OutboxUnavailable(logger, e.Message);
        }
    }

    /// <summary>The audit row of a delivery; the audit being away does not hold the message (it is logged).</summary>
    private async Task AuditAsync(Task append)
    {
        try
        {
            await append.ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            AuditUnavailable(logger, e.Message);
        }
    }

    /// <summary>
    /// The share of a provider's published rate the buckets refill at: the tokens are measured on the database's clock
    /// and the provider counts on its own, so sending at exactly its rate would turn their jitter into 429s (each costing
    /// a whole <c>Retry-After</c>).
    /// </summary>
    public const double Headroom = 0.98;

    /// <summary>The bucket of one conversation (a person's chat on a channel): <c>slack:U024BE7LH</c>.</summary>
    public static string ConversationBucket(ChannelKind channel, string address) => $"{ChannelNames.Of(channel)}:{address}";

    /// <summary>Takes a token from the channel's bucket, then the conversation's; answers how long to wait when there is none.</summary>
    public static async Task<TimeSpan> TakeAsync(IRateLimitBuckets buckets, IChannel channel, string address, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        ArgumentNullException.ThrowIfNull(channel);
        var limits = channel.Limits;
        var wait = await buckets.TryTakeAsync(ChannelNames.Of(channel.Kind), limits.PerChannelPerSecond * Headroom, limits.ChannelBurst, cancellationToken).ConfigureAwait(false);
        return wait > TimeSpan.Zero
            ? wait
            : await buckets.TryTakeAsync(ConversationBucket(channel.Kind, address), ConversationRate(limits), limits.ConversationBurst, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// After the provider took a message: a conversation limited to one message at a time (burst 1) gets its next token
    /// a full interval after the provider's answer (<paramref name="sinceAnswer"/> ago: recording the receipt came
    /// first), not after the token, so however long the call took the provider never sees two messages closer together
    /// than its limit, and the time spent recording adds nothing to the interval.
    /// </summary>
    public static Task SentAsync(IRateLimitBuckets buckets, IChannel channel, string address, TimeSpan sinceAnswer, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(buckets);
        ArgumentNullException.ThrowIfNull(channel);
        if (channel.Limits.ConversationBurst != 1)
            return Task.CompletedTask;
        var rate = ConversationRate(channel.Limits);
        var early = TimeSpan.FromSeconds(Math.Clamp(sinceAnswer.TotalSeconds, 0, 1 / rate));
        return buckets.DrainAsync(ConversationBucket(channel.Kind, address), rate, -early, cancellationToken);
    }

    /// <summary>A conversation's refill rate: exact when it is paced by the provider's answers (burst 1), else with <see cref="Headroom"/>.</summary>
    public static double ConversationRate(ChannelLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        return limits.ConversationBurst == 1 ? limits.PerConversationPerSecond : limits.PerConversationPerSecond * Headroom;
    }

    /// <summary>5 s, 30 s, 2 min, 10 min, then every 30 min: a provider outage delays messages, never drops them.</summary>
    public static TimeSpan Backoff(int attempts) => attempts switch
    {
        <= 1 => TimeSpan.FromSeconds(5),
        2 => TimeSpan.FromSeconds(30),
        3 => TimeSpan.FromMinutes(2),
        4 => TimeSpan.FromMinutes(10),
        _ => TimeSpan.FromMinutes(30),
    };

    [LoggerMessage(Level = LogLevel.Debug, Message = "Sent {Key} on {Channel} to {Person} (provider message {MessageId})")]
    private static partial void Sent(ILogger logger, string key, string channel, string person, string messageId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Channel} is rate limiting messages to {Person}; next try in {Seconds} s")]
    private static partial void RateLimited(ILogger logger, string channel, string person, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Channel} refused {Key} for {Person} for good: {Reason}. The message stays in the inbox; fix the person's handle in the people directory")]
    private static partial void Refused(ILogger logger, string key, string channel, string person, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending {Key} on {Channel} to {Person} failed ({Failures} in a row); next try in {Seconds} s")]
    private static partial void Failed(ILogger logger, Exception exception, string key, string channel, string person, int failures, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "A channel delivery could not be written to the audit registry ({Reason})")]
    private static partial void AuditUnavailable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The channel outbox cannot be read or written ({Reason}); messages wait in it and are sent when the database answers")]
    private static partial void OutboxUnavailable(ILogger logger, string reason);
}

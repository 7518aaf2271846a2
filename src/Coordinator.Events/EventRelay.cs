using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Coordinator.Core.Ports;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Coordinator.Events;

/// <summary>
/// Sends every instance action to its receiver as a signed CloudEvent, once, in registry order, by tailing the audit
/// registry: the registry already holds every action, written before any other effect, so it is the outbox, and a
/// cursor per target (<see cref="IEventRelayStore"/>) says how far the target got. The cursor moves only after the
/// receiver's 2xx; a failure holds the target back (5 s doubling to 5 min) and, after three in a row, writes
/// <c>events.delivery_delayed</c>, and the delivery that finally goes through <c>events.delivery_recovered</c>. A
/// receiver's 410 or other 4xx (but 408 and 429) refuses that one event for good: it is skipped with
/// <c>events.delivery_refused</c>, so one bad event cannot stop the stream. Any number of hosts run it; the lease lets
/// one send per target at a time. A host that stops finishes the delivery under way before it lets go of the lease.
/// A crash between the receiver's 2xx and the cursor's move sends that event again
/// under the same <c>webhook-id</c>, which the receiver deduplicates on: exactly once as the receiver sees it.
/// </summary>
public sealed class EventRelay(
    IEventRelayStore store,
    IServedWorkflows served,
    IOptions<EventsOptions> options,
    IConfiguration configuration,
    EventsAudit audit,
    IHttpClientFactory clients,
    TimeProvider time,
    ILogger<EventRelay> logger) : BackgroundService
{
    /// <summary>The client of <see cref="IHttpClientFactory"/>, without a resilience handler: the relay's cursor is the retry (a handler's retries would hold the lease and hide failures from the delayed/recovered rows).</summary>
    public const string HttpClientName = "Coordinator.Events";

    /// <summary>Rows read per round and target.</summary>
    internal const int PageSize = 100;

    private readonly string _owner = string.Create(CultureInfo.InvariantCulture, $"{Environment.MachineName}:{Environment.ProcessId}:{Guid.NewGuid():N}");
    private IReadOnlyList<EventTarget> _targets = [];

    /// <summary>The targets this relay sends to (known after <see cref="StartAsync"/>).</summary>
    public IReadOnlyList<EventTarget> Targets => _targets;

    /// <summary>Resolves the targets; a definition's missing or malformed secret setting stops the host here, naming the setting.</summary>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _targets = EventTargets.Resolve(options.Value, configuration, served.Latest);
        Log.Targets(logger, _targets.Count, string.Join(", ", _targets.Select(t => $"{t.Name} -> {t.Url.GetLeftPart(UriPartial.Path)}")));
        return base.StartAsync(cancellationToken);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        // A delivery still under way when the host's shutdown time ran out keeps its lease (it runs out by itself):
        // letting go now would have the next host send that event a second time.
        if (ExecuteTask is { IsCompleted: false })
            return;
        foreach (var target in _targets)
        {
            try
            {
                await store.ReleaseAsync(target.Name, _owner, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The lease runs out by itself; another host takes the target then.
                Log.StoreUnavailable(logger, e.Message);
            }
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            var delivered = false;
            foreach (var target in _targets)
            {
                try
                {
                    delivered |= await RunOnceAsync(target, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    Log.StoreUnavailable(logger, e.Message);
                }
            }
            if (delivered)
                continue; // a full page may have more behind it
            try
            {
                await Task.Delay(settings.PollInterval, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// One round for <paramref name="target"/>: lease, read a page after the cursor, deliver in order. Answers whether
    /// anything was delivered. <paramref name="cancellationToken"/> (the host stopping) is looked at between events
    /// only: a delivery under way is finished and its cursor moved (the request's own timeout bounds it), because an
    /// answer abandoned after the receiver took the event would send that event again from the next host.
    /// </summary>
    internal async Task<bool> RunOnceAsync(EventTarget target, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (await store.TryLeaseAsync(target.Name, _owner, settings.Lease, cancellationToken).ConfigureAwait(false) is not { } cursor)
            return false;
        var page = await store.ReadAsync(cursor.Position, target.Workflows, PageSize, cancellationToken).ConfigureAwait(false);
        var failures = cursor.Failures;
        var position = cursor.Position;
        var finishing = CancellationToken.None;
        foreach (var (seq, row) in page.Rows)
        {
            if (cancellationToken.IsCancellationRequested)
                return position > cursor.Position;
            var (status, error, retryAfter) = await DeliverAsync(target, row, finishing).ConfigureAwait(false);
            if (status is >= 200 and < 300)
            {
                EventsTelemetry.Count(target.Name, "delivered");
                EventsTelemetry.DeliveryDuration.Record((time.GetUtcNow() - row.At).TotalSeconds, new KeyValuePair<string, object?>("target", target.Name));
                Log.Delivered(logger, row.IdempotencyKey, target.Name, status);
                if (failures >= EventsAudit.DelayedAfterFailures)
                    await audit.RecoveredAsync(target, row.IdempotencyKey, failures, finishing).ConfigureAwait(false);
            }
            else if (IsRefusal(status))
            {
                EventsTelemetry.Count(target.Name, "refused");
                Log.DeliveryRefused(logger, row.IdempotencyKey, target.Name, status);
                await audit.RefusedAsync(target, row.IdempotencyKey, status, finishing).ConfigureAwait(false);
            }
            else
            {
                EventsTelemetry.Count(target.Name, "failed");
                var delay = Backoff(failures + 1, settings);
                if (retryAfter is { } wait && wait > delay)
                    delay = wait < settings.RetryMaxDelay ? wait : settings.RetryMaxDelay;
                var message = error ?? string.Create(CultureInfo.InvariantCulture, $"the receiver answered {status}");
                var inRow = await store.PostponeAsync(target.Name, _owner, delay, message, finishing).ConfigureAwait(false);
                Log.DeliveryFailed(logger, row.IdempotencyKey, target.Name, inRow, message, delay.TotalSeconds);
                if (inRow >= EventsAudit.DelayedAfterFailures)
                    await audit.DelayedAsync(target, row.IdempotencyKey, inRow, message, finishing).ConfigureAwait(false);
                return position > cursor.Position;
            }
            if (!await store.AdvanceAsync(target.Name, _owner, seq, settings.Lease, finishing).ConfigureAwait(false))
            {
                Log.LeaseLost(logger, target.Name);
                return false;
            }
            position = seq;
            failures = 0;
        }
        // Past the rows of other workflows too, so the next round does not read them again.
        if (page.ScannedThrough > position && !await store.AdvanceAsync(target.Name, _owner, page.ScannedThrough, settings.Lease, finishing).ConfigureAwait(false))
            Log.LeaseLost(logger, target.Name);
        return page.Rows.Count > 0;
    }

    /// <summary>The receiver refused the event for good: 410 Gone or any 4xx but 408 (timeout) and 429 (slow down).</summary>
    internal static bool IsRefusal(int status) => status is >= 400 and < 500 and not 408 and not 429;

    /// <summary>The wait after the <paramref name="failures"/>-th failure in a row: the initial delay doubled each time, at most the maximum.</summary>
    internal static TimeSpan Backoff(int failures, EventsOptions settings)
    {
        var factor = Math.Pow(2, Math.Clamp(failures - 1, 0, 30));
        var delay = settings.RetryInitialDelay * factor;
        return delay < settings.RetryMaxDelay ? delay : settings.RetryMaxDelay;
    }

    private async Task<(int Status, string? Error, TimeSpan? RetryAfter)> DeliverAsync(EventTarget target, AuditEntry row, CancellationToken cancellationToken)
    {
        var body = CoordinatorCloudEvents.Serialize(row, options.Value.PublicBaseUrl!);
        var signature = StandardWebhooks.Headers(target.Key, row.IdempotencyKey, time.GetUtcNow(), body);
        using var request = new HttpRequestMessage(HttpMethod.Post, target.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = MediaTypeHeaderValue.Parse(CoordinatorCloudEvents.ContentType);
        request.Headers.TryAddWithoutValidation(StandardWebhooks.IdHeader, signature.Id);
        request.Headers.TryAddWithoutValidation(StandardWebhooks.TimestampHeader, signature.Timestamp);
        request.Headers.TryAddWithoutValidation(StandardWebhooks.SignatureHeader, signature.Signature);
        try
        {
            using var response = await clients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            TimeSpan? retryAfter = response.StatusCode == HttpStatusCode.TooManyRequests ? response.Headers.RetryAfter?.Delta : null;
            return ((int)response.StatusCode, null, retryAfter);
        }
        catch (HttpRequestException e)
        {
            return (0, "the receiver could not be reached: " + e.Message, null);
        }
        catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (0, string.Create(CultureInfo.InvariantCulture, $"the receiver did not answer within {options.Value.RequestTimeout.TotalSeconds} s"), null);
        }
    }
}

using Coordinator.Core.Ports;
using Microsoft.Extensions.Options;

namespace Coordinator.Crm.HubSpot;

/// <summary>
/// HubSpot's limit for the app (requests per 10 seconds), one token bucket in PostgreSQL shared by every host and every
/// caller (the dispatcher, the start worker, <c>crm setup</c>); a 429 empties it for HubSpot's <c>Retry-After</c>.
/// </summary>
public sealed class HubSpotRateLimit(IRateLimitBuckets buckets, IOptions<HubSpotOptions> options, TimeProvider time)
{
    public const string Bucket = "hubspot:app";

    /// <summary>The share of the published rate the bucket refills at (the two clocks differ; see the channels' dispatcher).</summary>
    private const double Headroom = 0.98;

    /// <summary>The longest a caller waits here for a token; beyond it the work is given back for later.</summary>
    public static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(10);

    private double PerSecond => options.Value.RequestsPer10Seconds / 10.0 * Headroom;

    /// <summary>Takes one token, waiting up to <see cref="MaxWait"/>; answers the wait still needed when none came (nothing taken).</summary>
    public async Task<TimeSpan> TakeAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        while (true)
        {
            var wait = await buckets.TryTakeAsync(Bucket, PerSecond, options.Value.RequestsPer10Seconds, cancellationToken).ConfigureAwait(false);
            if (wait <= TimeSpan.Zero)
                return TimeSpan.Zero;
            if (time.GetElapsedTime(started) + wait > MaxWait)
                return wait;
            await Task.Delay(wait < TimeSpan.FromMilliseconds(10) ? TimeSpan.FromMilliseconds(10) : wait, time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>HubSpot answered 429: nobody sends for <paramref name="retryAfter"/>.</summary>
    public Task RateLimitedAsync(TimeSpan retryAfter, CancellationToken cancellationToken) =>
        buckets.DrainAsync(Bucket, PerSecond, retryAfter, cancellationToken);
}

/// <summary>No token came within <see cref="HubSpotRateLimit.MaxWait"/>: the work waits <see cref="Wait"/>.</summary>
public sealed class HubSpotBusyException(TimeSpan wait) : Exception($"HubSpot's request budget is spent for {wait.TotalSeconds:0.#} s.")
{
    public TimeSpan Wait { get; } = wait;
}

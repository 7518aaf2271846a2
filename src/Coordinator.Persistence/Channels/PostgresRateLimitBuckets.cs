using Coordinator.Core.Ports;
using Dapper;
using Npgsql;

namespace Coordinator.Persistence.Channels;

/// <summary>
/// Token buckets in the <c>rate_limit_buckets</c> table, one statement per take (the row lock serializes hosts), refilled
/// on the database's clock.
/// </summary>
public sealed class PostgresRateLimitBuckets(NpgsqlDataSource dataSource) : IRateLimitBuckets
{
    // Refill, then take one token if there is one; a bucket seen for the first time starts full.
    private const string TakeSql = """
        WITH now AS (SELECT clock_timestamp() AS t)
        INSERT INTO rate_limit_buckets AS b (bucket, tokens, updated_at)
        SELECT @bucket, @burst - 1, now.t FROM now
        ON CONFLICT (bucket) DO UPDATE
        SET tokens = least(@burst, b.tokens + extract(epoch FROM (excluded.updated_at - b.updated_at)) * @rate) - 1,
            updated_at = excluded.updated_at
        WHERE least(@burst, b.tokens + extract(epoch FROM (excluded.updated_at - b.updated_at)) * @rate) >= 1
        RETURNING tokens
        """;

    private const string WaitSql = """
        SELECT (1 - least(@burst, tokens + extract(epoch FROM (clock_timestamp() - updated_at)) * @rate)) / @rate
        FROM rate_limit_buckets WHERE bucket = @bucket
        """;

    // Never more tokens than the bucket has now (refilled up to now): a deeper drain, an earlier 429's, is kept.
    private const string DrainSql = """
        INSERT INTO rate_limit_buckets AS b (bucket, tokens, updated_at)
        VALUES (@bucket, -@seconds * @rate, clock_timestamp())
        ON CONFLICT (bucket) DO UPDATE
        SET tokens = least(b.tokens + extract(epoch FROM (clock_timestamp() - b.updated_at)) * @rate, -@seconds * @rate),
            updated_at = clock_timestamp()
        """;

    public async Task<TimeSpan> TryTakeAsync(string bucket, double perSecond, int burst, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(perSecond);
        ArgumentOutOfRangeException.ThrowIfLessThan(burst, 1);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var parameters = new { bucket, burst = (double)burst, rate = perSecond };
        var taken = await connection.QueryAsync<double>(new CommandDefinition(TakeSql, parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (taken.Any())
            return TimeSpan.Zero;
        var seconds = await connection.ExecuteScalarAsync<double?>(new CommandDefinition(WaitSql, parameters, cancellationToken: cancellationToken)).ConfigureAwait(false) ?? 0;
        return TimeSpan.FromSeconds(Math.Max(seconds, 0.001));
    }

    public async Task DrainAsync(string bucket, double perSecond, TimeSpan retryAfter, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(bucket);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(DrainSql, new { bucket, rate = perSecond, seconds = retryAfter.TotalSeconds }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }
}

using Dapper;
using Npgsql;

namespace Coordinator.Persistence.Outbox;

/// <summary>
/// The outbox/idempotency table for side effects. An activity calls <see cref="EnqueueAsync"/> with a
/// deterministic key, skips the effect when the record is <see cref="OutboxStatus.Succeeded"/>, otherwise
/// calls <see cref="RecordAttemptAsync"/>, performs it, and records the outcome.
/// </summary>
public sealed class OutboxRepository(NpgsqlDataSource dataSource)
{
    private const string Columns = """
        key, kind, status, payload::text AS payload, result::text AS result, attempts, last_error,
        created_at, updated_at, completed_at
        """;

    /// <summary>Records the side effect if its key is new; returns the (new or existing) record.</summary>
    public async Task<OutboxRecord> EnqueueAsync(string key, string kind, string payloadJson, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ArgumentException.ThrowIfNullOrWhiteSpace(payloadJson);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            "INSERT INTO outbox (key, kind, payload) VALUES (@key, @kind, @payloadJson::jsonb) ON CONFLICT (key) DO NOTHING",
            new { key, kind, payloadJson }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return await GetAsync(connection, key, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Outbox record '{key}' was inserted but cannot be read back; check the role's SELECT privilege on outbox.");
    }

    public async Task<OutboxRecord?> GetAsync(string key, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await GetAsync(connection, key, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Counts an attempt at a pending side effect; returns the updated record.</summary>
    public Task<OutboxRecord> RecordAttemptAsync(string key, CancellationToken cancellationToken = default) =>
        UpdatePendingAsync(key, "attempts = attempts + 1", new { key }, cancellationToken);

    /// <summary>Records that the side effect happened; <paramref name="resultJson"/> is optional JSON.</summary>
    public Task<OutboxRecord> MarkSucceededAsync(string key, string? resultJson = null, CancellationToken cancellationToken = default) =>
        UpdatePendingAsync(key, "status = 'succeeded', result = @resultJson::jsonb, last_error = NULL, completed_at = now()", new { key, resultJson }, cancellationToken);

    /// <summary>Records a failed attempt that will be retried (the record stays pending).</summary>
    public Task<OutboxRecord> RecordErrorAsync(string key, string error, CancellationToken cancellationToken = default) =>
        UpdatePendingAsync(key, "last_error = @error", new { key, error }, cancellationToken);

    /// <summary>Gives up on the side effect for good.</summary>
    public Task<OutboxRecord> MarkFailedAsync(string key, string error, CancellationToken cancellationToken = default) =>
        UpdatePendingAsync(key, "status = 'failed', last_error = @error, completed_at = now()", new { key, error }, cancellationToken);

    /// <summary>The oldest pending records, for a dispatcher.</summary>
    public async Task<IReadOnlyList<OutboxRecord>> ListPendingAsync(int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM outbox WHERE status = 'pending' ORDER BY created_at, key LIMIT @limit",
            new { limit }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.Select(r => r.ToRecord())];
    }

    private async Task<OutboxRecord> UpdatePendingAsync(string key, string set, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"UPDATE outbox SET {set}, updated_at = now() WHERE key = @key AND status = 'pending' RETURNING {Columns}",
            parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (row is not null)
        {
            return row.ToRecord();
        }

        var existing = await GetAsync(connection, key, cancellationToken).ConfigureAwait(false);
        throw existing is null
            ? new InvalidOperationException($"Outbox record '{key}' does not exist; call EnqueueAsync first.")
            : new InvalidOperationException($"Outbox record '{key}' is already {existing.Status.ToString().ToLowerInvariant()}; a completed side effect is never changed.");
    }

    private static async Task<OutboxRecord?> GetAsync(NpgsqlConnection connection, string key, CancellationToken cancellationToken)
    {
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM outbox WHERE key = @key", new { key }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToRecord();
    }

    private sealed record Row(
        string key, string kind, string status, string payload, string? result, int attempts, string? last_error,
        DateTime created_at, DateTime updated_at, DateTime? completed_at)
    {
        public OutboxRecord ToRecord() => new(
            key,
            kind,
            status switch
            {
                "pending" => OutboxStatus.Pending,
                "succeeded" => OutboxStatus.Succeeded,
                "failed" => OutboxStatus.Failed,
                _ => throw new InvalidOperationException($"Outbox record '{key}' has unknown status '{status}'."),
            },
            payload,
            result,
            attempts,
            last_error,
            Utc(created_at),
            Utc(updated_at),
            completed_at is { } completed ? Utc(completed) : null);

        private static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc), TimeSpan.Zero);
    }
}

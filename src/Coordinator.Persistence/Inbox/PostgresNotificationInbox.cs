using System.Text.Json;
using Coordinator.Core.Ports;
using Coordinator.Persistence.Outbox;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Coordinator.Persistence.Inbox;

/// <summary>
/// The built-in channel kept in PostgreSQL, in the outbox table: each notification is one record of
/// kind <see cref="Kind"/>, keyed by <see cref="OutboxKey"/> of its idempotency key, whose payload is the
/// notification as JSON. The inbox IS the table, so delivering is recording the notification as
/// succeeded, in one atomic statement: a notification is delivered exactly once however often its
/// activity is retried or replayed, across restarts of the host, and a key already delivered answers
/// <see cref="SideEffectOutcome.AlreadyPerformed"/>.
/// </summary>
public sealed partial class PostgresNotificationInbox(NpgsqlDataSource dataSource, OutboxRepository outbox, ILogger<PostgresNotificationInbox> logger)
    : INotificationSender, INotificationInbox
{
    /// <summary>The outbox <c>kind</c> of inbox notifications.</summary>
    public const string Kind = "notification";

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // Inserts the record as delivered; a record a dispatcher left pending is delivered now; a
    // delivered one is left as it is (no row returned).
    private const string DeliverSql = """
        INSERT INTO outbox (key, kind, status, payload, attempts, completed_at)
        VALUES (@key, @kind, 'succeeded', @payload::jsonb, 1, now())
        ON CONFLICT (key) DO UPDATE
            SET status = 'succeeded', attempts = outbox.attempts + 1, last_error = NULL, completed_at = now(), updated_at = now()
            WHERE outbox.status = 'pending' AND outbox.kind = excluded.kind
        RETURNING key
        """;

    private const string ForPersonSql = """
        SELECT payload::text FROM outbox
        WHERE kind = @kind AND status = 'succeeded' AND payload -> 'recipients' @> jsonb_build_array(@personId::text)
        ORDER BY completed_at DESC, key DESC
        LIMIT @limit
        """;

    private const string OfInstanceSql = """
        SELECT payload::text FROM outbox
        WHERE kind = @kind AND status = 'succeeded' AND payload ->> 'instanceId' = @instanceId
        ORDER BY completed_at, key
        """;

    /// <summary>The outbox key of a notification: the kind, then its idempotency key (CRM updates share the action keys).</summary>
    public static string OutboxKey(string idempotencyKey) => $"{Kind}/{idempotencyKey}";

    public async Task<SideEffectOutcome> SendAsync(Notification notification, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notification);
        var key = OutboxKey(notification.IdempotencyKey);
        var payload = JsonSerializer.Serialize(notification, Json);
        await using (var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false))
        {
            var delivered = await connection.ExecuteScalarAsync<string?>(new CommandDefinition(
                DeliverSql, new { key, kind = Kind, payload }, cancellationToken: cancellationToken)).ConfigureAwait(false);
            if (delivered is not null)
                return SideEffectOutcome.Performed;
        }

        var existing = await outbox.GetAsync(key, cancellationToken).ConfigureAwait(false);
        if (existing is { Kind: Kind, Status: OutboxStatus.Succeeded })
        {
            AlreadyDelivered(logger, notification.IdempotencyKey);
            return SideEffectOutcome.AlreadyPerformed;
        }
        throw new InvalidOperationException(existing is null
            ? $"Notification '{notification.IdempotencyKey}' was neither delivered nor found in the outbox; check the role's INSERT, UPDATE and SELECT privileges on outbox."
            : $"Notification '{notification.IdempotencyKey}' cannot be delivered: outbox record '{key}' is a {existing.Kind} record with status {existing.Status.ToString().ToLowerInvariant()}. "
              + "Inspect it (SELECT * FROM outbox WHERE key = '" + key + "'); a completed record is never changed.");
    }

    public async Task<IReadOnlyList<Notification>> ForAsync(string personId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(personId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return await QueryAsync(ForPersonSql, new { kind = Kind, personId, limit }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<Notification>> OfInstanceAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instanceId);
        return await QueryAsync(OfInstanceSql, new { kind = Kind, instanceId }, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<Notification>> QueryAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var payloads = await connection.QueryAsync<string>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. payloads.Select(Deserialize)];
    }

    private static Notification Deserialize(string payload) =>
        JsonSerializer.Deserialize<Notification>(payload, Json)
        ?? throw new InvalidOperationException($"An outbox record of kind '{Kind}' holds no notification: {payload}");

    [LoggerMessage(Level = LogLevel.Information, Message = "Notification {Key} was already delivered to the inbox; not delivered again")]
    private static partial void AlreadyDelivered(ILogger logger, string key);
}

using System.Text.Json;
using Coordinator.Core.Engine;
using Coordinator.Core.Ports;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Coordinator.Persistence.Inbox;

/// <summary>
/// The built-in channel kept in PostgreSQL, in the <c>notifications</c> table: one row per
/// (notification, recipient), keyed by the notification's idempotency key, holding the notification
/// as JSON. The inbox IS the table, so delivering is inserting the rows, in one atomic statement: a
/// notification is delivered exactly once however often its activity is retried or replayed, across
/// restarts and hosts, and a key already delivered answers <see cref="SideEffectOutcome.AlreadyPerformed"/>.
/// A person's inbox is one range of the index on (person, delivery time).
/// </summary>
public sealed partial class PostgresNotificationInbox(NpgsqlDataSource dataSource, ILogger<PostgresNotificationInbox> logger)
    : INotificationSender, INotificationInbox
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // Every recipient's row in one statement: all of them or (the key delivered already) none.
    private const string DeliverSql = """
        INSERT INTO notifications (key, person_id, instance_id, workflow_id, action, payload)
        SELECT @key, person, @instanceId, @workflowId, @action, @payload::jsonb FROM unnest(@recipients::text[]) AS r(person)
        ON CONFLICT (key, person_id) DO NOTHING
        """;

    private const string ForPersonSql = """
        SELECT payload::text FROM notifications
        WHERE person_id = @personId
        ORDER BY delivered_at DESC, key DESC
        LIMIT @limit
        """;

    // One row per notification (the first recipient's), in delivery order.
    private const string OfInstanceSql = """
        SELECT DISTINCT ON (delivered_at, key) payload::text FROM notifications
        WHERE instance_id = @instanceId
        ORDER BY delivered_at, key
        """;

    /// <summary>The built-in web inbox.</summary>
    public string Channel => "inbox";

    public async Task<SideEffectOutcome> SendAsync(Notification notification, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(notification);
        if (notification.Recipients.Count == 0)
            throw new ArgumentException($"Notification '{notification.IdempotencyKey}' has no recipients; the planner never sends one.", nameof(notification));
        var payload = JsonSerializer.Serialize(notification, Json);
        var recipients = notification.Recipients.Distinct(StringComparer.Ordinal).ToArray();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var inserted = await connection.ExecuteAsync(new CommandDefinition(
            DeliverSql,
            new
            {
                key = notification.IdempotencyKey,
                instanceId = notification.InstanceId,
                workflowId = notification.WorkflowId,
                action = notification.Action.Type.WireName(),
                payload,
                recipients,
            },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (inserted > 0)
            return SideEffectOutcome.Performed;
        AlreadyDelivered(logger, notification.IdempotencyKey);
        return SideEffectOutcome.AlreadyPerformed;
    }

    public async Task<IReadOnlyList<Notification>> ForAsync(string personId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(personId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        return await QueryAsync(ForPersonSql, new { personId, limit }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<Notification>> OfInstanceAsync(string instanceId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(instanceId);
        return await QueryAsync(OfInstanceSql, new { instanceId }, cancellationToken).ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<Notification>> QueryAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var payloads = await connection.QueryAsync<string>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. payloads.Select(Deserialize)];
    }

    internal static Notification Deserialize(string payload) =>
        JsonSerializer.Deserialize<Notification>(payload, Json)
        ?? throw new InvalidOperationException($"A row of the notifications table holds no notification: {payload}");

    [LoggerMessage(Level = LogLevel.Information, Message = "Notification {Key} was already delivered to the inbox; not delivered again")]
    private static partial void AlreadyDelivered(ILogger logger, string key);
}

using System.Text.Json;
using Coordinator.Core.People;
using Coordinator.Core.Ports;
using Dapper;
using Npgsql;

namespace Coordinator.Persistence.Channels;

/// <summary>
/// The chat channels' outbox in the <c>channel_outbox</c> table (see <see cref="IChannelOutbox"/>). Claims lock with
/// <c>FOR UPDATE SKIP LOCKED</c> and re-check the row's state, so several dispatchers (several hosts) never claim one
/// message twice; only the oldest open message of each recipient is claimable, so per recipient the order is kept.
/// Times are the database's, so hosts with different clocks agree on what is due.
/// </summary>
public sealed class PostgresChannelOutbox(NpgsqlDataSource dataSource) : IChannelOutbox
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const string EnqueueSql = """
        INSERT INTO channel_outbox (notification_key, person_id, channel, address, instance_id, notification, not_before, due_at, draft)
        SELECT k, p, c, a, i, n, nb, greatest(clock_timestamp(), nb), d
        FROM unnest(@keys::text[], @people::text[], @channels::text[], @addresses::text[], @instances::text[], @payloads::jsonb[], @notBefore::timestamptz[], @drafts::text[]) AS u(k, p, c, a, i, n, nb, d)
        ON CONFLICT (notification_key, person_id, channel) DO NOTHING
        """;

    // The head of each recipient's queue, when due and not leased by a live claim; the UPDATE re-checks the row's
    // state on its latest version, so a claim that another host committed first is skipped.
    private const string ClaimSql = """
        WITH heads AS (
            SELECT DISTINCT ON (channel, address) id
            FROM channel_outbox
            WHERE status IN ('pending', 'sending')
            ORDER BY channel, address, id
        ), due AS (
            SELECT o.id FROM channel_outbox o JOIN heads h ON h.id = o.id
            WHERE o.not_before <= clock_timestamp() AND (o.status = 'pending' OR o.leased_until < clock_timestamp())
            ORDER BY o.not_before, o.id
            LIMIT @max
            FOR UPDATE OF o SKIP LOCKED
        )
        UPDATE channel_outbox o
        SET status = 'sending', attempts = o.attempts + 1, leased_until = clock_timestamp() + @lease
        FROM due
        WHERE o.id = due.id AND (o.status = 'pending' OR o.leased_until < clock_timestamp())
        RETURNING o.id, o.person_id AS PersonId, o.channel, o.address, o.attempts, o.failures, o.due_at AS DueAt, o.notification::text AS Payload, o.draft
        """;

    private const string EnqueuedSql = "SELECT person_id, channel FROM channel_outbox WHERE notification_key = @key";

    private const string NextDueSql = """
        SELECT min(CASE WHEN status = 'sending' THEN greatest(not_before, leased_until) ELSE not_before END)
        FROM channel_outbox WHERE status IN ('pending', 'sending')
        """;

    private const string CompleteSql = """
        UPDATE channel_outbox
        SET status = 'sent', provider_message_id = @messageId, conversation = @conversation, sent_at = clock_timestamp(), leased_until = NULL
        WHERE id = @id
        """;

    private const string PostponeSql = """
        UPDATE channel_outbox
        SET status = 'pending', not_before = clock_timestamp() + @delay, leased_until = NULL, last_error = coalesce(@error, last_error)
        WHERE id = @id AND status = 'sending'
        """;

    private const string RetryLaterSql = """
        UPDATE channel_outbox
        SET status = 'pending', not_before = clock_timestamp() + @delay, leased_until = NULL, last_error = @error, failures = failures + 1
        WHERE id = @id AND status = 'sending'
        """;

    private const string FailSql = """
        UPDATE channel_outbox SET status = 'failed', leased_until = NULL, last_error = @error WHERE id = @id AND status = 'sending'
        """;

    private sealed record ClaimedRow(long Id, string PersonId, string Channel, string Address, int Attempts, int Failures, DateTime DueAt, string Payload, string? Draft);

    public async Task<int> EnqueueAsync(IReadOnlyList<ChannelSendRequest> sends, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sends);
        if (sends.Count == 0)
            return 0;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(EnqueueSql, new
        {
            keys = sends.Select(s => s.Notification.IdempotencyKey).ToArray(),
            people = sends.Select(s => s.PersonId).ToArray(),
            channels = sends.Select(s => ChannelNames.Of(s.Channel)).ToArray(),
            addresses = sends.Select(s => s.Address).ToArray(),
            instances = sends.Select(s => s.Notification.InstanceId).ToArray(),
            payloads = sends.Select(s => JsonSerializer.Serialize(s.Notification, Json)).ToArray(),
            notBefore = sends.Select(s => s.NotBefore.UtcDateTime).ToArray(),
            drafts = sends.Select(s => s.Draft).ToArray(),
        }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<IReadOnlySet<(string PersonId, ChannelKind Channel)>> EnqueuedAsync(string notificationKey, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(notificationKey);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<(string PersonId, string Channel)>(new CommandDefinition(EnqueuedSql, new { key = notificationKey }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return rows.Select(r => (r.PersonId, ChannelNames.Parse(r.Channel))).ToHashSet();
    }

    public async Task<ChannelClaim> ClaimAsync(int max, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<ClaimedRow>(new CommandDefinition(ClaimSql, new { max, lease }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var sends = rows.Select(r => new ChannelSend
        {
            Id = r.Id,
            PersonId = r.PersonId,
            Channel = ChannelNames.Parse(r.Channel),
            Address = r.Address,
            Attempts = r.Attempts,
            Failures = r.Failures,
            DueAt = new DateTimeOffset(DateTime.SpecifyKind(r.DueAt, DateTimeKind.Utc)),
            Draft = r.Draft,
            Notification = JsonSerializer.Deserialize<Notification>(r.Payload, Json)
                ?? throw new InvalidOperationException($"Outbox row {r.Id} holds no notification."),
        }).OrderBy(s => s.Id).ToList();
        var next = await connection.ExecuteScalarAsync<DateTime?>(new CommandDefinition(NextDueSql, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return new ChannelClaim(sends, next is { } at ? new DateTimeOffset(DateTime.SpecifyKind(at, DateTimeKind.Utc)) : null);
    }

    public async Task CompleteAsync(long id, ChannelReceipt receipt, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(receipt);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(CompleteSql, new { id, messageId = receipt.MessageId, conversation = receipt.Conversation }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task PostponeAsync(long id, TimeSpan delay, string? error, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(PostponeSql, new { id, delay, error }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task RetryLaterAsync(long id, TimeSpan delay, string error, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(RetryLaterSql, new { id, delay, error }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task FailAsync(long id, string error, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(error);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(FailSql, new { id, error }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }
}

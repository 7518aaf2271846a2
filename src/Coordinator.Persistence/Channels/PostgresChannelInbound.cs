using System.Text.Json;
using Coordinator.Core.People;
using Coordinator.Core.Ports;
using Dapper;
using Npgsql;

namespace Coordinator.Persistence.Channels;

/// <summary>
/// Replies received, in the <c>channel_inbound</c> table (see <see cref="IChannelInbound"/>), and the lookups of the
/// outbox replies need. Claims take the oldest open reply of each sender only, so one person's replies are handled in
/// the order they arrived, by one host at a time.
/// </summary>
public sealed class PostgresChannelInbound(NpgsqlDataSource dataSource) : IChannelInbound
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private const string AcceptSql = """
        INSERT INTO channel_inbound (channel, delivery_id, sender, reply)
        VALUES (@channel, @deliveryId, @sender, @reply::jsonb)
        ON CONFLICT (channel, delivery_id) DO NOTHING
        """;

    private const string ClaimSql = """
        WITH heads AS (
            SELECT DISTINCT ON (channel, sender) id
            FROM channel_inbound WHERE status <> 'done'
            ORDER BY channel, sender, id
        ), due AS (
            SELECT i.id FROM channel_inbound i JOIN heads h ON h.id = i.id
            WHERE i.not_before <= clock_timestamp() AND (i.status = 'pending' OR i.leased_until < clock_timestamp())
            ORDER BY i.id
            LIMIT @max
            FOR UPDATE OF i SKIP LOCKED
        )
        UPDATE channel_inbound i
        SET status = 'handling', attempts = i.attempts + 1, leased_until = clock_timestamp() + @lease
        FROM due
        WHERE i.id = due.id AND (i.status = 'pending' OR i.leased_until < clock_timestamp())
        RETURNING i.id, i.reply::text AS Payload, i.attempts
        """;

    private const string CompleteSql = """
        UPDATE channel_inbound SET status = 'done', outcome = @outcome, handled_at = clock_timestamp(), leased_until = NULL WHERE id = @id
        """;

    private const string PostponeSql = """
        UPDATE channel_inbound SET status = 'pending', not_before = clock_timestamp() + @delay, leased_until = NULL, last_error = @error
        WHERE id = @id AND status = 'handling'
        """;

    private const string FindSentSql = """
        SELECT notification::text AS Payload, person_id AS PersonId, address, provider_message_id AS MessageId
        FROM channel_outbox
        WHERE channel = @channel AND address = @address AND provider_message_id = @messageId
        ORDER BY id DESC LIMIT 1
        """;

    private const string LatestSentSql = """
        SELECT notification::text AS Payload, person_id AS PersonId, address, provider_message_id AS MessageId
        FROM channel_outbox
        WHERE channel = @channel AND address = @address AND status = 'sent'
        ORDER BY sent_at DESC, id DESC LIMIT 1
        """;

    private const string RememberChoiceSql = """
        INSERT INTO channel_choices (channel, sender, choice, expires_at) VALUES (@channel, @sender, @choice::jsonb, clock_timestamp() + @ttl)
        ON CONFLICT (channel, sender) DO UPDATE SET choice = excluded.choice, expires_at = excluded.expires_at
        """;

    private const string FindChoiceSql = """
        SELECT choice::text FROM channel_choices WHERE channel = @channel AND sender = @sender AND expires_at > clock_timestamp()
        """;

    private sealed record ClaimedRow(long Id, string Payload, int Attempts);

    private sealed record SentRow(string Payload, string PersonId, string Address, string MessageId);

    public async Task<bool> AcceptAsync(InboundReply reply, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reply);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(AcceptSql, new
        {
            channel = ChannelNames.Of(reply.Channel),
            deliveryId = reply.DeliveryId,
            sender = reply.Sender,
            reply = JsonSerializer.Serialize(reply, Json),
        }, cancellationToken: cancellationToken)).ConfigureAwait(false) > 0;
    }

    public async Task<IReadOnlyList<ClaimedReply>> ClaimAsync(int max, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(max, 1);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await connection.QueryAsync<ClaimedRow>(new CommandDefinition(ClaimSql, new { max, lease }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return [.. rows.OrderBy(r => r.Id).Select(r => new ClaimedReply(r.Id,
            JsonSerializer.Deserialize<InboundReply>(r.Payload, Json) ?? throw new InvalidOperationException($"Inbound row {r.Id} holds no reply."), r.Attempts))];
    }

    public async Task CompleteAsync(long id, string outcome, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(CompleteSql, new { id, outcome }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task PostponeAsync(long id, TimeSpan delay, string error, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(PostponeSql, new { id, delay, error }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public Task<SentMessage?> FindSentAsync(ChannelKind channel, string address, string messageId, CancellationToken cancellationToken = default) =>
        SentAsync(FindSentSql, new { channel = ChannelNames.Of(channel), address, messageId }, cancellationToken);

    public Task<SentMessage?> LatestSentAsync(ChannelKind channel, string address, CancellationToken cancellationToken = default) =>
        SentAsync(LatestSentSql, new { channel = ChannelNames.Of(channel), address }, cancellationToken);

    public async Task RememberChoiceAsync(ChannelKind channel, string sender, PendingChoice choice, TimeSpan ttl, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(choice);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(RememberChoiceSql,
            new { channel = ChannelNames.Of(channel), sender, choice = JsonSerializer.Serialize(choice, Json), ttl }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<PendingChoice?> FindChoiceAsync(ChannelKind channel, string sender, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var json = await connection.QueryFirstOrDefaultAsync<string>(new CommandDefinition(FindChoiceSql,
            new { channel = ChannelNames.Of(channel), sender }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return json is null ? null : JsonSerializer.Deserialize<PendingChoice>(json, Json);
    }

    private async Task<SentMessage?> SentAsync(string sql, object parameters, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QueryFirstOrDefaultAsync<SentRow>(new CommandDefinition(sql, parameters, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row is null ? null : new SentMessage(
            JsonSerializer.Deserialize<Notification>(row.Payload, Json) ?? throw new InvalidOperationException("An outbox row holds no notification."),
            row.PersonId, row.Address, row.MessageId);
    }
}

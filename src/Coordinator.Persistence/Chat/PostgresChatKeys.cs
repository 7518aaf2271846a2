using Coordinator.Core.Ports;
using Coordinator.Persistence.Inbox;
using Dapper;
using Npgsql;

namespace Coordinator.Persistence.Chat;

/// <summary>
/// The chat endpoint's keys in the <c>chat_keys</c> table (the SHA-256 of each key and whose it is), and each person's
/// mark in <c>chat_marks</c>: how far they have seen their notifications through the endpoint.
/// </summary>
public sealed class PostgresChatKeys(NpgsqlDataSource dataSource) : IChatKeys, IChatNotices
{
    // The key and, for a person's first key, the mark: what was delivered before it is not news to the chat client.
    private const string CreateSql = """
        INSERT INTO chat_keys (key_hash, person_id) VALUES (@hash, @personId);
        INSERT INTO chat_marks (person_id, seen_at) VALUES (@personId, now()) ON CONFLICT (person_id) DO NOTHING;
        """;

    private const string PersonOfSql = "SELECT person_id FROM chat_keys WHERE key_hash = @hash AND revoked_at IS NULL";

    private const string RevokeSql = "UPDATE chat_keys SET revoked_at = clock_timestamp() WHERE person_id = @personId AND revoked_at IS NULL";

    private const string MarkSql = """
        INSERT INTO chat_marks (person_id, seen_at) VALUES (@personId, now()) ON CONFLICT (person_id) DO NOTHING;
        SELECT seen_at AS SeenAt, seen_key AS SeenKey FROM chat_marks WHERE person_id = @personId FOR UPDATE;
        """;

    // After the mark, newest first: the index on (person, delivered_at DESC, key DESC) reads just these rows.
    private const string NewSql = """
        SELECT payload::text AS Payload, delivered_at AS DeliveredAt, key AS Key FROM notifications
        WHERE person_id = @personId AND (delivered_at, key) > (@seenAt, @seenKey)
        ORDER BY delivered_at DESC, key DESC
        LIMIT @limit
        """;

    private const string EarlierSql = """
        SELECT count(*) FROM (
            SELECT 1 FROM notifications
            WHERE person_id = @personId AND (delivered_at, key) > (@seenAt, @seenKey) AND (delivered_at, key) < (@oldestAt, @oldestKey)
            LIMIT 1000) AS earlier
        """;

    private const string MoveSql = "UPDATE chat_marks SET seen_at = @seenAt, seen_key = @seenKey WHERE person_id = @personId";

    public async Task<string> CreateAsync(string personId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(personId);
        var key = ChatKey.New();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(CreateSql, new { hash = ChatKey.Hash(key), personId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return key;
    }

    public async Task<string?> PersonOfAsync(string key, CancellationToken cancellationToken = default)
    {
        if (!ChatKey.LooksLikeKey(key))
            return null;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QueryFirstOrDefaultAsync<string>(new CommandDefinition(PersonOfSql, new { hash = ChatKey.Hash(key) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<int> RevokeAsync(string personId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(personId);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.ExecuteAsync(new CommandDefinition(RevokeSql, new { personId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }

    public async Task<ChatNotices> TakeAsync(string personId, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(personId);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        // The mark's row lock makes two answers at once for one person (two hosts, two tabs) show each notification once.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        var mark = await connection.QuerySingleAsync<Mark>(new CommandDefinition(MarkSql, new { personId }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var rows = (await connection.QueryAsync<Row>(new CommandDefinition(
            NewSql, new { personId, seenAt = mark.SeenAt, seenKey = mark.SeenKey, limit }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
        if (rows.Count == 0)
        {
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return ChatNotices.None;
        }
        var earlier = rows.Count < limit
            ? 0
            : await connection.ExecuteScalarAsync<int>(new CommandDefinition(EarlierSql,
                new { personId, seenAt = mark.SeenAt, seenKey = mark.SeenKey, oldestAt = rows[^1].DeliveredAt, oldestKey = rows[^1].Key }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(
            MoveSql, new { personId, seenAt = rows[0].DeliveredAt, seenKey = rows[0].Key }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new ChatNotices([.. rows.Select(static r => PostgresNotificationInbox.Deserialize(r.Payload))], earlier);
    }

    private sealed record Mark(DateTime SeenAt, string SeenKey);

    private sealed record Row(string Payload, DateTime DeliveredAt, string Key);
}

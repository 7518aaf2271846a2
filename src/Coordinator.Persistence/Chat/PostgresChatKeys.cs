using Coordinator.Core.Ports;
using Coordinator.Persistence.Inbox;
using Dapper;
using Npgsql;

namespace Coordinator.Persistence.Chat;

/// <summary>
/// The chat endpoint's keys in the <c>chat_keys</c> table (the SHA-256 of each key and whose it is), and each person's
/// mark in <c>chat_marks</c> and <c>chat_seen</c>: which of their notifications the endpoint has shown them.
/// </summary>
public sealed class PostgresChatKeys(NpgsqlDataSource dataSource) : IChatKeys, IChatNotices
{
    // A person's first mark: now, with what was delivered just before it counted as seen (it is not news to a new key).
    private const string FirstMarkSql = """
        WITH fresh AS (
            INSERT INTO chat_marks (person_id, seen_at) VALUES (@personId, now()) ON CONFLICT (person_id) DO NOTHING
            RETURNING person_id, seen_at)
        INSERT INTO chat_seen (person_id, key, delivered_at)
        SELECT f.person_id, n.key, n.delivered_at FROM fresh f JOIN notifications n ON n.person_id = f.person_id AND n.delivered_at > f.seen_at - @grace
        ON CONFLICT DO NOTHING;
        """;

    private const string CreateSql = "INSERT INTO chat_keys (key_hash, person_id) VALUES (@hash, @personId);\n" + FirstMarkSql;

    private const string PersonOfSql = "SELECT person_id FROM chat_keys WHERE key_hash = @hash AND revoked_at IS NULL";

    private const string RevokeSql = "UPDATE chat_keys SET revoked_at = clock_timestamp() WHERE person_id = @personId AND revoked_at IS NULL";

    private const string MarkSql = FirstMarkSql + "SELECT seen_at FROM chat_marks WHERE person_id = @personId FOR UPDATE;";

    // Not shown yet: delivered after the mark, or within the grace before it and not among the keys shown. Newest first;
    // the index on (person, delivered_at DESC, key DESC) reads just these rows.
    private const string UnseenSql = """
        SELECT payload::text AS Payload, delivered_at AS DeliveredAt, key AS Key FROM notifications n
        WHERE n.person_id = @personId AND n.delivered_at > @since
          AND NOT EXISTS (SELECT 1 FROM chat_seen s WHERE s.person_id = @personId AND s.key = n.key)
        ORDER BY n.delivered_at DESC, n.key DESC
        LIMIT @max
        """;

    private const string SeenSql = """
        INSERT INTO chat_seen (person_id, key, delivered_at)
        SELECT @personId, k, d FROM unnest(@keys::text[], @deliveredAt::timestamptz[]) AS u(k, d)
        ON CONFLICT DO NOTHING;
        UPDATE chat_marks SET seen_at = greatest(seen_at, @newest) WHERE person_id = @personId;
        DELETE FROM chat_seen WHERE person_id = @personId AND delivered_at <= @newest - @grace;
        """;

    /// <summary>
    /// How long before the mark a notification may still turn up: a delivery's time is its statement's start, so one
    /// can commit after a later one was shown. Far longer than any insert takes.
    /// </summary>
    private static readonly TimeSpan Grace = TimeSpan.FromMinutes(1);

    /// <summary>The most unseen notifications one answer looks at (the newest are shown, the rest counted and marked seen).</summary>
    private const int MaxUnseen = 1000;

    public async Task<string> CreateAsync(string personId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(personId);
        var key = ChatKey.New();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(CreateSql, new { hash = ChatKey.Hash(key), personId, grace = Grace }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
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
        var mark = await connection.QuerySingleAsync<DateTime>(new CommandDefinition(MarkSql, new { personId, grace = Grace }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        var unseen = (await connection.QueryAsync<Row>(new CommandDefinition(
            UnseenSql, new { personId, since = mark - Grace, max = MaxUnseen }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false)).ToList();
        if (unseen.Count == 0)
        {
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
            return ChatNotices.None;
        }
        await connection.ExecuteAsync(new CommandDefinition(SeenSql, new
        {
            personId,
            keys = unseen.Select(static r => r.Key).ToArray(),
            deliveredAt = unseen.Select(static r => r.DeliveredAt).ToArray(),
            newest = unseen[0].DeliveredAt,
            grace = Grace,
        }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return new ChatNotices([.. unseen.Take(limit).Select(static r => PostgresNotificationInbox.Deserialize(r.Payload))], Math.Max(0, unseen.Count - limit));
    }

    private sealed record Row(string Payload, DateTime DeliveredAt, string Key);
}

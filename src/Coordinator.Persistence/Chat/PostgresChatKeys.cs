using Coordinator.Core.Ports;
using Dapper;
using Npgsql;

namespace Coordinator.Persistence.Chat;

/// <summary>The chat endpoint's keys in the <c>chat_keys</c> table: the SHA-256 of each key and whose it is.</summary>
public sealed class PostgresChatKeys(NpgsqlDataSource dataSource) : IChatKeys
{
    private const string CreateSql = "INSERT INTO chat_keys (key_hash, person_id) VALUES (@hash, @personId)";

    private const string PersonOfSql = "SELECT person_id FROM chat_keys WHERE key_hash = @hash AND revoked_at IS NULL";

    public async Task<string> CreateAsync(string personId, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(personId);
        var key = ChatKey.New();
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition(CreateSql, new { hash = ChatKey.Hash(key), personId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return key;
    }

    public async Task<string?> PersonOfAsync(string key, CancellationToken cancellationToken = default)
    {
        if (!ChatKey.LooksLikeKey(key))
            return null;
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await connection.QueryFirstOrDefaultAsync<string>(new CommandDefinition(PersonOfSql, new { hash = ChatKey.Hash(key) }, cancellationToken: cancellationToken)).ConfigureAwait(false);
    }
}

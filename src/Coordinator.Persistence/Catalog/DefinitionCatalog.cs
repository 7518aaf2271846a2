using System.Security.Cryptography;
using System.Text;
using Dapper;
using Npgsql;

namespace Coordinator.Persistence.Catalog;

/// <summary>The versioned catalog of workflow definitions (<c>workflow_definitions</c>).</summary>
public sealed class DefinitionCatalog(NpgsqlDataSource dataSource)
{
    private const string SelectColumns =
        "SELECT workflow_id, version, content_hash, definition, published_at FROM workflow_definitions";

    /// <summary>
    /// Publishes <paramref name="canonicalDefinition"/> (the canonical JSON of the definition) as
    /// (<paramref name="workflowId"/>, <paramref name="version"/>). Publishing identical content again
    /// is a no-op; different content under a published version throws <see cref="DefinitionVersionConflictException"/>.
    /// </summary>
    public async Task<PublishOutcome> PublishAsync(string workflowId, int version, string canonicalDefinition, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(workflowId);
        ArgumentOutOfRangeException.ThrowIfLessThan(version, 1);
        ArgumentException.ThrowIfNullOrWhiteSpace(canonicalDefinition);

        var contentHash = ContentHashOf(canonicalDefinition);
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var inserted = await connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO workflow_definitions (workflow_id, version, content_hash, definition)
            VALUES (@workflowId, @version, @contentHash, @canonicalDefinition)
            ON CONFLICT (workflow_id, version) DO NOTHING
            """,
            new { workflowId, version, contentHash, canonicalDefinition },
            cancellationToken: cancellationToken)).ConfigureAwait(false);
        if (inserted == 1)
        {
            return PublishOutcome.Published;
        }

        var existing = await GetAsync(connection, workflowId, version, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Workflow '{workflowId}' version {version} conflicted on publish but cannot be read back; check the role's SELECT privilege on workflow_definitions.");
        return existing.ContentHash == contentHash
            ? PublishOutcome.AlreadyPublished
            : throw new DefinitionVersionConflictException(existing, contentHash);
    }

    /// <summary>The published (id, version), or null.</summary>
    public async Task<PublishedDefinition?> GetAsync(string workflowId, int version, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await GetAsync(connection, workflowId, version, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The highest published version of the workflow, or null.</summary>
    public async Task<PublishedDefinition?> GetLatestAsync(string workflowId, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            SelectColumns + " WHERE workflow_id = @workflowId ORDER BY version DESC LIMIT 1",
            new { workflowId }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToPublished();
    }

    /// <summary>Lowercase hex SHA-256 of the UTF-8 bytes, as stored in <c>content_hash</c>.</summary>
    public static string ContentHashOf(string canonicalDefinition) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalDefinition)));

    private static async Task<PublishedDefinition?> GetAsync(NpgsqlConnection connection, string workflowId, int version, CancellationToken cancellationToken)
    {
        var row = await connection.QuerySingleOrDefaultAsync<Row>(new CommandDefinition(
            SelectColumns + " WHERE workflow_id = @workflowId AND version = @version",
            new { workflowId, version }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        return row?.ToPublished();
    }

    private sealed record Row(string workflow_id, int version, string content_hash, string definition, DateTime published_at)
    {
        public PublishedDefinition ToPublished() =>
            new(workflow_id, version, content_hash, definition, new DateTimeOffset(published_at, TimeSpan.Zero));
    }
}

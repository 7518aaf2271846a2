using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Coordinator.Persistence.Migrations;

/// <summary>
/// Applies the embedded migrations in version order, each in its own transaction, under a
/// session advisory lock (so concurrent starts migrate once), recording them in
/// <c>schema_migrations</c>. Run it as the database owner or a superuser, never as the
/// application role (which may not create tables).
/// </summary>
public sealed partial class MigrationRunner(NpgsqlDataSource dataSource, ILogger<MigrationRunner>? logger = null)
{
    /// <summary>Advisory lock key: "coordmig" as a 64-bit integer.</summary>
    private const long LockKey = 0x636F6F72646D6967;

    private const string CreateTableSql = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version    integer     PRIMARY KEY,
            name       text        NOT NULL,
            checksum   text        NOT NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """;

    private readonly ILogger _logger = logger ?? NullLogger<MigrationRunner>.Instance;

    /// <summary>The migrations shipped in this assembly, in version order.</summary>
    public static IReadOnlyList<Migration> Embedded { get; } = LoadEmbedded();

    /// <summary>Applies the pending migrations; returns those applied now (empty when up to date).</summary>
    public Task<IReadOnlyList<Migration>> ApplyAsync(CancellationToken cancellationToken = default) =>
        ApplyAsync(int.MaxValue, cancellationToken);

    /// <summary>Applies the pending migrations up to and including <paramref name="lastVersion"/> (tests: a database as an older release left it).</summary>
    internal async Task<IReadOnlyList<Migration>> ApplyAsync(int lastVersion, CancellationToken cancellationToken = default)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_lock(@LockKey)", new { LockKey }, cancellationToken: cancellationToken)).ConfigureAwait(false);
        try
        {
            await connection.ExecuteAsync(new CommandDefinition(CreateTableSql, cancellationToken: cancellationToken)).ConfigureAwait(false);
            var applied = (await connection.QueryAsync<(int Version, string Name, string Checksum)>(
                    new CommandDefinition("SELECT version, name, checksum FROM schema_migrations", cancellationToken: cancellationToken)).ConfigureAwait(false))
                .ToDictionary(m => m.Version);

            var appliedNow = new List<Migration>();
            foreach (var migration in Embedded.Where(m => m.Version <= lastVersion))
            {
                if (applied.TryGetValue(migration.Version, out var existing))
                {
                    if (existing.Checksum != migration.Checksum)
                    {
                        throw new InvalidOperationException(
                            $"Migration {migration} was changed after it was applied to this database (checksum {existing.Checksum} recorded, {migration.Checksum} now). Applied migrations are immutable: restore the original script and add a new migration instead.");
                    }

                    continue;
                }

                await ApplyOneAsync(connection, migration, cancellationToken).ConfigureAwait(false);
                Log.MigrationApplied(_logger, migration.ToString());
                appliedNow.Add(migration);
            }

            if (appliedNow.Count == 0)
            {
                Log.MigrationsUpToDate(_logger, Embedded.Count);
            }

            return appliedNow;
        }
        finally
        {
            await connection.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_unlock(@LockKey)", new { LockKey }, cancellationToken: CancellationToken.None)).ConfigureAwait(false);
        }
    }

    private static async Task ApplyOneAsync(NpgsqlConnection connection, Migration migration, CancellationToken cancellationToken)
    {
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await using (var script = new NpgsqlCommand(migration.Sql, connection, transaction))
            {
                await script.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
            }

            await connection.ExecuteAsync(new CommandDefinition(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES (@Version, @Name, @Checksum)",
                new { migration.Version, migration.Name, migration.Checksum }, transaction, cancellationToken: cancellationToken)).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PostgresException ex)
        {
            throw new InvalidOperationException(
                $"Migration {migration} failed and was rolled back: {ex.MessageText}{(ex.Hint is null ? "" : " (" + ex.Hint + ")")}. "
                + "Migrations run as the database owner or a superuser (see docs/audit.md); the pgvector extension must be installed (scripts/postgres.sh install).",
                ex);
        }
    }

    private static List<Migration> LoadEmbedded()
    {
        const string prefix = "Coordinator.Persistence.Migrations.";
        var assembly = typeof(MigrationRunner).Assembly;
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var match = FileNamePattern().Match(resource[prefix.Length..]);
            if (!match.Success)
            {
                throw new InvalidOperationException($"Embedded migration '{resource}' is not named NNNN_name.sql.");
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var text = new StreamReader(stream);
            migrations.Add(Migration.Create(int.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), match.Groups[2].Value, text.ReadToEnd()));
        }

        var duplicate = migrations.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Two embedded migrations share version {duplicate.Key}: {string.Join(", ", duplicate)}.");
        }

        return [.. migrations.OrderBy(m => m.Version)];
    }

    [GeneratedRegex(@"^(\d{4})_([a-z0-9_]+)\.sql$")]
    private static partial Regex FileNamePattern();
}

using Coordinator.Persistence.Migrations;
using Coordinator.Testing;
using Npgsql;

namespace Coordinator.Persistence.Tests.Infrastructure;

/// <summary>The throwaway PostgreSQL cluster of the persistence tests, with migrated test databases.</summary>
public sealed class PostgresCluster : IAsyncLifetime
{
    private readonly ThrowawayPostgres _cluster = new();

    public int Port => _cluster.Port;

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    /// <summary>
    /// A new database with all migrations applied (by the superuser, as an owner would), or those up to
    /// <paramref name="lastMigration"/> (a database as an older release left it).
    /// </summary>
    public async Task<TestDatabase> CreateDatabaseAsync(int lastMigration = int.MaxValue)
    {
        var name = await _cluster.CreateDatabaseAsync();
        var database = new TestDatabase(
            name,
            NpgsqlDataSource.Create(ConnectionString(name, ThrowawayPostgres.Superuser)),
            NpgsqlDataSource.Create(ConnectionString(name, ThrowawayPostgres.ApplicationRole)),
            NpgsqlDataSource.Create(ConnectionString(name, ThrowawayPostgres.AuditorRole)));
        await new MigrationRunner(database.Superuser).ApplyAsync(lastMigration);
        return database;
    }

    /// <summary>A data source on a new database without migrations.</summary>
    public async Task<NpgsqlDataSource> CreateEmptyDatabaseAsync()
    {
        var name = await _cluster.CreateDatabaseAsync("empty_");
        return NpgsqlDataSource.Create(ConnectionString(name, ThrowawayPostgres.Superuser));
    }

    public string ConnectionString(string database, string user) => _cluster.ConnectionString(database, user);
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresCluster>
{
    public const string Name = "PostgreSQL";
}

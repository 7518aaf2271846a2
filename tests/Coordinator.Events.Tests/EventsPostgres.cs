using Coordinator.Persistence.Migrations;
using Coordinator.Testing;
using Npgsql;

namespace Coordinator.Events.Tests;

/// <summary>One throwaway PostgreSQL cluster for the relay tests; each test takes a new database with every migration.</summary>
public sealed class EventsPostgres : IAsyncLifetime
{
    private readonly ThrowawayPostgres _cluster = new();

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    /// <summary>A migrated database; answers the application role's connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = await _cluster.CreateDatabaseAsync("events_");
        await using (var owner = NpgsqlDataSource.Create(_cluster.ConnectionString(name, ThrowawayPostgres.Superuser)))
            await new MigrationRunner(owner).ApplyAsync();
        return _cluster.ConnectionString(name, ThrowawayPostgres.ApplicationRole);
    }
}

[CollectionDefinition(Name)]
public sealed class EventsPostgresCollection : ICollectionFixture<EventsPostgres>
{
    public const string Name = "Events PostgreSQL";
}

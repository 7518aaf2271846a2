using Coordinator.Persistence.Migrations;
using Coordinator.Testing;
using Npgsql;

namespace Coordinator.Crm.Tests;

/// <summary>One throwaway PostgreSQL cluster for the CRM tests; each test takes a new database with every migration.</summary>
public sealed class CrmPostgres : IAsyncLifetime
{
    private readonly ThrowawayPostgres _cluster = new();

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    /// <summary>A migrated database; answers the application role's data source (the caller disposes it).</summary>
    public async Task<NpgsqlDataSource> CreateDatabaseAsync()
    {
        var name = await _cluster.CreateDatabaseAsync("crm_");
        await using (var owner = NpgsqlDataSource.Create(_cluster.ConnectionString(name, ThrowawayPostgres.Superuser)))
            await new MigrationRunner(owner).ApplyAsync();
        return NpgsqlDataSource.Create(_cluster.ConnectionString(name, ThrowawayPostgres.ApplicationRole));
    }
}

[CollectionDefinition(Name)]
public sealed class CrmPostgresCollection : ICollectionFixture<CrmPostgres>
{
    public const string Name = "CRM PostgreSQL";
}

using Coordinator.Persistence.Migrations;
using Coordinator.Testing;
using Npgsql;

namespace Coordinator.Hosting.Tests.Support;

/// <summary>The throwaway PostgreSQL cluster of the durability tests (see <see cref="ThrowawayPostgres"/>).</summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    public const string ApplicationRole = ThrowawayPostgres.ApplicationRole;
    public const string Superuser = ThrowawayPostgres.Superuser;
    private readonly ThrowawayPostgres _cluster = new();

    public int Port => _cluster.Port;

    /// <summary>Stops the cluster (an outage for every database on it); idempotent. See <see cref="ThrowawayPostgres.StopAsync"/>.</summary>
    public Task StopAsync() => _cluster.StopAsync();

    /// <summary>Starts the stopped cluster again on the same port and data and waits until it answers; idempotent.</summary>
    public Task StartAsync() => _cluster.StartAsync();

    public Task InitializeAsync() => _cluster.InitializeAsync();

    public Task DisposeAsync() => _cluster.DisposeAsync();

    /// <summary>A new empty database (no migrations: <c>coordinator serve</c> applies them with the owner's connection string).</summary>
    public Task<string> CreateDatabaseAsync() => _cluster.CreateDatabaseAsync();

    /// <summary>A new database with every migration applied (as the owner would).</summary>
    public async Task<string> CreateMigratedDatabaseAsync()
    {
        var name = await CreateDatabaseAsync();
        await using var owner = NpgsqlDataSource.Create(ConnectionString(name, Superuser));
        await new MigrationRunner(owner).ApplyAsync();
        return name;
    }

    public string ConnectionString(string database, string user) => _cluster.ConnectionString(database, user);
}

using Coordinator.Persistence.Tests.Infrastructure;
using Coordinator.Persistence.Work;

namespace Coordinator.Persistence.Tests;

/// <summary>Start claims against real PostgreSQL, as the application role: one claim per instance id, however many race.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresStartClaimsTests(PostgresCluster cluster) : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await cluster.CreateDatabaseAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task ClaimAsync_SameIdTwice_TheFirstClaimsAndTheSecondFindsItClaimed()
    {
        var claims = new PostgresStartClaims(_database.Application);

        Assert.True(await claims.ClaimAsync("b2b-onboarding.D-1", "b2b-onboarding"));
        Assert.False(await claims.ClaimAsync("b2b-onboarding.D-1", "b2b-onboarding"));
        Assert.True(await claims.ClaimAsync("b2b-onboarding.D-2", "b2b-onboarding"));
    }

    [Fact]
    public async Task ClaimAsync_FortyAtOnceThroughTwoDataSources_ExactlyOneClaims()
    {
        // Two data sources: two hosts' connection pools, as two processes would have.
        await using var other = Npgsql.NpgsqlDataSource.Create(cluster.ConnectionString(_database.Name, Coordinator.Testing.ThrowawayPostgres.ApplicationRole));
        var hosts = new[] { new PostgresStartClaims(_database.Application), new PostgresStartClaims(other) };

        var claimed = await Task.WhenAll(Enumerable.Range(0, 40).Select(i => Task.Run(() => hosts[i % 2].ClaimAsync("b2b-onboarding.RACE", "b2b-onboarding"))));

        Assert.Single(claimed, c => c);
    }
}

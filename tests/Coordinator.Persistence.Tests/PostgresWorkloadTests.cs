using Coordinator.Persistence.Audit;
using Coordinator.Persistence.Tests.Infrastructure;
using Coordinator.Persistence.Work;
using Coordinator.Testing;

namespace Coordinator.Persistence.Tests;

/// <summary>The dashboard's workload figures from the read models, against real PostgreSQL, as the application role.</summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresWorkloadTests(PostgresCluster cluster) : IAsyncLifetime
{
    private TestDatabase _database = null!;

    public async Task InitializeAsync() => _database = await cluster.CreateDatabaseAsync();

    public async Task DisposeAsync() => await _database.DisposeAsync();

    [Fact]
    public async Task ReadAsync_CountsRunningInstancesTheirWaitingStepsOverdueInWorkflowTime_AndEffectsWhoseLatestOutcomeFailed()
    {
        var store = new PostgresWorkStore(_database.Application);
        foreach (var work in WorkloadScenario.Instances)
            Assert.True(await store.ProjectAsync(work));
        await new PostgresAuditLog(_database.Application).AppendAsync(WorkloadScenario.EffectOutcomes);

        var workload = await new PostgresWorkload(_database.Application).ReadAsync(WorkloadScenario.Now);

        Assert.Equal(WorkloadScenario.Expected, workload);
    }

    [Fact]
    public async Task ReadAsync_NothingRunning_IsEmpty()
    {
        var workload = await new PostgresWorkload(_database.Application).ReadAsync(WorkloadScenario.Now);

        Assert.Empty(workload);
    }
}

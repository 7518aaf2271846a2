using Coordinator.Hosting.SideEffects;
using Coordinator.Testing;

namespace Coordinator.Hosting.Tests.SideEffects;

/// <summary>The dashboard's workload figures without PostgreSQL: the same rules as the PostgreSQL reader, on the same scenario.</summary>
public sealed class InMemoryWorkloadTests
{
    [Fact]
    public async Task ReadAsync_CountsRunningInstancesTheirWaitingStepsOverdueInWorkflowTime_AndEffectsWhoseLatestOutcomeFailed()
    {
        var store = new InMemoryWorkStore();
        foreach (var work in WorkloadScenario.Instances)
            Assert.True(await store.ProjectAsync(work));
        var audit = new InMemoryAuditLog();
        await audit.AppendAsync(WorkloadScenario.EffectOutcomes);

        var workload = await new InMemoryWorkload(store, audit).ReadAsync(WorkloadScenario.Now);

        Assert.Equal(WorkloadScenario.Expected, workload);
    }
}

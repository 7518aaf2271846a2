using Coordinator.Core.Engine;
using Coordinator.Orchestration.Tests.Support;

namespace Coordinator.Orchestration.Tests;

/// <summary>The orchestrator on a real Durable Task host (in-memory backend, real replay), with recording ports.</summary>
[Collection(DurableCollection.Name)]
public sealed class CoordinatorOrchestratorTests(DurableHostFixture durable)
{
    private static HumanEvent Done(string step, string by = "ann.worker") => new(step, HumanEventType.Done, by);

    private static StepStatus StatusOf(CoordinatorStatus status, string step) => status.Instance.FindStep(step)!.Status;

    private IReadOnlyList<string> AuditedActions(string instanceId) =>
        [.. durable.Audit.For(instanceId).Select(e => e.StepId is null ? e.Action : $"{e.Action} {e.StepId}")];

    [Fact]
    public async Task RunAsync_ParallelBranchAndJoin_ActivatesBothBranchesAndCompletesAfterTheJoin()
    {
        var id = await durable.StartAsync(TestWorkflows.ParallelJoin, TestWorkflows.NoContext, TestWorkflows.TimeScale);

        await durable.WaitForStatusAsync(id, s => StatusOf(s, "intake") == StepStatus.Active, "intake active");
        var afterIntake = await durable.RaiseAndWaitAsync(id, Done("intake"));
        Assert.Equal(StepStatus.Active, StatusOf(afterIntake, "left"));
        Assert.Equal(StepStatus.Active, StatusOf(afterIntake, "right"));
        Assert.Equal(StepStatus.Pending, StatusOf(afterIntake, "join"));

        var afterLeft = await durable.RaiseAndWaitAsync(id, Done("left"));
        Assert.Equal(StepStatus.Pending, StatusOf(afterLeft, "join"));
        var afterRight = await durable.RaiseAndWaitAsync(id, Done("right"));
        Assert.Equal(StepStatus.Active, StatusOf(afterRight, "join"));
        await durable.RaiseAndWaitAsync(id, Done("join"));

        var result = await durable.WaitForCompletionAsync(id);
        Assert.Equal(["intake", "left", "right", "join"], result.CompletedSteps);
        Assert.Empty(result.SkippedSteps);
        Assert.Equal(
            [
                "instance.started", "step.activated intake",
                "step.completed intake", "step.activated left", "step.activated right",
                "step.completed left",
                "step.completed right", "step.activated join",
                "step.completed join", "instance.completed",
            ],
            AuditedActions(id));
    }
}

using Coordinator.Core.Engine;
using static Coordinator.Core.Tests.Engine.TestDefinitions;

namespace Coordinator.Core.Tests.Engine;

public sealed class ActivationTests
{
    [Fact]
    public void Start_StepsWithoutDependencies_ActivatedWithResolvedOwnerAndDue()
    {
        var d = EngineDriver.Onboarding();

        Assert.Equal([CoordinationActionType.InstanceStarted, CoordinationActionType.StepActivated], d.Last.Select(a => a.Type));
        Assert.Equal(["csm.lead"], d.Last[0].To);
        Assert.Equal("deal_id D-1001", d.Last[0].Reason);
        var activated = d.Last[1];
        Assert.Equal("contract", activated.StepId);
        Assert.Equal(["sales.rep"], activated.To);
        Assert.Equal(T0 + D(5), activated.Due);
        Assert.Equal(StepStatus.Active, d.Step("contract").Status);
        Assert.Equal(StepStatus.Pending, d.Step("legal-review").Status);
    }

    [Fact]
    public void Start_ContextLacksFromContextField_ThrowsNamingTheField()
    {
        var context = new Dictionary<string, string> { ["deal_id"] = "D-1", ["segment"] = "smb" };

        var error = Assert.Throws<ArgumentException>(() => CoordinationEngine.Start(Onboarding, context, T0));

        Assert.Contains("deal_owner", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_DoneOnFirstStep_ActivatesTheParallelBranch()
    {
        var d = EngineDriver.Onboarding().Done(D(1), "contract", "sales.rep");

        Assert.Equal(
            ["step.completed:contract", "step.activated:legal-review", "step.activated:billing-setup"],
            d.Last.Select(a => $"{a.Type.WireName()}:{a.StepId}"));
        Assert.All(d.Last, a => Assert.Equal(T0 + D(1), a.At));
        Assert.Equal(T0 + D(8), d.Step("billing-setup").DueAt);
        Assert.Equal(["billing.specialist"], d.Step("billing-setup").Owners);
    }

    [Fact]
    public void Apply_JoinStep_ActivatesOnlyWhenAllDependenciesFinished()
    {
        var d = EngineDriver.Onboarding()
            .Done(D(1), "contract", "sales.rep")
            .Done(D(2), "billing-setup", "billing.specialist")
            .Done(D(3), "it-setup", "it.engineer")
            .Done(D(4), "data-migration", "it.engineer")
            .Done(D(5), "training", "csm.lead");

        Assert.Equal(StepStatus.Pending, d.Step("go-live").Status);

        d.Done(D(6), "legal-review", "legal.counsel");

        Assert.Equal(StepStatus.Active, d.Step("go-live").Status);
        Assert.Equal(T0 + D(6), d.Step("go-live").ActivatedAt);
    }

    [Fact]
    public void Apply_FieldConditionFalse_SkipsStepAndSkippedCountsAsFinished()
    {
        var d = EngineDriver.Onboarding(segment: "smb")
            .Done(D(1), "contract", "sales.rep")
            .Done(D(2), "billing-setup", "billing.specialist");

        var skipped = d.Last.Where(a => a.Type == CoordinationActionType.StepSkipped).ToList();
        Assert.Equal(["it-setup", "data-migration"], skipped.Select(a => a.StepId));
        Assert.Contains("segment is 'smb'", skipped[0].Reason, StringComparison.Ordinal);
        Assert.Equal(StepStatus.Skipped, d.Step("it-setup").Status);
        Assert.Equal(StepStatus.Active, d.Step("training").Status);
    }

    [Fact]
    public void Apply_EveryStepFinished_CompletesTheInstance()
    {
        var d = EngineDriver.Onboarding(segment: "smb")
            .Done(D(1), "contract", "sales.rep")
            .Done(D(2), "billing-setup", "billing.specialist")
            .Done(D(3), "legal-review", "legal.counsel")
            .Done(D(4), "training", "csm.lead")
            .Done(D(5), "go-live", "csm.lead")
            .Done(D(6), "handover", "csm.lead");

        Assert.Equal(CoordinationActionType.InstanceCompleted, d.Last[^1].Type);
        Assert.Equal(["csm.lead"], d.Last[^1].To);
        Assert.Equal(T0 + D(6), d.State.CompletedAt);
        Assert.Null(d.NextWakeUp);
        Assert.Null(d.State.NextSummaryAt);
    }

    [Fact]
    public void Start_NextWakeUp_IsTheEarliestPendingTimer()
    {
        var d = EngineDriver.Onboarding();

        // contract: due 5d, reminder 2d before (3d) and the first escalation after 3d of silence.
        Assert.Equal(T0 + D(3), d.NextWakeUp);
        Assert.Equal(d.NextWakeUp, CoordinationEngine.NextWakeUp(d.Definition, d.State));
    }
}

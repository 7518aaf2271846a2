using Coordinator.Core.Engine;
using static Coordinator.Core.Tests.Engine.TestDefinitions;

namespace Coordinator.Core.Tests.Engine;

public sealed class DecisionTests
{
    [Fact]
    public void Apply_DecideApprove_ActivatesTheApproveBranchAndSkipsTheOther()
    {
        var d = EngineDriver.Start(Routing).Apply(D(1), "decide", HumanEventType.Decide, "the.boss", option: "approve");

        Assert.Equal(
            ["decision.made:decide", "step.completed:decide", "step.activated:build", "step.skipped:notice"],
            d.Last.Select(a => $"{a.Type.WireName()}:{a.StepId}"));
        Assert.Equal("approve", d.Last[0].Option);
        Assert.Equal("approve", d.Step("decide").Outcome);
        Assert.Equal(StepStatus.Done, d.Step("decide").Status);
        Assert.Contains("chose 'approve', not 'reject'", d.Last[3].Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_DecideReject_ActivatesTheRejectBranchAndTheJoinAfterIt()
    {
        var d = EngineDriver.Start(Routing)
            .Apply(D(1), "decide", HumanEventType.Decide, "the.boss", option: "reject")
            .Done(D(2), "notice", "the.boss");

        Assert.Equal(StepStatus.Skipped, d.Step("build").Status);
        Assert.Equal(StepStatus.Active, d.Step("close").Status);
    }

    [Fact]
    public void Start_DecisionStep_ActivationOffersItsOptions()
    {
        var d = EngineDriver.Start(Routing);

        var activated = Assert.Single(d.Last, a => a.Type == CoordinationActionType.StepActivated);
        Assert.Equal(["approve", "reject"], activated.Options!.Select(o => o.Id));
    }

    [Fact]
    public void Apply_DoneOnDecisionStep_IsRejected()
    {
        var d = EngineDriver.Start(Routing).Done(D(1), "decide", "the.boss");

        var rejected = Assert.Single(d.Last);
        Assert.Equal(CoordinationActionType.EventRejected, rejected.Type);
        Assert.Contains("decide event naming one of its options (approve, reject)", rejected.Reason, StringComparison.Ordinal);
        Assert.Equal(StepStatus.Active, d.Step("decide").Status);
    }

    [Fact]
    public void Apply_UnknownOption_IsRejectedListingTheOptions()
    {
        var d = EngineDriver.Start(Routing).Apply(D(1), "decide", HumanEventType.Decide, "the.boss", option: "maybe");

        var rejected = Assert.Single(d.Last);
        Assert.Equal(CoordinationActionType.EventRejected, rejected.Type);
        Assert.Equal("Unknown option 'maybe' for decision 'decide'; choose one of: approve, reject.", rejected.Reason);
    }

    [Fact]
    public void Advance_StepWithoutDue_GetsNoReminders()
    {
        var d = EngineDriver.Start(Routing)
            .Apply(D(1), "decide", HumanEventType.Decide, "the.boss", option: "reject")
            .Done(D(1), "notice", "the.boss")
            .AdvanceTo(D(60));

        Assert.Null(d.Step("close").DueAt);
        Assert.Empty(d.OfType(CoordinationActionType.Reminder, "close"));
    }
}

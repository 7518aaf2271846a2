using System.Text.Json;
using Coordinator.Core.Engine;
using static Coordinator.Core.Tests.Engine.TestDefinitions;

namespace Coordinator.Core.Tests.Engine;

public sealed class RejectionTests
{
    [Theory]
    [InlineData("nope", HumanEventType.Done, "sales.rep", "Unknown step 'nope'. The steps of 'b2b-onboarding' are: contract, legal-review,")]
    [InlineData("legal-review", HumanEventType.Done, "legal.counsel", "Step 'legal-review' is not active yet: it waits for contract.")]
    [InlineData("contract", HumanEventType.Done, "ghost", "Unknown person 'ghost'")]
    [InlineData("contract", HumanEventType.Done, "legal.counsel", "'legal.counsel' may not act on step 'contract': only its owner (sales.rep), the lead of role 'sales' (sales.lead) or the process owner (csm.lead) may.")]
    [InlineData("contract", HumanEventType.Decide, "sales.rep", "Step 'contract' is neither blocked nor a decision step; there is nothing to decide.")]
    [InlineData("contract", HumanEventType.Reassign, "sales.rep", "A reassign event on 'contract' needs 'to'")]
    public void Validate_InvalidEvent_RejectedWithAReasonThatSaysWhy(string step, HumanEventType type, string by, string reasonStart)
    {
        var d = EngineDriver.Onboarding();

        var validation = CoordinationEngine.Validate(d.Definition, d.State, new HumanEvent(step, type, by));

        Assert.False(validation.Accepted);
        Assert.StartsWith(reasonStart, validation.Reason, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("sales.rep")]
    [InlineData("sales.lead")]
    [InlineData("csm.lead")]
    public void Validate_OwnerLeadOrProcessOwner_MayAct(string by)
    {
        var d = EngineDriver.Onboarding();

        Assert.True(CoordinationEngine.Validate(d.Definition, d.State, new HumanEvent("contract", HumanEventType.Done, by)).Accepted);
    }

    [Fact]
    public void Apply_ReassignToUnknownPerson_IsRejected()
    {
        var d = EngineDriver.Onboarding().Apply(D(1), "contract", HumanEventType.Reassign, "sales.lead", to: "nobody.here");

        Assert.StartsWith("Unknown person 'nobody.here' in 'to'", d.Last.Single().Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_EventOnFinishedStep_IsRejected()
    {
        var d = EngineDriver.Onboarding().Done(D(1), "contract", "sales.rep").Done(D(2), "contract", "sales.rep");

        Assert.StartsWith("Step 'contract' is already done", d.Last.Single().Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_EventOnCompletedInstance_IsRejected()
    {
        var d = EngineDriver.Start(Single()).Done(D(1), "work", "worker.one").Done(D(2), "work", "worker.one");

        Assert.StartsWith("The instance completed at", d.Last.Single().Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_RejectedEvent_LeavesTheStateUnchangedApartFromTheActionCount()
    {
        var d = EngineDriver.Onboarding().Done(D(1), "contract", "sales.rep");
        var advanced = CoordinationEngine.Advance(d.Definition, d.State, T0 + D(2)).State;

        var turn = CoordinationEngine.Apply(d.Definition, d.State, new HumanEvent("go-live", HumanEventType.Done, "csm.lead"), T0 + D(2));

        var rejected = Assert.Single(turn.Actions, a => a.Type == CoordinationActionType.EventRejected);
        Assert.Equal(["csm.lead"], rejected.To);
        Assert.Equal("go-live", rejected.StepId);
        Assert.Equal(JsonSerializer.Serialize(advanced), JsonSerializer.Serialize(turn.State with { Sequence = advanced.Sequence }));
    }
}

using Coordinator.Core.Definitions;
using Coordinator.Core.Engine;
using static Coordinator.Core.Tests.Engine.TestDefinitions;

namespace Coordinator.Core.Tests.Engine;

public sealed class SummaryTests
{
    [Fact]
    public void Advance_SummaryPeriod_ListsEachRunningStepWithOwnerDueAndStatus()
    {
        var d = EngineDriver.Onboarding()
            .Done(D(1), "contract", "sales.rep")
            .Apply(D(2), "billing-setup", HumanEventType.Blocked, "billing.specialist", reason: "no VAT id")
            .AdvanceTo(D(7));

        var summary = Assert.Single(d.OfType(CoordinationActionType.Summary));
        Assert.Equal(T0 + D(7), summary.At);
        Assert.Equal(["csm.lead", "sales.lead"], summary.To);
        Assert.Equal(
            [("legal-review", StepStatus.Active, "legal.counsel", T0 + D(8)), ("billing-setup", StepStatus.Blocked, "billing.specialist", T0 + D(8))],
            summary.Steps!.Select(s => (s.StepId, s.Status, s.Owners.Single(), s.Due!.Value)));
    }

    [Fact]
    public void Advance_AfterCompletion_SendsNoMoreSummaries()
    {
        var d = EngineDriver.Start(Single(summary: new SummaryRule { To = [NotifyTargets.ProcessOwner], Every = D(1) }))
            .AdvanceTo(D(2.5))
            .Done(D(2.5), "work", "worker.one")
            .AdvanceTo(D(10));

        Assert.Equal([T0 + D(1), T0 + D(2)], d.OfType(CoordinationActionType.Summary).Select(s => s.At));
        Assert.All(d.OfType(CoordinationActionType.Summary), s => Assert.Equal(["the.boss"], s.To));
    }
}

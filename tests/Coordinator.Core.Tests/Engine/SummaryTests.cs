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

    private static readonly SummaryRule Weekly = new() { To = [NotifyTargets.ProcessOwner], Every = D(7) };

    [Fact]
    public void Advance_ThreeWeeksMissedWithFolding_SendsOnlyTheLatestSummarySayingTwoWereFolded()
    {
        var d = EngineDriver.Start(Single(summary: Weekly)).AdvanceTo(D(21.5), foldBefore: D(21.5) - TimeSpan.FromMinutes(1));

        var summary = Assert.Single(d.Last);
        Assert.Equal((CoordinationActionType.Summary, T0 + D(21)), (summary.Type, summary.At));
        Assert.Equal("summary 1: 1 running step(s) (sent late: 2 earlier summaries folded into this one)", summary.Reason);
        Assert.Equal(["work"], summary.Steps!.Select(s => s.StepId));
        Assert.Equal(1, d.State.SummariesSent);
        Assert.Equal(T0 + D(28), d.NextWakeUp);
    }

    [Fact]
    public void Advance_ThreeWeeksMissedWithoutFolding_SendsEverySummaryAsBefore()
    {
        var d = EngineDriver.Start(Single(summary: Weekly)).AdvanceTo(D(21.5));

        Assert.Equal([T0 + D(7), T0 + D(14), T0 + D(21)], d.Last.Select(s => s.At));
        Assert.Equal(["summary 1: 1 running step(s)", "summary 2: 1 running step(s)", "summary 3: 1 running step(s)"], d.Last.Select(s => s.Reason));
    }

    [Fact]
    public void Advance_FoldingWithSummariesInsideTheGrace_SendsTheOnesAfterTheFoldInstantSeparately()
    {
        var d = EngineDriver.Start(Single(summary: new SummaryRule { To = [NotifyTargets.ProcessOwner], Every = H(1) }))
            .AdvanceTo(D(1), foldBefore: D(1) - H(1.5));

        Assert.Equal([T0 + H(23), T0 + D(1)], d.Last.Select(s => s.At));
        Assert.Equal(
            ["summary 1: 1 running step(s) (sent late: 22 earlier summaries folded into this one)", "summary 2: 1 running step(s)"],
            d.Last.Select(s => s.Reason));
    }

    [Fact]
    public void Advance_OneSummaryMissedWithFolding_SendsItUnchanged()
    {
        var d = EngineDriver.Start(Single(summary: Weekly)).AdvanceTo(D(13), foldBefore: D(13));

        var summary = Assert.Single(d.Last);
        Assert.Equal((T0 + D(7), "summary 1: 1 running step(s)"), (summary.At, summary.Reason));
    }
}

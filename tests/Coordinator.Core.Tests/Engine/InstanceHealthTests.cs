using Coordinator.Core.Definitions;
using Coordinator.Core.Engine;
using static Coordinator.Core.Tests.Engine.TestDefinitions;

namespace Coordinator.Core.Tests.Engine;

/// <summary>Where an instance stands (what the CRM and the summary show), from its state and the time alone.</summary>
public sealed class InstanceHealthTests
{
    // One step, due 10 days after activation at T0, first reminder 2 days before the due time.
    private static readonly WorkflowDefinition Definition = Single(due: D(10), reminders: new ReminderRule { BeforeDue = [D(2), H(4)] });

    private static InstanceStanding At(EngineDriver driver, TimeSpan offset) => InstanceHealths.Of(driver.Definition, driver.State, T0 + offset);

    [Fact]
    public void Of_ActiveStepBeforeItsReminderWindow_IsOnTrackWithTheStepAndItsDueTime()
    {
        var standing = At(EngineDriver.Start(Definition), D(7));

        Assert.Equal(new InstanceStanding(InstanceHealth.OnTrack, ["work"], T0 + D(10), 0) with { CurrentSteps = standing.CurrentSteps }, standing);
        Assert.Equal(["work"], standing.CurrentSteps);
    }

    [Fact]
    public void Of_ActiveStepInsideItsFirstReminderWindow_IsAtRisk()
    {
        Assert.Equal(InstanceHealth.AtRisk, At(EngineDriver.Start(Definition), D(8)).Health);
        Assert.Equal(InstanceHealth.OnTrack, At(EngineDriver.Start(Definition), D(8) - TimeSpan.FromMinutes(1)).Health);
    }

    [Fact]
    public void Of_StepWithoutBeforeDueReminders_IsAtRiskOnTheLastDay()
    {
        var driver = EngineDriver.Start(Single(due: D(10)));

        Assert.Equal(InstanceHealth.OnTrack, At(driver, D(8)).Health);
        Assert.Equal(InstanceHealth.AtRisk, At(driver, D(9)).Health);
    }

    [Fact]
    public void Of_ActiveStepPastItsDueTime_IsOverdue()
    {
        Assert.Equal(InstanceHealth.Overdue, At(EngineDriver.Start(Definition), D(10) + TimeSpan.FromSeconds(1)).Health);
    }

    [Fact]
    public void Of_BlockedStep_IsBlockedEvenWhenOverdue()
    {
        var driver = EngineDriver.Start(Definition).Apply(D(1), "work", HumanEventType.Blocked, "worker.one", reason: "waiting for the customer");

        Assert.Equal(InstanceHealth.Blocked, At(driver, D(12)).Health);
    }

    [Fact]
    public void Of_ActiveDecisionStep_IsAwaitingDecision()
    {
        var driver = EngineDriver.Start(Routing, new Dictionary<string, string>());
        var decision = Routing.Steps.First(s => s.Type == StepType.Decision);
        foreach (var before in Routing.Steps.TakeWhile(s => s != decision))
            driver.Done(H(1), before.Id, driver.Step(before.Id).Owners.FirstOrDefault() ?? "someone");

        Assert.Equal(StepStatus.Active, driver.Step(decision.Id).Status);
        Assert.Equal(InstanceHealth.AwaitingDecision, At(driver, H(2)).Health);
    }

    [Fact]
    public void Of_EscalatedStep_ReportsTheHighestLevelReached()
    {
        var escalating = Single(due: D(20), escalation: new EscalationRule
        {
            Silence = D(3),
            Levels = [new EscalationLevel { After = TimeSpan.Zero, Notify = [NotifyTargets.Lead] }, new EscalationLevel { After = D(1), Notify = [NotifyTargets.ProcessOwner] }],
        });
        var driver = EngineDriver.Start(escalating).AdvanceTo(D(4) + H(1));

        Assert.Equal(2, At(driver, D(4) + H(1)).EscalationLevel);
    }

    [Fact]
    public void Of_CompletedInstance_IsCompletedWithNothingUnderWay()
    {
        var driver = EngineDriver.Start(Definition).Done(D(1), "work", "worker.one");

        Assert.Equal(new InstanceStanding(InstanceHealth.Completed, [], null, 0) with { CurrentSteps = At(driver, D(2)).CurrentSteps }, At(driver, D(2)));
        Assert.Empty(At(driver, D(2)).CurrentSteps);
    }

    [Fact]
    public void WireName_EveryHealth_IsDistinctAndKebabCase()
    {
        var names = InstanceHealths.All.Select(h => h.WireName()).ToList();

        Assert.Equal(["on-track", "at-risk", "overdue", "blocked", "awaiting-decision", "completed"], names);
    }
}

using System.Text.Json;
using Coordinator.Core.Engine;
using Coordinator.Core.Simulation;

namespace Coordinator.Core.Tests.Simulation;

public sealed class SimulatorTests
{
    private static IEnumerable<CoordinationAction> Of(SimulationResult r, CoordinationActionType type, string step) =>
        r.Actions.Where(a => a.Type == type && a.StepId == step);

    [Fact]
    public void Run_OnboardingHappyPath_CompletesWithRemindersEscalationBlockAndDecision()
    {
        var r = Samples.Simulate("b2b-onboarding", "b2b-onboarding.happy-path");

        Assert.Equal(SimulationOutcome.Completed, r.Outcome);
        Assert.Equal(CoordinationActionType.InstanceCompleted, r.Actions[^1].Type);
        Assert.Equal(Samples.Start + TimeSpan.FromDays(35), r.EndedAt);

        // billing-setup is silent: reminders around its due time, its lead and then the process owner escalated.
        Assert.Equal(["due in 2d", "due in 4h", "due now", "overdue by 1d"], Of(r, CoordinationActionType.Reminder, "billing-setup").Select(a => a.Reason));
        Assert.Equal([(1, "finance.lead"), (2, "csm.lead")], Of(r, CoordinationActionType.Escalation, "billing-setup").Select(a => (a.Level!.Value, a.To.Single())));

        // it-setup: block → decision request to the IT lead → alternative chosen.
        var requested = Of(r, CoordinationActionType.DecisionRequested, "it-setup").Single();
        Assert.Equal(["it.lead"], requested.To);
        Assert.Equal(["temporary-accounts", "wait-for-customer", "manual-provisioning"], requested.Options!.Select(o => o.Id));
        Assert.Equal("temporary-accounts", Of(r, CoordinationActionType.DecisionMade, "it-setup").Single().Option);
        Assert.Equal(5, r.Actions.Count(a => a.Type == CoordinationActionType.Summary));
        Assert.DoesNotContain(r.Actions, a => a.Type == CoordinationActionType.EventRejected);
    }

    [Fact]
    public void Run_StalledScenario_StopsWhenOnlyHumansCanActAndSaysWhoIsWaitedOn()
    {
        var r = Samples.Simulate("b2b-onboarding", "b2b-onboarding.stalled");

        Assert.Equal(SimulationOutcome.WaitingOnHumans, r.Outcome);
        var waiting = Assert.Single(r.Waiting);
        Assert.Equal(("billing-setup", "billing.specialist"), (waiting.StepId, waiting.WaitingOn.Single()));
        Assert.Equal("Step 'it-setup' is not active yet: it waits for billing-setup.", r.Actions.Single(a => a.Type == CoordinationActionType.EventRejected).Reason);
        // It stops once the due-time reminder is out and every escalation level has fired: only repeats would follow.
        Assert.Equal(r.State.FindStep("billing-setup")!.DueAt, r.EndedAt);
        Assert.Contains("Waiting: billing-setup on billing.specialist", TimelineWriter.Outcome(r), StringComparison.Ordinal);
    }

    [Fact]
    public void Run_Until_StopsAtTheTimeLimit()
    {
        var r = Samples.Simulate("b2b-onboarding", "b2b-onboarding.happy-path", until: TimeSpan.FromDays(14));

        Assert.Equal(SimulationOutcome.TimeLimit, r.Outcome);
        Assert.Equal(Samples.Start + TimeSpan.FromDays(14), r.EndedAt);
        Assert.All(r.Actions, a => Assert.True(a.At <= r.EndedAt));
        Assert.Equal("it-setup", Assert.Single(r.Waiting).StepId);
    }

    [Fact]
    public void Run_ClaimWithAdjustedReserve_RoutesBySeverityAndThroughTheAdjustment()
    {
        var r = Samples.Simulate("auto-liability-claim", "auto-liability-claim.reserve-adjusted");

        Assert.Equal(SimulationOutcome.Completed, r.Outcome);
        Assert.Single(Of(r, CoordinationActionType.StepSkipped, "desk-assessment"));
        Assert.Single(Of(r, CoordinationActionType.StepActivated, "field-inspection"));
        Assert.Equal("adjust", Of(r, CoordinationActionType.DecisionMade, "reserve-decision").Single().Option);
        var adjustmentDone = Of(r, CoordinationActionType.StepCompleted, "reserve-adjustment").Single().Sequence;
        Assert.True(Of(r, CoordinationActionType.StepActivated, "liquidation").Single().Sequence > adjustmentDone);
    }

    [Fact]
    public void Run_ChangeApproved_SkipsRejectAndDeferBranchesAndJoinsTheVerifications()
    {
        var r = Samples.Simulate("it-change-management", "it-change-management.approved");

        Assert.Equal(SimulationOutcome.Completed, r.Outcome);
        Assert.Equal(["rejection-notice", "replan"], r.Actions.Where(a => a.Type == CoordinationActionType.StepSkipped).Select(a => a.StepId));
        Assert.Equal("extend-window", Of(r, CoordinationActionType.DecisionMade, "implementation").Single().Option);
        Assert.Equal(Samples.Start + TimeSpan.FromDays(7), Of(r, CoordinationActionType.DecisionMade, "implementation").Single().Due);
    }

    [Fact]
    public void Run_SameScenarioTwice_ProducesIdenticalTimelines()
    {
        var first = Samples.Simulate("b2b-onboarding", "b2b-onboarding.happy-path");
        var second = Samples.Simulate("b2b-onboarding", "b2b-onboarding.happy-path");

        Assert.Equal(first.Actions.Select(TimelineWriter.ToJsonLine), second.Actions.Select(TimelineWriter.ToJsonLine));
    }

    [Fact]
    public void Run_Scenario_MatchesDrivingTheEngineByHand()
    {
        var definition = Samples.Definition("b2b-onboarding");
        var scenario = Samples.Scenario("b2b-onboarding.happy-path", definition);

        // What a durable orchestrator does: Start, then Advance at every wake-up before the next event, Apply each event.
        var turn = CoordinationEngine.Start(definition, scenario.Context, Samples.Start);
        var actions = new List<CoordinationAction>(turn.Actions);
        foreach (var e in scenario.Events)
        {
            var at = Samples.Start + e.At;
            while (turn.NextWakeUp is { } wake && wake < at)
            {
                turn = CoordinationEngine.Advance(definition, turn.State, wake);
                actions.AddRange(turn.Actions);
            }
            turn = CoordinationEngine.Apply(definition, turn.State, e.Event, at);
            actions.AddRange(turn.Actions);
        }

        var simulated = Simulator.Run(definition, scenario, Samples.Start);
        Assert.Equal(JsonSerializer.Serialize(actions), JsonSerializer.Serialize(simulated.Actions));
    }
}

using Coordinator.Core.Definitions;
using Coordinator.Core.Engine;
using static Coordinator.Core.Tests.Engine.TestDefinitions;

namespace Coordinator.Core.Tests.Engine;

public sealed class BlockTests
{
    private static readonly BlockPolicy Policy = new()
    {
        Notify = [NotifyTargets.Lead, NotifyTargets.ProcessOwner],
        DecisionBy = "leads",
        Alternatives =
        [
            new DecisionOption { Id = "go-on", Title = "Go on anyway" },
            new DecisionOption { Id = "wait", Title = "Wait a week", ExtendDue = D(7) },
        ],
    };

    private static readonly WorkflowDefinition Definition = Single(
        due: D(10),
        reminders: new ReminderRule { BeforeDue = [D(2)], OverdueEvery = D(1) },
        escalation: new EscalationRule
        {
            Silence = D(3),
            Levels =
            [
                new EscalationLevel { After = TimeSpan.Zero, Notify = [NotifyTargets.Lead] },
                new EscalationLevel { After = D(2), Notify = [NotifyTargets.ProcessOwner] },
            ],
        },
        onBlocked: Policy);

    private static EngineDriver Blocked() =>
        EngineDriver.Start(Definition).Apply(D(1), "work", HumanEventType.Blocked, "worker.one", reason: "customer IdP undecided");

    [Fact]
    public void Apply_Blocked_NotifiesTheBlockTargetsAndRequestsADecisionWithTheAlternatives()
    {
        var d = Blocked();

        Assert.Equal([CoordinationActionType.StepBlocked, CoordinationActionType.DecisionRequested], d.Last.Select(a => a.Type));
        Assert.Equal(["team.lead", "the.boss"], d.Last[0].To);
        Assert.Equal("customer IdP undecided", d.Last[0].Reason);
        Assert.Equal("worker.one", d.Last[0].By);
        Assert.Equal(["team.lead"], d.Last[1].To);
        Assert.Equal(["go-on", "wait"], d.Last[1].Options!.Select(o => o.Id));
        Assert.Equal(StepStatus.Blocked, d.Step("work").Status);
    }

    [Fact]
    public void Advance_WhileBlocked_PausesRemindersAndEscalatesThePendingDecision()
    {
        var d = Blocked().AdvanceTo(D(9));

        Assert.Empty(d.OfType(CoordinationActionType.Reminder));
        var escalations = d.OfType(CoordinationActionType.Escalation).ToList();
        Assert.Equal([T0 + D(4), T0 + D(6)], escalations.Select(e => e.At));
        Assert.Equal("decision on the block pending for 3d: customer IdP undecided", escalations[0].Reason);
        Assert.Equal(["team.lead"], escalations[0].To);
        Assert.Equal(["the.boss"], escalations[1].To);
    }

    [Fact]
    public void Apply_DecideAlternativeWithExtendDue_ResumesAndMovesTheDueTime()
    {
        var d = Blocked().Apply(D(9), "work", HumanEventType.Decide, "team.lead", option: "wait");

        // Apply first fires what fell due before the event: the two escalations of the pending decision.
        Assert.Equal([CoordinationActionType.Escalation, CoordinationActionType.Escalation, CoordinationActionType.DecisionMade], d.Last.Select(a => a.Type));
        var made = d.Last[^1];
        Assert.Equal((CoordinationActionType.DecisionMade, "wait", T0 + D(17)), (made.Type, made.Option, made.Due));
        Assert.Equal(["worker.one"], made.To);
        var step = d.Step("work");
        Assert.Equal((StepStatus.Active, T0 + D(17)), (step.Status, step.DueAt));
        Assert.Null(step.BlockReason);

        // Reminders missed while blocked are not sent late; the schedule continues from the new due time.
        d.AdvanceTo(D(15));
        Assert.Equal([T0 + D(15)], d.OfType(CoordinationActionType.Reminder).Select(r => r.At));
    }

    [Fact]
    public void Apply_DecideAlternativeWithoutExtendDue_KeepsTheDueTime()
    {
        var d = Blocked().Apply(D(2), "work", HumanEventType.Decide, "team.lead", option: "go-on").AdvanceTo(D(8));

        Assert.Equal(T0 + D(10), d.Step("work").DueAt);
        Assert.Equal([T0 + D(8)], d.OfType(CoordinationActionType.Reminder).Select(r => r.At));
    }

    [Fact]
    public void Apply_OwnerDecidesOwnBlock_IsRejected()
    {
        var d = Blocked().Apply(D(2), "work", HumanEventType.Decide, "worker.one", option: "go-on");

        Assert.Equal(CoordinationActionType.EventRejected, d.Last.Single().Type);
        Assert.Contains("may not decide the block on 'work'", d.Last[0].Reason, StringComparison.Ordinal);
        Assert.Equal(StepStatus.Blocked, d.Step("work").Status);
    }

    [Fact]
    public void Apply_ProcessOwnerDecidesBlock_IsAccepted()
    {
        var d = Blocked().Apply(D(2), "work", HumanEventType.Decide, "the.boss", option: "go-on");

        Assert.Equal(CoordinationActionType.DecisionMade, d.Last.Single().Type);
    }

    [Fact]
    public void Apply_UnknownAlternative_IsRejectedListingTheAlternatives()
    {
        var d = Blocked().Apply(D(2), "work", HumanEventType.Decide, "team.lead", option: "give-up");

        Assert.Equal("Unknown alternative 'give-up' for the block on 'work'; choose one of: go-on, wait.", d.Last.Single().Reason);
    }

    [Fact]
    public void Apply_BlockedTwice_IsRejected()
    {
        var d = Blocked().Apply(D(2), "work", HumanEventType.Blocked, "worker.one", reason: "again");

        Assert.Contains("already blocked", d.Last.Single().Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Apply_BlockedWithoutReason_IsRejected()
    {
        var d = EngineDriver.Start(Definition).Apply(D(1), "work", HumanEventType.Blocked, "worker.one");

        Assert.Contains("needs a reason", d.Last.Single().Reason, StringComparison.Ordinal);
        Assert.Equal(StepStatus.Active, d.Step("work").Status);
    }

    [Fact]
    public void Apply_DoneWhileBlocked_FinishesTheStep()
    {
        var d = Blocked().Done(D(2), "work", "worker.one");

        Assert.Equal(StepStatus.Done, d.Step("work").Status);
        Assert.Null(d.Step("work").BlockReason);
    }

    [Fact]
    public void Apply_BlockOnStepWithoutPolicy_GoesToTheLeadAndTheProcessOwnerDecidesWithoutOption()
    {
        var d = EngineDriver.Start(Single(due: D(5)))
            .Apply(D(1), "work", HumanEventType.Blocked, "worker.one", reason: "waiting");

        Assert.Equal(["team.lead"], d.Last[0].To);
        Assert.Equal(["the.boss"], d.Last[1].To);
        Assert.Empty(d.Last[1].Options!);

        d.Apply(D(2), "work", HumanEventType.Decide, "the.boss");

        Assert.Equal(CoordinationActionType.DecisionMade, d.Last.Single().Type);
        Assert.Equal(StepStatus.Active, d.Step("work").Status);
    }
}

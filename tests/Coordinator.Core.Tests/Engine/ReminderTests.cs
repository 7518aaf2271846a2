using Coordinator.Core.Definitions;
using Coordinator.Core.Engine;
using static Coordinator.Core.Tests.Engine.TestDefinitions;

namespace Coordinator.Core.Tests.Engine;

public sealed class ReminderTests
{
    private static readonly ReminderRule Standard = new() { BeforeDue = [H(4), D(2)], OverdueEvery = D(1) };

    [Fact]
    public void Advance_BeforeDueAndOverdue_RemindsOwnerAtEachPointStampedWithItsOwnTime()
    {
        var d = EngineDriver.Start(Single(due: D(10), reminders: Standard)).AdvanceTo(D(13));

        var reminders = d.OfType(CoordinationActionType.Reminder).ToList();
        Assert.Equal([T0 + D(8), T0 + D(10) - H(4), T0 + D(10), T0 + D(11), T0 + D(12), T0 + D(13)], reminders.Select(r => r.At));
        Assert.Equal(["due in 2d", "due in 4h", "due now", "overdue by 1d", "overdue by 2d", "overdue by 3d"], reminders.Select(r => r.Reason));
        Assert.All(reminders, r => Assert.Equal(["worker.one"], r.To));
        Assert.Equal(6, d.Step("work").RemindersSent);
    }

    [Fact]
    public void Activate_OffsetBeforeActivation_IsDropped()
    {
        var d = EngineDriver.Start(Single(due: D(1), reminders: Standard)).AdvanceTo(D(1) - TimeSpan.FromMinutes(1));

        var reminder = Assert.Single(d.OfType(CoordinationActionType.Reminder));
        Assert.Equal(T0 + H(20), reminder.At);
    }

    [Fact]
    public void Advance_WithoutOverdueEvery_SendsNoRemindersAfterTheDueTime()
    {
        var d = EngineDriver.Start(Single(due: D(1), reminders: new ReminderRule { BeforeDue = [H(4)] })).AdvanceTo(D(30));

        Assert.Single(d.OfType(CoordinationActionType.Reminder));
        Assert.Null(d.NextWakeUp);
    }

    [Fact]
    public void Apply_DoneStep_GetsNoMoreReminders()
    {
        var d = EngineDriver.Start(Single(due: D(10), reminders: Standard))
            .Done(D(9), "work", "worker.one")
            .AdvanceTo(D(30));

        Assert.Equal([T0 + D(8)], d.OfType(CoordinationActionType.Reminder).Select(r => r.At));
    }

    [Fact]
    public void Apply_Reassign_SendsLaterRemindersToTheNewOwner()
    {
        var d = EngineDriver.Start(Single(due: D(10), reminders: Standard))
            .Apply(D(1), "work", HumanEventType.Reassign, "the.boss", to: "someone.else");

        var reassigned = Assert.Single(d.Last);
        Assert.Equal(CoordinationActionType.StepReassigned, reassigned.Type);
        Assert.Equal(["someone.else"], reassigned.To);

        d.AdvanceTo(D(8));
        Assert.Equal(["someone.else"], d.OfType(CoordinationActionType.Reminder).Single().To);
    }

    [Fact]
    public void Advance_OverdueReminderAtTheSameTimeAsAZeroOffset_IsSentOnce()
    {
        var rule = new ReminderRule { BeforeDue = [TimeSpan.Zero], OverdueEvery = D(1) };
        var d = EngineDriver.Start(Single(due: D(2), reminders: rule)).AdvanceTo(D(3));

        Assert.Equal([T0 + D(2), T0 + D(3)], d.OfType(CoordinationActionType.Reminder).Select(r => r.At));
    }

    // ------------------------------------------------------------ folding missed reminders (a turn after an outage)

    private static readonly TimeSpan Minute = TimeSpan.FromMinutes(1);

    private static readonly ReminderRule Daily = new() { OverdueEvery = D(1) };

    [Fact]
    public void Advance_TenDaysMissedWithFolding_SendsOnlyTheLatestReminderSayingNineWereFolded()
    {
        var d = EngineDriver.Start(Single(due: D(1), reminders: Daily)).AdvanceTo(D(1));

        d.AdvanceTo(D(11), foldBefore: D(11) - Minute);

        var reminder = Assert.Single(d.Last);
        Assert.Equal((CoordinationActionType.Reminder, T0 + D(11)), (reminder.Type, reminder.At));
        Assert.Equal("overdue by 1w3d (sent late: 9 earlier reminders folded into this one)", reminder.Reason);
        Assert.Equal(["worker.one"], reminder.To);
        Assert.Equal(2, d.Step("work").RemindersSent);
        Assert.Equal(T0 + D(12), d.NextWakeUp);
    }

    [Fact]
    public void Advance_TenDaysMissedWithoutFolding_SendsEveryReminderAsBefore()
    {
        var d = EngineDriver.Start(Single(due: D(1), reminders: Daily)).AdvanceTo(D(1)).AdvanceTo(D(11));

        Assert.Equal(Enumerable.Range(2, 10).Select(i => T0 + D(i)), d.Last.Select(r => r.At));
        Assert.All(d.Last, r => Assert.DoesNotContain("folded", r.Reason, StringComparison.Ordinal));
        Assert.Equal(11, d.Step("work").RemindersSent);
    }

    [Fact]
    public void Advance_YearsMissedWithFolding_ComputesTheLatestReminderWithoutSendingTheOthers()
    {
        var d = EngineDriver.Start(Single(due: D(1), reminders: new ReminderRule { OverdueEvery = TimeSpan.FromMinutes(5) }));

        d.AdvanceTo(D(1 + (365 * 30)), foldBefore: D(1 + (365 * 30)) - Minute);

        var reminder = Assert.Single(d.Last);
        Assert.Equal(T0 + D(1 + (365 * 30)), reminder.At);
        Assert.EndsWith($"(sent late: {365L * 30 * 24 * 12} earlier reminders folded into this one)", reminder.Reason, StringComparison.Ordinal);
        Assert.Equal(1, d.Step("work").RemindersSent);
    }

    [Fact]
    public void Advance_FoldingWithRemindersInsideTheGrace_SendsTheOnesAfterTheFoldInstantSeparately()
    {
        var d = EngineDriver.Start(Single(due: D(1), reminders: new ReminderRule { OverdueEvery = H(1) })).AdvanceTo(D(1));

        d.AdvanceTo(D(2), foldBefore: D(2) - H(2.5));

        Assert.Equal([T0 + D(1) + H(22), T0 + D(1) + H(23), T0 + D(2)], d.Last.Select(r => r.At));
        Assert.Equal(
            ["overdue by 22h (sent late: 21 earlier reminders folded into this one)", "overdue by 23h", "overdue by 1d"],
            d.Last.Select(r => r.Reason));
        Assert.Equal(4, d.Step("work").RemindersSent);
    }

    [Fact]
    public void Advance_BeforeDueRemindersMissedTogether_FoldIntoTheLatest()
    {
        var d = EngineDriver.Start(Single(due: D(10), reminders: Standard)).AdvanceTo(D(9.9), foldBefore: D(9.9));

        var reminder = Assert.Single(d.Last);
        Assert.Equal(T0 + D(10) - H(4), reminder.At);
        Assert.Equal("due in 4h (sent late: 1 earlier reminder folded into this one)", reminder.Reason);
        Assert.Equal(T0 + D(10), d.NextWakeUp);
    }

    [Fact]
    public void Advance_BeforeDueAndOverdueMissedTogether_FoldIntoTheLatestOverdueReminder()
    {
        var d = EngineDriver.Start(Single(due: D(10), reminders: Standard)).AdvanceTo(D(13), foldBefore: D(13) - Minute);

        var reminder = Assert.Single(d.OfType(CoordinationActionType.Reminder));
        Assert.Equal(T0 + D(13), reminder.At);
        Assert.Equal("overdue by 3d (sent late: 5 earlier reminders folded into this one)", reminder.Reason);
        Assert.Equal(1, d.Step("work").RemindersSent);
    }

    [Fact]
    public void Advance_ZeroOffsetAndOverdueMissedTogether_CountTheReminderAtTheDueTimeOnce()
    {
        var rule = new ReminderRule { BeforeDue = [TimeSpan.Zero], OverdueEvery = D(1) };
        var d = EngineDriver.Start(Single(due: D(2), reminders: rule)).AdvanceTo(D(4), foldBefore: D(4));

        var reminder = Assert.Single(d.OfType(CoordinationActionType.Reminder));
        Assert.Equal(("overdue by 2d (sent late: 2 earlier reminders folded into this one)", T0 + D(4)), (reminder.Reason, reminder.At));
    }

    [Fact]
    public void Advance_FoldingWithOnlyOneReminderDue_SendsItUnchanged()
    {
        var d = EngineDriver.Start(Single(due: D(10), reminders: Standard)).AdvanceTo(D(9), foldBefore: D(9));

        var reminder = Assert.Single(d.Last);
        Assert.Equal((T0 + D(8), "due in 2d"), (reminder.At, reminder.Reason));
    }

    [Fact]
    public void Apply_BlockAndDecisionAfterOutages_NeverFoldsRemindersAcrossTheBlock()
    {
        var definition = Single(
            due: D(10),
            reminders: new ReminderRule { BeforeDue = [D(2)], OverdueEvery = D(1) },
            onBlocked: new BlockPolicy { DecisionBy = "leads", Alternatives = [new DecisionOption { Id = "go-on", Title = "Go on" }] });

        // An outage until D(11), then the block: the three reminders missed before it fold into the latest one.
        var d = EngineDriver.Start(definition)
            .Apply(D(11.5), "work", HumanEventType.Blocked, "worker.one", reason: "waiting for the customer", foldBefore: D(11.5) - Minute);
        var beforeBlock = Assert.Single(d.OfType(CoordinationActionType.Reminder));
        Assert.Equal((T0 + D(11), "overdue by 1d (sent late: 2 earlier reminders folded into this one)"), (beforeBlock.At, beforeBlock.Reason));

        // Reminders that fell due while blocked are not sent late, nor counted into a later one.
        d.Apply(D(20.5), "work", HumanEventType.Decide, "team.lead", option: "go-on", foldBefore: D(20.5) - Minute);
        Assert.Single(d.OfType(CoordinationActionType.Reminder));

        // Another outage after the decision: only the reminders since the decision fold.
        d.AdvanceTo(D(25), foldBefore: D(25) - Minute);
        var afterDecision = Assert.Single(d.Last, a => a.Type == CoordinationActionType.Reminder);
        Assert.Equal((T0 + D(25), "overdue by 2w1d (sent late: 4 earlier reminders folded into this one)"), (afterDecision.At, afterDecision.Reason));
        Assert.Equal(2, d.Step("work").RemindersSent);
    }

    [Fact]
    public void Apply_DoneAfterAnOutage_FoldsTheRemindersMissedBeforeItAndSendsNoneAfter()
    {
        var d = EngineDriver.Start(Single(due: D(10), reminders: Standard))
            .Apply(D(13.5), "work", HumanEventType.Done, "worker.one", foldBefore: D(13.5) - Minute);

        Assert.Equal(
            [CoordinationActionType.Reminder, CoordinationActionType.StepCompleted, CoordinationActionType.InstanceCompleted],
            d.Last.Select(a => a.Type));
        Assert.Equal((T0 + D(13), "overdue by 3d (sent late: 5 earlier reminders folded into this one)"), (d.Last[0].At, d.Last[0].Reason));

        d.AdvanceTo(D(40), foldBefore: D(40));
        Assert.Empty(d.Last);
    }

    [Fact]
    public void Advance_EscalationsMissedDuringAnOutage_AllStillFireInTimeOrder()
    {
        var escalation = new EscalationRule
        {
            Silence = D(3),
            Levels =
            [
                new EscalationLevel { After = TimeSpan.Zero, Notify = [NotifyTargets.Lead] },
                new EscalationLevel { After = D(2), Notify = [NotifyTargets.ProcessOwner] },
                new EscalationLevel { After = D(4), Notify = ["other"] },
            ],
        };
        var d = EngineDriver.Start(Single(due: D(1), reminders: Daily, escalation: escalation)).AdvanceTo(D(20), foldBefore: D(20) - Minute);

        Assert.Equal(
            [
                (CoordinationActionType.Escalation, T0 + D(3), 1),
                (CoordinationActionType.Escalation, T0 + D(5), 2),
                (CoordinationActionType.Escalation, T0 + D(7), 3),
                (CoordinationActionType.Reminder, T0 + D(20), 0),
            ],
            d.Last.Select(a => (a.Type, a.At, a.Level ?? 0)));
        Assert.Equal("overdue by 2w5d (sent late: 19 earlier reminders folded into this one)", d.Last[^1].Reason);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    [InlineData(1.0)]
    [InlineData(3.25)]
    [InlineData(9.99)]
    [InlineData(10.0)]
    [InlineData(47.3)]
    public void Advance_FoldingUpToNow_NoStepGetsTwoRemindersInOneCall(double outageDays)
    {
        var d = EngineDriver.Onboarding().Done(D(1), "contract", "sales.rep");
        var plain = EngineDriver.Onboarding().Done(D(1), "contract", "sales.rep");
        var at = D(1);
        for (var turn = 0; turn < 6; turn++)
        {
            at += D(outageDays) + H(turn * 7);
            d.AdvanceTo(at, foldBefore: at);
            plain.AdvanceTo(at);
            foreach (var group in d.Last.Where(a => a.Type == CoordinationActionType.Reminder).GroupBy(a => a.StepId))
            {
                var reminder = Assert.Single(group);
                var unfolded = plain.Last.Where(a => a.Type == CoordinationActionType.Reminder && a.StepId == group.Key).ToList();
                Assert.Equal(unfolded[^1].At, reminder.At);
                Assert.Equal(unfolded.Count - 1, FoldedCount(reminder.Reason));
            }
            Assert.Equal(
                plain.Last.Where(a => a.Type == CoordinationActionType.Reminder).Select(a => a.StepId).Distinct().Order(StringComparer.Ordinal),
                d.Last.Where(a => a.Type == CoordinationActionType.Reminder).Select(a => a.StepId).Order(StringComparer.Ordinal));
            Assert.Equal(
                plain.Last.Where(a => a.Type == CoordinationActionType.Escalation).Select(a => (a.StepId, a.At, a.Level)),
                d.Last.Where(a => a.Type == CoordinationActionType.Escalation).Select(a => (a.StepId, a.At, a.Level)));
        }
    }

    /// <summary>How many earlier reminders or summaries a reason says were folded into its action (0 when none).</summary>
    internal static long FoldedCount(string? reason)
    {
        var match = System.Text.RegularExpressions.Regex.Match(reason ?? "", @"\(sent late: (\d+) earlier \w+ folded into this one\)$");
        return match.Success ? long.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture) : 0;
    }
}

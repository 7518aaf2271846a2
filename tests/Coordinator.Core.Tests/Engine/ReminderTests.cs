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
}

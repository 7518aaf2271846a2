using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Coordinator.Orchestration.Tests;

/// <summary>The instant before which the orchestrator folds missed reminders: one real minute before the turn, in workflow time.</summary>
public sealed class FoldMissedBeforeTests
{
    private static readonly DateTimeOffset Origin = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void FoldGrace_IsOneRealMinute()
    {
        Assert.Equal(TimeSpan.FromMinutes(1), CoordinatorLoop.FoldGrace);
    }

    [Fact]
    public void FoldMissedBefore_RealTime_IsOneMinuteBeforeTheTurn()
    {
        var now = Origin.AddDays(5);
        Assert.Equal(now.AddMinutes(-1), CoordinatorLoop.FoldMissedBefore(new WorkflowClock(Origin, 1), now));
    }

    [Fact]
    public void FoldMissedBefore_TimeScale86400_IsSixtyWorkflowDaysBeforeTheTurn()
    {
        var now = Origin.AddDays(200);
        Assert.Equal(now.AddDays(-60), CoordinatorLoop.FoldMissedBefore(new WorkflowClock(Origin, 86_400), now));
    }

    [Fact]
    public void FoldMissedBefore_GraceLongerThanAllOfTime_IsTheMinimumInsteadOfAnOverflow()
    {
        Assert.Equal(DateTimeOffset.MinValue, CoordinatorLoop.FoldMissedBefore(new WorkflowClock(Origin, 1e300), Origin.AddDays(1)));
        Assert.Equal(DateTimeOffset.MinValue, CoordinatorLoop.FoldMissedBefore(new WorkflowClock(DateTimeOffset.MinValue, 1), DateTimeOffset.MinValue.AddSeconds(30)));
    }

    /// <summary>
    /// A timer turn for wake-up W that runs L of real time after its timer (as the orchestrator reads
    /// its clock: mapped durable time, at least W) folds W exactly when L is more than the grace, at any
    /// time scale: a punctual turn never folds, a turn after an outage does.
    /// </summary>
    [Property(MaxTest = 500)]
    public Property FoldMissedBefore_AnyScaleAndLateness_FoldsTheWakeUpOnlyWhenTheTurnIsMoreThanTheGraceLate()
    {
        var scales = Gen.Choose(1, 2_000_000).Select(n => n / 2.0).Where(s => s >= 1);
        var offsets = Gen.Choose(0, int.MaxValue).Select(n => TimeSpan.FromTicks(n * 4_000L));
        var lateness = Gen.Choose(0, 600_000).Where(ms => ms != 60_000).Select(ms => TimeSpan.FromMilliseconds(ms));
        return Prop.ForAll(scales.ToArbitrary(), offsets.ToArbitrary(), lateness.ToArbitrary(), (scale, offset, late) =>
        {
            var clock = new WorkflowClock(Origin, scale);
            var wake = Origin + offset;
            var now = clock.ToWorkflowTime(clock.ToRealTime(wake) + late);
            if (now < wake)
                now = wake;
            var folds = wake < CoordinatorLoop.FoldMissedBefore(clock, now);
            return folds == (late > CoordinatorLoop.FoldGrace);
        });
    }
}

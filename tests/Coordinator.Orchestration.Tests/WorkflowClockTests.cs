using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;

namespace Coordinator.Orchestration.Tests;

public sealed class WorkflowClockTests
{
    private static readonly DateTimeOffset Origin = new(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);

    [Fact]
    public void ToWorkflowTime_ScaleOne_IsRealTime()
    {
        var clock = new WorkflowClock(Origin, 1);
        var real = Origin.AddDays(3).AddTicks(7);
        Assert.Equal(real, clock.ToWorkflowTime(real));
        Assert.Equal(real, clock.ToRealTime(real));
    }

    [Fact]
    public void ToWorkflowTime_ScaleSixty_RunsAWorkflowHourPerRealMinute()
    {
        var clock = new WorkflowClock(Origin, 60);
        Assert.Equal(Origin.AddHours(1), clock.ToWorkflowTime(Origin.AddMinutes(1)));
        Assert.Equal(Origin.AddMinutes(1), clock.ToRealTime(Origin.AddHours(1)));
    }

    [Fact]
    public void ToWorkflowDuration_ScaleSixty_IsAnHourPerRealMinute()
    {
        Assert.Equal(TimeSpan.FromHours(1), new WorkflowClock(Origin, 60).ToWorkflowDuration(TimeSpan.FromMinutes(1)));
        Assert.Equal(TimeSpan.FromMinutes(1), new WorkflowClock(Origin, 1).ToWorkflowDuration(TimeSpan.FromMinutes(1)));
    }

    [Fact]
    public void ToWorkflowDuration_TooLongToRepresent_IsTheMaximum()
    {
        Assert.Equal(TimeSpan.MaxValue, new WorkflowClock(Origin, 1e300).ToWorkflowDuration(TimeSpan.FromMinutes(1)));
    }

    [Property(MaxTest = 500)]
    public Property ToRealTime_AnyScaleAndWakeUp_TimerNeverFiresBeforeTheWorkflowTimeIsReached()
    {
        var scales = Gen.Choose(1, 2_000_000).Select(n => n / 2.0).Where(s => s >= 1);
        var offsets = Gen.Choose(0, int.MaxValue).Select(n => TimeSpan.FromTicks(n * 4_000L));
        return Prop.ForAll(scales.ToArbitrary(), offsets.ToArbitrary(), (scale, offset) =>
        {
            var clock = new WorkflowClock(Origin, scale);
            var wake = Origin + offset;
            var fired = clock.ToWorkflowTime(clock.ToRealTime(wake));
            return fired >= wake && fired - wake <= TimeSpan.FromTicks((long)Math.Ceiling(scale) + 1);
        });
    }
}

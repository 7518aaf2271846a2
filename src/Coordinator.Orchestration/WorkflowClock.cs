namespace Coordinator.Orchestration;

/// <summary>
/// Maps durable (real) time to workflow time and back for an instance that runs <see cref="Scale"/>
/// times faster than its definition says. Both clocks coincide at <see cref="Origin"/>, the moment
/// the instance started: <c>workflow = origin + (real − origin) × scale</c>. With a scale of 1 the
/// two clocks are the same.
/// </summary>
/// <param name="Origin">The instance's start, in both clocks.</param>
/// <param name="Scale">How many times faster than real time the workflow runs (≥ 1).</param>
public readonly record struct WorkflowClock(DateTimeOffset Origin, double Scale)
{
    /// <summary>The workflow time at a real moment (rounded down to a tick).</summary>
    public DateTimeOffset ToWorkflowTime(DateTimeOffset real) =>
        Origin + TimeSpan.FromTicks(checked((long)Math.Floor((real - Origin).Ticks * Scale)));

    /// <summary>
    /// The real moment a timer must fire for the workflow to reach <paramref name="workflow"/>
    /// (rounded up to a tick, so the timer never fires before the workflow time is reached).
    /// </summary>
    public DateTimeOffset ToRealTime(DateTimeOffset workflow) =>
        Origin + TimeSpan.FromTicks(checked((long)Math.Ceiling((workflow - Origin).Ticks / Scale)));

    /// <summary>
    /// The workflow time that passes during <paramref name="real"/> (rounded down to a tick;
    /// <see cref="TimeSpan.MaxValue"/> when it does not fit).
    /// </summary>
    public TimeSpan ToWorkflowDuration(TimeSpan real)
    {
        var ticks = Math.Floor(real.Ticks * Scale);
        if (ticks >= TimeSpan.MaxValue.Ticks)
            return TimeSpan.MaxValue;
        return ticks <= TimeSpan.MinValue.Ticks ? TimeSpan.MinValue : TimeSpan.FromTicks((long)ticks);
    }
}

namespace Coordinator.Core.Engine;

/// <summary>
/// The reminder times of an active step: one per <c>before_due</c> offset at due − offset (dropped
/// when before activation), then, with <c>overdue_every</c>, one at the due time and every
/// <c>overdue_every</c> after it.
/// </summary>
internal static class ReminderSchedule
{
    /// <summary>The first reminder time after <paramref name="from"/> (at or after it when <paramref name="inclusive"/>); null when none.</summary>
    public static DateTimeOffset? Next(CompiledStep step, DateTimeOffset activatedAt, DateTimeOffset? dueAt, DateTimeOffset from, bool inclusive)
    {
        if (dueAt is not { } due)
            return null;
        foreach (var offset in step.BeforeDue)
        {
            var at = due - offset;
            if (at >= activatedAt && (inclusive ? at >= from : at > from))
                return at;
        }
        if (step.OverdueEvery is not { } every)
            return null;
        if (inclusive ? due >= from : due > from)
            return due;
        var periods = (from - due).Ticks / every.Ticks;
        var candidate = due + (every * periods);
        return inclusive ? (candidate >= from ? candidate : candidate + every) : (candidate > from ? candidate : candidate + every);
    }

    /// <summary>
    /// The latest reminder time at or before <paramref name="until"/>, counting from <paramref name="next"/>
    /// (a reminder time of the schedule, normally the step's next reminder); null when <paramref name="next"/>
    /// is after <paramref name="until"/>. Overdue repeats are computed, not walked, so a long outage costs
    /// no more than a short one.
    /// </summary>
    public static DateTimeOffset? LatestAtOrBefore(CompiledStep step, DateTimeOffset activatedAt, DateTimeOffset dueAt, DateTimeOffset next, DateTimeOffset until)
    {
        if (next > until)
            return null;
        if (step.OverdueEvery is { } every && until >= dueAt)
        {
            // Every time from the due time on is an overdue reminder: the last whole period before until.
            var latest = dueAt + TimeSpan.FromTicks(every.Ticks * ((until - dueAt).Ticks / every.Ticks));
            return latest > next ? latest : next;
        }

        // Only before_due reminders (and the one at the due time) can lie at or before until: a few at most.
        var at = next;
        while (Next(step, activatedAt, dueAt, at, inclusive: false) is { } later && later <= until)
            at = later;
        return at;
    }

    /// <summary>
    /// How many reminder times lie in [<paramref name="from"/>, <paramref name="to"/>), where
    /// <paramref name="from"/> is a reminder time of the schedule. Overdue repeats are counted arithmetically.
    /// </summary>
    public static long CountBetween(CompiledStep step, DateTimeOffset activatedAt, DateTimeOffset dueAt, DateTimeOffset from, DateTimeOffset to)
    {
        long count = 0;
        DateTimeOffset? at = from;
        while (at is { } t && t < to)
        {
            // After the due time the reminders are exactly t, t + every, t + 2·every, ...
            if (step.OverdueEvery is { } every && t > dueAt)
                return count + (((to - t).Ticks - 1) / every.Ticks) + 1;
            count++;
            at = Next(step, activatedAt, dueAt, t, inclusive: false);
        }
        return count;
    }

    /// <summary>Whether a reminder at <paramref name="at"/> is one of the repeating overdue reminders after the one at the due time.</summary>
    public static bool IsRepeating(DateTimeOffset at, DateTimeOffset? dueAt) => dueAt is { } due && at > due;
}

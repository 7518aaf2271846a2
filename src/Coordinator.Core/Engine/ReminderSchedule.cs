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

    /// <summary>Whether a reminder at <paramref name="at"/> is one of the repeating overdue reminders after the one at the due time.</summary>
    public static bool IsRepeating(DateTimeOffset at, DateTimeOffset? dueAt) => dueAt is { } due && at > due;
}

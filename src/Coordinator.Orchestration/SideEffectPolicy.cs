namespace Coordinator.Orchestration;

/// <summary>
/// How an instance performs its side effects, frozen into its <see cref="CoordinatorInput"/> when it
/// starts so that replay never depends on configuration read later (see docs/orchestration.md):
/// which effects it performs at all, how long it keeps retrying the must-succeed audit append, and
/// the durable retry schedule of the best-effort effects (notifications, CRM, memory).
/// </summary>
public sealed record SideEffectPolicy
{
    /// <summary>The policy of instances started by this version.</summary>
    public static readonly SideEffectPolicy Default = new();

    /// <summary>Whether actions addressed to people are notified.</summary>
    public bool Notify { get; init; } = true;

    /// <summary>Whether progress changes update the CRM record (instances with a business key).</summary>
    public bool Crm { get; init; } = true;

    /// <summary>Whether blocks, decisions, reassignments and completion notes are remembered.</summary>
    public bool Memory { get; init; } = true;

    /// <summary>The wait after the first failed audit append; it doubles after each failure up to <see cref="AuditMaxRetryInterval"/>.</summary>
    public TimeSpan AuditFirstRetryInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between two audit append attempts. The audit is retried for as long as it takes.</summary>
    public TimeSpan AuditMaxRetryInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// The waits before each durable retry of a best-effort effect that failed its in-turn attempts
    /// (real time); the last one repeats until <see cref="EffectGiveUpAfter"/>.
    /// </summary>
    public IReadOnlyList<TimeSpan> EffectRetrySchedule { get; init; } =
        [TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(1)];

    /// <summary>How long after its first failure a best-effort effect is abandoned (audited as <c>side_effect.abandoned</c>).</summary>
    public TimeSpan EffectGiveUpAfter { get; init; } = TimeSpan.FromHours(48);

    /// <summary>The wait before the durable retry that follows <paramref name="failures"/> failed attempts (1 = the first).</summary>
    public TimeSpan EffectRetryDelay(int failures)
    {
        var schedule = EffectRetrySchedule;
        return schedule[Math.Clamp(failures - 1, 0, schedule.Count - 1)];
    }

    /// <summary>The wait after <paramref name="failures"/> failed audit appends (1 = the first): doubling, capped.</summary>
    public TimeSpan AuditRetryDelay(int failures)
    {
        var ticks = AuditFirstRetryInterval.Ticks * Math.Pow(2, Math.Clamp(failures - 1, 0, 30));
        return ticks >= AuditMaxRetryInterval.Ticks ? AuditMaxRetryInterval : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>Throws <see cref="ArgumentException"/> naming what is wrong.</summary>
    public void Validate()
    {
        if (AuditFirstRetryInterval <= TimeSpan.Zero || AuditMaxRetryInterval < AuditFirstRetryInterval)
            throw new ArgumentException($"SideEffects.AuditFirstRetryInterval must be positive and at most AuditMaxRetryInterval; got {AuditFirstRetryInterval} and {AuditMaxRetryInterval}.");
        if (EffectRetrySchedule is null || EffectRetrySchedule.Count == 0 || EffectRetrySchedule.Any(static d => d <= TimeSpan.Zero))
            throw new ArgumentException("SideEffects.EffectRetrySchedule needs at least one positive wait (for example 1 min, 5 min, 30 min, 1 h).");
        if (EffectGiveUpAfter <= TimeSpan.Zero)
            throw new ArgumentException($"SideEffects.EffectGiveUpAfter must be positive; got {EffectGiveUpAfter}.");
    }
}

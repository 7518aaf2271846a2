using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Coordinator.Orchestration;

/// <summary>
/// The product's own trace source and meter, both named <c>Coordinator</c>. Measurements are taken
/// where work is done once: in activities (never in orchestrator code, which replays) and in the
/// application core's handling of a request. Tags are workflow ids, kinds and levels, never person ids
/// or business keys (they are personal or unbounded).
/// </summary>
public static class CoordinatorTelemetry
{
    /// <summary>The name of the <see cref="ActivitySource"/> and the <see cref="Meter"/>.</summary>
    public const string Name = "Coordinator";

    public static readonly ActivitySource Source = new(Name);

    public static readonly Meter Meter = new(Name);

    /// <summary>Human events accepted by an instance (tags: workflow, type).</summary>
    public static readonly Counter<long> EventsAccepted = Meter.CreateCounter<long>(
        "coordinator.events.accepted", "{event}", "Human events (done, progress, blocked, decide, reassign) an instance applied.");

    /// <summary>Human events refused, before raising or by the instance (tags: workflow, type).</summary>
    public static readonly Counter<long> EventsRejected = Meter.CreateCounter<long>(
        "coordinator.events.rejected", "{event}", "Human events refused with a reason (step not active, person not allowed, unknown option, a conflicting event first).");

    /// <summary>Notifications delivered (tags: workflow, action: step.activated, reminder, escalation, ...; level for escalations).</summary>
    public static readonly Counter<long> NotificationsSent = Meter.CreateCounter<long>(
        "coordinator.notifications.sent", "{notification}", "Notifications delivered to their recipients' channels, once per action (a retry of a delivered one is not counted).");

    /// <summary>Best-effort side effects that failed and wait for a durable retry (tags: workflow, effect: notification, crm, memory, work).</summary>
    public static readonly Counter<long> SideEffectsFailed = Meter.CreateCounter<long>(
        "coordinator.side_effects.failed", "{effect}", "Side effect attempts that failed (the instance retries them durably under the same key).");

    /// <summary>How long appending a turn's audit rows took (tags: workflow).</summary>
    public static readonly Histogram<double> AuditAppendDuration = Meter.CreateHistogram<double>(
        "coordinator.audit.append.duration", "s", "Time to append one turn's rows to the audit registry (hash chain included).");
}

using System.Diagnostics;
using System.Diagnostics.Metrics;
using Coordinator.Core.Ports;

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

    /// <summary>
    /// Starts the span of an effect (an activity) of a turn a step event caused, in the trace of the
    /// request that sent the event: its parent is <paramref name="traceParent"/> (see
    /// <see cref="Core.Engine.HumanEvent.TraceParent"/>), so the activity's SQL and HTTP calls join that
    /// trace, and it links to the activity's own Durable span (the instance's trace). Null without a trace
    /// context (timer turns) or when nobody listens.
    /// </summary>
    public static Activity? StartEffect(string activity, string? traceParent, string? workflowId)
    {
        if (traceParent is null || !ActivityContext.TryParse(traceParent, null, isRemote: true, out var cause))
            return null;
        ActivityLink[]? links = Activity.Current is { } durable ? [new ActivityLink(durable.Context)] : null;
        var span = Source.StartActivity("effect:" + activity, ActivityKind.Internal, cause, links: links);
        span?.SetTag("coordinator.workflow", workflowId);
        return span;
    }

    /// <summary>How long delivering one notification to its channel took, per recipient batch (tags: workflow, channel).</summary>
    public static readonly Histogram<double> NotificationDeliveryDuration = Meter.CreateHistogram<double>(
        "coordinator.notifications.delivery.duration", "s", "Time to deliver one notification to its recipients through their channel (successful deliveries).");

    // The fleet-wide workload (read from the read models by the host's workload reader, published here;
    // every host reports the same figures: aggregate them across hosts with max or last, not sum).
    private static IReadOnlyList<WorkflowWorkload> workload = [];

    /// <summary>Running instances per workflow (tag: workflow).</summary>
    public static readonly ObservableGauge<long> InstancesRunning = Meter.CreateObservableGauge(
        "coordinator.instances.running", () => Observe(static w => w.InstancesRunning), "{instance}", "Instances started and not completed, fleet-wide (every host reports the same figure).");

    /// <summary>Task steps waiting on their owners per workflow (tag: workflow).</summary>
    public static readonly ObservableGauge<long> StepsActive = Meter.CreateObservableGauge(
        "coordinator.steps.active", () => Observe(static w => w.StepsActive), "{step}", "Task steps active and waiting on their owners, fleet-wide.");

    /// <summary>Blocked steps per workflow (tag: workflow).</summary>
    public static readonly ObservableGauge<long> StepsBlocked = Meter.CreateObservableGauge(
        "coordinator.steps.blocked", () => Observe(static w => w.StepsBlocked), "{step}", "Steps blocked and waiting on a decision about the block, fleet-wide.");

    /// <summary>Decision steps waiting on their deciders per workflow (tag: workflow).</summary>
    public static readonly ObservableGauge<long> DecisionsWaiting = Meter.CreateObservableGauge(
        "coordinator.decisions.waiting", () => Observe(static w => w.DecisionsWaiting), "{step}", "Decision steps waiting on their deciders, fleet-wide.");

    /// <summary>Waiting steps past their due moment per workflow (tag: workflow).</summary>
    public static readonly ObservableGauge<long> StepsOverdue = Meter.CreateObservableGauge(
        "coordinator.steps.overdue", () => Observe(static w => w.StepsOverdue), "{step}", "Waiting steps (active, blocked or decision) past their due moment, fleet-wide.");

    /// <summary>Side effects that failed and wait for a durable retry, per workflow (tag: workflow).</summary>
    public static readonly ObservableGauge<long> SideEffectsPendingRetry = Meter.CreateObservableGauge(
        "coordinator.side_effects.pending_retry", () => Observe(static w => w.EffectsPendingRetry), "{effect}", "Side effects of running instances whose latest attempt failed and that wait for a durable retry, fleet-wide.");

    /// <summary>Whether a metrics listener (an exporter) observes the workload gauges, so that reading the workload is worth a query.</summary>
    public static bool WorkloadObserved => InstancesRunning.Enabled;

    /// <summary>Replaces the workload the gauges report (one row per workflow).</summary>
    public static void PublishWorkload(IReadOnlyList<WorkflowWorkload> current)
    {
        ArgumentNullException.ThrowIfNull(current);
        Volatile.Write(ref workload, current);
    }

    private static IEnumerable<Measurement<long>> Observe(Func<WorkflowWorkload, long> value) =>
        Volatile.Read(ref workload).Select(w => new Measurement<long>(value(w), new KeyValuePair<string, object?>("workflow", w.WorkflowId)));
}

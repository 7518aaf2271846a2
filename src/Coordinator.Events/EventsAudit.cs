using System.Text.Json;
using Coordinator.Core.Ports;

namespace Coordinator.Events;

/// <summary>
/// The audit rows of the CloudEvents integration, which belong to no instance (workflow_id <c>events</c>, so the relay
/// never sends them): an inbound request refused (<c>webhook.denied</c>, <c>DENY</c>, instance <c>events:inbound</c>,
/// detail <c>{source: "events", reason}</c>, never the body), and per target (instance <c>events:&lt;target&gt;</c>) a
/// delivery delayed by failures (<c>events.delivery_delayed</c>, <c>WARN</c>), delivered after all
/// (<c>events.delivery_recovered</c>, <c>ALLOW</c>) or refused for good by the receiver (<c>events.delivery_refused</c>,
/// <c>WARN</c>). Delivery rows are keyed by the target and the event, so a repeat (another host, a restart) writes no second row.
/// </summary>
public sealed class EventsAudit(IAuditLog audit, TimeProvider time)
{
    public const string WorkflowId = "events";
    public const string Source = "events";
    public const string Delayed = "events.delivery_delayed";
    public const string Recovered = "events.delivery_recovered";
    public const string Refused = "events.delivery_refused";

    /// <summary>Failures in a row after which a delivery is written to the audit (a blip is not; an outage is).</summary>
    public const int DelayedAfterFailures = 3;

    public Task DeniedAsync(string reason, CancellationToken cancellationToken) =>
        AppendAsync("inbound", "webhook.denied", AuditVerdict.Deny, "anonymous", $"{Guid.NewGuid():N}", new { source = Source, reason }, cancellationToken);

    public Task DelayedAsync(EventTarget target, string eventId, int failures, string error, CancellationToken cancellationToken) =>
        AppendAsync(target.Name, Delayed, AuditVerdict.Warn, AuditEntry.CoordinatorActor, eventId,
            new { target = target.Name, url = target.Url.GetLeftPart(UriPartial.Path), @event = eventId, failures, error }, cancellationToken);

    public Task RecoveredAsync(EventTarget target, string eventId, int failures, CancellationToken cancellationToken) =>
        AppendAsync(target.Name, Recovered, AuditVerdict.Allow, AuditEntry.CoordinatorActor, eventId,
            new { target = target.Name, url = target.Url.GetLeftPart(UriPartial.Path), @event = eventId, failures }, cancellationToken);

    public Task RefusedAsync(EventTarget target, string eventId, int status, CancellationToken cancellationToken) =>
        AppendAsync(target.Name, Refused, AuditVerdict.Warn, AuditEntry.CoordinatorActor, eventId,
            new { target = target.Name, url = target.Url.GetLeftPart(UriPartial.Path), @event = eventId, status, reason = "the receiver refused the event for good; it was skipped so the events after it flow" }, cancellationToken);

    private Task AppendAsync(string target, string action, AuditVerdict verdict, string actor, string key, object detail, CancellationToken cancellationToken) =>
        audit.AppendAsync([AuditEntry.OutsideInstances("events", target, WorkflowId, action, verdict, actor, key, detail, time.GetUtcNow())], cancellationToken);
}

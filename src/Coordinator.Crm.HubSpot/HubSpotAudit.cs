using System.Text.Json;
using Coordinator.Core.Ports;

namespace Coordinator.Crm.HubSpot;

/// <summary>
/// HubSpot's audit rows. On an instance's trail, once each (keyed by the update at the head of the record's queue):
/// <c>crm.update_delayed</c> (<c>WARN</c>: HubSpot failed three times in a row; the updates wait in the outbox),
/// <c>crm.update_recovered</c> (<c>ALLOW</c>: they went through after all, with how late) and <c>crm.update_refused</c>
/// (<c>WARN</c>: HubSpot refused for good: the record is gone). Outside any instance (<c>instance_id</c> <c>crm:hubspot</c>,
/// <c>workflow_id</c> <c>crm</c>): <c>webhook.denied</c> (<c>DENY</c>, never the body) and <c>crm.start_refused</c> (<c>WARN</c>:
/// an event matched a definition but the instance could not be started, and why).
/// </summary>
public sealed class HubSpotAudit(IAuditLog audit, TimeProvider time)
{
    public const string WorkflowId = "crm";
    public const string InstanceId = "crm:hubspot";

    /// <summary>Failures in a row after which a delayed record is written to the audit (a blip is not; an outage is).</summary>
    public const int DelayedAfterFailures = 3;

    public Task DeniedAsync(string reason, CancellationToken cancellationToken = default) =>
        OutsideAsync("webhook.denied", AuditVerdict.Deny, "anonymous", Guid.NewGuid().ToString("N"), null, new { source = "hubspot", reason }, cancellationToken);

    public Task StartRefusedAsync(CrmStartRequest request, string reason, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        return OutsideAsync("crm.start_refused", AuditVerdict.Warn, AuditEntry.CoordinatorActor, $"{request.EventId}:{request.WorkflowId}", request.ObjectId,
            new { source = request.Source, workflow = request.WorkflowId, @object = request.Object.ToString().ToLowerInvariant(), objectId = request.ObjectId, eventId = request.EventId, reason }, cancellationToken);
    }

    public Task DelayedAsync(CrmUpdate head, int failures, string error, TimeSpan nextTry, CancellationToken cancellationToken = default) =>
        OnTrailAsync(head, "crm.update_delayed", AuditVerdict.Warn, new { crm = "hubspot", update = head.IdempotencyKey, failures, error, next_try_seconds = nextTry.TotalSeconds }, cancellationToken);

    public Task RecoveredAsync(CrmUpdate head, int failures, TimeSpan late, CancellationToken cancellationToken = default) =>
        OnTrailAsync(head, "crm.update_recovered", AuditVerdict.Allow, new { crm = "hubspot", update = head.IdempotencyKey, failures, late_seconds = Math.Round(late.TotalSeconds, 3) }, cancellationToken);

    public Task RefusedAsync(CrmUpdate head, string reason, CancellationToken cancellationToken = default) =>
        OnTrailAsync(head, "crm.update_refused", AuditVerdict.Warn, new { crm = "hubspot", update = head.IdempotencyKey, reason }, cancellationToken);

    // On the instance's trail, keyed by the update: a repeat writes nothing. Not a turn of the instance: no sequence, version 0.
    private async Task OnTrailAsync(CrmUpdate head, string action, AuditVerdict verdict, object detail, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(head);
        await audit.AppendAsync([new AuditEntry
        {
            IdempotencyKey = $"crm:hubspot:{action}:{head.IdempotencyKey}",
            At = time.GetUtcNow(),
            InstanceId = head.InstanceId,
            WorkflowId = head.WorkflowId,
            WorkflowVersion = 0,
            BusinessKey = head.BusinessKey,
            StepId = head.StepId,
            Action = action,
            Actor = AuditEntry.CoordinatorActor,
            Verdict = verdict,
            Detail = JsonSerializer.SerializeToElement(detail),
        }], cancellationToken).ConfigureAwait(false);
    }

    private Task OutsideAsync(string action, AuditVerdict verdict, string actor, string key, string? businessKey, object detail, CancellationToken cancellationToken) =>
        audit.AppendAsync([AuditEntry.OutsideInstances("crm", "hubspot", WorkflowId, action, verdict, actor, key, detail, time.GetUtcNow()) with { BusinessKey = businessKey }], cancellationToken);
}

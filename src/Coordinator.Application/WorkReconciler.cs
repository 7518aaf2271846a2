using System.Text.Json;
using Coordinator.Core.Ports;
using Microsoft.DurableTask.Client;

namespace Coordinator.Application;

/// <summary>
/// Keeps the read model of open work true to the Durable backend for instances that ended outside the coordinator: an
/// instance terminated by Durable tooling (the Azure portal, <c>func durable terminate</c>, a script) never runs its
/// last turn, so its steps would stay on people's lists and in the "running" view. Each pass asks the backend for the
/// terminated and failed instances (one query, however many are running), withdraws the work of those the read model
/// still shows running, and writes one audit row for each (<c>instance.work_withdrawn</c>, <c>WARN</c>): the registry
/// shows that the instance ended, and how, though no turn of it said so. Idempotent: a second pass changes nothing.
/// </summary>
public sealed class WorkReconciler(DurableTaskClient client, IWorkProjection projection, IAuditLog audit, TimeProvider time)
{
    public const string AuditAction = "instance.work_withdrawn";

    /// <summary>One pass; answers the instances whose work it withdrew.</summary>
    public async Task<IReadOnlyList<string>> ReconcileAsync(CancellationToken cancellationToken)
    {
        var withdrawn = new List<string>();
        var query = new OrchestrationQuery
        {
            Statuses = [OrchestrationRuntimeStatus.Terminated, OrchestrationRuntimeStatus.Failed],
            FetchInputsAndOutputs = false,
            PageSize = 100,
        };
        await foreach (var instance in client.GetAllInstancesAsync(query).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            if (await projection.WithdrawAsync(instance.InstanceId, cancellationToken).ConfigureAwait(false) is not { } ended)
                continue;
            withdrawn.Add(instance.InstanceId);
            var status = instance.RuntimeStatus == OrchestrationRuntimeStatus.Terminated ? "terminated" : "failed";
            await audit.AppendAsync([new AuditEntry
            {
                IdempotencyKey = $"reconcile:{instance.InstanceId}:{status}",
                At = time.GetUtcNow(),
                InstanceId = instance.InstanceId,
                WorkflowId = ended.WorkflowId,
                WorkflowVersion = 0,
                BusinessKey = ended.BusinessKey,
                Action = AuditAction,
                Actor = AuditEntry.CoordinatorActor,
                Verdict = AuditVerdict.Warn,
                Detail = JsonSerializer.SerializeToElement(new
                {
                    status,
                    ended_at = instance.LastUpdatedAt,
                    reason = status == "terminated"
                        ? "the instance was terminated outside the coordinator (Durable tooling); its open work left people's lists"
                        : "the instance failed without taking its open work off people's lists; it was withdrawn",
                }),
            }], cancellationToken).ConfigureAwait(false);
        }
        return withdrawn;
    }
}

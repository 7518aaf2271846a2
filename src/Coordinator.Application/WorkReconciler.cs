using System.Text.Json;
using Coordinator.Core.Ports;
using Microsoft.DurableTask.Client;
using Microsoft.Extensions.Logging;

namespace Coordinator.Application;

/// <summary>
/// Keeps the read model of open work true to the Durable backend for instances that ended outside the coordinator: an
/// instance terminated by Durable tooling (the Azure portal, <c>func durable terminate</c>, a script) never runs its
/// last turn, so its steps would stay on people's lists and in the "running" view. Each pass asks the backend for the
/// terminated and failed instances (one query, however many are running), withdraws, a page at a time in one statement,
/// the work of those the read model still shows running, and writes one audit row for each
/// (<c>instance.work_withdrawn</c>, <c>WARN</c>): the registry shows that the instance ended, and how, though no turn of
/// it said so. Idempotent: a second pass changes nothing.
/// </summary>
public sealed partial class WorkReconciler(DurableTaskClient client, IWorkProjection projection, IAuditLog audit, TimeProvider time, ILogger logger)
{
    public const string AuditAction = "instance.work_withdrawn";

    private const int PageSize = 100;

    /// <summary>One pass; answers the instances whose work it withdrew.</summary>
    public async Task<IReadOnlyList<string>> ReconcileAsync(CancellationToken cancellationToken)
    {
        var withdrawn = new List<string>();
        var query = new OrchestrationQuery
        {
            Statuses = [OrchestrationRuntimeStatus.Terminated, OrchestrationRuntimeStatus.Failed],
            FetchInputsAndOutputs = false,
            PageSize = PageSize,
        };
        await foreach (var page in client.GetAllInstancesAsync(query).AsPages(pageSizeHint: PageSize).WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            var ended = page.Values.ToDictionary(static i => i.InstanceId, StringComparer.Ordinal);
            var instances = await projection.WithdrawAsync(ended.Keys, cancellationToken).ConfigureAwait(false);
            if (instances.Count == 0)
                continue;
            await audit.AppendAsync([.. instances.Select(i => Entry(i, ended[i.InstanceId]))], cancellationToken).ConfigureAwait(false);
            withdrawn.AddRange(instances.Select(static i => i.InstanceId));
        }
        if (withdrawn.Count > 0)
            Withdrawn(logger, withdrawn.Count, string.Join(", ", withdrawn.Take(10)));
        return withdrawn;
    }

    private AuditEntry Entry(WorkInstance instance, OrchestrationMetadata metadata)
    {
        var status = metadata.RuntimeStatus == OrchestrationRuntimeStatus.Terminated ? "terminated" : "failed";
        return new AuditEntry
        {
            IdempotencyKey = $"reconcile:{instance.InstanceId}:{status}",
            At = time.GetUtcNow(),
            InstanceId = instance.InstanceId,
            WorkflowId = instance.WorkflowId,
            WorkflowVersion = 0,
            BusinessKey = instance.BusinessKey,
            Action = AuditAction,
            Actor = AuditEntry.CoordinatorActor,
            Verdict = AuditVerdict.Warn,
            Detail = JsonSerializer.SerializeToElement(new
            {
                status,
                ended_at = metadata.LastUpdatedAt,
                reason = status == "terminated"
                    ? "the instance was terminated outside the coordinator (Durable tooling); its open work left people's lists"
                    : "the instance failed without taking its open work off people's lists; it was withdrawn",
            }),
        };
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} instance(s) ended outside the coordinator (terminated or failed); their open work was withdrawn: {Instances}")]
    private static partial void Withdrawn(ILogger logger, int count, string instances);
}

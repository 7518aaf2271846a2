using Coordinator.Core.Ports;
using Microsoft.DurableTask;

namespace Coordinator.Orchestration.Activities;

/// <summary>Input of <see cref="AppendAuditEntries"/>: the audit entries of one engine turn, in action order.</summary>
public sealed record AppendAuditEntriesRequest(IReadOnlyList<AuditEntry> Entries);

/// <summary>Output of <see cref="AppendAuditEntries"/>.</summary>
/// <param name="Appended">Entries written now.</param>
/// <param name="AlreadyRecorded">Entries an earlier attempt had written (skipped by idempotency key).</param>
/// <param name="Superseded">
/// Keys of entries the registry refused because another action of the instance already holds their
/// action number (a fork, recorded as <c>action.superseded</c>); the orchestrator performs no effect of those actions.
/// </param>
public sealed record AppendAuditEntriesResult(int Appended, int AlreadyRecorded, IReadOnlyList<string>? Superseded = null);

/// <summary>
/// Activity: appends the audit entries of one turn to <see cref="IAuditLog"/> in one ordered,
/// atomic batch, so the registry's sequence follows the actions' order.
/// </summary>
public sealed class AppendAuditEntries(IAuditLog auditLog) : TaskActivity<AppendAuditEntriesRequest, AppendAuditEntriesResult>
{
    public override async Task<AppendAuditEntriesResult> RunAsync(TaskActivityContext context, AppendAuditEntriesRequest input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var result = await auditLog.AppendAsync(input.Entries).ConfigureAwait(false);
        return new AppendAuditEntriesResult(result.Appended, result.AlreadyRecorded, result.SupersededKeys.Count == 0 ? null : result.SupersededKeys);
    }
}
